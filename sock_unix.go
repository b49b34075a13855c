//go:build unix

package uv

import (
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The readiness half of Sock (see sock.go): try the system call, wait for readiness on EAGAIN.

// SockAddr is the host's socket address type.
type SockAddr = unix.Sockaddr

// osState is per-loop state of the unix backends.
type osState struct {
	iov      [1024]unix.Iovec // scratch for writev
	msg      unix.Msghdr      // scratch for sendmsg of several buffers
	emfileFd int              // reserve fd for the EMFILE trick, 0 when not open
	// Write-behind (sock_behind_unix.go): dispatching is true while an I/O callback runs;
	// behind lists the socks' deferred bytes, kept in behindBuf (behindLen of them).
	dispatching bool
	behind      []behindRun
	behindBuf   []byte
	behindLen   int
	inotify     *inotifyState // fs events (Linux), created on first use
}

// Sock: see sock.go.
type Sock struct {
	// What every event, read and write touches comes first, then the watcher, whose own
	// first fields are the ones the poll reads: on a server with many connections each
	// cache line of a connection's state costs a miss per request.
	loop       *Loop
	fd         int
	flags      uint32
	reader     SockReader // instead of onReadable, see StartReader
	onReadable func()
	behindErr  error // what a deferred write met, for the next Read (sock_behind_unix.go)
	writeQ     opQueue
	io         IOWatcher

	onConnection func()
	connectCb    func(err error)
	connectErr   error
	shutdownCb   func(err error)
	doneQ        opQueue
	queueSize    int
	queueCount   int
	pend         Pending
	ioFn         func(int) // s.onIO and s.runPending, bound once
	pendFn       func()
	fds          []int  // descriptors received over an IPC pipe, not yet accepted
	oob          []byte // control-message buffer of an IPC sock
}

// OpenSocket creates a non-blocking, close-on-exec socket.
func OpenSocket(d Domain, k SockKind) (OSSock, error) {
	fam, err := family(d)
	if err != nil {
		return -1, err
	}
	typ := unix.SOCK_STREAM
	if k == SockDgram {
		typ = unix.SOCK_DGRAM
	}
	fd, err := socketCloexec(fam, typ)
	if err != nil {
		return -1, TranslateSysError(err)
	}
	return fd, nil
}

// Socketpair creates a connected pair of non-blocking, close-on-exec unix sockets.
func Socketpair(k SockKind) ([2]OSSock, error) {
	typ := unix.SOCK_STREAM
	if k == SockDgram {
		typ = unix.SOCK_DGRAM
	}
	// Hold ForkLock until both ends are close-on-exec, so that no child spawned by another
	// goroutine meanwhile inherits them (not every system has SOCK_CLOEXEC).
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, typ, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return [2]OSSock{-1, -1}, TranslateSysError(err)
	}
	for _, fd := range fds {
		unix.SetNonblock(fd, true)
	}
	return fds, nil
}

// CloseSocket closes a descriptor not (or no longer) owned by a Sock.
func CloseSocket(fd OSSock) error { return TranslateSysError(unix.Close(fd)) }

func family(d Domain) (int, error) {
	switch d {
	case DomainInet:
		return unix.AF_INET, nil
	case DomainInet6:
		return unix.AF_INET6, nil
	case DomainUnix:
		return unix.AF_UNIX, nil
	}
	return 0, EINVAL
}

// Init binds the sock to fd on the loop (making fd non-blocking). ipc makes reads receive
// descriptors and lets writes send them.
func (s *Sock) Init(l *Loop, fd OSSock, kind SockKind, ipc bool) error {
	return s.init(l, fd, kind, ipc, false)
}

// InitNew is Init for a socket that OpenSocket or Accept returned: it is non-blocking
// already and of a kind the backend can watch, so Init's checks are skipped.
func (s *Sock) InitNew(l *Loop, fd OSSock, kind SockKind, ipc bool) error {
	return s.init(l, fd, kind, ipc, true)
}

func (s *Sock) init(l *Loop, fd OSSock, kind SockKind, ipc, fresh bool) error {
	if l == nil || l.closed {
		return EINVAL
	}
	if s.ioFn == nil {
		s.ioFn, s.pendFn = s.onIO, s.runPending
	}
	var err error
	if fresh {
		err = s.io.initSocket(l, fd, s.ioFn)
	} else {
		err = s.io.Init(l, fd, s.ioFn)
	}
	if err != nil {
		return err
	}
	s.io.sock = s
	s.loop, s.fd, s.flags = l, fd, 0
	s.behindErr = nil
	if fresh {
		s.flags |= sockOwned
	}
	if kind == SockDgram {
		s.flags |= sockDgram
	}
	if ipc {
		s.flags |= sockIPC
	}
	s.pend.Init(s.pendFn)
	if l.os.emfileFd == 0 {
		if r, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
			l.os.emfileFd = r
		} else if r, err := unix.Open("/", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
			l.os.emfileFd = r
		}
	}
	return nil
}

// Fd returns the descriptor, or -1 after Close.
func (s *Sock) Fd() OSSock {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return -1
	}
	return s.fd
}

func (s *Sock) onIO(ev int) {
	if s.flags&sockConnecting != 0 {
		if ev&(EventWritable|EventError|EventHangup) != 0 {
			s.finishConnect()
		}
		return
	}
	if ev&(EventReadable|EventError|EventHangup) != 0 {
		if s.flags&sockListening != 0 {
			if s.onConnection != nil {
				s.onConnection()
			}
		} else if s.flags&sockReading != 0 {
			// notifyReadable, written out (see backendPoll).
			if r := s.reader; r != nil {
				r.SockReadable()
			} else if s.onReadable != nil {
				s.onReadable()
			}
		}
	}
	if s.flags&sockClosed != 0 {
		return
	}
	if ev&(EventWritable|EventError|EventHangup) != 0 && !s.writeQ.empty() {
		s.doWrite()
	}
}

// StartRead calls cb on the loop whenever the sock may be read.
func (s *Sock) StartRead(cb func()) error {
	if s.flags&sockClosed != 0 || cb == nil {
		return EINVAL
	}
	s.onReadable, s.reader = cb, nil
	s.flags |= sockReading
	return s.io.Start(EventReadable)
}

// StartReader is StartRead that calls r.SockReadable.
func (s *Sock) StartReader(r SockReader) error {
	if s.flags&sockClosed != 0 || r == nil {
		return EINVAL
	}
	s.onReadable, s.reader = nil, r
	s.flags |= sockReading
	return s.io.Start(EventReadable)
}

// StopRead stops read notifications.
func (s *Sock) StopRead() {
	s.flags &^= sockReading
	if s.flags&sockListening == 0 {
		s.io.Stop(EventReadable)
	}
}

// Read reads what is available into b: n > 0 bytes, or (0, EOF) at end of stream, or
// (0, EAGAIN) if nothing is available now. On an IPC sock, received descriptors are queued
// for TakeFd.
func (s *Sock) Read(b []byte) (int, error) {
	if s.flags&(sockOwned|sockIPC|sockClosed) == sockOwned && s.loop.ins == nil && s.behindErr == nil && len(b) > 0 {
		// The usual read: a socket of our own (sockOwned: non-blocking and not shared with
		// another process, which could make it blocking) cannot block, so the call is made
		// without Go's system-call wrapper and the loop's goroutine keeps its P; recv(2)
		// rather than read(2) goes straight to the socket without the file layer's checks,
		// about 50 ns less a call (bench/README, "Where the time goes"); and it is made here
		// rather than in a function of its own, one frame fewer on the stack during the
		// call, which saves a mispredicted return after it (sock_behind_unix.go).
		for {
			r, e := rawIO(unix.SYS_RECVFROM, s.fd, unsafe.Pointer(&b[0]), len(b), 0)
			switch {
			case e == 0 && r > 0:
				return r, nil
			case e == 0:
				return 0, EOF
			case e != unix.EINTR:
				return 0, TranslateSysError(e)
			}
		}
	}
	if s.flags&sockClosed != 0 {
		return 0, EBADF
	}
	if len(b) == 0 {
		return 0, ENOBUFS
	}
	if err := s.behindErr; err != nil {
		s.behindErr = nil
		return 0, err
	}
	if s.flags&sockIPC != 0 {
		return s.readMsg(b)
	}
	for {
		n, err := s.read(b)
		if s.loop.ins != nil {
			s.loop.ins.sys(s.loop, SysRead, s.fd, int64(len(b)), 0, 0, n, err)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, TranslateSysError(err)
		}
		if n == 0 {
			return 0, EOF
		}
		return n, nil
	}
}

// read reads a stream that Read's own recv does not: on a traced loop, a socket of our own
// is read with read(2), which is what its SysRead events report, still without Go's
// system-call wrapper (it cannot block); any other descriptor (a pipe or tty opened from
// elsewhere) is read with read(2) through the wrapper.
func (s *Sock) read(b []byte) (int, error) {
	if s.flags&sockOwned == 0 {
		return unix.Read(s.fd, b)
	}
	r, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(s.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func (s *Sock) readMsg(b []byte) (int, error) {
	if s.oob == nil {
		s.oob = make([]byte, unix.CmsgSpace(4*64))
	}
	oob := s.oob
	for {
		n, oobn, err := recvmsg(s.fd, b, oob, recvmsgFlags)
		if s.loop.ins != nil {
			s.loop.ins.sys(s.loop, SysRecvmsg, s.fd, int64(len(b)), 0, 0, n, err)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, TranslateSysError(err)
		}
		if oobn > 0 {
			msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
			if err == nil {
				for _, m := range msgs {
					fds, err := unix.ParseUnixRights(&m)
					if err == nil {
						for _, fd := range fds {
							unix.SetNonblock(fd, true)
						}
						s.fds = append(s.fds, fds...)
					}
				}
			}
		}
		if n == 0 {
			return 0, EOF
		}
		return n, nil
	}
}

// PendingFds returns how many received descriptors wait for TakeFd.
func (s *Sock) PendingFds() int { return len(s.fds) }

// PeekFd returns the oldest received descriptor without taking it (what libuv's
// uv_pipe_pending_type inspects).
func (s *Sock) PeekFd() (OSSock, bool) {
	if len(s.fds) == 0 {
		return -1, false
	}
	return s.fds[0], true
}

// TakeFd returns the oldest received descriptor.
func (s *Sock) TakeFd() (OSSock, bool) {
	if len(s.fds) == 0 {
		return -1, false
	}
	fd := s.fds[0]
	s.fds = s.fds[1:]
	return fd, true
}

// Listen starts listening; cb runs on the loop when a connection may be accepted.
func (s *Sock) Listen(backlog int, cb func()) error {
	if s.flags&sockClosed != 0 || cb == nil {
		return EINVAL
	}
	err := unix.Listen(s.fd, backlog)
	if s.loop.ins != nil {
		s.loop.ins.listen(s.loop, s.fd, backlog, err)
	}
	if err != nil {
		return TranslateSysError(err)
	}
	s.onConnection = cb
	s.flags |= sockListening
	return s.io.Start(EventReadable)
}

// PauseAccept stops connection notifications until ResumeAccept (libuv stops the listen
// watcher while a connection waits for Accept).
func (s *Sock) PauseAccept() { s.io.Stop(EventReadable) }

// ResumeAccept restarts connection notifications.
func (s *Sock) ResumeAccept() {
	if s.flags&(sockListening|sockClosed) == sockListening {
		s.io.Start(EventReadable)
	}
}

// Accept accepts one connection as a non-blocking, close-on-exec descriptor, or returns
// EAGAIN. When the process is out of descriptors (EMFILE, ENFILE) it frees the loop's reserve
// descriptor, accepts and closes connections until none wait, then takes the reserve back, so
// a full backlog never spins the loop (libuv's EMFILE trick); the error is returned.
func (s *Sock) Accept() (OSSock, error) {
	for {
		fd, err := accept(s.fd)
		if s.loop.ins != nil {
			s.loop.ins.sys(s.loop, SysAccept4, s.fd, traceAcceptFlags, 0, 0, fd, err)
		}
		switch err {
		case nil:
			return fd, nil
		case unix.EINTR, unix.ECONNABORTED:
			continue
		case unix.EMFILE, unix.ENFILE:
			s.emfileTrick()
		}
		return -1, TranslateSysError(err)
	}
}

func (s *Sock) emfileTrick() {
	l := s.loop
	if l.os.emfileFd <= 0 {
		return
	}
	unix.Close(l.os.emfileFd)
	l.os.emfileFd = 0
	for {
		fd, err := accept(s.fd)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			break
		}
		unix.Close(fd)
	}
	if r, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
		l.os.emfileFd = r
	}
}

// Connect starts connecting to addr; cb runs on the loop with the outcome (ECONNREFUSED,
// ETIMEDOUT, ...; ECANCELED if the sock closes first). A connect error the kernel reports at
// once is delivered in the pending phase.
func (s *Sock) Connect(to SockAddr, cb func(err error)) error {
	if s.flags&sockClosed != 0 || cb == nil {
		return EINVAL
	}
	if s.flags&sockConnecting != 0 {
		return EALREADY
	}
	var err error
	for {
		err = unix.Connect(s.fd, to)
		if s.loop.ins != nil {
			s.loop.ins.sysAddr(s.loop, SysConnect, s.fd, to, 0, 0, err)
		}
		if err != unix.EINTR {
			break
		}
	}
	switch err {
	case nil, unix.EINPROGRESS:
	case unix.ECONNREFUSED, unix.ENOENT, unix.EAGAIN:
		s.connectErr = TranslateSysError(err)
	default:
		return TranslateSysError(err)
	}
	s.connectCb = cb
	s.flags |= sockConnecting
	s.loop.RegisterRequest()
	if s.connectErr != nil {
		s.loop.QueuePending(&s.pend)
		return nil
	}
	return s.io.Start(EventWritable)
}

func (s *Sock) finishConnect() {
	err := s.connectErr
	s.connectErr = nil
	if err == nil {
		v, gerr := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		switch {
		case gerr != nil:
			err = TranslateSysError(gerr)
		case v == int(unix.EINPROGRESS):
			return
		case v != 0:
			err = TranslateSysError(unix.Errno(v))
		}
	}
	cb := s.connectCb
	s.connectCb = nil
	s.flags &^= sockConnecting
	s.loop.UnregisterRequest()
	if err != nil || s.writeQ.empty() {
		s.io.Stop(EventWritable)
	}
	cb(err)
	if s.flags&sockClosed != 0 {
		return
	}
	if err != nil {
		for op := s.writeQ.head; op != nil; op = op.next {
			op.err = ECANCELED
		}
		for !s.writeQ.empty() {
			s.doneQ.push(s.writeQ.pop())
		}
		s.writeCallbacks()
	} else if !s.writeQ.empty() {
		s.doWrite()
	}
}

// Write queues op to write bufs (and, on an IPC sock, to send fd along if sendFd is true).
// It is tried at once when nothing else is queued; cb always runs later, in the pending
// phase, with nil or the write's error. It returns EPIPE if the sock was shut down for
// writing and EBADF after Close.
func (s *Sock) Write(op *WriteOp, bufs [][]byte, fd OSSock, sendFd bool, cb func(*WriteOp, error)) error {
	if s.flags&sockClosed != 0 {
		return EBADF
	}
	if s.flags&sockShut != 0 {
		return EPIPE
	}
	if sendFd && s.flags&sockIPC == 0 {
		return EINVAL
	}
	op.prepare(bufs, cb)
	op.fd, op.hasFd = fd, sendFd
	return s.enqueue(op)
}

// SendTo queues one datagram of bufs to addr (nil: the connected peer); cb runs in the pending
// phase.
func (s *Sock) SendTo(op *WriteOp, bufs [][]byte, to SockAddr, cb func(*WriteOp, error)) error {
	if s.flags&sockClosed != 0 {
		return EBADF
	}
	op.prepare(bufs, cb)
	op.to = to
	return s.enqueue(op)
}

func (s *Sock) enqueue(op *WriteOp) error {
	s.flushBehind()
	empty := s.writeQ.empty()
	s.writeQ.push(op)
	s.queueSize += op.size
	s.queueCount++
	s.loop.RegisterRequest()
	if s.flags&sockConnecting != 0 {
		return nil
	}
	if empty {
		s.doWrite()
	} else {
		s.io.Start(EventWritable)
	}
	return nil
}

// doWrite writes queued ops until the kernel pushes back (then it waits for writability) or
// 32 ops completed. Finished ops move to the done queue for the pending phase.
func (s *Sock) doWrite() {
	for count := 32; count > 0 && !s.writeQ.empty(); count-- {
		op := s.writeQ.head
		n, err := s.writeOp(op)
		if err == unix.ENOBUFS && s.flags&sockDgram != 0 {
			err = unix.EAGAIN // libuv waits and retries a datagram the kernel has no buffer for
		}
		if err == unix.EAGAIN && s.flags&sockBlockingWrites == 0 {
			s.io.Start(EventWritable)
			return
		}
		if err != nil && err != unix.EAGAIN {
			op.err = TranslateSysError(err)
			if s.flags&sockDgram == 0 {
				s.doneQ.push(s.writeQ.pop())
				s.io.Stop(EventWritable)
				s.loop.QueuePending(&s.pend)
				return
			}
			n = op.size // a datagram that failed is done
		}
		if n > 0 {
			s.queueSize -= n
			op.hasFd = false
		}
		done := op.advance(n)
		if !done && s.flags&sockDgram != 0 { // a datagram goes whole or not at all
			s.queueSize -= op.size
			op.size, done = 0, true
		}
		if done {
			s.doneQ.push(s.writeQ.pop())
			s.loop.QueuePending(&s.pend)
		}
	}
	if s.writeQ.empty() {
		s.io.Stop(EventWritable)
	} else {
		s.io.Start(EventWritable)
	}
}

func (s *Sock) writeOp(op *WriteOp) (int, error) {
	if op.isFile {
		return s.writeFileOp(op)
	}
	iov := s.loop.os.iov[:0]
	for i := op.idx; i < len(op.bufs) && len(iov) < cap(iov); i++ {
		b := op.bufs[i]
		if i == op.idx {
			b = b[op.off:]
		}
		if len(b) == 0 {
			continue
		}
		v := unix.Iovec{Base: &b[0]}
		v.SetLen(len(b))
		iov = append(iov, v)
	}
	if s.flags&sockDgram != 0 || op.hasFd || op.to != nil {
		return s.sendmsg(op, iov)
	}
	if len(iov) == 0 {
		return 0, nil
	}
	if len(iov) == 1 && s.loop.ins == nil {
		return s.write1(unsafe.Pointer(iov[0].Base), int(iov[0].Len))
	}
	if s.loop.ins == nil && s.flags&(sockOwned|sockBlockingWrites) == sockOwned {
		return s.sendIov(iov)
	}
	for {
		r, _, e := unix.Syscall(unix.SYS_WRITEV, uintptr(s.fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
		if s.loop.ins != nil {
			s.loop.ins.writev(s.loop, s.fd, iov, int(r), e)
		}
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}

// write1 writes one buffer: for one buffer (an HTTP response, an echo) it skips writev's
// copy and check of the iovec array, about 0.1 µs a call. Traced loops keep writev, which is
// what their SysWritev events report.
//
// On a socket of our own (sockOwned) that is not blocking the call cannot block, so it is made
// without Go's system-call wrapper (entersyscall/exitsyscall, about 200 instructions a call):
// the loop's goroutine keeps its P, as for any short call of its own. It is send(2) rather
// than write(2): send goes straight to the socket without the file layer's checks, about
// 100 ns less a call on this kernel, and with MSG_NOSIGNAL where the system has it a write to
// a reset connection fails with EPIPE without raising SIGPIPE, as Node's servers behave. A
// sock made blocking (SetBlocking), or a descriptor from elsewhere that another process could
// make blocking or that need not be a socket, is written with write(2) through the wrapper, so
// that a write that waits does not hold the P.
func (s *Sock) write1(p unsafe.Pointer, n int) (int, error) {
	for {
		var r int
		var e unix.Errno
		if s.flags&(sockOwned|sockBlockingWrites) == sockOwned {
			r, e = rawIO(unix.SYS_SENDTO, s.fd, p, n, msgNoSignal)
		} else {
			var w uintptr
			w, _, e = unix.Syscall(unix.SYS_WRITE, uintptr(s.fd), uintptr(p), uintptr(n))
			r = int(w)
		}
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return r, nil
	}
}

// sendIov writes several buffers on an untraced, non-blocking socket of our own with
// sendmsg(2), for the reasons write1 gives: without the wrapper, and without the file layer's
// checks that writev(2) makes (about 90 ns a call here).
func (s *Sock) sendIov(iov []unix.Iovec) (int, error) {
	m := &s.loop.os.msg
	m.Iov = &iov[0]
	m.SetIovlen(len(iov))
	for {
		r, _, e := unix.RawSyscall(unix.SYS_SENDMSG, uintptr(s.fd), uintptr(unsafe.Pointer(m)), msgNoSignal)
		if e == unix.EINTR {
			continue
		}
		m.Iov = nil
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}

func (s *Sock) sendmsg(op *WriteOp, iov []unix.Iovec) (int, error) {
	if !op.hasFd {
		if n, ok, err := sendmsgIov(s.fd, iov, op.to); ok {
			if s.loop.ins != nil {
				s.loop.ins.sysAddr(s.loop, SysSendmsg, s.fd, op.to, int64(op.size), n, err)
			}
			return n, err
		}
	}
	var oob []byte
	if op.hasFd {
		oob = unix.UnixRights(op.fd)
	}
	var buf []byte
	if len(iov) == 1 {
		buf = unsafe.Slice(iov[0].Base, iov[0].Len)
	} else if len(iov) > 1 {
		// Rare (multi-buffer datagrams, IPC writes): gather into one buffer.
		buf = make([]byte, 0, op.size)
		for _, v := range iov {
			buf = append(buf, unsafe.Slice(v.Base, v.Len)...)
		}
	}
	for {
		n, err := unix.SendmsgN(s.fd, buf, oob, op.to, 0)
		if s.loop.ins != nil {
			s.loop.ins.sysAddr(s.loop, SysSendmsg, s.fd, op.to, int64(len(buf)), n, err)
		}
		if err == unix.EINTR {
			continue
		}
		return n, err
	}
}

// TryWrite writes what the kernel takes now, without queueing (libuv's uv_try_write): it
// returns EAGAIN if a connect or queued writes are in progress or nothing could be written.
func (s *Sock) TryWrite(bufs [][]byte) (int, error) {
	if s.flags&sockClosed != 0 {
		return 0, EBADF
	}
	if s.flags&sockConnecting != 0 || !s.writeQ.empty() {
		return 0, EAGAIN
	}
	if s.flags&sockWriteBehind != 0 {
		if n, ok := s.tryBehind(bufs); ok {
			return n, nil
		}
	}
	if len(bufs) == 1 && s.loop.ins == nil && s.flags&sockDgram == 0 {
		// The common case, without an op: one buffer, one write(2).
		b := bufs[0]
		if len(b) == 0 {
			return 0, nil
		}
		n, err := s.write1(unsafe.Pointer(&b[0]), len(b))
		if err != nil {
			return 0, TranslateSysError(err)
		}
		return n, nil
	}
	var op WriteOp
	op.prepare(bufs, nil)
	if op.size == 0 {
		return 0, nil
	}
	n, err := s.writeOp(&op)
	if err != nil {
		return 0, TranslateSysError(err)
	}
	return n, nil
}

// TrySendTo sends one datagram now or returns EAGAIN (libuv's uv_udp_try_send).
func (s *Sock) TrySendTo(bufs [][]byte, to SockAddr) (int, error) {
	if s.flags&sockClosed != 0 {
		return 0, EBADF
	}
	if !s.writeQ.empty() {
		return 0, EAGAIN
	}
	var op WriteOp
	op.prepare(bufs, nil)
	op.to = to
	iov := s.loop.os.iov[:0]
	for _, b := range bufs {
		if len(b) > 0 {
			v := unix.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
	}
	n, err := s.sendmsg(&op, iov)
	if err != nil {
		return 0, TranslateSysError(err)
	}
	return n, nil
}

// Shutdown shuts the write side down once the queued writes are written; cb runs on the loop.
// It returns ENOTCONN if already shut or shutting, or closed.
func (s *Sock) Shutdown(cb func(err error)) error {
	if s.flags&(sockClosed|sockShutting|sockShut) != 0 {
		return ENOTCONN
	}
	s.flushBehind()
	s.flags |= sockShutting
	s.shutdownCb = cb
	s.loop.RegisterRequest()
	if s.writeQ.empty() && s.flags&sockConnecting == 0 {
		s.loop.QueuePending(&s.pend)
	}
	return nil
}

func (s *Sock) shutdownWrite() error {
	err := unix.Shutdown(s.fd, unix.SHUT_WR)
	if s.loop.ins != nil {
		s.loop.ins.sys(s.loop, SysShutdown, s.fd, unix.SHUT_WR, 0, 0, 0, err)
	}
	return TranslateSysError(err)
}

// SetBlocking makes writes block until written (libuv's uv_stream_set_blocking).
func (s *Sock) SetBlocking(blocking bool) error {
	if s.flags&sockClosed != 0 {
		return EBADF
	}
	s.flushBehind()
	if err := unix.SetNonblock(s.fd, !blocking); err != nil {
		return TranslateSysError(err)
	}
	if blocking {
		s.flags |= sockBlockingWrites
	} else {
		s.flags &^= sockBlockingWrites
	}
	return nil
}

// Close stops all notifications and closes the descriptor now; outstanding operations are
// completed by CancelAll. Received descriptors not taken are closed too.
func (s *Sock) Close() {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return
	}
	s.flushBehind()
	s.io.Close()
	s.loop.CancelPending(&s.pend)
	err := unix.Close(s.fd)
	if s.loop.ins != nil {
		s.loop.ins.sys(s.loop, SysClose, s.fd, 0, 0, 0, 0, err)
	}
	for _, fd := range s.fds {
		unix.Close(fd)
	}
	s.fds = nil
	s.flags |= sockClosed
	s.flags &^= sockReading | sockListening
}

// CloseReset closes with an RST instead of a FIN (SO_LINGER 0).
func (s *Sock) CloseReset() {
	if s.flags&sockClosed == 0 && s.loop != nil {
		unix.SetsockoptLinger(s.fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
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
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, nil
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		id, err := zoneIndex(z)
		if err != nil {
			return nil, err
		}
		sa.ZoneId = id
	}
	return sa, nil
}

// PathSockaddr converts a pipe name to a unix socket address; a name starting with a NUL
// byte is a Linux abstract socket.
func PathSockaddr(path string) (SockAddr, error) {
	if path == "" || len(path) >= 108 {
		if path == "" {
			return nil, EINVAL
		}
		return nil, ENAMETOOLONG
	}
	if path[0] == 0 {
		return &unix.SockaddrUnix{Name: "@" + path[1:]}, nil
	}
	return &unix.SockaddrUnix{Name: path}, nil
}

// AddrPortOf converts a host socket address to an IP address and port.
func AddrPortOf(sa SockAddr) (netip.AddrPort, bool) {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), true
	case *unix.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			a = a.WithZone(zoneName(sa.ZoneId))
		}
		return netip.AddrPortFrom(a, uint16(sa.Port)), true
	}
	return netip.AddrPort{}, false
}

// PathOf returns the name of a unix socket address ("" if it has none), with a leading NUL
// byte for abstract sockets.
func PathOf(sa SockAddr) (string, bool) {
	u, ok := sa.(*unix.SockaddrUnix)
	if !ok {
		return "", false
	}
	if len(u.Name) > 0 && u.Name[0] == '@' {
		return "\x00" + u.Name[1:], true
	}
	return u.Name, true
}

// Bind binds the sock's descriptor to sa.
func (s *Sock) Bind(sa SockAddr) error {
	err := unix.Bind(s.fd, sa)
	if s.loop != nil && s.loop.ins != nil {
		s.loop.ins.sysAddr(s.loop, SysBind, s.fd, sa, 0, 0, err)
	}
	return TranslateSysError(err)
}

// LocalSockaddr returns the address the sock is bound to (getsockname).
func (s *Sock) LocalSockaddr() (SockAddr, error) {
	sa, err := unix.Getsockname(s.fd)
	return sa, TranslateSysError(err)
}

// PeerSockaddr returns the connected peer's address (getpeername).
func (s *Sock) PeerSockaddr() (SockAddr, error) {
	sa, err := unix.Getpeername(s.fd)
	return sa, TranslateSysError(err)
}

// writeOpOS is what a WriteOp keeps for the platform: nothing on unix.
type writeOpOS struct{}

// opDone runs before a finished op's callback: nothing to do on unix.
func (s *Sock) opDone(*WriteOp) {}
