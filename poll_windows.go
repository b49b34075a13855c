package uv

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// IOWatcher on Windows: readiness of a socket learned through the AFD driver under Winsock,
// the mechanism of libuv's "fast poll" (and of wepoll and mio). Each loop opens \Device\Afd
// once, adds it to its completion port, and a started watcher keeps one IOCTL_AFD_POLL in
// flight on it for its socket's base handle. A poll completes as soon as one of the asked
// events holds, so re-arming it after every completion gives level-triggered readiness; the
// callback runs in the pending phase, as libuv's poll callbacks do on Windows.
//
// As in libuv on Windows, interest added while a poll is in flight that does not cover it is
// asked for at once (here by cancelling that poll and issuing a new one when it comes back),
// interest removed only masks what the poll in flight reports, and stopping every event
// cancels the poll in flight.

// AFD poll event bits (AFD_POLL_*).
const (
	afdPollReceive          = 0x0001
	afdPollReceiveExpedited = 0x0002
	afdPollSend             = 0x0004
	afdPollDisconnect       = 0x0008
	afdPollAbort            = 0x0010
	afdPollLocalClose       = 0x0020
	afdPollAccept           = 0x0080
	afdPollConnectFail      = 0x0100

	ioctlAfdPoll = 0x00012024

	// afdSIOBaseHandle is SIO_BASE_HANDLE: the socket of the base service provider under any
	// layered ones, which is what AFD knows.
	afdSIOBaseHandle = 0x48000022
	// afdSOType is SO_TYPE.
	afdSOType = 0x1008
	// afdFIONBIO is FIONBIO, for WSAIoctl.
	afdFIONBIO = 0x8004667e
)

// afdPollHandleInfo is AFD_POLL_HANDLE_INFO.
type afdPollHandleInfo struct {
	handle windows.Handle
	events uint32
	status uint32
}

// afdPollInfo is AFD_POLL_INFO with room for one socket.
type afdPollInfo struct {
	timeout   int64
	nhandles  uint32
	exclusive uint32
	handles   [1]afdPollHandleInfo
}

// afdPollReq is one watcher's poll: an overlapped request with the AFD_POLL_INFO the driver
// reads and writes. It lives on the heap and is kept reachable by the loop's in-flight list
// while the driver owns it, so a watcher closed (or a Poll handle freed) with a poll still in
// flight leaves the request to finish on its own.
type afdPollReq struct {
	iocpReq // first: the packet's OVERLAPPED is the request's address
	info    afdPollInfo
	w       *IOWatcher // nil once the watcher let go of the request
	// stale is set when the watcher stopped everything, or asked for more, while the poll was
	// busy: what it reports is dropped (readiness is level-triggered: the next poll sees it
	// again).
	stale bool
	// submitted holds the AFD events of the poll in flight.
	submitted uint32
	// counted is set while a cancelled poll is on its way back: it counts as an active
	// request of the loop, which thus runs until the driver is done with it (as libuv's poll
	// handle closes only once its requests came back) instead of leaving it to the orphans.
	counted bool
	// syncErr is the error of a DeviceIoControl that failed at once, reported as the request's
	// completion.
	syncErr error
}

// afdState is a loop's AFD device and the sockets its started watchers poll.
type afdState struct {
	h        windows.Handle
	watching map[windows.Handle]*IOWatcher // by base socket
}

// afdWSAOnce starts Winsock for the socket calls of Init.
var afdWSAOnce sync.Once

// afdKey is the loop attachment key of the afdState.
type afdKey struct{}

// LoopClosed closes the device when the loop closes; polls still in flight are cancelled by
// that and their requests stay with the loop's orphans.
func (a *afdState) LoopClosed() {
	windows.CloseHandle(a.h)
	a.h = windows.InvalidHandle
}

// afdDevice returns the loop's AFD state, opening the device on first use.
func (l *Loop) afdDevice() (*afdState, error) {
	if a, ok := l.Attached(afdKey{}).(*afdState); ok {
		return a, nil
	}
	name, err := windows.NewNTUnicodeString(`\Device\Afd\uvgo`)
	if err != nil {
		return nil, TranslateSysError(err)
	}
	oa := &windows.OBJECT_ATTRIBUTES{ObjectName: name, Attributes: windows.OBJ_CASE_INSENSITIVE}
	oa.Length = uint32(unsafe.Sizeof(*oa))
	var iosb windows.IO_STATUS_BLOCK
	var h windows.Handle
	if err := windows.NtCreateFile(&h, windows.SYNCHRONIZE, oa, &iosb, nil, 0,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, windows.FILE_OPEN, 0, 0, 0); err != nil {
		if st, ok := err.(windows.NTStatus); ok {
			return nil, TranslateSysError(st.Errno())
		}
		return nil, TranslateSysError(err)
	}
	if err := l.associate(h); err != nil {
		windows.CloseHandle(h)
		return nil, err
	}
	windows.SetFileCompletionNotificationModes(h, windows.FILE_SKIP_SET_EVENT_ON_HANDLE)
	a := &afdState{h: h, watching: make(map[windows.Handle]*IOWatcher)}
	l.Attach(afdKey{}, a)
	return a, nil
}

// An IOWatcher reports readiness of one socket to a callback on the loop, the mechanism
// under libuv's poll handle. Events are level-triggered: a callback that leaves data unread
// is called again. The callback gets only events that are still wanted, plus EventError when
// the poll itself fails (the watcher then stops). One loop watches a socket with at most one
// started IOWatcher. For handle implementations.
type IOWatcher struct {
	loop    *Loop
	fd      OSSock
	base    windows.Handle // the base provider's socket, what AFD polls
	afd     *afdState
	cb      func(events int)
	pevents int         // wanted
	req     *afdPollReq // the watcher's poll request; nil until the first start
	// ioQ of the Loop is an IOWatcher on every OS; the Windows backend keeps no queue in it.
	qprev *IOWatcher
	qnext *IOWatcher
}

// Init binds the watcher to socket fd on the loop and makes the socket non-blocking. A
// handle that is not a socket gives ENOTSOCK (libuv's uv_poll_init fails the same way).
func (w *IOWatcher) Init(l *Loop, fd OSSock, cb func(events int)) error {
	if l == nil || l.closed || fd == InvalidSock || fd == 0 {
		return EINVAL
	}
	afdWSAOnce.Do(func() {
		var d windows.WSAData
		windows.WSAStartup(0x202, &d) // counted: one more start does no harm
	})
	s := windows.Handle(fd)
	// Anything but a socket fails here with ENOTSOCK (libuv's first socket call, ioctlsocket,
	// fails the same way on Windows; Wine answers that one with EOPNOTSUPP).
	if _, err := windows.GetsockoptInt(s, windows.SOL_SOCKET, afdSOType); err != nil {
		return TranslateSysError(err)
	}
	one := uint32(1)
	var n uint32
	if err := windows.WSAIoctl(s, afdFIONBIO, (*byte)(unsafe.Pointer(&one)), 4, nil, 0, &n, nil, 0); err != nil {
		return TranslateSysError(err)
	}
	base := s
	var b windows.Handle
	if windows.WSAIoctl(s, afdSIOBaseHandle, nil, 0, (*byte)(unsafe.Pointer(&b)), uint32(unsafe.Sizeof(b)), &n, nil, 0) == nil &&
		b != 0 && b != windows.InvalidHandle {
		base = b
	}
	a, err := l.afdDevice()
	if err != nil {
		return err
	}
	if o := a.watching[base]; o != nil && o != w {
		return EEXIST
	}
	if w.afd != nil {
		w.Close()
	}
	*w = IOWatcher{loop: l, fd: fd, base: base, afd: a, cb: cb}
	return nil
}

// Fd returns the watched socket.
func (w *IOWatcher) Fd() OSSock { return w.fd }

// Events returns the events the watcher wants.
func (w *IOWatcher) Events() int { return w.pevents }

// Start adds events to what the watcher wants; a poll for them is issued at once. It
// returns EEXIST if another watcher of the loop is started on the same socket.
func (w *IOWatcher) Start(events int) error {
	l := w.loop
	if l == nil || l.closed || w.afd == nil || w.afd.h == windows.InvalidHandle {
		return EINVAL
	}
	events &= eventsWanted
	if events == 0 {
		return nil
	}
	if o := w.afd.watching[w.base]; o != nil && o != w {
		return EEXIST
	}
	w.afd.watching[w.base] = w
	if w.pevents|events == w.pevents {
		return nil
	}
	w.pevents |= events
	if w.req == nil {
		r := &afdPollReq{w: w}
		r.init(l, r.complete)
		w.req = r
	}
	r := w.req
	switch {
	case !r.busy():
		w.submit()
	case r.stale:
		// A cancelled or outdated poll is on its way back; its completion polls again.
	case r.inFlight() && afdEvents(w.pevents)&^r.submitted != 0:
		// The poll in flight does not ask for the new events: have it come back, and poll
		// again for everything when it does.
		r.stale = true
		r.cancel(w.afd.h)
	}
	// Otherwise the poll in flight covers the events, or its completion waits for the
	// pending phase, which polls again for everything wanted.
	return nil
}

// Stop removes events from what the watcher wants. With nothing left the watcher stops and
// its poll in flight is cancelled.
func (w *IOWatcher) Stop(events int) {
	if w.loop == nil || w.afd == nil {
		return
	}
	w.pevents &^= events & eventsWanted
	if w.pevents != 0 {
		return
	}
	if w.afd.watching[w.base] == w {
		delete(w.afd.watching, w.base)
	}
	if r := w.req; r != nil && r.busy() {
		r.stale = true
		if r.inFlight() && w.afd.h != windows.InvalidHandle {
			r.cancel(w.afd.h)
			if !r.counted {
				r.counted = true
				w.loop.RegisterRequest()
			}
		}
	}
}

// StopAll stops the watcher and cancels its poll in flight; events it reports are dropped.
// The watcher can be started again.
func (w *IOWatcher) StopAll() { w.Stop(eventsWanted) }

// Close is StopAll, after which the watcher is unbound. It does not close the socket.
func (w *IOWatcher) Close() {
	w.StopAll()
	w.detach()
	w.fd = InvalidSock
	w.afd = nil
}

// detach lets go of the request: a poll still in flight completes without the watcher.
func (w *IOWatcher) detach() {
	if w.req != nil {
		w.req.w = nil
		w.req = nil
	}
}

// afdEvents turns wanted events into the AFD events to poll for, as libuv does (a readable
// socket is also one whose peer disconnected or reset), plus LOCAL_CLOSE, so that closing the
// socket ends the poll.
func afdEvents(events int) uint32 {
	var e uint32 = afdPollLocalClose
	if events&EventReadable != 0 {
		e |= afdPollReceive | afdPollDisconnect | afdPollAccept | afdPollAbort
	} else if events&EventDisconnect != 0 {
		e |= afdPollDisconnect
	}
	if events&EventWritable != 0 {
		e |= afdPollSend | afdPollConnectFail
	}
	if events&EventPrioritized != 0 {
		e |= afdPollReceiveExpedited
	}
	return e
}

// pollEvents turns what AFD reported into watcher events, as libuv does.
func pollEvents(afd uint32) int {
	ev := 0
	if afd&(afdPollReceive|afdPollDisconnect|afdPollAccept|afdPollAbort) != 0 {
		ev |= EventReadable
		if afd&afdPollDisconnect != 0 {
			ev |= EventDisconnect
		}
	}
	if afd&(afdPollSend|afdPollConnectFail) != 0 {
		ev |= EventWritable
	}
	if afd&afdPollReceiveExpedited != 0 {
		ev |= EventPrioritized
	}
	return ev
}

// submit issues the poll for what the watcher wants. A call that fails at once completes the
// request with its error in the pending phase, as libuv queues it.
func (w *IOWatcher) submit() {
	r := w.req
	r.stale, r.syncErr = false, nil
	ov := r.begin()
	r.info = afdPollInfo{timeout: 1<<63 - 1, nhandles: 1}
	r.submitted = afdEvents(w.pevents)
	r.info.handles[0] = afdPollHandleInfo{handle: w.base, events: r.submitted}
	p := (*byte)(unsafe.Pointer(&r.info))
	size := uint32(unsafe.Sizeof(r.info))
	err := windows.DeviceIoControl(w.afd.h, ioctlAfdPoll, p, size, p, size, &r.qty, ov)
	if err == nil || err == windows.ERROR_IO_PENDING {
		return
	}
	r.syncErr = TranslateSysError(err)
	r.finish(uint32(windows.STATUS_UNSUCCESSFUL), 0) // syncErr says what failed
}

// complete runs in the pending phase when the poll came back.
func (r *afdPollReq) complete(*iocpReq) {
	if r.counted {
		r.counted = false
		r.loop.UnregisterRequest()
	}
	w := r.w
	if w == nil {
		return
	}
	stale := r.stale
	r.stale = false
	if r.status == uint32(windows.STATUS_CANCELLED) && r.syncErr == nil {
		// Cancelled without being asked to (the issuing thread went away): poll again.
		stale = true
	}
	if !stale && w.pevents != 0 {
		if !r.ok() || r.syncErr != nil {
			// The poll itself failed (the socket is gone): stop, as libuv does.
			w.pevents = 0
			if w.afd.watching[w.base] == w {
				delete(w.afd.watching, w.base)
			}
			w.cb(EventError)
			return
		}
		if r.info.nhandles >= 1 {
			got := r.info.handles[0].events
			ev := pollEvents(got) & w.pevents
			if got&afdPollLocalClose != 0 {
				// The socket was closed under the watcher: nothing more will come.
				w.pevents = 0
				if w.afd.watching[w.base] == w {
					delete(w.afd.watching, w.base)
				}
				ev |= EventError
			}
			if ev != 0 {
				w.cb(ev)
			}
		}
	}
	if r.w == w && w.req == r && w.pevents != 0 && !r.busy() && w.afd.h != windows.InvalidHandle {
		w.submit()
	}
}

func (l *Loop) ioQueueEmpty() bool { return true }
func (l *Loop) initIOQueue()       {}
