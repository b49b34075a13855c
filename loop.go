package uv

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uv-go/uv/timers"
)

// Loop is an event loop (libuv's uv_loop_t). Create one with NewLoop or use DefaultLoop; run
// it with Run on one goroutine. See the package documentation for what may be called from
// other goroutines.
type Loop struct {
	// Data is free for the user, as libuv's loop->data.
	Data any

	time          uint64 // cached loop time, ms
	yieldAt       uint64 // loop time of the next scheduling point (see yieldEvery)
	stopFlag      bool
	running       bool
	closed        bool
	activeHandles int
	activeReqs    int

	handleQ    handleQueue
	pendingQ   Pending
	pendingTmp Pending
	idleQ      PhaseWatcher
	prepareQ   PhaseWatcher
	checkQ     PhaseWatcher
	phaseTmp   PhaseWatcher
	closing    *Handle
	timers     timers.Heap

	watchers []*IOWatcher // by fd (unix)
	nfds     int
	ioQ      IOWatcher // interest changes not yet given to the kernel

	asyncMu    sync.Mutex
	asyncQ     []*AsyncWatcher
	asyncSpare []*AsyncWatcher
	// wakePending is set (under asyncMu) by the first Send after runAsync took the queue,
	// and read without the lock by the poll, which runs runAsync when it finds it set.
	wakePending atomic.Bool
	// awake is set while Run runs the loop between two polls (see skipIdleWake): a Send
	// then needs no system call.
	awake  atomic.Bool
	wakers atomic.Int32 // Sends writing to the wakeup descriptor now

	metrics     metrics
	metricsIdle bool
	pollTimeout int // the timeout of the current poll, for metrics

	wq      workQueue // completed threadpool requests
	readBuf []byte    // shared read buffer (ReadBuffer)

	attached map[any]any
	ins      *instr // tracer and phase timing (introspect.go); nil while both are off
	be       backend
	os       osState
}

// NewLoop creates a loop (libuv's uv_loop_init). On systems whose backend is not written yet
// it returns ENOSYS.
func NewLoop() (*Loop, error) {
	l := &Loop{}
	l.handleQ.init()
	l.pendingQ.prev, l.pendingQ.next = &l.pendingQ, &l.pendingQ
	initPhaseQ(&l.idleQ)
	initPhaseQ(&l.prepareQ)
	initPhaseQ(&l.checkQ)
	l.initIOQueue()
	if err := l.backendInit(); err != nil {
		return nil, err
	}
	l.UpdateTime()
	l.traceAttachGlobal()
	return l, nil
}

var (
	defaultMu   sync.Mutex
	defaultLoop *Loop
)

// DefaultLoop returns the process's default loop, creating it on first use and again after
// it was closed, as libuv's uv_default_loop.
func DefaultLoop() (*Loop, error) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultLoop != nil && !defaultLoop.closed {
		return defaultLoop, nil
	}
	l, err := NewLoop()
	if err != nil {
		return nil, err
	}
	defaultLoop = l
	return l, nil
}

// Alive reports whether the loop has active referenced handles, active requests, pending
// callbacks or closing handles (libuv's uv_loop_alive).
func (l *Loop) Alive() bool {
	return l.activeHandles > 0 || l.activeReqs > 0 || !l.pendingEmpty() || l.closing != nil
}

// Run runs the loop in the given mode with libuv's phase order: pending, idle, prepare,
// poll for I/O, pending again (at most 8 times), check, closing, timers; RunDefault also runs
// due timers once before the first iteration. It reports whether the loop is still alive.
// Run returns EINVAL for a closed loop and EBUSY if the loop is already running (Run is not
// reentrant). The calling goroutine is locked to its OS thread while Run runs.
func (l *Loop) Run(mode RunMode) (bool, error) {
	if l.closed {
		return false, EINVAL
	}
	if l.running {
		return l.Alive(), EBUSY
	}
	if mode < RunDefault || mode > RunNoWait {
		return l.Alive(), EINVAL
	}
	runtime.LockOSThread()
	l.running = true
	l.awake.Store(true)
	defer func() {
		l.running = false
		l.leaveAwake()
		runtime.UnlockOSThread()
	}()

	r := l.Alive()
	if !r {
		l.UpdateTime()
	}
	if mode == RunDefault && r && !l.stopFlag {
		l.UpdateTime()
		l.mark(LoopPhaseTimers)
		l.runTimers()
	}
	for r && !l.stopFlag {
		canSleep := l.pendingEmpty() && l.idleQ.next == &l.idleQ
		l.mark(LoopPhasePending)
		l.runPending()
		l.mark(LoopPhaseIdle)
		l.runPhase(&l.idleQ)
		l.mark(LoopPhasePrepare)
		l.runPhase(&l.prepareQ)

		timeout := 0
		if (mode == RunOnce && canSleep) || mode == RunDefault {
			timeout = l.backendTimeout()
		}
		l.metrics.loopCount++
		l.mark(LoopPhasePoll)
		l.backendPoll(timeout)

		l.mark(LoopPhasePending)
		for i := 0; i < 8 && !l.pendingEmpty(); i++ {
			l.runPending()
		}
		l.metricsUpdateIdle()
		l.mark(LoopPhaseCheck)
		l.runPhase(&l.checkQ)
		l.mark(LoopPhaseClosing)
		l.runClosing()
		l.UpdateTime()
		l.mark(LoopPhaseTimers)
		l.runTimers()
		l.mark(phaseEnd)
		if l.time >= l.yieldAt {
			l.yieldAt = l.time + yieldEvery
			schedYield()
		}

		r = l.Alive()
		if mode != RunDefault {
			break
		}
	}
	l.mark(phaseEnd) // the pre-loop timers, when no iteration followed
	l.stopFlag = false
	return r, nil
}

// yieldEvery is how often, in ms of loop time, a running loop passes through the Go
// scheduler. A loop goroutine never does otherwise: it is locked to its thread, its
// non-blocking system calls are raw, and a blocking one returns to it without a reschedule.
// The runtime's monitor thread (sysmon) then takes it for a goroutine that has run 10 ms
// without a break: it preempts it every 10 ms, each time handing the thread's P away and
// back, and it never slows its own checks down from every 20 µs, waking on the loop's CPU
// about a thousand times a second. Under load that costs no throughput to speak of but
// stalls the loop often enough to bunch requests up: an HTTP server's p90 latency was
// nearly twice its median, against 1.1 times without it (see bench/README.md). A
// Gosched of a locked goroutine hands its P to another thread and back (two wake-ups), at
// most 200 times a second; where those wake-ups cross CPUs it shows: two loops pinging
// each other lost 5-7% of their round trips (bench/README.md, "Where the time goes").
const yieldEvery = 5

// schedYield is the scheduling point (a variable for the test).
var schedYield = runtime.Gosched

// leaveAwake ends Run's awake period. A Send that relied on it made no system call, so the
// backend is woken now for it: whoever polls BackendFd until the next Run must see it.
func (l *Loop) leaveAwake() {
	l.awake.Store(false)
	if skipIdleWake && l.wakePending.Load() {
		l.backendWake() // Close runs on this goroutine, so the descriptor is still open
	}
}

func (l *Loop) runClosing() {
	h := l.closing
	l.closing = nil
	for h != nil {
		next := h.nextDone
		h.nextDone = nil
		if l.ins != nil {
			l.ins.callClose(l, h)
		} else {
			l.finishClose(h)
		}
		h = next
	}
}

// backendTimeout is libuv's uv__backend_timeout.
func (l *Loop) backendTimeout() int {
	if l.stopFlag || (l.activeHandles == 0 && l.activeReqs == 0) || !l.pendingEmpty() ||
		l.idleQ.next != &l.idleQ || l.closing != nil {
		return 0
	}
	return l.nextTimeout()
}

// BackendTimeout returns the poll timeout, in ms, the loop would use now (-1: no timeout);
// 0 also while interest changes wait to reach the kernel (libuv's uv_backend_timeout).
func (l *Loop) BackendTimeout() int {
	if !l.ioQueueEmpty() {
		return 0
	}
	return l.backendTimeout()
}

// BackendFd returns the backend's descriptor (the epoll fd on Linux), which becomes readable
// when the loop has events: a loop can be embedded in another by polling it.
func (l *Loop) BackendFd() int { return l.backendFd() }

// Stop makes Run return at the end of the current iteration (libuv's uv_stop). Not safe from
// other goroutines: send an AsyncWatcher and stop from its callback.
func (l *Loop) Stop() { l.stopFlag = true }

// Now returns the cached loop time in milliseconds (libuv's uv_now). The cache is refreshed
// at the start of each iteration and after each poll, and by UpdateTime.
func (l *Loop) Now() uint64 { return l.time }

// UpdateTime refreshes the cached loop time (libuv's uv_update_time).
func (l *Loop) UpdateTime() { l.time = HRTime() / uint64(time.Millisecond) }

var clockBase = time.Now()

// HRTime returns a monotonic time in nanoseconds from an arbitrary origin (libuv's
// uv_hrtime). Safe from any goroutine.
func HRTime() uint64 { return uint64(time.Since(clockBase)) + uint64(time.Hour) }

// Configure sets a loop option (libuv's uv_loop_configure). LoopBlockSignal takes the signal
// number (only SIGPROF is accepted); the others take no argument.
func (l *Loop) Configure(opt LoopOption, args ...int) error {
	if l.closed {
		return EINVAL
	}
	switch opt {
	case LoopBlockSignal:
		if len(args) != 1 {
			return EINVAL
		}
		return l.backendConfigure(opt, args[0])
	case MetricsIdleTime:
		l.metricsIdle = true
		return nil
	case UseIOUringSQPOLL:
		return nil
	case MetricsPhaseTime:
		return l.configurePhaseTime(args)
	}
	return ENOSYS
}

// Walk calls fn for each handle of the loop, except internal ones (libuv's uv_walk). Handles
// created during the walk are not visited; handles closed and removed during it are skipped.
func (l *Loop) Walk(fn func(h *Handle)) {
	var tmp handleQueue
	tmp.init()
	if l.handleQ.empty() {
		return
	}
	tmp.s.next, tmp.s.prev = l.handleQ.s.next, l.handleQ.s.prev
	tmp.s.next.prev = &tmp.s
	tmp.s.prev.next = &tmp.s
	l.handleQ.init()
	for !tmp.empty() {
		h := tmp.s.next
		tmp.remove(h)
		l.handleQ.insertTail(h)
		if h.flags&flagInternal == 0 {
			fn(h)
		}
	}
}

// RegisterRequest counts an active request; a loop with active requests is alive and
// cannot be closed. For request implementations.
func (l *Loop) RegisterRequest() { l.activeReqs++ }

// UnregisterRequest ends what RegisterRequest started.
func (l *Loop) UnregisterRequest() {
	if l.activeReqs > 0 {
		l.activeReqs--
	}
}

// ActiveRequests returns the number of active requests.
func (l *Loop) ActiveRequests() int { return l.activeReqs }

// ActiveHandles returns the number of active, referenced handles.
func (l *Loop) ActiveHandles() int { return l.activeHandles }

// LoopCloser may be implemented by a value given to Attach; it is called when the loop closes.
type LoopCloser interface{ LoopClosed() }

// Attach keeps per-loop state of a layer above (for example the signal dispatcher) under key.
// If v implements LoopCloser it is told when the loop closes.
func (l *Loop) Attach(key, v any) {
	if l.attached == nil {
		l.attached = make(map[any]any)
	}
	l.attached[key] = v
}

// Attached returns what Attach stored under key, or nil.
func (l *Loop) Attached(key any) any { return l.attached[key] }

// Closed reports whether Close has succeeded.
func (l *Loop) Closed() bool { return l.closed }

// Close releases the loop's resources (libuv's uv_loop_close). It returns EBUSY while
// requests are active or handles remain, including closed handles whose close callback has
// not run yet: close them and run the loop again first. Closing twice returns EINVAL.
func (l *Loop) Close() error {
	if l.closed {
		return EINVAL
	}
	if l.running {
		return EBUSY
	}
	if l.activeReqs > 0 {
		return EBUSY
	}
	for h := l.handleQ.s.next; h != &l.handleQ.s; h = h.next {
		if h.flags&flagInternal == 0 {
			return EBUSY
		}
	}
	for k, v := range l.attached {
		if c, ok := v.(LoopCloser); ok {
			c.LoopClosed()
		}
		delete(l.attached, k)
	}
	l.asyncMu.Lock()
	l.closed = true
	l.asyncQ, l.asyncSpare = nil, nil
	for l.wakers.Load() != 0 {
		runtime.Gosched() // a Send is between its lock and its wakeup write
	}
	l.backendClose()
	l.asyncMu.Unlock()
	l.timers.Reset()
	l.watchers = nil
	l.closeOSState()
	defaultMu.Lock()
	if defaultLoop == l {
		defaultLoop = nil
	}
	defaultMu.Unlock()
	return nil
}

// ReadBuffer returns the loop's shared 64 KiB read buffer, allocated on first use. Streams
// that read without an allocator use it, so an idle reader holds no buffer; its contents are
// valid only until the callback that received them returns.
func (l *Loop) ReadBuffer() []byte {
	if l.readBuf == nil {
		l.readBuf = make([]byte, 64*1024)
	}
	return l.readBuf
}
