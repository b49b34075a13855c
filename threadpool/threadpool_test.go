package threadpool

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitTimeout bounds every blocking receive in these tests so a bug fails the test instead of
// hanging it. It is a failure deadline, never a synchronisation delay.
const waitTimeout = 10 * time.Second

// chanCompleter delivers completions on a buffered channel.
type chanCompleter chan *Work

func (c chanCompleter) Complete(w *Work) { c <- w }

func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatal("timed out waiting on channel")
		panic("unreachable")
	}
}

// requireEmpty fails if ch holds a value right now.
func requireEmpty[T any](t testing.TB, ch <-chan T) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected value %v", v)
	default:
	}
}

// newPool returns a pool closed when the test ends (after the gates created later are open).
func newPool(t testing.TB, size int) *Pool {
	p := New(size)
	t.Cleanup(p.Close)
	return p
}

// gate holds blocker items until opened. It opens itself when the test ends, before the pools
// created earlier are closed, so a failing test does not hang in Close.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

func newGate(t testing.TB) *gate {
	g := &gate{ch: make(chan struct{})}
	t.Cleanup(g.open)
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// blocker returns a Work whose Fn reports on started and then waits for release to be closed.
func blocker(kind Kind, to Completer, started chan<- struct{}, release <-chan struct{}) *Work {
	return &Work{Kind: kind, To: to, Fn: func() {
		started <- struct{}{}
		<-release
	}}
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "cpu", CPU.String())
	assert.Equal(t, "fast-io", FastIO.String())
	assert.Equal(t, "slow-io", SlowIO.String())
	assert.Equal(t, "invalid", Kind(9).String())
}

func TestNewClampsSize(t *testing.T) {
	for _, tc := range []struct{ in, want int }{
		{-5, 1}, {0, 1}, {1, 1}, {4, 4}, {1024, 1024}, {1025, 1024}, {1 << 40, 1024},
	} {
		p := New(tc.in)
		assert.Equal(t, tc.want, p.Size(), "New(%d)", tc.in)
		assert.Equal(t, (tc.want+1)/2, p.slowMax)
		assert.Equal(t, 0, p.Stats().Workers, "workers must start lazily")
		p.Close()
	}
}

func TestRunsAndCompletesOnce(t *testing.T) {
	p := newPool(t, 4)
	const n = 200
	done := make(chanCompleter, n)
	runs := make([]atomic.Int32, n)
	works := make([]Work, n)
	for i := range works {
		works[i] = Work{Kind: Kind(i % 3), To: done, Fn: func() { runs[i].Add(1) }}
		require.NoError(t, p.Submit(&works[i]))
	}
	seen := make(map[*Work]int)
	for range n {
		w := recv(t, done)
		seen[w]++
		assert.False(t, w.Cancelled())
		assert.False(t, w.Busy())
	}
	p.Close()
	requireEmpty(t, done) // no completion after the n expected ones
	for i := range works {
		assert.Equal(t, int32(1), runs[i].Load(), "item %d ran", i)
		assert.Equal(t, 1, seen[&works[i]], "item %d completed", i)
	}
	st := p.Stats()
	assert.Equal(t, uint64(n), st.Submitted)
	assert.Equal(t, uint64(n), st.Completed)
	assert.Zero(t, st.Cancelled)
	assert.Zero(t, st.Queued)
	assert.Zero(t, st.Running)
	assert.Zero(t, st.Workers)
}

func TestFIFOSize1(t *testing.T) {
	p := newPool(t, 1)
	done := make(chanCompleter, 100)
	started, release := make(chan struct{}, 1), newGate(t)
	b := blocker(CPU, done, started, release.ch)
	require.NoError(t, p.Submit(b))
	recv(t, started)

	// Queue items of all lanes behind the blocker; with one worker they must run, and
	// complete, in submission order (SlowIO's limit is 1 here, never exceeded).
	const n = 60
	var order []int // only the single worker appends
	works := make([]Work, n)
	for i := range works {
		works[i] = Work{Kind: Kind(rand.IntN(3)), To: done, Fn: func() { order = append(order, i) }}
		require.NoError(t, p.Submit(&works[i]))
	}
	assert.Equal(t, n, p.Stats().Queued)
	release.open()
	require.Same(t, b, recv(t, done))
	for i := range n {
		require.Same(t, &works[i], recv(t, done), "completion %d", i)
	}
	require.Len(t, order, n)
	for i, v := range order {
		require.Equal(t, i, v)
	}
}

func TestCancel(t *testing.T) {
	p := newPool(t, 1)
	done := make(chanCompleter, 10)
	started, release := make(chan struct{}, 1), newGate(t)
	b := blocker(CPU, done, started, release.ch)
	require.NoError(t, p.Submit(b))
	recv(t, started)

	var xRan atomic.Bool
	x := &Work{Kind: FastIO, To: done, Fn: func() { xRan.Store(true) }}
	require.False(t, p.Cancel(x), "never submitted")
	require.False(t, p.Cancel(nil))
	require.NoError(t, p.Submit(x))
	require.True(t, x.Busy())
	other := newPool(t, 1)
	require.False(t, other.Cancel(x), "queued in another pool")

	// Queued: removed, marked, completed synchronously by Cancel's caller.
	require.True(t, p.Cancel(x))
	require.Len(t, done, 1)
	require.Same(t, x, <-done)
	require.True(t, x.Cancelled())
	require.False(t, x.Busy())
	require.False(t, p.Cancel(x), "already cancelled")
	require.Zero(t, p.Stats().Queued)

	// Running: not cancellable.
	require.False(t, p.Cancel(b))
	require.False(t, b.Cancelled())

	release.open()
	require.Same(t, b, recv(t, done))
	// Done: not cancellable.
	require.False(t, p.Cancel(b))
	require.False(t, b.Cancelled())

	// A cancelled item can be submitted again and then runs normally.
	require.NoError(t, p.Submit(x))
	require.False(t, x.Cancelled())
	require.Same(t, x, recv(t, done))
	require.True(t, xRan.Load())
	require.False(t, x.Cancelled())

	p.Close()
	requireEmpty(t, done)
	st := p.Stats()
	assert.Equal(t, uint64(3), st.Submitted)
	assert.Equal(t, uint64(2), st.Completed)
	assert.Equal(t, uint64(1), st.Cancelled)
}

func TestCancelSlowIO(t *testing.T) {
	// Cancelling queued SlowIO items leaves the lane consistent.
	p := newPool(t, 1)
	done := make(chanCompleter, 10)
	started, release := make(chan struct{}, 1), newGate(t)
	b := blocker(SlowIO, done, started, release.ch)
	require.NoError(t, p.Submit(b))
	recv(t, started)
	var ran atomic.Int32
	ws := make([]Work, 3)
	for i := range ws {
		ws[i] = Work{Kind: SlowIO, To: done, Fn: func() { ran.Add(1) }}
		require.NoError(t, p.Submit(&ws[i]))
	}
	require.True(t, p.Cancel(&ws[1]))
	require.Same(t, &ws[1], recv(t, done))
	assert.Equal(t, 2, p.Stats().QueuedSlow)
	release.open()
	require.Same(t, b, recv(t, done))
	require.Same(t, &ws[0], recv(t, done))
	require.Same(t, &ws[2], recv(t, done))
	assert.Equal(t, int32(2), ran.Load())
}

func TestSubmitBusy(t *testing.T) {
	p := newPool(t, 1)
	done := make(chanCompleter, 10)
	started, release := make(chan struct{}, 1), newGate(t)
	b := blocker(CPU, done, started, release.ch)
	require.NoError(t, p.Submit(b))
	recv(t, started)
	x := &Work{To: done, Fn: func() {}}
	require.NoError(t, p.Submit(x))

	require.ErrorIs(t, p.Submit(x), ErrBusy, "queued")
	require.ErrorIs(t, p.Submit(b), ErrBusy, "running")
	other := newPool(t, 1)
	require.ErrorIs(t, other.Submit(x), ErrBusy, "queued in another pool")
	require.Equal(t, 1, p.Stats().Queued)

	release.open()
	require.Same(t, b, recv(t, done))
	require.Same(t, x, recv(t, done))
	// Done: both can be reused.
	require.NoError(t, p.Submit(x))
	require.NoError(t, p.Submit(b))
	recv(t, done)
	recv(t, done)
	p.Close()
	requireEmpty(t, done)
}

func TestSubmitInvalid(t *testing.T) {
	p := newPool(t, 1)
	c := make(chanCompleter, 1)
	assert.ErrorIs(t, p.Submit(nil), ErrInvalid)
	assert.ErrorIs(t, p.Submit(&Work{To: c}), ErrInvalid)
	assert.ErrorIs(t, p.Submit(&Work{Fn: func() {}}), ErrInvalid)
	assert.ErrorIs(t, p.Submit(&Work{Kind: 3, To: c, Fn: func() {}}), ErrInvalid)
	assert.Zero(t, p.Stats().Submitted)
	assert.Zero(t, p.Stats().Workers)
}

func TestSubmitAfterClose(t *testing.T) {
	p := New(2)
	p.Close()
	p.Close() // idempotent
	c := make(chanCompleter, 1)
	w := &Work{To: c, Fn: func() {}}
	require.ErrorIs(t, p.Submit(w), ErrClosed)
	require.False(t, w.Busy())
	require.Zero(t, p.Stats().Workers)
}

func TestCloseDrainsQueue(t *testing.T) {
	p := New(2)
	done := make(chanCompleter, 64)
	started, release := make(chan struct{}, 2), newGate(t)
	require.NoError(t, p.Submit(blocker(CPU, done, started, release.ch)))
	require.NoError(t, p.Submit(blocker(SlowIO, done, started, release.ch)))
	recv(t, started)
	recv(t, started)
	// Size 2 allows one SlowIO item at a time: these wait behind the running one.
	for i := range 20 {
		require.NoError(t, p.Submit(&Work{Kind: Kind(i % 3), To: done, Fn: func() {}}))
	}
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	release.open()
	recv(t, closed)
	require.Len(t, done, 22)
	st := p.Stats()
	assert.Equal(t, uint64(22), st.Completed)
	assert.Zero(t, st.Workers)
	assert.Zero(t, st.Queued)
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	p := New(8)
	done := make(chanCompleter, 500)
	works := make([]Work, 500)
	for i := range works {
		works[i] = Work{Kind: Kind(i % 3), To: done, Fn: func() {}}
		require.NoError(t, p.Submit(&works[i]))
	}
	require.Positive(t, p.Stats().Workers)
	p.Close()
	require.Len(t, done, 500)
	require.Zero(t, p.Stats().Workers)
	// A worker's exit follows its WaitGroup.Done by a few instructions: poll, bounded.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
}

func TestWorkersStartOnDemand(t *testing.T) {
	p := newPool(t, 6)
	done := make(chanCompleter, 8)
	require.NoError(t, p.Submit(&Work{To: done, Fn: func() {}}))
	recv(t, done)
	assert.Equal(t, 1, p.Stats().Workers, "one item, one worker")

	// Blocking items need one worker each, up to the size.
	started, release := make(chan struct{}, 8), newGate(t)
	for range 8 {
		require.NoError(t, p.Submit(blocker(CPU, done, started, release.ch)))
	}
	for range 6 {
		recv(t, started)
	}
	st := p.Stats()
	assert.Equal(t, 6, st.Workers)
	assert.Equal(t, 6, st.Running)
	assert.Equal(t, 2, st.Queued)
	release.open()
	for range 8 {
		recv(t, done)
	}
}

func TestSlowIOThrottle(t *testing.T) {
	const size = 4
	p := newPool(t, size)
	done := make(chanCompleter, 16)

	var cur, peak atomic.Int32
	slowStarted, slowRelease := make(chan struct{}, 8), newGate(t)
	slow := make([]Work, 6)
	for i := range slow {
		slow[i] = Work{Kind: SlowIO, To: done, Fn: func() {
			n := cur.Add(1)
			for {
				m := peak.Load()
				if n <= m || peak.CompareAndSwap(m, n) {
					break
				}
			}
			slowStarted <- struct{}{}
			<-slowRelease.ch
			cur.Add(-1)
		}}
		require.NoError(t, p.Submit(&slow[i]))
	}
	recv(t, slowStarted)
	recv(t, slowStarted)

	// The SlowIO lane is full ((4+1)/2 = 2) but CPU and FastIO items still get the two other
	// workers, although they were submitted after the waiting SlowIO items.
	cpuStarted, cpuRelease := make(chan struct{}, 2), newGate(t)
	require.NoError(t, p.Submit(blocker(CPU, done, cpuStarted, cpuRelease.ch)))
	require.NoError(t, p.Submit(blocker(FastIO, done, cpuStarted, cpuRelease.ch)))
	recv(t, cpuStarted)
	recv(t, cpuStarted)
	st := p.Stats()
	assert.Equal(t, 4, st.Running)
	assert.Equal(t, 2, st.RunningSlow)
	assert.Equal(t, 4, st.QueuedSlow)
	assert.Equal(t, size, st.Workers)
	requireEmpty(t, slowStarted)

	// With the CPU and FastIO items gone, two workers are idle but SlowIO stays at 2.
	cpuRelease.open()
	recv(t, done)
	recv(t, done)
	st = p.Stats()
	assert.Equal(t, 2, st.Running)
	assert.Equal(t, 4, st.QueuedSlow)
	requireEmpty(t, slowStarted)

	// A further CPU item still runs while SlowIO is saturated.
	cpuDone := make(chan struct{})
	require.NoError(t, p.Submit(&Work{Kind: CPU, To: done, Fn: func() { close(cpuDone) }}))
	recv(t, cpuDone)
	recv(t, done)

	slowRelease.open()
	for range slow {
		recv(t, done)
	}
	assert.Equal(t, int32(2), peak.Load(), "SlowIO concurrency")
	assert.Zero(t, p.Stats().Queued)
}

func TestSlowIOSize1(t *testing.T) {
	// (1+1)/2 = 1: with one worker SlowIO work still runs.
	p := newPool(t, 1)
	done := make(chanCompleter, 4)
	for range 4 {
		require.NoError(t, p.Submit(&Work{Kind: SlowIO, To: done, Fn: func() {}}))
	}
	for range 4 {
		recv(t, done)
	}
}

// TestStress mixes concurrent submitters, cancels and all lanes; run it with -race.
func TestStress(t *testing.T) {
	p := New(4)
	const goroutines, rounds, perRound = 6, 60, 8
	var wg sync.WaitGroup
	var ranTotal, cancelledTotal atomic.Int64
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			done := make(chanCompleter, perRound)
			ran := make([]atomic.Int32, perRound)
			ws := make([]Work, perRound)
			for i := range ws {
				ws[i] = Work{To: done, Fn: func() { ran[i].Add(1) }}
			}
			for range rounds {
				for i := range ws {
					ran[i].Store(0)
					ws[i].Kind = Kind(rng.IntN(3))
					if err := p.Submit(&ws[i]); err != nil {
						t.Error(err)
						return
					}
				}
				for i := range ws {
					if rng.IntN(3) == 0 {
						p.Cancel(&ws[i])
					}
				}
				seen := make(map[*Work]bool, perRound)
				for range ws {
					select {
					case w := <-done:
						if seen[w] {
							t.Error("completed twice")
						}
						seen[w] = true
					case <-time.After(waitTimeout):
						t.Error("timeout")
						return
					}
				}
				for i := range ws {
					want := int32(1)
					if ws[i].Cancelled() {
						want = 0
						cancelledTotal.Add(1)
					} else {
						ranTotal.Add(1)
					}
					if got := ran[i].Load(); got != want {
						t.Errorf("item ran %d times, cancelled=%v", got, ws[i].Cancelled())
					}
				}
			}
		}()
	}
	wg.Wait()
	p.Close()
	st := p.Stats()
	assert.Equal(t, uint64(goroutines*rounds*perRound), st.Submitted)
	assert.Equal(t, uint64(ranTotal.Load()), st.Completed)
	assert.Equal(t, uint64(cancelledTotal.Load()), st.Cancelled)
	assert.Zero(t, st.Queued)
	assert.Zero(t, st.Running)
}

func TestZeroAllocs(t *testing.T) {
	p := newPool(t, 4)
	done := make(chanCompleter, 8)
	ws := make([]Work, 4)
	for i := range ws {
		ws[i] = Work{Kind: Kind(i % 3), To: done, Fn: func() {}}
	}
	roundTrip := func() {
		for i := range ws {
			if err := p.Submit(&ws[i]); err != nil {
				panic(err)
			}
		}
		for range ws {
			<-done
		}
	}
	roundTrip() // start the workers
	assert.Zero(t, testing.AllocsPerRun(500, roundTrip), "submit + complete")

	// Cancel path: one worker held busy, an item submitted and cancelled.
	q := newPool(t, 1)
	started, release := make(chan struct{}, 1), newGate(t)
	b := blocker(CPU, done, started, release.ch)
	require.NoError(t, q.Submit(b))
	recv(t, started)
	x := &ws[0]
	assert.Zero(t, testing.AllocsPerRun(500, func() {
		if q.Submit(x) != nil || !q.Cancel(x) {
			panic("submit/cancel failed")
		}
		<-done
	}), "submit + cancel")
	release.open()
	recv(t, done)
}

// countCompleter counts completions down and signals when a batch is done.
type countCompleter struct {
	left atomic.Int64
	done chan struct{}
}

func (c *countCompleter) Complete(*Work) {
	if c.left.Add(-1) == 0 {
		c.done <- struct{}{}
	}
}

func benchNoop(b *testing.B, size int) {
	p := newPool(b, size)
	const batch = 256
	c := &countCompleter{done: make(chan struct{}, 1)}
	ws := make([]Work, batch)
	for i := range ws {
		ws[i] = Work{Kind: CPU, To: c, Fn: func() {}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		n := min(batch, b.N-i)
		c.left.Store(int64(n))
		for j := range n {
			if err := p.Submit(&ws[j]); err != nil {
				b.Fatal(err)
			}
		}
		<-c.done
		i += n
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/item")
}

// BenchmarkNoopWork pushes no-op items through a pool of 4, 256 in flight at a time.
func BenchmarkNoopWork(b *testing.B) { benchNoop(b, 4) }

// BenchmarkNoopWorkSize1 is the same through a single worker.
func BenchmarkNoopWorkSize1(b *testing.B) { benchNoop(b, 1) }

// BenchmarkRoundTrip is the latency of one item at a time: submit, run, complete.
func BenchmarkRoundTrip(b *testing.B) {
	p := newPool(b, 4)
	done := make(chanCompleter, 1)
	w := &Work{To: done, Fn: func() {}}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Submit(w); err != nil {
			b.Fatal(err)
		}
		<-done
	}
}

// TestChainThroughIdleWorker submits one item at a time, the next as soon as the previous
// completed, so that each Submit finds a worker polling for work after its last item, parked,
// or still on its way back from completing: every item runs.
func TestChainThroughIdleWorker(t *testing.T) {
	p := newPool(t, 4)
	done := make(chanCompleter, 1)
	w := &Work{To: done, Fn: func() {}}
	for range 2000 {
		require.NoError(t, p.Submit(w))
		require.Same(t, w, recv(t, done))
	}
	st := p.Stats()
	assert.Equal(t, uint64(2000), st.Completed)
	assert.Zero(t, st.Running+st.Queued)
}

// TestCloseRightAfterWork closes pools whose worker has just finished an item (and may be
// polling for the next): Close must return, with the worker gone.
func TestCloseRightAfterWork(t *testing.T) {
	for range 50 {
		p := New(2)
		done := make(chanCompleter, 1)
		require.NoError(t, p.Submit(&Work{To: done, Fn: func() {}}))
		recv(t, done)
		closed := make(chan struct{})
		go func() {
			p.Close()
			close(closed)
		}()
		recv(t, closed)
		assert.Zero(t, p.Stats().Workers)
	}
}
