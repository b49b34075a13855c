package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// newLoop creates a loop that is checked and released when the test ends: every handle
// left open is closed, the loop runs until the close callbacks ran, and Close must succeed
// (libuv's MAKE_VALGRIND_HAPPY).
func newLoop(t testing.TB) *uv.Loop {
	t.Helper()
	l, err := uv.NewLoop()
	require.NoError(t, err)
	t.Cleanup(func() { closeLoop(t, l) })
	return l
}

// closeLoop closes every handle of l, runs it until they are closed, and closes it.
func closeLoop(t testing.TB, l *uv.Loop) {
	t.Helper()
	if l.Closed() {
		return
	}
	l.Walk(func(h *uv.Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// run runs l in mode and fails the test on an error.
func run(t testing.TB, l *uv.Loop, mode uv.RunMode) bool {
	t.Helper()
	alive, err := l.Run(mode)
	require.NoError(t, err)
	return alive
}
