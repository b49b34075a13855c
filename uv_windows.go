package uv

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The Windows backend: one I/O completion port per loop. The poll phase waits in
// GetQueuedCompletionStatusEx for up to maxEvents packets at once. A packet for an overlapped
// operation (an iocpReq) only moves the request to the loop's pending queue: its callback runs
// in the pending phase after the poll, as libuv's uv__process_reqs does. The one exception is
// the wakeup packet that AsyncWatcher.Send posts (PostQueuedCompletionStatus with no
// OVERLAPPED), whose async callbacks run inside the poll, as on the unix backends.

// OSFd is a file handle of the host OS (libuv's uv_os_fd_t).
type OSFd = syscall.Handle

// OSSock is a socket of the host OS (libuv's uv_os_sock_t).
type OSSock = syscall.Handle

// maxEvents is the number of completion packets one wait can dequeue (libuv's 128).
const maxEvents = 128

// Completion keys. Overlapped requests are found through their OVERLAPPED, whatever key the
// handle was associated with; the key only tells the wakeup apart.
const (
	keyIO   = 0
	keyWake = 1
)

// overlappedEntry is OVERLAPPED_ENTRY, which x/sys does not define.
type overlappedEntry struct {
	key      uintptr
	ov       *windows.Overlapped
	internal uintptr
	bytes    uint32
}

var (
	modkernel32 = windows.NewLazySystemDLL("kernel32.dll")
	procGQCSEx  = modkernel32.NewProc("GetQueuedCompletionStatusEx")

	gqcsExOnce sync.Once
	gqcsExAddr uintptr // 0 if kernel32 has no GetQueuedCompletionStatusEx
)

type backend struct {
	port    windows.Handle
	entries [maxEvents]overlappedEntry
	// inflight holds every request the kernel may still write to: the loop keeps it reachable
	// there (and so its OVERLAPPED and buffers alive and unmoved) until its packet arrives.
	inflight iocpReq
}

func (l *Loop) backendInit() error {
	gqcsExOnce.Do(func() {
		if procGQCSEx.Find() == nil {
			gqcsExAddr = procGQCSEx.Addr()
		}
	})
	if gqcsExAddr == 0 {
		return ENOSYS
	}
	port, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 1)
	if err != nil {
		return TranslateSysError(err)
	}
	l.be.port = port
	l.be.inflight.iprev, l.be.inflight.inext = &l.be.inflight, &l.be.inflight
	return nil
}

// backendClose closes the port. Called with asyncMu held, so no wakeup can be posted to a
// closed (or reused) handle. Requests still in flight belong to handles that did not wait for
// their completion; the kernel may still write to them, so they are never freed.
func (l *Loop) backendClose() {
	q := &l.be.inflight
	if q.inext != q {
		orphanedReqs.adopt(q)
	}
	windows.CloseHandle(l.be.port)
	l.be.port = windows.InvalidHandle
}

// backendFd returns -1: a completion port cannot be polled by another loop (as in libuv).
func (l *Loop) backendFd() int { return -1 }

// backendWake makes a blocked (or the next) poll return. Loop.Close waits for the Sends
// counted in wakers, so the port cannot be closed underneath it.
func (l *Loop) backendWake() {
	windows.PostQueuedCompletionStatus(l.be.port, 0, keyWake, nil)
}

// backendConfigure: LoopBlockSignal has no meaning on Windows (libuv returns UV_ENOSYS).
func (l *Loop) backendConfigure(opt LoopOption, sig int) error { return ENOSYS }

// gqcsEx is GetQueuedCompletionStatusEx on the loop's port and entry array, not alertable.
// It returns the errno as is: WAIT_TIMEOUT (258) in an error interface would allocate.
func (l *Loop) gqcsEx(timeout uint32) (int, syscall.Errno) {
	var n uint32
	r, _, e := syscall.SyscallN(gqcsExAddr, uintptr(l.be.port),
		uintptr(unsafe.Pointer(&l.be.entries[0])), maxEvents, uintptr(unsafe.Pointer(&n)),
		uintptr(timeout), 0)
	if r == 0 {
		if e == 0 {
			e = syscall.EINVAL
		}
		return 0, e
	}
	return int(n), 0
}

// backendPoll waits up to timeout ms (-1: no limit) for completion packets. Requests that
// completed go to the pending queue; a wakeup runs the async callbacks at once. A wait that
// times out before the loop time reached the deadline is repeated for the rest, with a margin
// that doubles from the third round on, as libuv does.
func (l *Loop) backendPoll(timeout int) {
	var deadline uint64
	if timeout > 0 {
		deadline = l.time + uint64(timeout)
	}
	userTimeout, resetTimeout := timeout, false
	if l.metricsIdle {
		resetTimeout = true
		timeout = 0
	}
	for repeat := 0; ; repeat++ {
		actual := timeout
		if timeout != 0 {
			l.metricsSetEntry()
		}
		l.pollTimeout = timeout
		wait := uint32(windows.INFINITE)
		if timeout >= 0 {
			wait = uint32(timeout)
		}
		if l.ins != nil {
			l.ins.waitStart = HRTime()
		}
		n, err := l.gqcsEx(wait)
		if l.ins != nil {
			l.traceWait(timeout, n, err)
		}
		if resetTimeout {
			timeout, resetTimeout = userTimeout, false
		}
		l.metricsUpdateIdle()
		l.UpdateTime()
		if err == 0 {
			l.dispatch(n, actual == 0)
			return
		}
		if err != syscall.Errno(windows.WAIT_TIMEOUT) {
			panic("uv: GetQueuedCompletionStatusEx: " + err.Error())
		}
		if timeout == 0 {
			return
		}
		if timeout > 0 {
			// The wait may end a little early: wait again for the rest.
			if deadline <= l.time {
				return
			}
			timeout = int(deadline - l.time)
			if repeat > 0 {
				timeout += 1 << min(repeat-1, 16)
			}
		}
	}
}

// dispatch handles the n packets of the last wait; waiting says whether the wait did not block
// (the packets were already queued), for the EventsWaiting metric.
func (l *Loop) dispatch(n int, waiting bool) {
	nevents := 0
	for i := 0; i < n; i++ {
		e := &l.be.entries[i]
		ov, key, bytes := e.ov, e.key, e.bytes
		*e = overlappedEntry{} // hold no stale pointers
		if ov == nil {
			if key == keyWake {
				nevents++
				l.runAsync()
			}
			continue
		}
		nevents++
		r := (*iocpReq)(unsafe.Pointer(ov))
		r.completed(bytes)
	}
	l.metrics.events += uint64(nevents)
	if waiting {
		l.metrics.eventsWaiting += uint64(nevents)
	}
}
