package conformance_test

import (
	"fmt"
	"os"
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

// childHelpers are the modes in which the test binary runs as a child process, as libuv's
// runner runs its own helpers (spawn_helper1, ipc servers, ...). A test file registers a mode
// in an init function; spawnSelf starts the test binary in that mode.
var childHelpers = map[string]func() int{}

const childEnv = "UV_CONFORMANCE_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		f, ok := childHelpers[mode]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown child helper %q\n", mode)
			os.Exit(127)
		}
		os.Exit(f())
	}
	os.Exit(m.Run())
}

// childCommand returns the file, arguments and environment that run this test binary as the
// child helper mode, with extra arguments after it.
func childCommand(mode string, args ...string) (file string, argv []string, env []string) {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return exe, append([]string{exe}, args...), append(os.Environ(), childEnv+"="+mode)
}
