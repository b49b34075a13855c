package uv

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// sockDriver is the kernel-facing half of a Windows Sock: the calls that differ between a
// Winsock socket and a pipe handle. Everything above it (the write queue and its ordering, the
// zero read and its re-arming, the accept queue, orphaning on close, cancellation) is the
// Sock's and is shared. The named-pipe driver (sock_pipe_windows.go) implements it with a
// zero-byte ReadFile, PeekNamedPipe + ReadFile, WriteFile, and ConnectNamedPipe on
// pre-created instances; the console driver (sock_console_windows.go) with synchronous writes.
// Pipes and consoles keep what they need beyond a socket's state in Sock.ext.
//
// Every method runs on the loop's goroutine. The start methods begin an overlapped call on a
// request the Sock has started (so its OVERLAPPED is in flight) and return 0 if it succeeded
// at once, ERROR_IO_PENDING if the kernel took it, or the error.
type sockDriver interface {
	// startRead begins a zero-byte read: its completion means data, the end of the stream or
	// an error may be read.
	startRead(s *Sock, r *readReq) syscall.Errno
	// read reads what is available now into b without blocking: (0, EOF) at the end,
	// (0, EAGAIN) if nothing waits.
	read(s *Sock, b []byte) (int, error)
	// startWrite begins sending w's buffers (to w's address, if it has one).
	startWrite(s *Sock, w *writeReq) syscall.Errno
	// tryWrite sends what fits now without blocking (to, if not nil, is the destination of a
	// datagram): (0, EAGAIN) if nothing does.
	tryWrite(s *Sock, bufs [][]byte, to *windows.RawSockaddrAny) (int, error)
	// shutdown ends the write side.
	shutdown(s *Sock) error
	// listen makes the sock a server.
	listen(s *Sock, backlog int) error
	// acceptCount is how many accepts a server keeps pending.
	acceptCount(s *Sock) int
	// startAccept prepares a's new handle (a socket, a pipe instance) and begins waiting for a
	// connection on it.
	startAccept(s *Sock, a *acceptReq) syscall.Errno
	// finishAccept completes a connection a received.
	finishAccept(s *Sock, a *acceptReq) error
	// close releases the handle; the calls in flight complete with an error status.
	close(s *Sock)
}

// winsockDriver is the sockDriver of sockets.
type winsockDriver struct{}

func (winsockDriver) startRead(s *Sock, r *readReq) syscall.Errno {
	r.buf[0] = windows.WSABuf{Buf: &zeroByte}
	if s.flags&sockDgram != 0 {
		// libuv's zero read of a datagram socket peeks, so the datagram stays for RecvFrom.
		r.flags = windows.MSG_PEEK
	}
	e := wsaRecv(s.fd, &r.buf[0], 1, &r.qty, &r.flags, &r.ov)
	if s.loop.ins != nil {
		s.loop.traceWin(SysWSARecv, s.fd, 0, 0, int(r.qty), e)
	}
	return e
}

func (winsockDriver) read(s *Sock, b []byte) (int, error) {
	n, e := recv(s.fd, b)
	if s.loop.ins != nil {
		s.loop.traceWin(SysRead, s.fd, int64(len(b)), 0, n, e)
	}
	switch {
	case e == 0 && n == 0:
		return 0, EOF
	case e == 0:
		return n, nil
	case e == windows.WSAEWOULDBLOCK:
		return 0, EAGAIN
	case e == windows.WSAECONNABORTED:
		return 0, ECONNRESET // as libuv, for the same error as on unix
	}
	return 0, translateErrno(e)
}

func (winsockDriver) startWrite(s *Sock, w *writeReq) syscall.Errno {
	if w.op.isFile {
		return s.transmitFile(w) // a file op's part (sock_transmitfile_windows.go)
	}
	var e syscall.Errno
	if w.toLen > 0 {
		e = wsaSendTo(s.fd, &w.bufs[0], uint32(len(w.bufs)), &w.qty, &w.to, w.toLen, &w.ov)
	} else {
		e = wsaSend(s.fd, &w.bufs[0], uint32(len(w.bufs)), &w.qty, &w.ov)
	}
	if s.loop.ins != nil {
		s.loop.traceWin(SysWSASend, s.fd, int64(len(w.bufs)), bufBytes(w.bufs), int(w.qty), e)
	}
	return e
}

func (winsockDriver) tryWrite(s *Sock, bufs [][]byte, to *windows.RawSockaddrAny) (int, error) {
	v := s.loop.os.wsabuf[:0]
	for _, b := range bufs {
		if len(v) == cap(v) {
			break
		}
		if len(b) > 0 {
			v = append(v, windows.WSABuf{Len: uint32(len(b)), Buf: &b[0]})
		}
	}
	if len(v) == 0 {
		v = append(v, windows.WSABuf{Buf: &zeroByte})
	}
	var sent uint32
	var e syscall.Errno
	if to != nil {
		e = wsaSendTo(s.fd, &v[0], uint32(len(v)), &sent, to, s.loop.os.toLen, nil)
	} else {
		e = wsaSend(s.fd, &v[0], uint32(len(v)), &sent, nil)
	}
	if s.loop.ins != nil {
		s.loop.traceWin(SysWSASend, s.fd, int64(len(v)), bufBytes(v), int(sent), e)
	}
	clear(v) // keep no user buffer alive
	switch e {
	case 0:
		return int(sent), nil
	case windows.WSAEWOULDBLOCK:
		return 0, EAGAIN
	}
	return 0, translateErrno(e)
}

func (winsockDriver) shutdown(s *Sock) error {
	err := windows.Shutdown(s.fd, windows.SHUT_WR)
	if s.loop.ins != nil {
		s.loop.ins.sys(s.loop, SysShutdown, int(s.fd), windows.SHUT_WR, 0, 0, 0, err)
	}
	return TranslateSysError(err)
}

func (winsockDriver) close(s *Sock) {
	// Cancel what the kernel still owns first, as libuv does: closing alone cancels a send
	// in flight on Windows, but Wine keeps sending (and the connection open) until the peer
	// has read it all. Not for a socket shared over an IPC pipe: that would cancel the calls
	// of the other holders (Sock.cancelShared cancelled this sock's own).
	if s.flags&sockShared == 0 {
		windows.CancelIoEx(s.fd, nil)
	}
	err := windows.Closesocket(s.fd)
	if s.loop.ins != nil {
		s.loop.ins.sys(s.loop, SysClose, int(s.fd), 0, 0, 0, 0, err)
	}
}

// The Winsock calls of the hot paths, called directly so that they return a bare errno: the
// x/sys wrappers return an error interface, which allocates for errnos like WSAEWOULDBLOCK.
var (
	modws2          = windows.NewLazySystemDLL("ws2_32.dll")
	procWSARecv     = modws2.NewProc("WSARecv")
	procWSARecvFrom = modws2.NewProc("WSARecvFrom")
	procWSASend     = modws2.NewProc("WSASend")
	procWSASendTo   = modws2.NewProc("WSASendTo")
	procRecv        = modws2.NewProc("recv")
	procIoctlsocket = modws2.NewProc("ioctlsocket")
	procConnect     = modws2.NewProc("connect")
)

var wsaOnce sync.Once

// wsaStartup initialises Winsock once (the runtime's net poller usually did already; the
// calls are counted, so one more does no harm).
func wsaStartup() {
	wsaOnce.Do(func() {
		var d windows.WSAData
		windows.WSAStartup(uint32(0x202), &d)
	})
}

// socketError turns the outcome of a Winsock call that returns SOCKET_ERROR (-1) on failure
// into an errno.
func socketError(r uintptr, e syscall.Errno) syscall.Errno {
	if int32(r) != -1 {
		return 0
	}
	if e == 0 {
		return syscall.EINVAL
	}
	return e
}

func wsaRecv(fd windows.Handle, b *windows.WSABuf, n uint32, got *uint32, flags *uint32, ov *windows.Overlapped) syscall.Errno {
	r, _, e := syscall.SyscallN(procWSARecv.Addr(), uintptr(fd), uintptr(unsafe.Pointer(b)), uintptr(n),
		uintptr(unsafe.Pointer(got)), uintptr(unsafe.Pointer(flags)), uintptr(unsafe.Pointer(ov)), 0)
	return socketError(r, e)
}

func wsaRecvFrom(fd windows.Handle, b *windows.WSABuf, got *uint32, flags *uint32, from *windows.RawSockaddrAny, fromLen *int32) syscall.Errno {
	r, _, e := syscall.SyscallN(procWSARecvFrom.Addr(), uintptr(fd), uintptr(unsafe.Pointer(b)), 1,
		uintptr(unsafe.Pointer(got)), uintptr(unsafe.Pointer(flags)), uintptr(unsafe.Pointer(from)),
		uintptr(unsafe.Pointer(fromLen)), 0, 0)
	return socketError(r, e)
}

func wsaSend(fd windows.Handle, b *windows.WSABuf, n uint32, sent *uint32, ov *windows.Overlapped) syscall.Errno {
	r, _, e := syscall.SyscallN(procWSASend.Addr(), uintptr(fd), uintptr(unsafe.Pointer(b)), uintptr(n),
		uintptr(unsafe.Pointer(sent)), 0, uintptr(unsafe.Pointer(ov)), 0)
	return socketError(r, e)
}

func wsaSendTo(fd windows.Handle, b *windows.WSABuf, n uint32, sent *uint32, to *windows.RawSockaddrAny, toLen int32, ov *windows.Overlapped) syscall.Errno {
	r, _, e := syscall.SyscallN(procWSASendTo.Addr(), uintptr(fd), uintptr(unsafe.Pointer(b)), uintptr(n),
		uintptr(unsafe.Pointer(sent)), 0, uintptr(unsafe.Pointer(to)), uintptr(toLen),
		uintptr(unsafe.Pointer(ov)), 0)
	return socketError(r, e)
}

// recv is a non-blocking recv of at most 2 GiB - 1 into b.
func recv(fd windows.Handle, b []byte) (int, syscall.Errno) {
	n := min(len(b), maxIOBytes)
	r, _, e := syscall.SyscallN(procRecv.Addr(), uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(n), 0)
	if e := socketError(r, e); e != 0 {
		return 0, e
	}
	return int(int32(r)), 0
}

// maxIOBytes is the most one recv or send moves (libuv's UV__IO_MAX_BYTES).
const maxIOBytes = 1<<31 - 1

// ioctlNonblock sets FIONBIO.
func ioctlNonblock(fd windows.Handle, on bool) syscall.Errno {
	const fionbio = 0x8004667e
	v := uint32(0)
	if on {
		v = 1
	}
	r, _, e := syscall.SyscallN(procIoctlsocket.Addr(), uintptr(fd), fionbio, uintptr(unsafe.Pointer(&v)))
	return socketError(r, e)
}

// connectRaw is connect with a raw address (for the AF_UNSPEC disconnect of a datagram sock).
func connectRaw(fd windows.Handle, sa unsafe.Pointer, n int32) syscall.Errno {
	r, _, e := syscall.SyscallN(procConnect.Addr(), uintptr(fd), uintptr(sa), uintptr(n))
	return socketError(r, e)
}
