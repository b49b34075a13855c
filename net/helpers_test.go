package net_test

import (
	"errors"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
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
	}, watchdogMs(), 0))
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

// watchdogMs is how long testLoop lets a test run: 8 s, but 60 s on Windows, where the
// tests run under Wine and every socket call is a round trip to the wineserver: an echo
// round of TestEchoFleetAllocs's 64 connections takes about 60 ms there (well under 1 ms on
// Linux), so its 202 rounds alone outlast 8 s.
func watchdogMs() uint64 {
	if runtime.GOOS == "windows" {
		return 60_000
	}
	return 8_000
}

// netErrIs reports whether err, from Go's net package, carries the host's code for the uv
// error e. On unix that is errors.Is(err, syscall.ECONNRESET) and the like; on Windows Go
// reports Winsock's own codes (WSAECONNRESET, 10054), which are not Go's syscall.ECONNRESET
// there (Go invents values for the POSIX names), so the code is matched through uv's table,
// which maps both.
func netErrIs(err error, e *uv.Error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && errors.Is(e, errno)
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

// skipRace skips an allocation-count test under -race (see testutil.SkipRace).
var skipRace = testutil.SkipRace

// tempDir is t.TempDir made safe for Wine's missing FileDispositionInformationEx (see
// testutil.TempDir).
var tempDir = testutil.TempDir
