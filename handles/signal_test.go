package handles

// Internal tests of the signal handle: they look at the dispatcher's state to check that
// watches are released. Signals are raised with os.Process.Signal so the file builds
// everywhere; SIGALRM and SIGPIPE have the same numbers on every Unix, and the Go runtime
// ignores both when nobody watches them.

import (
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/internal/testutil"
)

// sigTestLoop creates a loop for a signal test (skipping where loops are not implemented) and
// checks at the end that it closes cleanly and no signal stays watched.
func sigTestLoop(t *testing.T) *uv.Loop {
	t.Helper()
	l, err := uv.NewLoop()
	if err != nil {
		t.Skipf("no loop on this system: %v", err)
	}
	t.Cleanup(func() {
		if !l.Closed() {
			l.Walk(func(h *uv.Handle) {
				if !h.IsClosing() {
					h.Close(nil)
				}
			})
			_, err := l.Run(uv.RunDefault)
			require.NoError(t, err)
			require.NoError(t, l.Close())
		}
		require.Empty(t, watchedSignals(), "signals still watched after the test")
	})
	return l
}

func watchedSignals() []int {
	sigDispatch.mu.Lock()
	defer sigDispatch.mu.Unlock()
	var n []int
	for s := range sigDispatch.watches {
		n = append(n, s)
	}
	return n
}

func raise(t testing.TB, sig syscall.Signal) {
	t.Helper()
	p, err := os.FindProcess(os.Getpid())
	require.NoError(t, err)
	require.NoError(t, p.Signal(sig))
}

func runLoop(t testing.TB, l *uv.Loop, mode uv.RunMode) bool {
	t.Helper()
	alive, err := l.Run(mode)
	require.NoError(t, err)
	return alive
}

func TestSignalErrors(t *testing.T) {
	l := sigTestLoop(t)
	s, err := NewSignal(l)
	require.NoError(t, err)
	cb := func(*Signal, int) { t.Fatal("unexpected signal") }

	require.ErrorIs(t, s.Start(cb, 0), uv.EINVAL)
	require.ErrorIs(t, s.Start(cb, -1), uv.EINVAL)
	require.ErrorIs(t, s.Start(cb, nsig), uv.EINVAL)
	require.ErrorIs(t, s.Start(cb, 4096), uv.EINVAL)
	require.ErrorIs(t, s.StartOneshot(cb, 0), uv.EINVAL)
	require.ErrorIs(t, s.Start(nil, int(syscall.SIGALRM)), uv.EINVAL)
	if runtime.GOOS != "windows" { // libuv accepts any number below NSIG on Windows
		require.ErrorIs(t, s.Start(cb, int(syscall.SIGKILL)), uv.EINVAL)
	}
	if sigStop != 0 {
		require.ErrorIs(t, s.Start(cb, sigStop), uv.EINVAL)
	}
	require.False(t, s.IsActive())
	require.Zero(t, s.Signum())
	require.Empty(t, watchedSignals())

	require.NoError(t, s.Stop(), "stopping a stopped handle")
	require.NoError(t, s.Start(cb, int(syscall.SIGALRM)))
	require.True(t, s.IsActive())
	require.Equal(t, int(syscall.SIGALRM), s.Signum())
	require.ErrorIs(t, s.Start(cb, 0), uv.EINVAL)
	require.Equal(t, int(syscall.SIGALRM), s.Signum(), "a failed start leaves the handle as it was")
	require.NoError(t, s.Close(nil))
	require.False(t, s.IsActive())
	require.Zero(t, s.Signum())
	require.ErrorIs(t, s.Start(cb, int(syscall.SIGALRM)), uv.EINVAL, "start a closing handle")
	require.Empty(t, watchedSignals())

	var zero Signal
	require.ErrorIs(t, zero.Start(cb, int(syscall.SIGALRM)), uv.EINVAL)
	require.ErrorIs(t, zero.Stop(), uv.EINVAL)
	_, err = NewSignal(nil)
	require.ErrorIs(t, err, uv.EINVAL)
}

// An initialised or started signal handle does not make the loop's internal watcher visible,
// and an unreferenced started handle does not keep the loop alive.
func TestSignalLoopLiveness(t *testing.T) {
	l := sigTestLoop(t)
	s, err := NewSignal(l)
	require.NoError(t, err)
	n := 0
	l.Walk(func(h *uv.Handle) { n++; require.Same(t, s, h.Owner()) })
	require.Equal(t, 1, n, "only the signal handle itself is walked")
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.NoError(t, s.Start(func(*Signal, int) {}, int(syscall.SIGALRM)))
	s.Unref()
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.Equal(t, uv.TypeSignal, s.Type())
}

func TestSignalDeliveryAndRelease(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("raises a signal, which os.Process.Signal cannot do on Windows (it only kills)")
	}
	l := sigTestLoop(t)
	var a, b Signal
	require.NoError(t, a.Init(l))
	require.NoError(t, b.Init(l))
	var got []string
	cb := func(s *Signal, signum int) {
		require.Equal(t, int(syscall.SIGALRM), signum)
		if s == &a {
			got = append(got, "a")
		} else {
			got = append(got, "b")
		}
		s.Stop()
	}
	require.NoError(t, a.Start(cb, int(syscall.SIGALRM)))
	require.NoError(t, b.Start(cb, int(syscall.SIGALRM)))
	require.Equal(t, []int{int(syscall.SIGALRM)}, watchedSignals())
	raise(t, syscall.SIGALRM)
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.ElementsMatch(t, []string{"a", "b"}, got)
	require.Empty(t, watchedSignals(), "the last stop gives the signal back")

	// Restarting watches again.
	got = nil
	require.NoError(t, a.Start(cb, int(syscall.SIGALRM)))
	raise(t, syscall.SIGALRM)
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.Equal(t, []string{"a"}, got)
}

// Starting with another number switches the handle; the old number is no longer delivered.
func TestSignalSwitch(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("raises a signal, which os.Process.Signal cannot do on Windows (it only kills)")
	}
	l := sigTestLoop(t)
	s, _ := NewSignal(l)
	witness, _ := NewSignal(l)
	calls := 0
	require.NoError(t, s.Start(func(*Signal, int) { calls++ }, int(syscall.SIGALRM)))
	require.NoError(t, s.Start(func(_ *Signal, signum int) {
		require.Equal(t, int(syscall.SIGPIPE), signum)
		calls += 100
	}, int(syscall.SIGPIPE)))
	require.Equal(t, int(syscall.SIGPIPE), s.Signum())
	witnessed := 0
	require.NoError(t, witness.Start(func(w *Signal, _ int) { witnessed++; w.Stop() }, int(syscall.SIGALRM)))
	s.Unref()
	raise(t, syscall.SIGALRM)
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.Equal(t, 1, witnessed)
	require.Zero(t, calls, "SIGALRM after switching to SIGPIPE")
	require.ElementsMatch(t, []int{int(syscall.SIGPIPE)}, watchedSignals())

	s.Ref()
	require.NoError(t, s.Start(func(s *Signal, _ int) { calls += 100; s.Stop() }, int(syscall.SIGPIPE)))
	raise(t, syscall.SIGPIPE)
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.Equal(t, 100, calls)
}

// A one-shot handle is stopped before its callback, which may start it again; a regular
// start of a one-shot handle for the same signal makes it regular.
func TestSignalOneshot(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("raises a signal, which os.Process.Signal cannot do on Windows (it only kills)")
	}
	l := sigTestLoop(t)
	s, _ := NewSignal(l)
	calls := 0
	var cb func(*Signal, int)
	cb = func(s *Signal, signum int) {
		calls++
		require.False(t, s.IsActive(), "stopped before the callback")
		require.Zero(t, s.Signum())
		if calls == 1 {
			require.NoError(t, s.StartOneshot(cb, signum))
		}
	}
	require.NoError(t, s.StartOneshot(cb, int(syscall.SIGALRM)))
	raise(t, syscall.SIGALRM)
	require.True(t, runLoop(t, l, uv.RunOnce), "restarted from its callback")
	require.Equal(t, 1, calls)
	raise(t, syscall.SIGALRM)
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.Equal(t, 2, calls)
	require.Empty(t, watchedSignals())

	regular := 0
	require.NoError(t, s.StartOneshot(cb, int(syscall.SIGALRM)))
	require.NoError(t, s.Start(func(s *Signal, _ int) {
		regular++
		if regular == 2 {
			s.Stop()
		}
	}, int(syscall.SIGALRM)))
	for range 2 {
		raise(t, syscall.SIGALRM)
		runLoop(t, l, uv.RunOnce)
	}
	require.Equal(t, 2, regular)
	require.Equal(t, 2, calls)
}

// Closing a handle drops the signals queued for it; other handles still get theirs.
func TestSignalCloseDropsPending(t *testing.T) {
	l := sigTestLoop(t)
	a, _ := NewSignal(l)
	b, _ := NewSignal(l)
	fired := map[*Signal]int{}
	cb := func(s *Signal, _ int) { fired[s]++; s.Stop() }
	require.NoError(t, a.Start(cb, int(syscall.SIGALRM)))
	require.NoError(t, b.Start(cb, int(syscall.SIGALRM)))
	// Queue as the dispatcher would, then close a before the loop runs.
	a.sl.push(a, int(syscall.SIGALRM))
	b.sl.push(b, int(syscall.SIGALRM))
	closed := 0
	require.NoError(t, a.Close(func() { closed++ }))
	require.False(t, runLoop(t, l, uv.RunDefault))
	require.Equal(t, 1, closed)
	require.Zero(t, fired[a])
	require.Equal(t, 1, fired[b])

	// A signal queued after the loop's poll, for a handle closed in the same iteration and
	// restarted from its close callback, is not delivered to the restarted handle.
	idle, err := NewIdle(l) // keeps the poll from blocking
	require.NoError(t, err)
	require.NoError(t, idle.Start(func(*Idle) {}))
	check, err := NewCheck(l)
	require.NoError(t, err)
	require.NoError(t, check.Start(func(c *Check) {
		a.sl.push(a, int(syscall.SIGALRM))
		require.NoError(t, a.Close(func() {
			require.NoError(t, a.Init(l))
			require.NoError(t, a.Start(cb, int(syscall.SIGALRM)))
			l.Stop()
		}))
		require.NoError(t, c.Close(nil))
		require.NoError(t, idle.Close(nil))
	}))
	require.NoError(t, a.Init(l))
	require.NoError(t, a.Start(cb, int(syscall.SIGALRM)))
	require.True(t, runLoop(t, l, uv.RunDefault))
	require.True(t, a.IsActive())
	require.True(t, runLoop(t, l, uv.RunNoWait))
	require.Zero(t, fired[a])
}

// Each loop gets the signal on its own goroutine.
func TestSignalTwoLoops(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("raises a signal, which os.Process.Signal cannot do on Windows (it only kills)")
	}
	l1 := sigTestLoop(t)
	l2 := sigTestLoop(t)
	n1, n2 := 0, 0
	s1, _ := NewSignal(l1)
	s2, _ := NewSignal(l2)
	require.NoError(t, s1.StartOneshot(func(*Signal, int) { n1++ }, int(syscall.SIGALRM)))
	require.NoError(t, s2.StartOneshot(func(*Signal, int) { n2++ }, int(syscall.SIGALRM)))
	done := make(chan error)
	go func() {
		_, err := l2.Run(uv.RunDefault)
		done <- err
	}()
	raise(t, syscall.SIGALRM)
	require.False(t, runLoop(t, l1, uv.RunDefault))
	require.NoError(t, <-done)
	require.Equal(t, 1, n1)
	require.Equal(t, 1, n2)
}

// Delivering a queued signal allocates nothing in steady state.
func TestSignalDeliveryAllocs(t *testing.T) {
	if testutil.RaceBuild() {
		t.Skip("allocation counts are not meaningful under -race")
	}
	l := sigTestLoop(t)
	s, _ := NewSignal(l)
	calls := 0
	require.NoError(t, s.Start(func(*Signal, int) { calls++ }, int(syscall.SIGALRM)))
	var runErr error
	deliver := func() {
		s.sl.push(s, int(syscall.SIGALRM))
		if _, err := l.Run(uv.RunOnce); err != nil {
			runErr = err
		}
	}
	deliver()
	deliver()
	allocs := testing.AllocsPerRun(100, deliver)
	require.Zero(t, allocs)
	require.Equal(t, 103, calls)

	if runtime.GOOS == "windows" {
		t.Skip("queued delivery allocates nothing; raising a signal is not possible on Windows (os.Process.Signal only kills)")
	}
	// The whole path from a real signal, through os/signal and the relay goroutine.
	p, err := os.FindProcess(os.Getpid())
	require.NoError(t, err)
	viaSignal := func() {
		want := calls + 1
		p.Signal(syscall.SIGALRM)
		for calls < want && runErr == nil {
			_, runErr = l.Run(uv.RunOnce)
		}
	}
	viaSignal()
	allocs = testing.AllocsPerRun(50, viaSignal)
	require.NoError(t, runErr)
	t.Logf("allocs per raised signal: %v", allocs)
	require.Zero(t, allocs)
}

func BenchmarkSignalDelivery(b *testing.B) {
	if runtime.GOOS == "windows" {
		b.Skip("raises a signal, which os.Process.Signal cannot do on Windows (it only kills)")
	}
	l, err := uv.NewLoop()
	if err != nil {
		b.Skip(err)
	}
	s, _ := NewSignal(l)
	calls := 0
	s.Start(func(*Signal, int) { calls++ }, int(syscall.SIGALRM))
	p, _ := os.FindProcess(os.Getpid())
	b.ReportAllocs()
	for b.Loop() {
		want := calls + 1
		p.Signal(syscall.SIGALRM)
		for calls < want {
			l.Run(uv.RunOnce)
		}
	}
	s.Close(nil)
	l.Run(uv.RunDefault)
	l.Close()
}
