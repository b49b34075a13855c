package uv

import (
	"net/netip"
	"strconv"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The completion half of Sock (see sock.go), on a loop's I/O completion port, as libuv's
// src/win/tcp.c and udp.c do it:
//
//   - StartRead arms a zero-byte overlapped WSARecv (MSG_PEEK for datagrams); its completion
//     runs the read callback in the pending phase, the reader calls Read (a non-blocking
//     recv) until EAGAIN, and the zero read is armed again while reading goes on.
//   - Every queued write is an overlapped WSASend (WSASendTo) of its own (several for more
//     than 1024 buffers), issued at once unless a connect is in progress; the kernel keeps
//     them in order, and their callbacks run in the pending phase in queue order
//     (sock_write_windows.go).
//   - Listen keeps AcceptEx requests pending (sock_accept_windows.go); Connect is ConnectEx
//     (sock_connect_windows.go).
//   - Close cancels what the kernel owns (CancelIoEx) and closes the socket at once. Those
//     requests are orphaned: they stay on the loop's in-flight list until their packet
//     arrives (with a cancelled status: STATUS_CANCELLED, or STATUS_HANDLES_CLOSED under
//     Wine), and are then dropped; CancelAll fails the queued work with ECANCELED as on unix,
//     so a handle never waits for the kernel to close.
//
// Every OVERLAPPED, WSABuf array, out-parameter and address buffer of an overlapped call lives
// in a request allocated on the heap (sock_req_windows.go). The calls themselves go through a
// small seam (sockDriver, sock_driver_windows.go), through which named pipes reuse the queue,
// read and accept logic with ReadFile, WriteFile and ConnectNamedPipe (sock_pipe_windows.go),
// and consoles with their synchronous writes (sock_console_windows.go).

// SockAddr is the host's socket address type.
type SockAddr = windows.Sockaddr

// Windows-only sock flags, above the shared ones of sock.go.
const (
	// sockSkipPort: completions of calls that succeed at once skip the port
	// (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), so the call's caller completes the request.
	sockSkipPort uint32 = 1 << (16 + iota)
	// sockBound: the socket has a local address (Bind, or it was found bound).
	sockBound
	// sockHoldWrites: new writes wait in the queue (during the connect callback).
	sockHoldWrites
	// sockSingleAccept: a listener keeps one AcceptEx pending, not simultaneousAccepts.
	sockSingleAccept
	// sockShared: the socket was sent or received over an IPC pipe; closing it cancels only
	// its own calls (sock_pipeipcsock_windows.go).
	sockShared
)

// osState is per-loop state of the Windows sockets.
type osState struct {
	// socks holds the sockets bound to a Sock of the loop, so that a second Init of one
	// fails with EEXIST as on unix.
	socks map[windows.Handle]struct{}
	// Scratch for the non-overlapped calls (TryWrite, RecvFrom): the loop's thread is the
	// only user and the calls complete before they return.
	wsabuf  [1024]windows.WSABuf
	from    windows.RawSockaddrAny
	fromLen int32
	to      windows.RawSockaddrAny
	toLen   int32
	flags   uint32
	in4     windows.SockaddrInet4
	in6     windows.SockaddrInet6
	// The event and OVERLAPPED of the pipe calls the loop waits for itself (a read of data
	// known to be there, a blocking write); the event is created at first use.
	event windows.Handle
	ov    windows.Overlapped
}

func (l *Loop) closeOSState() {
	l.os.socks = nil
	if l.os.event != 0 {
		windows.CloseHandle(l.os.event)
		l.os.event = 0
	}
}

// sockLoopKey keys sockLoopCloser in Loop.Attach.
type sockLoopKey struct{}

// sockLoopCloser collects, when the loop closes, the packets already queued for requests of
// socks closed while the kernel owned them (the close makes them come at once), so that those
// requests, and the buffers a send references, are freed rather than kept as orphans for
// ever (backendClose). A request whose packet has not come yet is still kept.
type sockLoopCloser struct{ l *Loop }

func (c sockLoopCloser) LoopClosed() {
	l := c.l
	for {
		n, e := l.gqcsEx(0)
		if e != 0 || n == 0 {
			return
		}
		for i := range n {
			en := &l.be.entries[i]
			if en.ov != nil {
				// The kernel is done with the request: take it off the in-flight list. Its
				// done never runs, as the loop never runs again.
				(*iocpReq)(unsafe.Pointer(en.ov)).completed(en.bytes)
			}
			*en = overlappedEntry{}
		}
	}
}

// Sock: see sock.go.
type Sock struct {
	loop         *Loop
	fd           windows.Handle
	drv          sockDriver
	flags        uint32
	family       int32
	onReadable   func()
	reader       SockReader // instead of onReadable, see StartReader
	onConnection func()
	connectCb    func(err error)
	connectErr   error
	shutdownCb   func(err error)
	writeQ       opQueue
	doneQ        opQueue
	queueSize    int
	queueCount   int
	pend         Pending
	pendFn       func()

	rd      *readReq  // the zero-byte read, once reading started
	readErr error     // the error a read completion reported, for the next Read
	wfree   *writeReq // idle write requests
	wqHead  *writeReq // issued writes, in queue order (the first ones of writeQ)
	wqTail  *writeReq
	cn      *connectReq // the connect request, once connecting
	acc     *acceptState
	ext     *pipeState // a pipe or console handle (sock_pipe_windows.go); nil for a socket
}

// OpenSocket creates an overlapped, non-inheritable socket. An IPv6 socket starts
// dual-stack (IPV6_V6ONLY off), as on unix; Windows' own default is IPv6 only.
func OpenSocket(d Domain, k SockKind) (OSSock, error) {
	fam, err := family(d)
	if err != nil {
		return InvalidSock, err
	}
	typ := int32(windows.SOCK_STREAM)
	if k == SockDgram {
		typ = windows.SOCK_DGRAM
	}
	fd, err := newSocket(fam, typ)
	if err != nil {
		return InvalidSock, err
	}
	if fam == windows.AF_INET6 {
		windows.SetsockoptInt(fd, windows.IPPROTO_IPV6, windows.IPV6_V6ONLY, 0)
	}
	return OSSock(fd), nil
}

// newSocket is WSASocket with libuv's flags: overlapped I/O, not inherited by children.
func newSocket(fam, typ int32) (windows.Handle, error) {
	wsaStartup()
	fd, err := windows.WSASocket(fam, typ, 0, nil, 0, windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	if globalTracer.Load() != nil {
		traceGlobal(SysSocket, -1, int64(fam), int64(typ), 0, int(fd), err)
	}
	if err != nil {
		return windows.InvalidHandle, TranslateSysError(err)
	}
	return fd, nil
}

func family(d Domain) (int32, error) {
	switch d {
	case DomainInet:
		return windows.AF_INET, nil
	case DomainInet6:
		return windows.AF_INET6, nil
	case DomainUnix:
		// Pipes are named pipes on Windows.
		return 0, EAFNOSUPPORT
	}
	return 0, EINVAL
}

// CloseSocket closes a socket not (or no longer) owned by a Sock; any other handle a Sock
// takes (a pipe end, a console) is closed as a handle.
func CloseSocket(fd OSSock) error {
	h := windows.Handle(fd)
	takeImported(h) // a received or sent socket (sock_pipeipcsock_windows.go)
	takeExported(h)
	err := windows.Closesocket(h)
	if err == windows.WSAENOTSOCK {
		takeInstance(h)
		err = windows.CloseHandle(h)
	}
	return TranslateSysError(err)
}

// Init binds the sock to the socket, pipe or console handle fd on the loop. A socket is made
// non-blocking (for the non-overlapped reads and tries) and associated with the loop's
// completion port, as is an overlapped pipe (sock_pipe_windows.go); a console reads and
// writes as sock_console_windows.go says. ipc is for pipes only (sock_pipeipc_windows.go):
// EINVAL for sockets and consoles, as handle passing goes over named pipes on Windows.
// EEXIST if the handle belongs to a sock of this loop or to another completion port,
// ENOTSOCK for a handle that is none of these.
func (s *Sock) Init(l *Loop, fd OSSock, kind SockKind, ipc bool) error {
	if l == nil || l.closed {
		return EINVAL
	}
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return EBADF
	}
	if _, ok := l.os.socks[h]; ok {
		return EEXIST
	}
	fam, typ, err := sockFamilyType(h)
	if err == ENOTSOCK {
		return s.initHandle(l, h, kind, ipc)
	}
	if err != nil {
		return err
	}
	if ipc {
		return EINVAL
	}
	if e := ioctlNonblock(h, true); e != 0 {
		return translateErrno(e)
	}
	// A socket received over an IPC pipe is on its sender's port: it completes on events
	// (sock_pipeipcsock_windows.go).
	emulate, shared := false, false
	if err := l.associate(h); err != nil {
		if err != EINVAL {
			return err
		}
		if emulate = takeImported(h); !emulate {
			return EEXIST // already associated with a completion port
		}
		shared = true
	} else {
		shared = takeImported(h)
	}
	if l.os.socks == nil {
		l.os.socks = make(map[windows.Handle]struct{})
		l.Attach(sockLoopKey{}, sockLoopCloser{l})
	}
	l.os.socks[h] = struct{}{}
	if s.pendFn == nil {
		s.pendFn = s.runPending
	}
	s.dropIdleReqs(l)
	s.loop, s.fd, s.family, s.flags = l, h, fam, 0
	s.drv, s.ext = winsockDriver{}, nil
	s.readErr, s.connectErr = nil, nil
	if kind == SockDgram || typ == windows.SOCK_DGRAM {
		s.flags |= sockDgram
	} else if emulate {
		s.drv = emuSockDriver{}
		s.flags |= sockSkipPort
	} else if windows.SetFileCompletionNotificationModes(h,
		windows.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|windows.FILE_SKIP_SET_EVENT_ON_HANDLE) == nil {
		// Not for datagram sockets: Windows mishandles synchronous completions of datagram
		// receives in this mode (libuv's udp.c works around it with its own AFD calls).
		s.flags |= sockSkipPort
	}
	if shared {
		s.flags |= sockShared
	}
	s.pend.Init(s.pendFn)
	return nil
}

// Fd returns the socket, or InvalidSock after Close.
func (s *Sock) Fd() OSSock {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return InvalidSock
	}
	return OSSock(s.fd)
}

// StartRead calls cb on the loop, in the pending phase, whenever the sock may be read.
func (s *Sock) StartRead(cb func()) error {
	if s.flags&sockClosed != 0 || s.loop == nil || cb == nil {
		return EINVAL
	}
	if ps := s.ext; ps != nil && ps.console {
		return s.startReader(cb)
	}
	s.onReadable, s.reader = cb, nil
	return s.startRead()
}

// StartReader is StartRead that calls r.SockReadable.
func (s *Sock) StartReader(r SockReader) error {
	if s.flags&sockClosed != 0 || s.loop == nil || r == nil {
		return EINVAL
	}
	if ps := s.ext; ps != nil && ps.console {
		return s.startReader(r.SockReadable) // a console's reader takes a callback
	}
	s.onReadable, s.reader = nil, r
	return s.startRead()
}

// startRead is StartRead once the callback is set.
func (s *Sock) startRead() error {
	s.flags |= sockReading
	if s.rd == nil {
		s.rd = newReadReq(s)
	}
	if s.rd.busy() {
		return nil // a zero read is still in flight from before StopRead, or completed
	}
	if s.readErr != nil {
		s.rd.finish(0, 0) // deliver the error a completion left
		return nil
	}
	s.armRead()
	return nil
}

// StopRead stops read notifications. A zero read in flight stays there, as in libuv: its
// completion is dropped, or delivered if reading starts again first.
func (s *Sock) StopRead() {
	s.flags &^= sockReading
	if ps := s.ext; ps != nil {
		if ps.rdr != nil {
			ps.rdr.StopRead()
		}
		if ps.sync {
			// As libuv: a non-overlapped pipe's read, which blocks a goroutine, is
			// interrupted (another handle on the pipe may want the data).
			s.stopSyncZeroRead()
		}
	}
}

// Read reads what is available into b without blocking: n > 0 bytes, or (0, EOF) at end of
// stream, or (0, EAGAIN) if nothing is available now, or the error the last read completion
// reported (ECONNRESET, ...).
func (s *Sock) Read(b []byte) (int, error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return 0, EBADF
	}
	if len(b) == 0 {
		return 0, ENOBUFS
	}
	if err := s.readErr; err != nil {
		s.readErr = nil
		return 0, err
	}
	return s.drv.read(s, b)
}

// PendingFds returns how many sockets an IPC pipe received and TakeFd has not taken
// (sock_pipeipc_windows.go); 0 for any other sock.
func (s *Sock) PendingFds() int { return s.pendingCount() }

// PeekFd returns the oldest received socket without taking it.
func (s *Sock) PeekFd() (OSSock, bool) { return s.peekPending() }

// TakeFd returns the oldest received socket.
func (s *Sock) TakeFd() (OSSock, bool) { return s.takePending() }

// SetWriteBehind does nothing on Windows: a write there is an overlapped request posted
// at once, so the depth of the stack it is made from costs nothing after it (see
// sock_behind_unix.go for what it does on unix).
func (s *Sock) SetWriteBehind(on bool) {}

// BehindBuf is nil on Windows: nothing is deferred (see SetWriteBehind), so writes go
// through TryWrite and Write.
func (s *Sock) BehindBuf(max int) []byte { return nil }

// CommitBehind is never reached on Windows (BehindBuf is nil); it writes b as TryWrite
// would, should it be.
func (s *Sock) CommitBehind(b []byte) int {
	n, _ := s.TryWrite([][]byte{b})
	return n
}

// SetBlocking makes the writes of a pipe block until written (true) or not: as in libuv,
// sockets have no blocking writes on Windows (EINVAL). A console's writes always block:
// SetBlocking(false) is EINVAL for it.
func (s *Sock) SetBlocking(blocking bool) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	switch ps := s.ext; {
	case ps == nil, ps.server:
		return EINVAL
	case ps.console:
		if !blocking {
			return EINVAL
		}
		return nil
	}
	if blocking {
		s.flags |= sockBlockingWrites
	} else {
		s.flags &^= sockBlockingWrites
	}
	return nil
}

// Close closes the socket now. Requests the kernel still owns are orphaned (see above);
// CancelAll completes the queued connect, writes and shutdown.
func (s *Sock) Close() {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return
	}
	s.loop.CancelPending(&s.pend)
	s.cancelShared()
	if s.acc != nil {
		s.closeAccepts()
	}
	if s.ext != nil {
		s.closeExt()
	}
	if s.rd != nil && s.rd.busy() {
		s.rd.orphan()
		s.rd = nil
	}
	for w := s.wqHead; w != nil; {
		next := w.next
		w.orphan()
		w = next
	}
	s.wqHead, s.wqTail = nil, nil
	if s.cn != nil && s.cn.busy() {
		s.cn.orphan()
		s.cn = nil
	}
	delete(s.loop.os.socks, s.fd)
	s.drv.close(s)
	s.readErr = nil
	s.flags |= sockClosed
	s.flags &^= sockReading | sockListening
}

// CloseReset closes with an RST instead of a FIN (SO_LINGER 0).
func (s *Sock) CloseReset() {
	if s.flags&sockClosed == 0 && s.loop != nil {
		windows.SetsockoptLinger(s.fd, windows.SOL_SOCKET, windows.SO_LINGER, &windows.Linger{Onoff: 1, Linger: 0})
	}
	s.Close()
}

// SockaddrOf converts an IP address and port to the host's socket address.
func SockaddrOf(ap netip.AddrPort) (SockAddr, error) {
	a := ap.Addr()
	if !a.IsValid() {
		return nil, EINVAL
	}
	if a.Is4() {
		return &windows.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, nil
	}
	sa := &windows.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		id, err := zoneIndex(z)
		if err != nil {
			return nil, err
		}
		sa.ZoneId = id
	}
	return sa, nil
}

// zoneIndex maps an IPv6 zone to an interface index: only numeric zones are understood.
func zoneIndex(zone string) (uint32, error) {
	n, err := strconv.ParseUint(zone, 10, 32)
	if err != nil {
		return 0, EINVAL
	}
	return uint32(n), nil
}

// PathSockaddr returns ENOSYS: pipes are named pipes on Windows.
func PathSockaddr(path string) (SockAddr, error) { return nil, ENOSYS }

// AddrPortOf converts a host socket address to an IP address and port.
func AddrPortOf(sa SockAddr) (netip.AddrPort, bool) {
	switch sa := sa.(type) {
	case *windows.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), true
	case *windows.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(sa.ZoneId), 10))
		}
		return netip.AddrPortFrom(a, uint16(sa.Port)), true
	}
	return netip.AddrPort{}, false
}

// PathOf returns nothing: pipes are named pipes on Windows.
func PathOf(sa SockAddr) (string, bool) { return "", false }
