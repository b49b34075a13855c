package net_test

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// testLoop creates a loop with a watchdog that turns a hang into a failure (it closes every
// handle so that Run returns), and closes everything when the test ends. Callbacks check
// with assert, not require: FailNow inside a callback would unwind through Run.
func testLoop(t testing.TB) *uv.Loop {
	t.Helper()
	l, err := uv.NewLoop()
	require.NoError(t, err)
	dog, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, dog.Start(func(*handles.Timer) {
		t.Errorf("watchdog: the test hung")
		closeAll(l)
	}, 8_000, 0))
	dog.Unref()
	t.Cleanup(func() {
		closeAll(l)
		for i := 0; ; i++ {
			alive, err := l.Run(uv.RunNoWait)
			require.NoError(t, err)
			if !alive {
				break
			}
			if i == 1000 {
				t.Fatalf("the loop is still alive after closing every handle")
			}
		}
		require.NoError(t, l.Close())
	})
	return l
}

func closeAll(l *uv.Loop) {
	l.Walk(func(h *uv.Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
}

// run runs the loop until it has nothing left to do.
func run(t testing.TB, l *uv.Loop) {
	t.Helper()
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
}

// runUntil runs the loop one iteration at a time until cond holds.
func runUntil(t testing.TB, l *uv.Loop, cond func() bool) {
	t.Helper()
	for !cond() {
		alive, err := l.Run(uv.RunOnce)
		require.NoError(t, err)
		if !alive && !cond() {
			t.Fatalf("the loop ran out of work before the condition held")
		}
	}
}

func skipRace(t testing.TB) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				t.Skip("allocation counts are not meaningful under -race")
			}
		}
	}
}
