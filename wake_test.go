package uv_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// These tests cover the wakeup path: Sends from other goroutines while the loop blocks, while
// it is busy (then the backend is not woken and the poll finds the Send itself), and while it
// polls without blocking (then it may skip the wait's system call altogether).

// failAfter bounds a test that would hang if a wakeup were lost. It is a failure deadline,
// never a synchronisation delay.
const failAfter = 10 * time.Second

func newTestLoop(t *testing.T) *uv.Loop {
	t.Helper()
	l, err := uv.NewLoop()
	require.NoError(t, err)
	t.Cleanup(func() {
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
		_, err := l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.NoError(t, l.Close())
	})
	return l
}

// pingSender sends to a from its own goroutine n times, each time after the callback of the
// previous Send was seen, so that no Send coalesces with another and every one must arrive.
func pingSender(t *testing.T, a *handles.Async, seen <-chan int, n int) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= n; i++ {
			if err := a.Send(); err != nil {
				t.Error(err)
				return
			}
			select {
			case got := <-seen:
				if got != i {
					t.Errorf("callback %d, want %d", got, i)
					return
				}
			case <-time.After(failAfter):
				t.Errorf("Send %d was lost", i)
				return
			}
		}
	}()
	return &wg
}

// TestSendWhileLoopSpins sends to a loop kept busy by an idle handle, whose polls do not
// block: none of the Sends may be lost, whether it arrives while a callback runs or while the
// loop polls.
func TestSendWhileLoopSpins(t *testing.T) {
	const n = 2000
	l := newTestLoop(t)
	seen := make(chan int, 1)
	calls := 0
	var idle *handles.Idle
	async, err := handles.NewAsync(l, func(a *handles.Async) {
		calls++
		seen <- calls
		if calls == n {
			a.Close(nil)
			idle.Close(nil)
		}
	})
	require.NoError(t, err)
	idle, err = handles.NewIdle(l)
	require.NoError(t, err)
	require.NoError(t, idle.Start(func(*handles.Idle) {}))
	wg := pingSender(t, async, seen, n)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	wg.Wait()
	require.Equal(t, n, calls)
	m := l.Metrics()
	require.GreaterOrEqual(t, m.Events, uint64(n), "each delivered Send is an event")
}

// TestSendWhileLoopBlocks is the same with a loop that blocks between Sends.
func TestSendWhileLoopBlocks(t *testing.T) {
	const n = 2000
	l := newTestLoop(t)
	seen := make(chan int, 1)
	calls := 0
	async, err := handles.NewAsync(l, func(a *handles.Async) {
		calls++
		seen <- calls
		if calls == n {
			a.Close(nil)
		}
	})
	require.NoError(t, err)
	wg := pingSender(t, async, seen, n)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	wg.Wait()
	require.Equal(t, n, calls)
}

// TestSendsFromManyGoroutines hammers two async handles from several goroutines while the
// loop alternates between blocking and not (a timer restarts an idle handle now and then):
// the callbacks must keep coming until every sender has seen its last Send delivered.
func TestSendsFromManyGoroutines(t *testing.T) {
	const senders, rounds = 4, 300
	l := newTestLoop(t)
	var mu sync.Mutex
	delivered := 0
	cond := sync.NewCond(&mu)
	cb := func(*handles.Async) {
		mu.Lock()
		delivered++
		cond.Broadcast()
		mu.Unlock()
	}
	a1, err := handles.NewAsync(l, cb)
	require.NoError(t, err)
	a2, err := handles.NewAsync(l, cb)
	require.NoError(t, err)
	idle, err := handles.NewIdle(l)
	require.NoError(t, err)
	spins := 0
	idleCb := func(i *handles.Idle) {
		if spins++; spins%50 == 0 {
			i.Stop()
		}
	}
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, timer.Start(func(*handles.Timer) { idle.Start(idleCb) }, 1, 1))

	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := a1
			if s%2 == 1 {
				a = a2
			}
			for range rounds {
				mu.Lock()
				before := delivered
				mu.Unlock()
				if err := a.Send(); err != nil {
					t.Error(err)
					return
				}
				// A Send made after the callbacks counted in before ran must cause another.
				deadline := time.Now().Add(failAfter)
				mu.Lock()
				for delivered == before && time.Now().Before(deadline) {
					mu.Unlock()
					time.Sleep(10 * time.Microsecond)
					mu.Lock()
				}
				lost := delivered == before
				mu.Unlock()
				if lost {
					t.Error("a Send was lost")
					return
				}
			}
		}()
	}
	stop, err := handles.NewAsync(l, func(s *handles.Async) {
		s.Close(nil)
		a1.Close(nil)
		a2.Close(nil)
		idle.Close(nil)
		timer.Close(nil)
	})
	require.NoError(t, err)
	go func() {
		wg.Wait()
		stop.Send()
	}()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	wg.Wait()
}

// TestWorkCompletionsWhileLoopSpins queues work while an idle handle keeps the loop from
// blocking, then while it blocks: every completion arrives, in both cases.
func TestWorkCompletionsWhileLoopSpins(t *testing.T) {
	for _, spin := range []bool{true, false} {
		l := newTestLoop(t)
		const total, inflight = 3000, 16
		var idle *handles.Idle
		if spin {
			var err error
			idle, err = handles.NewIdle(l)
			require.NoError(t, err)
			require.NoError(t, idle.Start(func(*handles.Idle) {}))
		}
		reqs := make([]handles.Work, inflight)
		done, left := 0, total-inflight
		var after func(*handles.Work, error)
		after = func(w *handles.Work, err error) {
			require.NoError(t, err)
			done++
			if left > 0 {
				left--
				require.NoError(t, handles.QueueWork(l, w, func(*handles.Work) {}, after))
			} else if done == total && idle != nil {
				idle.Close(nil)
			}
		}
		for i := range reqs {
			require.NoError(t, handles.QueueWork(l, &reqs[i], func(*handles.Work) {}, after))
		}
		_, err := l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.Equal(t, total, done)
	}
}

// TestCloseLoopWhileSending closes an async handle and its loop while other goroutines keep
// sending: Sends after Close do nothing, and Close does not return while a Send is writing
// to the loop's wakeup descriptor (run with -race).
func TestCloseLoopWhileSending(t *testing.T) {
	for range 20 {
		l, err := uv.NewLoop()
		require.NoError(t, err)
		a, err := handles.NewAsync(l, nil)
		require.NoError(t, err)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						a.Send()
					}
				}
			}()
		}
		_, err = l.Run(uv.RunNoWait)
		require.NoError(t, err)
		a.Close(nil)
		_, err = l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.NoError(t, l.Close())
		close(stop)
		wg.Wait()
	}
}
