package uv

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/internal/testutil"
	"golang.org/x/sys/windows"
)

// Tests of the IOCP backend's core: the completion port, the pending-phase dispatch of
// completed requests, the wakeup and the poll timeout.

func iocpLoop(t testing.TB) *Loop {
	t.Helper()
	l, err := NewLoop()
	require.NoError(t, err)
	t.Cleanup(func() {
		if !l.Closed() {
			require.NoError(t, l.Close())
		}
	})
	return l
}

// recorder is a request with a log of its completions.
type recorder struct {
	iocpReq
	id  int
	log *[]string
}

func newRecorder(l *Loop, id int, log *[]string) *recorder {
	r := &recorder{id: id, log: log}
	r.init(l, func(q *iocpReq) {
		*r.log = append(*r.log, fmt.Sprintf("req%d:%d:%d", r.id, q.status, q.bytes))
	})
	return r
}

func TestIOCPBackendBasics(t *testing.T) {
	l := iocpLoop(t)
	assert.Equal(t, -1, l.BackendFd(), "a completion port cannot be polled")
	assert.ErrorIs(t, l.Configure(LoopBlockSignal, 27), ENOSYS)
	assert.NotEqual(t, windows.InvalidHandle, l.be.port)
	l2 := iocpLoop(t)
	assert.NotEqual(t, l.be.port, l2.be.port, "one completion port per loop")
}

// A packet dequeued by the poll only queues its request: done runs in the pending phase.
func TestIOCPCompletionRunsInPendingPhase(t *testing.T) {
	l := iocpLoop(t)
	var log []string
	r := newRecorder(l, 1, &log)
	r.begin()
	require.True(t, r.inFlight())
	require.NoError(t, r.post(0, 42))

	l.backendPoll(0)
	require.Empty(t, log, "done must not run inside the poll")
	require.False(t, r.inFlight())
	require.True(t, r.busy(), "queued for the pending phase")
	l.runPending()
	require.Equal(t, []string{"req1:0:42"}, log)
	require.False(t, r.busy())
	require.NoError(t, r.err())

	// In a whole iteration: after prepare and the poll, before check.
	log = nil
	prep, check := &PhaseWatcher{}, &PhaseWatcher{}
	prep.Init(l, PhasePrepare, func() {
		log = append(log, "prepare")
		r.begin()
		require.NoError(t, r.post(uint32(windows.STATUS_CANCELLED), 0))
		prep.Stop()
	})
	check.Init(l, PhaseCheck, func() { log = append(log, "check"); check.Stop() })
	prep.Start()
	check.Start()
	l.RegisterRequest()
	_, err := l.Run(RunOnce)
	l.UnregisterRequest()
	require.NoError(t, err)
	require.Equal(t, []string{"prepare", fmt.Sprintf("req1:%d:0", uint32(windows.STATUS_CANCELLED)), "check"}, log)
	require.False(t, r.ok())
	require.ErrorIs(t, r.err(), ECANCELED)
}

// More packets than one wait takes (128) complete in order, over several polls.
func TestIOCPManyPacketsInOrder(t *testing.T) {
	l := iocpLoop(t)
	const n = 300
	var log []string
	reqs := make([]*recorder, n)
	for i := range reqs {
		reqs[i] = newRecorder(l, i, &log)
		reqs[i].begin()
		require.NoError(t, reqs[i].post(0, uint32(i)))
	}
	before := l.Metrics()
	l.backendPoll(0)
	assert.Equal(t, uint64(maxEvents), l.Metrics().Events-before.Events, "one wait dequeues up to 128 packets")
	assert.Equal(t, uint64(maxEvents), l.Metrics().EventsWaiting-before.EventsWaiting)
	for len(log) < n {
		l.backendPoll(0)
		l.runPending()
	}
	for i, s := range log {
		require.Equal(t, fmt.Sprintf("req%d:0:%d", i, i), s)
	}
	assert.Equal(t, uint64(n), l.Metrics().Events-before.Events)
}

// Wakeups from many goroutines at once run the async callbacks inside the poll, once per
// batch of sends, and never lose the last send.
func TestIOCPWakeFromGoroutines(t *testing.T) {
	l := iocpLoop(t)
	const senders, sends = 8, 500
	var sent atomic.Int64
	var a AsyncWatcher
	runs := 0
	require.NoError(t, a.Init(l, func() {
		runs++
		if sent.Load() == senders*sends {
			l.UnregisterRequest()
		}
	}))
	l.RegisterRequest()
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range sends {
				sent.Add(1)
				a.Send()
			}
		}()
	}
	_, err := l.Run(RunDefault)
	require.NoError(t, err)
	wg.Wait()
	assert.Equal(t, int64(senders*sends), sent.Load())
	assert.GreaterOrEqual(t, runs, 1)
	assert.LessOrEqual(t, runs, senders*sends)
	a.Close()
}

// A blocked poll returns for a wakeup posted from another goroutine, and the callback runs
// inside that poll.
func TestIOCPWakeInterruptsInfiniteWait(t *testing.T) {
	l := iocpLoop(t)
	var a AsyncWatcher
	ran := false
	require.NoError(t, a.Init(l, func() { ran = true }))
	go a.Send()
	l.backendPoll(-1)
	require.True(t, ran)
	require.True(t, l.pendingEmpty())
	a.Close()
}

// A finite wait lasts until the loop time reaches its deadline.
func TestIOCPTimeout(t *testing.T) {
	l := iocpLoop(t)
	for _, ms := range []int{1, 15, 40} {
		l.UpdateTime()
		start, hr := l.Now(), HRTime()
		l.backendPoll(ms)
		assert.GreaterOrEqual(t, l.Now()-start, uint64(ms), "loop time after a %d ms wait", ms)
		assert.GreaterOrEqual(t, (HRTime()-hr)/1e6, uint64(ms-1), "real time of a %d ms wait", ms)
	}
	l.UpdateTime()
	start := l.Now()
	l.backendPoll(0)
	assert.Less(t, l.Now()-start, uint64(20), "timeout 0 does not block")
}

func TestIOCPMetrics(t *testing.T) {
	l := iocpLoop(t)
	require.NoError(t, l.Configure(MetricsIdleTime))
	var log []string
	r := newRecorder(l, 0, &log)

	// Nothing waiting: the first wait does not block, then the real one times out.
	idle := l.MetricsIdleTime()
	l.backendPoll(20)
	assert.Greater(t, l.MetricsIdleTime(), idle, "a blocking wait counts as idle time")
	assert.Zero(t, l.Metrics().Events)

	// A packet already queued is counted as an event that was waiting.
	r.begin()
	require.NoError(t, r.post(0, 1))
	l.backendPoll(20)
	m := l.Metrics()
	assert.Equal(t, uint64(1), m.Events)
	assert.Equal(t, uint64(1), m.EventsWaiting)

	// A packet that arrives during a blocking wait is not: send once the loop blocks.
	var a AsyncWatcher
	require.NoError(t, a.Init(l, func() {}))
	go func() {
		for !l.inWait() {
			runtime.Gosched()
		}
		a.Send()
	}()
	l.backendPoll(-1)
	m = l.Metrics()
	assert.Equal(t, uint64(2), m.Events)
	assert.Equal(t, uint64(1), m.EventsWaiting)
	l.runPending()
	a.Close()
}

// pipeReq is an overlapped read with its buffer: everything the kernel writes to is in one
// heap object that only the loop references while the read is in flight.
type pipeReq struct {
	iocpReq
	buf  [64]byte
	got  string
	err  error
	done bool
}

type pipePair struct {
	server, client windows.Handle
}

var pipeSeq atomic.Int64

func newPipePair(t *testing.T, l *Loop) *pipePair {
	t.Helper()
	name, err := windows.UTF16PtrFromString(fmt.Sprintf(`\\.\pipe\uv-go-iocp-%d-%d`, os.Getpid(), pipeSeq.Add(1)))
	require.NoError(t, err)
	server, err := windows.CreateNamedPipe(name,
		windows.PIPE_ACCESS_DUPLEX|windows.FILE_FLAG_OVERLAPPED|windows.FILE_FLAG_FIRST_PIPE_INSTANCE,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT, 1, 4096, 4096, 0, nil)
	require.NoError(t, err)
	client, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil,
		windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		windows.CloseHandle(server)
		require.NoError(t, err)
	}
	p := &pipePair{server: server, client: client}
	t.Cleanup(p.close)
	require.NoError(t, l.associate(server))
	return p
}

func (p *pipePair) close() {
	if p.server != windows.InvalidHandle {
		windows.CloseHandle(p.server)
		p.server = windows.InvalidHandle
	}
	if p.client != windows.InvalidHandle {
		windows.CloseHandle(p.client)
		p.client = windows.InvalidHandle
	}
}

// startRead begins an overlapped read on the server end. It keeps no reference to the
// request: only the loop does.
//
//go:noinline
func startRead(t *testing.T, l *Loop, h windows.Handle, result chan<- *pipeReq) {
	r := new(pipeReq)
	r.init(l, func(q *iocpReq) {
		r.done = true
		r.err = q.err()
		r.got = string(r.buf[:q.bytes])
		l.UnregisterRequest()
		result <- r
	})
	err := windows.ReadFile(h, r.buf[:], &r.qty, r.begin())
	if err != nil && err != windows.ERROR_IO_PENDING {
		r.abandon()
		t.Fatalf("ReadFile: %v", err)
	}
	l.RegisterRequest()
}

// growStack uses about n KiB of goroutine stack, so that the stack is copied elsewhere.
//
//go:noinline
func growStack(n int) byte {
	var b [1024]byte
	b[n%len(b)] = byte(n)
	if n == 0 {
		return b[0]
	}
	return growStack(n-1) + b[n%len(b)]
}

func clientWrite(h windows.Handle, s string) error {
	var n uint32
	if err := windows.WriteFile(h, []byte(s), &n, nil); err != nil {
		return err
	}
	if n != uint32(len(s)) {
		return fmt.Errorf("wrote %d bytes of %d", n, len(s))
	}
	return nil
}

// A real overlapped read completes into memory that the loop kept alive and in place, even
// through garbage collections and a stack copy of the goroutine that started it.
func TestIOCPOverlappedPipeRead(t *testing.T) {
	l := iocpLoop(t)
	p := newPipePair(t, l)
	result := make(chan *pipeReq, 1)
	startRead(t, l, p.server, result)
	for range 3 {
		runtime.GC()
	}
	growStack(256)

	wrote := make(chan error, 1)
	go func() { wrote <- clientWrite(p.client, "hello, port") }()
	alive, err := l.Run(RunDefault)
	require.NoError(t, err)
	require.False(t, alive)
	r := <-result
	require.True(t, r.done)
	require.NoError(t, r.err)
	require.Equal(t, "hello, port", r.got)
	require.NoError(t, <-wrote)
	require.Empty(t, orphansOf(l))
}

// Cancelling a pending read completes it with an error (ECANCELED on Windows; Wine may give
// another code), in the pending phase.
func TestIOCPCancelPendingRead(t *testing.T) {
	l := iocpLoop(t)
	p := newPipePair(t, l)
	result := make(chan *pipeReq, 1)
	startRead(t, l, p.server, result)
	// The loop holds the only reference: find the request in the in-flight list.
	q := &l.be.inflight
	require.NotSame(t, q, q.inext)
	q.inext.cancel(p.server)
	_, err := l.Run(RunDefault)
	require.NoError(t, err)
	r := <-result
	require.Error(t, r.err)
	require.Empty(t, r.got)
}

// Closing the handle under a pending read completes the read with an error, whatever the code.
func TestIOCPCloseHandleUnderPendingRead(t *testing.T) {
	l := iocpLoop(t)
	p := newPipePair(t, l)
	result := make(chan *pipeReq, 1)
	startRead(t, l, p.server, result)
	windows.CloseHandle(p.server)
	p.server = windows.InvalidHandle
	_, err := l.Run(RunDefault)
	require.NoError(t, err)
	r := <-result
	require.Error(t, r.err)
}

// inWait reports whether the loop is in a blocking wait (with MetricsIdleTime configured).
func (l *Loop) inWait() bool {
	l.metrics.mu.Lock()
	defer l.metrics.mu.Unlock()
	return l.metrics.entry != 0
}

func orphansOf(l *Loop) []*iocpReq {
	orphanedReqs.mu.Lock()
	defer orphanedReqs.mu.Unlock()
	var out []*iocpReq
	for _, r := range orphanedReqs.reqs {
		if r.loop == l {
			out = append(out, r)
		}
	}
	return out
}

// A request still in flight when its loop closes is kept forever: the kernel may write to it
// when its handle is closed later.
func TestIOCPCloseLoopWithRequestInFlight(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	p := newPipePair(t, l)
	result := make(chan *pipeReq, 1)
	startRead(t, l, p.server, result)
	l.UnregisterRequest() // let Close go ahead
	require.NoError(t, l.Close())
	require.Len(t, orphansOf(l), 1)
	p.close() // completes the read into the orphan, on no port
	runtime.GC()
	select {
	case <-result:
		t.Fatal("no callback may run once the loop is closed")
	default:
	}
}

// Steady state allocates nothing: a packet through the pending phase, and a wakeup.
func TestIOCPAllocs(t *testing.T) {
	if testutil.RaceBuild() {
		t.Skip("allocation counts are not meaningful under -race")
	}
	l := iocpLoop(t)
	n := 0
	var r iocpReq
	r.init(l, func(*iocpReq) { n++ })
	cycle := func() {
		r.begin()
		if err := r.post(0, 1); err != nil {
			panic(err)
		}
		l.backendPoll(0)
		l.runPending()
	}
	cycle()
	assert.Zero(t, testing.AllocsPerRun(100, cycle), "packet to pending callback")
	assert.Equal(t, 102, n)

	var a AsyncWatcher
	woken := 0
	require.NoError(t, a.Init(l, func() { woken++ }))
	wake := func() {
		a.Send()
		l.backendPoll(-1)
	}
	wake()
	assert.Zero(t, testing.AllocsPerRun(100, wake), "send and wakeup")
	assert.Equal(t, 102, woken)
	a.Close()

	// An idle iteration, and one that waits 1 ms for a timer.
	var tw TimerWatcher
	tw.Init(l, func() {})
	iter := func() {
		tw.Start(1)
		if _, err := l.Run(RunOnce); err != nil {
			panic(err)
		}
	}
	l.RegisterRequest() // keeps the loop alive
	iter()
	assert.Zero(t, testing.AllocsPerRun(20, iter), "loop iteration with a timed wait")
	l.UnregisterRequest()
	tw.Stop()
}

func BenchmarkIOCPPacket(b *testing.B) {
	l := iocpLoop(b)
	var r iocpReq
	r.init(l, func(*iocpReq) {})
	b.ReportAllocs()
	for b.Loop() {
		r.begin()
		r.post(0, 1)
		l.backendPoll(0)
		l.runPending()
	}
}

func BenchmarkIOCPWake(b *testing.B) {
	l := iocpLoop(b)
	var a AsyncWatcher
	a.Init(l, func() {})
	b.ReportAllocs()
	for b.Loop() {
		a.Send()
		l.backendPoll(-1)
	}
	a.Close()
}

// BenchmarkIOCPWakeCrossGoroutine measures a wakeup sent from another goroutine, up to its
// callback on the loop.
func BenchmarkIOCPWakeCrossGoroutine(b *testing.B) {
	l := iocpLoop(b)
	var a AsyncWatcher
	got := make(chan struct{}, 1)
	var stop atomic.Bool
	a.Init(l, func() { got <- struct{}{} })
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for !stop.Load() {
			l.backendPoll(-1)
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		a.Send()
		<-got
	}
	stop.Store(true)
	a.Send()
	<-exited
	a.Close()
}
