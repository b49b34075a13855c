package uv

import (
	"net/netip"

	"golang.org/x/sys/windows"
)

// The IOCP half of Sock is not written yet (sock.go describes the shape it takes: zero-byte
// WSARecv for StartRead, overlapped WSASend for the write queue, ConnectEx, AcceptEx). Until
// then every operation returns ENOSYS; no Sock can be bound, as NewLoop fails on Windows.

// SockAddr is the host's socket address type.
type SockAddr = windows.Sockaddr

type osState struct{}

func (l *Loop) closeOSState() {}

// Sock: see sock.go.
type Sock struct {
	loop       *Loop
	flags      uint32
	connectCb  func(err error)
	shutdownCb func(err error)
	writeQ     opQueue
	doneQ      opQueue
	queueSize  int
	queueCount int
	connectErr error
}

func (s *Sock) finishConnect()       {}
func (s *Sock) shutdownWrite() error { return ENOSYS }

// OpenSocket returns ENOSYS until the IOCP backend exists.
func OpenSocket(d Domain, k SockKind) (OSSock, error) { return 0, ENOSYS }

// Socketpair returns ENOSYS until the IOCP backend exists.
func Socketpair(k SockKind) ([2]OSSock, error) { return [2]OSSock{}, ENOSYS }

// CloseSocket closes a socket not owned by a Sock.
func CloseSocket(fd OSSock) error { return TranslateSysError(windows.Closesocket(windows.Handle(fd))) }

// Init returns ENOSYS until the IOCP backend exists.
func (s *Sock) Init(l *Loop, fd OSSock, kind SockKind, ipc bool) error { return ENOSYS }

// Fd returns the socket.
func (s *Sock) Fd() OSSock { return 0 }

// StartRead returns ENOSYS until the IOCP backend exists.
func (s *Sock) StartRead(cb func()) error { return ENOSYS }

// StopRead does nothing until the IOCP backend exists.
func (s *Sock) StopRead() {}

// Read returns ENOSYS until the IOCP backend exists.
func (s *Sock) Read(b []byte) (int, error) { return 0, ENOSYS }

// PendingFds returns 0 until the IOCP backend exists.
func (s *Sock) PendingFds() int { return 0 }

// PeekFd returns nothing until the IOCP backend exists.
func (s *Sock) PeekFd() (OSSock, bool) { return 0, false }

// TakeFd returns nothing until the IOCP backend exists.
func (s *Sock) TakeFd() (OSSock, bool) { return 0, false }

// Listen returns ENOSYS until the IOCP backend exists.
func (s *Sock) Listen(backlog int, cb func()) error { return ENOSYS }

// PauseAccept does nothing until the IOCP backend exists.
func (s *Sock) PauseAccept() {}

// ResumeAccept does nothing until the IOCP backend exists.
func (s *Sock) ResumeAccept() {}

// Accept returns ENOSYS until the IOCP backend exists.
func (s *Sock) Accept() (OSSock, error) { return 0, ENOSYS }

// Connect returns ENOSYS until the IOCP backend exists.
func (s *Sock) Connect(to SockAddr, cb func(err error)) error { return ENOSYS }

// Write returns ENOSYS until the IOCP backend exists.
func (s *Sock) Write(op *WriteOp, bufs [][]byte, fd OSSock, sendFd bool, cb func(*WriteOp, error)) error {
	return ENOSYS
}

// SendTo returns ENOSYS until the IOCP backend exists.
func (s *Sock) SendTo(op *WriteOp, bufs [][]byte, to SockAddr, cb func(*WriteOp, error)) error {
	return ENOSYS
}

// TryWrite returns ENOSYS until the IOCP backend exists.
func (s *Sock) TryWrite(bufs [][]byte) (int, error) { return 0, ENOSYS }

// TrySendTo returns ENOSYS until the IOCP backend exists.
func (s *Sock) TrySendTo(bufs [][]byte, to SockAddr) (int, error) { return 0, ENOSYS }

// Shutdown returns ENOSYS until the IOCP backend exists.
func (s *Sock) Shutdown(cb func(err error)) error { return ENOSYS }

// SetBlocking returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetBlocking(blocking bool) error { return ENOSYS }

// Close does nothing until the IOCP backend exists.
func (s *Sock) Close() {}

// CloseReset does nothing until the IOCP backend exists.
func (s *Sock) CloseReset() {}

// SockaddrOf converts an IP address and port to the host's socket address.
func SockaddrOf(ap netip.AddrPort) (SockAddr, error) {
	a := ap.Addr()
	if !a.IsValid() {
		return nil, EINVAL
	}
	if a.Is4() {
		return &windows.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, nil
	}
	return &windows.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}, nil
}

// PathSockaddr returns ENOSYS: pipes are named pipes on Windows.
func PathSockaddr(path string) (SockAddr, error) { return nil, ENOSYS }

// AddrPortOf converts a host socket address to an IP address and port.
func AddrPortOf(sa SockAddr) (netip.AddrPort, bool) {
	switch sa := sa.(type) {
	case *windows.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), true
	case *windows.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)), true
	}
	return netip.AddrPort{}, false
}

// PathOf returns nothing: pipes are named pipes on Windows.
func PathOf(sa SockAddr) (string, bool) { return "", false }

// Bind returns ENOSYS until the IOCP backend exists.
func (s *Sock) Bind(sa SockAddr) error { return ENOSYS }

// LocalSockaddr returns ENOSYS until the IOCP backend exists.
func (s *Sock) LocalSockaddr() (SockAddr, error) { return nil, ENOSYS }

// PeerSockaddr returns ENOSYS until the IOCP backend exists.
func (s *Sock) PeerSockaddr() (SockAddr, error) { return nil, ENOSYS }

// SetReuseAddr returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetReuseAddr(on bool) error { return ENOSYS }

// SetReusePort returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetReusePort(on bool) error { return ENOSYS }

// SetIPv6Only returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetIPv6Only(on bool) error { return ENOSYS }

// SetNoDelay returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetNoDelay(on bool) error { return ENOSYS }

// SetKeepAlive returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetKeepAlive(on bool, delay int) error { return ENOSYS }

// SetBroadcast returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetBroadcast(on bool) error { return ENOSYS }

// SetSendBufferSize returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetSendBufferSize(n int) error { return ENOSYS }

// SendBufferSize returns ENOSYS until the IOCP backend exists.
func (s *Sock) SendBufferSize() (int, error) { return 0, ENOSYS }

// SetRecvBufferSize returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetRecvBufferSize(n int) error { return ENOSYS }

// RecvBufferSize returns ENOSYS until the IOCP backend exists.
func (s *Sock) RecvBufferSize() (int, error) { return 0, ENOSYS }

// FailConnect returns ENOSYS until the IOCP backend exists.
func (s *Sock) FailConnect(err error, cb func(error)) error { return ENOSYS }

// SetKeepAliveEx returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetKeepAliveEx(on bool, idle, intvl, cnt int) error { return ENOSYS }
