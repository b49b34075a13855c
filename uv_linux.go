package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The Linux backend: one epoll instance per loop, level-triggered, and an eventfd for
// cross-goroutine wakeups.

const maxEvents = 1024

type backend struct {
	epfd   int
	evfd   int
	events [maxEvents]unix.EpollEvent
	// nDispatch is the number of events being dispatched (for invalidation), 0 outside.
	nDispatch int
	sigprof   bool
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
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}
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

// backendWake makes a blocked (or the next) poll return. Called with asyncMu held, so the
// eventfd cannot be closed underneath it.
func (l *Loop) backendWake() {
	for {
		_, err := unix.Write(l.be.evfd, wakeBytes[:])
		if err != unix.EINTR {
			return // EAGAIN means the counter is already non-zero: the loop will wake
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
	if !l.be.sigprof {
		return unix.EpollWait(l.be.epfd, l.be.events[:], timeout)
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

// backendPoll waits up to timeout ms (-1: no limit) and dispatches I/O events.
func (l *Loop) backendPoll(timeout int) {
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
		if timeout != 0 {
			l.metricsSetEntry()
		}
		l.pollTimeout = timeout
		if l.ins != nil {
			l.ins.waitStart = HRTime()
		}
		n, err := l.epollWait(timeout)
		l.UpdateTime()
		if l.ins != nil {
			l.ins.waited(l, l.be.epfd, maxEvents, timeout, n, err)
		}
		if n <= 0 || err != nil {
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
		nevents := 0
		l.be.nDispatch = n
		for i := 0; i < n; i++ {
			pe := &l.be.events[i]
			fd := int(pe.Fd)
			if fd == -1 {
				continue
			}
			if fd == l.be.evfd {

				nevents++
				l.metricsUpdateIdle()
				l.drainWake()
				l.runAsync()
				continue
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
			w.cb(fromEpoll(ev))
		}
		l.be.nDispatch = 0
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

func (l *Loop) drainWake() {
	var buf [8]byte
	for {
		_, err := unix.Read(l.be.evfd, buf[:])
		if err != unix.EINTR {
			return
		}
	}
}
