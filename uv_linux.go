package uv

import (
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The Linux backend: one epoll instance per loop, level-triggered, and an eventfd for
// cross-goroutine wakeups. The eventfd is edge-triggered: every write queues one event, so
// the loop never reads it back (the counter would need 2^64 wakeups to fill up).

const maxEvents = 1024

type backend struct {
	epfd   int
	evfd   int
	events [maxEvents]unix.EpollEvent
	// nDispatch is the number of events being dispatched (for invalidation), 0 outside.
	nDispatch int
	// nreg counts the descriptors this loop added to the epoll set, besides the eventfd,
	// and has not removed: stopped watchers stay registered until an event or an
	// invalidation removes them. It may count descriptors the kernel dropped when they were
	// closed, never fewer than are registered.
	nreg int
	// evWritten counts the writes to the eventfd that have completed; evSeen is its value
	// before the last wait that took every ready event. While they differ an event may be
	// waiting in the epoll set, and a poll must not skip its wait: whoever polls BackendFd
	// would see it readable for ever.
	evWritten atomic.Uint64
	evSeen    uint64
	sigprof   bool
	// spinFails counts the last spins that timed out; spinSkip the waits left to block
	// without spinning.
	spinFails, spinSkip int
}

var wakeBytes = [8]byte{1, 0, 0, 0, 0, 0, 0, 0}

func (l *Loop) backendInit() error {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return TranslateSysError(err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return TranslateSysError(err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(evfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &ev); err != nil {
		unix.Close(evfd)
		unix.Close(epfd)
		return TranslateSysError(err)
	}
	l.be.epfd, l.be.evfd = epfd, evfd
	return nil
}

func (l *Loop) backendClose() {
	unix.Close(l.be.evfd)
	unix.Close(l.be.epfd)
	l.be.evfd, l.be.epfd = -1, -1
}

func (l *Loop) backendFd() int { return l.be.epfd }

// backendWake makes a blocked (or the next) poll return. Loop.Close waits for the Sends
// counted in wakers, so the eventfd cannot be closed underneath it.
func (l *Loop) backendWake() {
	for {
		_, err := unix.Write(l.be.evfd, wakeBytes[:])
		if err != unix.EINTR {
			l.be.evWritten.Add(1)
			return
		}
	}
}

func (l *Loop) backendConfigure(opt LoopOption, sig int) error {
	if opt == LoopBlockSignal {
		if sig != int(unix.SIGPROF) {
			return EINVAL
		}
		l.be.sigprof = true
	}
	return nil
}

func (l *Loop) ioCheckFd(fd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1}
	err := unix.EpollCtl(l.be.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
	if l.ins != nil {
		l.ins.sys(l, SysEpollCtl, fd, int64(l.be.epfd), unix.EPOLL_CTL_ADD, int64(ev.Events), 0, err)
	}
	if err != nil && err != unix.EEXIST {
		return TranslateSysError(err)
	}
	if err == nil {
		err = unix.EpollCtl(l.be.epfd, unix.EPOLL_CTL_DEL, fd, &ev)
		if l.ins != nil {
			l.ins.sys(l, SysEpollCtl, fd, int64(l.be.epfd), unix.EPOLL_CTL_DEL, 0, 0, err)
		}
	}
	return nil
}

// ioInvalidate drops undelivered events of fd from the batch being dispatched and removes fd
// from the interest set now, before the caller can close it and the number can be reused.
func (l *Loop) ioInvalidate(fd int) {
	for i := 0; i < l.be.nDispatch; i++ {
		if int(l.be.events[i].Fd) == fd {
			l.be.events[i].Fd = -1
		}
	}
	var ev unix.EpollEvent
	err := unix.EpollCtl(l.be.epfd, unix.EPOLL_CTL_DEL, fd, &ev)
	if l.ins != nil {
		l.ins.sys(l, SysEpollCtl, fd, int64(l.be.epfd), unix.EPOLL_CTL_DEL, 0, 0, err)
	}
	if err == nil {
		l.be.nreg--
	}
}

func toEpoll(ev int) uint32 {
	var e uint32
	if ev&EventReadable != 0 {
		e |= unix.EPOLLIN
	}
	if ev&EventWritable != 0 {
		e |= unix.EPOLLOUT
	}
	if ev&EventDisconnect != 0 {
		e |= unix.EPOLLRDHUP
	}
	if ev&EventPrioritized != 0 {
		e |= unix.EPOLLPRI
	}
	return e
}

func fromEpoll(e uint32) int {
	ev := 0
	if e&unix.EPOLLIN != 0 {
		ev |= EventReadable
	}
	if e&unix.EPOLLOUT != 0 {
		ev |= EventWritable
	}
	if e&unix.EPOLLRDHUP != 0 {
		ev |= EventDisconnect
	}
	if e&unix.EPOLLPRI != 0 {
		ev |= EventPrioritized
	}
	if e&unix.EPOLLERR != 0 {
		ev |= EventError
	}
	if e&unix.EPOLLHUP != 0 {
		ev |= EventHangup
	}
	return ev
}

// flushInterest gives the kernel the interest changes queued since the last poll.
func (l *Loop) flushInterest() {
	q := &l.ioQ
	for q.qnext != q {
		w := q.qnext
		l.ioDequeue(w)
		op := unix.EPOLL_CTL_MOD
		if w.events == 0 {
			op = unix.EPOLL_CTL_ADD
		}
		w.events = w.pevents
		ev := unix.EpollEvent{Events: toEpoll(w.pevents), Fd: int32(w.fd)}
		err := unix.EpollCtl(l.be.epfd, op, w.fd, &ev)
		if l.ins != nil {
			l.ins.sys(l, SysEpollCtl, w.fd, int64(l.be.epfd), int64(op), int64(ev.Events), 0, err)
		}
		if err == nil && op == unix.EPOLL_CTL_ADD {
			l.be.nreg++
		}
		if err == unix.EEXIST && op == unix.EPOLL_CTL_ADD {
			err = unix.EpollCtl(l.be.epfd, unix.EPOLL_CTL_MOD, w.fd, &ev)
			if l.ins != nil {
				l.ins.sys(l, SysEpollCtl, w.fd, int64(l.be.epfd), unix.EPOLL_CTL_MOD, int64(ev.Events), 0, err)
			}
		}
		if err != nil {
			// The fd cannot be watched (closed under us, for example): report it as an
			// error event rather than aborting as libuv does.
			w.events = 0
			w.cb(EventError)
		}
	}
}

func (l *Loop) epollWait(timeout int) (int, error) {
	if timeout == 0 && !l.be.sigprof {
		// A wait that cannot block needs no hand-off of the P to the scheduler: the raw
		// call skips entersyscall and exitsyscall.
		r, e := rawIO(unix.SYS_EPOLL_PWAIT, l.be.epfd, unsafe.Pointer(&l.be.events[0]), maxEvents, 0)
		if e != 0 {
			return 0, e
		}
		return r, nil
	}
	if !l.be.sigprof {
		// unix.EpollWait's call, made here: one frame fewer on the stack during it.
		r, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT, uintptr(l.be.epfd),
			uintptr(unsafe.Pointer(&l.be.events[0])), maxEvents, uintptr(timeout), 0, 0)
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
	var set unix.Sigset_t
	sig := uint(unix.SIGPROF) - 1
	set.Val[sig/64] |= 1 << (sig % 64)
	r, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT, uintptr(l.be.epfd),
		uintptr(unsafe.Pointer(&l.be.events[0])), maxEvents, uintptr(timeout),
		uintptr(unsafe.Pointer(&set)), 8)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// backendPoll waits up to timeout ms (-1: no limit) and dispatches I/O events, then the
// async watchers sent meanwhile, counted as one event as libuv counts its wakeup descriptor.
//
// With threadpool requests in flight the loop first spins for a moment (spinForWake). A
// wait that would not block is skipped when the eventfd is the only descriptor registered
// and no write to it is unseen: it could only report what wakePending already says (libuv
// skips the wait when it watches nothing).
func (l *Loop) backendPoll(timeout int) {
	if l.os.dispatching { // a callback panicked out of the last poll
		l.os.dispatching = false
		l.writeBehind(nil)
	}
	l.flushInterest()
	var deadline uint64
	if timeout > 0 {
		deadline = l.time + uint64(timeout)
	}
	userTimeout, resetTimeout := timeout, false
	if l.metricsIdle {
		resetTimeout = true
		timeout = 0
	}
	rounds := 48
	for {
		l.pollTimeout = timeout
		wait := timeout
		if wait != 0 {
			l.metricsSetEntry() // a spin waits as much as the wait does
			if l.wq.inflight > 0 && spinnable() && l.spinForWake() {
				wait = 0
			} else {
				// From here on a Send writes the eventfd; one that came before is in
				// wakePending, and then the loop must not block.
				l.awake.Store(false)
				if l.wakePending.Load() {
					wait = 0
				}
			}
		}
		var n int
		var err error
		if wait != 0 || l.be.nreg != 0 || l.ins != nil || l.be.evWritten.Load() != l.be.evSeen {
			if l.ins != nil {
				l.ins.waitStart = HRTime()
			}
			written := l.be.evWritten.Load()
			n, err = l.epollWait(wait)
			l.UpdateTime()
			if n < maxEvents && err == nil {
				l.be.evSeen = written // the wait took every event of those writes
			}
			if l.ins != nil {
				l.ins.waited(l, l.be.epfd, maxEvents, wait, n, err)
			}
			if err != nil {
				n = 0
			}
		} else {
			l.UpdateTime()
		}
		l.awake.Store(true)
		nevents := 0
		l.be.nDispatch = n
		for i := 0; i < n; i++ {
			pe := &l.be.events[i]
			fd := int(pe.Fd)
			if fd == -1 || fd == l.be.evfd {
				continue // the eventfd only wakes the wait: wakePending says what to run
			}
			var w *IOWatcher
			if fd < len(l.watchers) {
				w = l.watchers[fd]
			}
			if w == nil {
				var dummy unix.EpollEvent
				err := unix.EpollCtl(l.be.epfd, unix.EPOLL_CTL_DEL, fd, &dummy)
				if l.ins != nil {
					l.ins.sys(l, SysEpollCtl, fd, int64(l.be.epfd), unix.EPOLL_CTL_DEL, 0, 0, err)
				}
				if err == nil {
					l.be.nreg--
				}
				continue
			}
			ev := pe.Events & (toEpoll(w.pevents) | unix.EPOLLERR | unix.EPOLLHUP)
			if ev == 0 {
				continue
			}
			nevents++
			l.metricsUpdateIdle()
			if l.ins != nil {
				l.ins.callIO(w, fromEpoll(ev))
				continue
			}
			l.os.dispatching = true
			// w.dispatch, written out: it is not inlined, and a frame on the stack during the
			// callback's system calls costs a mispredicted return (sock_behind_unix.go).
			if s := w.sock; s != nil {
				s.onIO(fromEpoll(ev))
			} else {
				w.cb(fromEpoll(ev))
			}
			l.os.dispatching = false
			if len(l.os.behind) != 0 {
				l.writeBehind(nil)
			}
		}
		l.be.nDispatch = 0
		if l.wakePending.Load() {
			nevents++
			l.metricsUpdateIdle()
			l.runAsync()
		}
		if n == 0 && nevents == 0 {
			if resetTimeout {
				timeout, resetTimeout = userTimeout, false
			} else if err == nil {
				return // timed out
			}
			if !l.retryTimeout(&timeout, deadline) {
				return
			}
			continue
		}
		l.metrics.events += uint64(nevents)
		if resetTimeout {
			timeout, resetTimeout = userTimeout, false
			l.metrics.eventsWaiting += uint64(nevents)
		}
		if nevents != 0 {
			if n == maxEvents {
				if rounds--; rounds != 0 {
					timeout = 0
					continue
				}
			}
			return
		}
		if !l.retryTimeout(&timeout, deadline) {
			return
		}
	}
}

// retryTimeout computes the timeout for another wait after an interrupted or empty one, and
// reports whether to wait again.
func (l *Loop) retryTimeout(timeout *int, deadline uint64) bool {
	switch {
	case *timeout == 0:
		return false
	case *timeout == -1:
		return true
	}
	if l.time >= deadline {
		return false
	}
	*timeout = int(deadline - l.time)
	return true
}

// spinLimit bounds spinForWake: about the time a threadpool worker takes to pick up an item
// and hand its completion back, far less than the system calls, futex wakeups and
// interprocessor interrupts that blocking and being woken cost (tens of microseconds on a
// virtual machine).
const spinLimit = 20 * time.Microsecond

// spinnable reports whether another thread can complete work while the loop spins: with
// one P, or one CPU (GOMAXPROCS may be set above the CPUs), the loop's spin would keep the
// pool's workers from running.
func spinnable() bool { return runtime.NumCPU() > 1 && runtime.GOMAXPROCS(0) > 1 }

// spinForWake polls wakePending for a short while before the loop blocks with threadpool
// requests in flight, and reports whether it was set. A completion that finds the loop awake
// costs its worker no system call and the loop no sleep; I/O events wait at most spinLimit
// for the wait that follows. Spins that time out make the next waits skip spinning, the more
// of them the more spins failed in a row (long work gains nothing from it).
func (l *Loop) spinForWake() bool {
	if l.be.spinSkip > 0 {
		l.be.spinSkip--
		return false
	}
	t0 := HRTime()
	for {
		for range 256 {
			if l.wakePending.Load() {
				l.be.spinFails = 0
				return true
			}
		}
		// Give the CPU to a thread waiting for it: wakeups often put a worker on the loop's
		// CPU, and then the spin would only keep it from completing.
		unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
		if HRTime()-t0 > uint64(spinLimit) {
			// The yield often outlasts the limit while the worker it let run completes: that
			// spin worked, and counting it as failed made the next waits block for nothing.
			if l.wakePending.Load() {
				l.be.spinFails = 0
				return true
			}
			l.be.spinFails = min(l.be.spinFails+1, 6)
			l.be.spinSkip = 1<<l.be.spinFails - 1
			return false
		}
	}
}
