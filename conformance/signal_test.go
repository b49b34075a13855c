//go:build unix

package conformance_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// nSignals is how many signals each timer raises, and after how many a regular watcher stops
// or closes itself.
const nSignals = 10

type signalAction int

const (
	signalClose signalAction = iota // close the handle after nSignals (the default)
	signalStop                      // stop it after nSignals
	signalNoop                      // a one-shot watcher that leaves its handle alone
)

// signalCtx is a watcher of the libuv signal tests.
type signalCtx struct {
	t       *testing.T
	action  signalAction
	calls   int
	h       handles.Signal
	signum  int
	oneShot bool
}

// Signal pacing. The Go runtime merges signals of one number that arrive before os/signal's
// goroutine has taken the previous one (libuv's self-pipe never merges them), so on a loaded
// machine two raises 5 ms apart can become one delivery. The timers below therefore raise the
// next signal only once the previous one reached the watchers, or when no watcher of that
// number is started to receive it. What is tested is unchanged: every raised signal is
// delivered to every watcher started for it, and to no other.
var (
	sigInflight = map[unix.Signal]bool{}
	sigWatchers []*signalCtx
)

// signalWatched reports whether a watcher of signum is started.
func signalWatched(signum unix.Signal) bool {
	for _, c := range sigWatchers {
		if c.h.IsActive() && c.h.Signum() == int(signum) {
			return true
		}
	}
	return false
}

// signalReady reports whether the next signum may be raised.
func signalReady(signum unix.Signal) bool {
	return !sigInflight[signum] || !signalWatched(signum)
}

func (c *signalCtx) cb(h *handles.Signal, signum int) {
	delete(sigInflight, unix.Signal(signum))
	require.Same(c.t, &c.h, h)
	require.Equal(c.t, c.signum, signum)
	c.calls++
	if c.calls != nSignals {
		return
	}
	switch c.action {
	case signalStop:
		require.NoError(c.t, h.Stop())
	case signalClose:
		require.NoError(c.t, h.Close(nil))
	default:
		c.t.Fatalf("regular watcher for signal %d with no action", signum)
	}
}

func (c *signalCtx) oneShotCb(h *handles.Signal, signum int) {
	delete(sigInflight, unix.Signal(signum))
	require.Equal(c.t, c.signum, signum)
	c.calls++
	require.Equal(c.t, 1, c.calls, "one-shot watcher called again")
	if c.action == signalClose {
		require.NoError(c.t, h.Close(nil))
	}
}

// startWatcher initialises c's handle on l and starts it for signum.
func startWatcher(t *testing.T, l *uv.Loop, signum unix.Signal, c *signalCtx, oneShot bool) {
	t.Helper()
	c.t, c.calls, c.signum, c.action, c.oneShot = t, 0, int(signum), signalClose, oneShot
	known := false
	for _, w := range sigWatchers {
		known = known || w == c
	}
	if !known {
		sigWatchers = append(sigWatchers, c)
	}
	require.NoError(t, c.h.Init(l))
	if oneShot {
		require.NoError(t, c.h.StartOneshot(c.oneShotCb, int(signum)))
	} else {
		require.NoError(t, c.h.Start(c.cb, int(signum)))
	}
}

// timerCtx is a timer that raises a signal every 5 ms, nSignals times, then closes itself.
type timerCtx struct {
	t      *testing.T
	calls  int
	h      handles.Timer
	signum unix.Signal
}

func (c *timerCtx) cb(h *handles.Timer) {
	if !signalReady(c.signum) {
		return // the previous signal is still on its way; raise on a later tick
	}
	sigInflight[c.signum] = signalWatched(c.signum)
	require.NoError(c.t, unix.Kill(unix.Getpid(), c.signum))
	c.calls++
	if c.calls == nSignals {
		require.NoError(c.t, h.Close(nil))
	}
}

func startSignalTimer(t *testing.T, l *uv.Loop, signum unix.Signal, c *timerCtx) {
	t.Helper()
	c.t, c.calls, c.signum = t, 0, signum
	require.NoError(t, c.h.Init(l))
	require.NoError(t, c.h.Start(c.cb, 5, 5))
}

// signalWatchdog fails the test and stops l if l still runs after 10 s, so that a lost signal
// makes the test fail instead of hang. The timer is unreferenced: it never keeps l alive.
func signalWatchdog(t *testing.T, l *uv.Loop) {
	t.Helper()
	clear(sigInflight)
	sigWatchers = nil
	wd, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, wd.Start(func(*handles.Timer) {
		t.Error("signals still awaited after 10 s")
		l.Stop()
	}, 10_000, 0))
	wd.Unref()
}

// TestWeGetSignal checks a regular watcher: it sees every signal raised while it is started,
// none while it is stopped, and all of them again once restarted.
// libuv: we_get_signal
func TestWeGetSignal(t *testing.T) {
	l := newLoop(t)
	signalWatchdog(t, l)
	var sc signalCtx
	var tc timerCtx

	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	startWatcher(t, l, unix.SIGCHLD, &sc, false)
	sc.action = signalStop
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, nSignals, sc.calls)

	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, nSignals, sc.calls, "a stopped watcher sees nothing")

	sc.calls = 0
	sc.action = signalClose
	require.NoError(t, sc.h.Start(sc.cb, int(unix.SIGCHLD)))
	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, nSignals, sc.calls)
}

// TestWeGetSignals checks that every watcher of a signal gets each one, with two signals
// raised in the same loop iteration.
// libuv: we_get_signals
func TestWeGetSignals(t *testing.T) {
	l := newLoop(t)
	signalWatchdog(t, l)
	var sc [4]signalCtx
	var tc [2]timerCtx

	startWatcher(t, l, unix.SIGUSR1, &sc[0], false)
	startWatcher(t, l, unix.SIGUSR1, &sc[1], false)
	startWatcher(t, l, unix.SIGUSR2, &sc[2], false)
	startWatcher(t, l, unix.SIGUSR2, &sc[3], false)
	startSignalTimer(t, l, unix.SIGUSR1, &tc[0])
	startSignalTimer(t, l, unix.SIGUSR2, &tc[1])
	require.False(t, run(t, l, uv.RunDefault))

	for i := range sc {
		require.Equal(t, nSignals, sc[i].calls, "watcher %d", i)
	}
	for i := range tc {
		require.Equal(t, nSignals, tc[i].calls, "timer %d", i)
	}
}

// TestWeGetSignalOneShot checks that a one-shot watcher sees only the first of the signals,
// and again only one after it is restarted.
// libuv: we_get_signal_one_shot
func TestWeGetSignalOneShot(t *testing.T) {
	l := newLoop(t)
	signalWatchdog(t, l)
	var sc signalCtx
	var tc timerCtx

	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	startWatcher(t, l, unix.SIGCHLD, &sc, true)
	sc.action = signalNoop
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, 1, sc.calls)

	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, sc.calls)

	sc.calls = 0
	sc.action = signalClose
	require.NoError(t, sc.h.StartOneshot(sc.oneShotCb, int(unix.SIGCHLD)))
	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, 1, sc.calls)
}

// TestWeGetSignalsMixed checks one-shot and regular watchers of the same signal together,
// with some of them closed before the loop runs: closing one kind must not disturb the other.
// libuv: we_get_signals_mixed
func TestWeGetSignalsMixed(t *testing.T) {
	l := newLoop(t)
	signalWatchdog(t, l)
	var sc [4]signalCtx
	var tc timerCtx

	// Two one-shot watchers.
	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	startWatcher(t, l, unix.SIGCHLD, &sc[0], true)
	startWatcher(t, l, unix.SIGCHLD, &sc[1], true)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, 1, sc[0].calls)
	require.Equal(t, 1, sc[1].calls)

	// Two one-shot and one regular watcher, the regular one closed at once.
	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	startWatcher(t, l, unix.SIGCHLD, &sc[0], true)
	startWatcher(t, l, unix.SIGCHLD, &sc[1], true)
	startWatcher(t, l, unix.SIGCHLD, &sc[2], false)
	require.NoError(t, sc[2].h.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, 1, sc[0].calls)
	require.Equal(t, 1, sc[1].calls)
	require.Zero(t, sc[2].calls)

	// Two regular and one one-shot watcher, the one-shot closed at once.
	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	startWatcher(t, l, unix.SIGCHLD, &sc[0], false)
	startWatcher(t, l, unix.SIGCHLD, &sc[1], false)
	startWatcher(t, l, unix.SIGCHLD, &sc[2], true)
	require.NoError(t, sc[2].h.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Equal(t, nSignals, sc[0].calls)
	require.Equal(t, nSignals, sc[1].calls)
	require.Zero(t, sc[2].calls)

	// Two regular and two one-shot watchers, the regular ones closed at once.
	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	startWatcher(t, l, unix.SIGCHLD, &sc[0], false)
	startWatcher(t, l, unix.SIGCHLD, &sc[1], false)
	startWatcher(t, l, unix.SIGCHLD, &sc[2], true)
	startWatcher(t, l, unix.SIGCHLD, &sc[3], true)
	require.NoError(t, sc[0].h.Close(nil))
	require.NoError(t, sc[1].h.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Zero(t, sc[0].calls)
	require.Zero(t, sc[1].calls)
	require.Equal(t, 1, sc[2].calls)
	require.Equal(t, 1, sc[3].calls)

	// Regular, one-shot, regular, regular; the first and second regular closed at once.
	startSignalTimer(t, l, unix.SIGCHLD, &tc)
	startWatcher(t, l, unix.SIGCHLD, &sc[0], false)
	startWatcher(t, l, unix.SIGCHLD, &sc[1], true)
	startWatcher(t, l, unix.SIGCHLD, &sc[2], false)
	startWatcher(t, l, unix.SIGCHLD, &sc[3], false)
	require.NoError(t, sc[0].h.Close(nil))
	require.NoError(t, sc[2].h.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, nSignals, tc.calls)
	require.Zero(t, sc[0].calls)
	require.Equal(t, 1, sc[1].calls)
	require.Zero(t, sc[2].calls)
	require.Equal(t, nSignals, sc[3].calls)
}

// TestSignalMultipleLoops runs 24 loops, each on its own goroutine, watching SIGUSR1, SIGUSR2
// or both (SIGUSR1 with two handles), while 10 more goroutines keep creating loops with a
// SIGTERM watcher and closing them. Each signal raised reaches every started watcher of every
// loop exactly once; the watchers stop themselves, so each loop's run ends after one signal.
// libuv's test also blocks all signals on the main thread before the second round, to make
// sure the handler runs elsewhere; the Go runtime owns signal masks, so that step has no Go
// counterpart.
// libuv: signal_multiple_loops
func TestSignalMultipleLoops(t *testing.T) {
	const (
		signalGoroutines = 24 // a multiple of 3: one third per kind of worker
		loopGoroutines   = 10
	)
	type action int
	const (
		onlyUSR1 action = iota
		onlyUSR2
		bothUSR1AndUSR2
	)
	var (
		ready      = make(chan struct{}, signalGoroutines)
		stop       atomic.Bool
		usr1Calls  atomic.Int64
		usr2Calls  atomic.Int64
		loopsMade  atomic.Int64
		signalers  sync.WaitGroup
		loopMakers sync.WaitGroup
		usr1cb     = func(h *handles.Signal, signum int) {
			assert.Equal(t, int(unix.SIGUSR1), signum)
			usr1Calls.Add(1)
			assert.NoError(t, h.Stop())
		}
		usr2cb = func(h *handles.Signal, signum int) {
			assert.Equal(t, int(unix.SIGUSR2), signum)
			usr2Calls.Add(1)
			assert.NoError(t, h.Stop())
		}
	)

	// signalWorker reports ready twice whatever happens, so the test never waits forever.
	signalWorker := func(a action) {
		posted := 0
		post := func() { ready <- struct{}{}; posted++ }
		defer func() {
			for posted < 2 {
				post()
			}
		}()
		l, err := uv.NewLoop()
		if !assert.NoError(t, err) {
			return
		}
		var sig1a, sig1b, sig2 handles.Signal
		start := func() bool {
			ok := true
			if a == onlyUSR1 || a == bothUSR1AndUSR2 {
				ok = assert.NoError(t, sig1a.Start(usr1cb, int(unix.SIGUSR1))) && ok
				ok = assert.NoError(t, sig1b.Start(usr1cb, int(unix.SIGUSR1))) && ok
			}
			if a == onlyUSR2 || a == bothUSR1AndUSR2 {
				ok = assert.NoError(t, sig2.Start(usr2cb, int(unix.SIGUSR2))) && ok
			}
			return ok
		}
		for _, h := range []*handles.Signal{&sig1a, &sig1b, &sig2} {
			if !assert.NoError(t, h.Init(l)) {
				return
			}
		}
		if !start() {
			return
		}
		post()
		alive, err := l.Run(uv.RunDefault)
		assert.NoError(t, err)
		assert.False(t, alive)

		if !start() {
			return
		}
		post()
		alive, err = l.Run(uv.RunDefault)
		assert.NoError(t, err)
		assert.False(t, alive)

		for _, h := range []*handles.Signal{&sig1a, &sig1b, &sig2} {
			assert.NoError(t, h.Close(nil))
		}
		alive, err = l.Run(uv.RunDefault)
		assert.NoError(t, err)
		assert.False(t, alive)
		assert.NoError(t, l.Close())
	}

	loopMaker := func() {
		for {
			l, err := uv.NewLoop()
			if !assert.NoError(t, err) {
				return
			}
			s, err := handles.NewSignal(l)
			assert.NoError(t, err)
			assert.NoError(t, s.Start(func(*handles.Signal, int) {
				t.Error("SIGTERM watcher called")
			}, int(unix.SIGTERM)))
			assert.NoError(t, s.Close(nil))
			alive, err := l.Run(uv.RunDefault)
			assert.NoError(t, err)
			assert.False(t, alive)
			assert.NoError(t, l.Close())
			loopsMade.Add(1)
			if stop.Load() {
				return
			}
		}
	}

	for range loopGoroutines {
		loopMakers.Go(loopMaker)
	}
	for i := range signalGoroutines {
		signalers.Go(func() { signalWorker(action(i % 3)) })
	}

	for range signalGoroutines {
		<-ready
	}
	require.NoError(t, unix.Kill(unix.Getpid(), unix.SIGUSR1))
	require.NoError(t, unix.Kill(unix.Getpid(), unix.SIGUSR2))

	for range signalGoroutines {
		<-ready
	}
	require.NoError(t, unix.Kill(unix.Getpid(), unix.SIGUSR1))
	require.NoError(t, unix.Kill(unix.Getpid(), unix.SIGUSR2))

	signalers.Wait()
	stop.Store(true)
	loopMakers.Wait()

	t.Logf("SIGUSR1 callbacks: %d, SIGUSR2 callbacks: %d, loops created and closed: %d",
		usr1Calls.Load(), usr2Calls.Load(), loopsMade.Load())
	// Per three workers: SIGUSR1 on two handles in two of them, SIGUSR2 on one handle in two
	// of them; each of the two rounds delivers once to every handle.
	require.Equal(t, int64(8*(signalGoroutines/3)), usr1Calls.Load())
	require.Equal(t, int64(4*(signalGoroutines/3)), usr2Calls.Load())
	require.GreaterOrEqual(t, loopsMade.Load(), int64(loopGoroutines))
}

// TestSignalPendingOnClose checks that a signal caught for a handle that is closed before the
// loop gets to it is dropped: the callback that gets EPIPE from a write to a pipe whose
// reader is gone (which raises SIGPIPE on the writing thread) closes the SIGPIPE watcher.
// libuv writes with uv_write on a pipe handle; pipe handles do not exist yet, so this port
// writes to the raw pipe from a timer callback on the loop, and closes the timer in place of
// the pipe handle.
// libuv: signal_pending_on_close
func TestSignalPendingOnClose(t *testing.T) {
	l := newLoop(t)
	sig, err := handles.NewSignal(l)
	require.NoError(t, err)
	require.NoError(t, sig.Start(func(*handles.Signal, int) {
		t.Fatal("signal callback of a closed handle")
	}, int(unix.SIGPIPE)))

	var fds [2]int
	require.NoError(t, unix.Pipe(fds[:]))
	t.Cleanup(func() { unix.Close(fds[1]) })
	// Cause the SIGPIPE on the write in the next iteration.
	require.NoError(t, unix.Close(fds[0]))

	closeCalls := 0
	onClose := func() { closeCalls++ }
	writer, err := handles.NewTimer(l)
	require.NoError(t, err)
	buf := make([]byte, 1<<16)
	require.NoError(t, writer.Start(func(tm *handles.Timer) {
		_, err := unix.Write(fds[1], buf)
		require.ErrorIs(t, err, unix.EPIPE)
		require.NoError(t, tm.Close(onClose))
		require.NoError(t, sig.Close(onClose))
	}, 0, 0))

	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 2, closeCalls)
}

// TestSignalCloseLoopAlive checks that an unreferenced signal watcher does not keep the loop
// alive even with a signal pending, and that closing it does until its close callback ran.
// libuv: signal_close_loop_alive
func TestSignalCloseLoopAlive(t *testing.T) {
	l := newLoop(t)
	sig, err := handles.NewSignal(l)
	require.NoError(t, err)
	require.NoError(t, sig.Start(func(h *handles.Signal, signum int) {
		require.Equal(t, int(unix.SIGPIPE), signum)
		h.Loop().Stop()
	}, int(unix.SIGPIPE)))
	sig.Unref()

	require.NoError(t, unix.Kill(unix.Getpid(), unix.SIGPIPE))
	require.False(t, run(t, l, uv.RunDefault))
	closeCalls := 0
	require.NoError(t, sig.Close(func() { closeCalls++ }))
	require.True(t, l.Alive())

	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, closeCalls)
}
