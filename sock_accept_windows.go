package uv

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Listening on Windows, as libuv's tcp.c: a listening sock keeps simultaneousAccepts AcceptEx
// calls pending, each with a socket made for the connection it will receive. A completed one
// joins the sock's queue of waiting connections and the connection callback runs (in the
// pending phase) once per waiting connection; Accept hands them out oldest first and starts
// the request again with a fresh socket.

// simultaneousAccepts is how many accepts a listening sock keeps pending (libuv's
// uv_simultaneous_server_accepts with simultaneous accepts on, its default).
const simultaneousAccepts = 32

// acceptAddrLen is the room AcceptEx wants for one address: a SOCKADDR_STORAGE and 16 bytes.
const acceptAddrLen = 128 + 16

// acceptReq is one pending AcceptEx.
type acceptReq struct {
	sockReq
	// listen is the listening socket, where SO_UPDATE_ACCEPT_CONTEXT reads it from.
	listen windows.Handle
	// accepted is the socket made for the connection; InvalidHandle when there is none.
	accepted windows.Handle
	// buf receives the local and remote addresses.
	buf  [2 * acceptAddrLen]byte
	next *acceptReq
	// pipe: accepted is a pipe instance (ConnectNamedPipe), not a socket.
	pipe bool
}

// acceptState is a listening sock's accept requests and its queue of waiting connections.
type acceptState struct {
	reqs      []*acceptReq
	head      *acceptReq // completed accepts, oldest first
	tail      *acceptReq
	n         int
	paused    bool
	notifying bool
	pend      Pending
}

// Listen starts listening (binding to the wildcard address of the sock's family first, as
// libuv does, if the sock is not bound); cb runs on the loop, in the pending phase, once for
// every connection that may be accepted. Listening again only replaces cb.
func (s *Sock) Listen(backlog int, cb func()) error {
	if s.flags&sockClosed != 0 || s.loop == nil || cb == nil {
		return EINVAL
	}
	if s.flags&sockListening != 0 {
		s.onConnection = cb
		return nil
	}
	if err := s.drv.listen(s, backlog); err != nil {
		return err
	}
	s.onConnection = cb
	s.flags |= sockListening
	a := &acceptState{reqs: make([]*acceptReq, s.drv.acceptCount(s))}
	a.pend.Init(s.acceptNotify)
	s.acc = a
	for i := range a.reqs {
		r := &acceptReq{accepted: windows.InvalidHandle}
		r.sock = s
		r.init(s.loop, r.complete)
		a.reqs[i] = r
		s.armAccept(r)
	}
	return nil
}

// armAccept starts r's accept, unless simultaneous accepts were turned off while listening
// and r is not the first request: as in libuv, the others then finish what they hold and
// are not started again.
func (s *Sock) armAccept(r *acceptReq) {
	if s.flags&sockSingleAccept != 0 && s.acc != nil && len(s.acc.reqs) > 0 && r != s.acc.reqs[0] {
		return
	}
	r.start()
	r.started(s.drv.startAccept(s, r), s.flags&sockSkipPort != 0)
}

// complete runs in the pending phase when r's accept completed.
func (r *acceptReq) complete(*iocpReq) {
	s := r.sock
	if s == nil {
		r.closeAccepted()
		return
	}
	e := r.winsockErr()
	if e == 0 {
		if err := s.drv.finishAccept(s, r); err == nil {
			a := s.acc
			if a.tail == nil {
				a.head = r
			} else {
				a.tail.next = r
			}
			a.tail = r
			a.n++
			s.acceptNotify()
			return
		}
	}
	instance := r.pipe && r.accepted != windows.InvalidHandle
	r.closeAccepted()
	if r.werr != 0 && !instance {
		// The accept could not even start (no socket or pipe instance for the connection, a
		// broken listening socket): leave the request idle rather than spin; Accept tries it
		// again. (A pipe instance whose client came and went before ConnectNamedPipe is
		// replaced, as libuv does.)
		return
	}
	// A connection that failed before it was accepted says nothing about the listening
	// socket, as in libuv: wait for the next one.
	if s.flags&(sockListening|sockClosed) == sockListening {
		s.armAccept(r)
	}
}

func (r *acceptReq) closeAccepted() {
	if r.accepted != windows.InvalidHandle {
		if r.pipe {
			closeInstance(r.accepted)
		} else {
			windows.Closesocket(r.accepted)
		}
		r.accepted = windows.InvalidHandle
	}
}

// acceptNotify runs the connection callback once for each waiting connection while accepting
// is not paused.
func (s *Sock) acceptNotify() {
	a := s.acc
	if a == nil || a.notifying {
		return
	}
	a.notifying = true
	for k := a.n; k > 0 && a.n > 0 && !a.paused && s.acc == a && s.onConnection != nil; k-- {
		s.onConnection()
	}
	a.notifying = false
}

// PauseAccept stops connection callbacks until ResumeAccept (libuv stops the listen watcher
// while a connection waits for Accept).
func (s *Sock) PauseAccept() {
	if s.acc != nil {
		s.acc.paused = true
	}
}

// ResumeAccept restarts connection callbacks; one runs in the pending phase for each
// connection that waits.
func (s *Sock) ResumeAccept() {
	a := s.acc
	if a == nil || s.flags&(sockListening|sockClosed) != sockListening {
		return
	}
	a.paused = false
	if a.n > 0 {
		s.loop.QueuePending(&a.pend)
	}
}

// Accept returns the oldest waiting connection as a socket not yet bound to a loop, or
// EAGAIN if none waits. Its accept request starts again at once.
func (s *Sock) Accept() (OSSock, error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return InvalidSock, EBADF
	}
	a := s.acc
	if a == nil {
		return InvalidSock, EINVAL
	}
	r := a.head
	if r == nil {
		for _, r := range a.reqs {
			if !r.busy() && r.accepted == windows.InvalidHandle {
				s.armAccept(r) // left idle after a failure to start: try again
			}
		}
		return InvalidSock, EAGAIN
	}
	a.head = r.next
	if a.head == nil {
		a.tail = nil
	}
	r.next = nil
	a.n--
	fd := r.accepted
	r.accepted = windows.InvalidHandle
	s.armAccept(r)
	return OSSock(fd), nil
}

// closeAccepts is Close's part for a listening sock: the sockets made for connections are
// closed now, which also cancels their accepts (as libuv does), and accepts in flight are
// orphaned.
func (s *Sock) closeAccepts() {
	a := s.acc
	s.loop.CancelPending(&a.pend)
	for _, r := range a.reqs {
		if r.busy() {
			r.orphan()
		}
		r.closeAccepted()
		r.next = nil
	}
	a.head, a.tail, a.n = nil, nil, 0
	s.acc = nil
}

func (winsockDriver) acceptCount(s *Sock) int {
	if s.flags&sockSingleAccept != 0 {
		return 1
	}
	return simultaneousAccepts
}

// SetSimultaneousAccepts chooses between many pending AcceptEx calls (on, the default) and
// one (libuv's uv_tcp_simultaneous_accepts). Turned off on a listening sock, it takes
// effect as each pending accept completes: only the first is started again.
func (s *Sock) SetSimultaneousAccepts(on bool) {
	if on {
		s.flags &^= sockSingleAccept
	} else {
		s.flags |= sockSingleAccept
	}
}

func (winsockDriver) listen(s *Sock, backlog int) error {
	if err := s.bindIfUnbound(s.family); err != nil {
		return err
	}
	if _, e := acceptExFunc.load(); e != 0 {
		return translateErrno(e)
	}
	err := windows.Listen(s.fd, backlog)
	if s.loop.ins != nil {
		s.loop.ins.listen(s.loop, int(s.fd), backlog, err)
	}
	return TranslateSysError(err)
}

func (winsockDriver) startAccept(s *Sock, a *acceptReq) syscall.Errno {
	fd, e := wsaSocket(s.family, windows.SOCK_STREAM)
	if e != 0 {
		return e
	}
	a.accepted, a.listen = fd, s.fd
	fn, _ := acceptExFunc.load()
	r, _, e := syscall.SyscallN(fn, uintptr(s.fd), uintptr(fd), uintptr(unsafe.Pointer(&a.buf[0])), 0,
		acceptAddrLen, acceptAddrLen, uintptr(unsafe.Pointer(&a.qty)), uintptr(unsafe.Pointer(&a.ov)))
	if r != 0 {
		e = 0
	} else if e == 0 {
		e = syscall.EINVAL
	}
	if s.loop.ins != nil {
		s.loop.traceWin(SysAcceptEx, s.fd, int64(fd), 0, 0, e)
	}
	if r != 0 {
		return 0
	}
	return e // on a failure, complete closes the socket
}

func (winsockDriver) finishAccept(s *Sock, a *acceptReq) error {
	return TranslateSysError(windows.Setsockopt(a.accepted, windows.SOL_SOCKET, windows.SO_UPDATE_ACCEPT_CONTEXT,
		(*byte)(unsafe.Pointer(&a.listen)), int32(unsafe.Sizeof(a.listen))))
}

// wsaSocket is newSocket with a bare errno.
func wsaSocket(fam, typ int32) (windows.Handle, syscall.Errno) {
	fd, err := windows.WSASocket(fam, typ, 0, nil, 0, windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	if err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return windows.InvalidHandle, e
		}
		return windows.InvalidHandle, syscall.EINVAL
	}
	return fd, 0
}

// extFunc is a Winsock extension function (AcceptEx, ConnectEx), found once with
// SIO_GET_EXTENSION_FUNCTION_POINTER on a socket of its own.
type extFunc struct {
	guid windows.GUID
	once sync.Once
	addr uintptr
	err  syscall.Errno
}

var (
	acceptExFunc  = extFunc{guid: windows.GUID{Data1: 0xb5367df1, Data2: 0xcbac, Data3: 0x11cf, Data4: [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}}
	connectExFunc = extFunc{guid: windows.WSAID_CONNECTEX}
)

func (f *extFunc) load() (uintptr, syscall.Errno) {
	f.once.Do(func() {
		wsaStartup()
		fd, e := wsaSocket(windows.AF_INET, windows.SOCK_STREAM)
		if e != 0 {
			f.err = e
			return
		}
		defer windows.Closesocket(fd)
		var n uint32
		err := windows.WSAIoctl(fd, windows.SIO_GET_EXTENSION_FUNCTION_POINTER,
			(*byte)(unsafe.Pointer(&f.guid)), uint32(unsafe.Sizeof(f.guid)),
			(*byte)(unsafe.Pointer(&f.addr)), uint32(unsafe.Sizeof(f.addr)), &n, nil, 0)
		if err != nil || f.addr == 0 {
			f.err = windows.WSAEAFNOSUPPORT
		}
	})
	return f.addr, f.err
}
