package uv

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// Socket options and addresses of a Windows Sock, applied to its socket now. Errors are libuv
// codes.

func (s *Sock) setInt(level, opt, v int) error {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return EBADF
	}
	return TranslateSysError(windows.SetsockoptInt(s.fd, level, opt, v))
}

func (s *Sock) getInt(level, opt int) (int, error) {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return 0, EBADF
	}
	v, err := windows.GetsockoptInt(s.fd, level, opt)
	return v, TranslateSysError(err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Bind binds the sock's socket to sa.
func (s *Sock) Bind(sa SockAddr) error {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return EBADF
	}
	err := windows.Bind(s.fd, sa)
	if s.loop.ins != nil {
		s.loop.ins.sysAddr(s.loop, SysBind, int(s.fd), sa, 0, 0, err)
	}
	if err != nil {
		return TranslateSysError(err)
	}
	s.flags |= sockBound
	return nil
}

// LocalSockaddr returns the address the sock is bound to (getsockname).
func (s *Sock) LocalSockaddr() (SockAddr, error) {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return nil, EBADF
	}
	sa, err := windows.Getsockname(s.fd)
	return sa, TranslateSysError(err)
}

// PeerSockaddr returns the connected peer's address (getpeername).
func (s *Sock) PeerSockaddr() (SockAddr, error) {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return nil, EBADF
	}
	sa, err := windows.Getpeername(s.fd)
	return sa, TranslateSysError(err)
}

// SetReuseAddr does nothing on Windows, as in libuv: there SO_REUSEADDR lets a socket take a
// port another socket is using, not just one a closed connection waits on (TIME_WAIT), and
// Windows lets a listener rebind such a port without it anyway.
func (s *Sock) SetReuseAddr(on bool) error {
	if s.loop == nil || s.flags&sockClosed != 0 {
		return EBADF
	}
	return nil
}

// SetReusePort returns ENOTSUP for on: Windows has no option that balances connections
// between sockets sharing a port (libuv's UV_TCP_REUSEPORT and UV_UDP_REUSEPORT fail so).
func (s *Sock) SetReusePort(on bool) error {
	if on {
		return ENOTSUP
	}
	return nil
}

// SetIPv6Only sets IPV6_V6ONLY: with it off, an IPv6 socket bound to "::" accepts IPv4 too.
func (s *Sock) SetIPv6Only(on bool) error {
	return s.setInt(windows.IPPROTO_IPV6, windows.IPV6_V6ONLY, boolInt(on))
}

// SetNoDelay sets TCP_NODELAY (Nagle's algorithm off).
func (s *Sock) SetNoDelay(on bool) error {
	return s.setInt(windows.IPPROTO_TCP, windows.TCP_NODELAY, boolInt(on))
}

// SetKeepAlive turns TCP keep-alive on, probing after delay seconds of idleness, every
// second, giving up after 10 probes (libuv's defaults), or off.
func (s *Sock) SetKeepAlive(on bool, delay int) error { return s.SetKeepAliveEx(on, delay, 1, 10) }

// SetKeepAliveEx turns TCP keep-alive on with explicit probe timing (seconds of idleness,
// seconds between probes, probes before giving up), or off. Where Windows lacks the per-socket
// options (before Windows 10 1709) it falls back to SIO_KEEPALIVE_VALS, whose probe count is
// fixed, as libuv does.
func (s *Sock) SetKeepAliveEx(on bool, idle, intvl, cnt int) error {
	if err := s.setInt(windows.SOL_SOCKET, windows.SO_KEEPALIVE, boolInt(on)); err != nil || !on {
		return err
	}
	if idle < 1 || intvl < 1 || cnt < 1 {
		return EINVAL
	}
	if s.setInt(windows.IPPROTO_TCP, windows.TCP_KEEPIDLE, idle) == nil &&
		s.setInt(windows.IPPROTO_TCP, windows.TCP_KEEPINTVL, intvl) == nil &&
		s.setInt(windows.IPPROTO_TCP, windows.TCP_KEEPCNT, cnt) == nil {
		return nil
	}
	ka := windows.TCPKeepalive{OnOff: 1, Time: uint32(idle) * 1000, Interval: uint32(intvl) * 1000}
	var got uint32
	return TranslateSysError(windows.WSAIoctl(s.fd, windows.SIO_KEEPALIVE_VALS, (*byte)(unsafe.Pointer(&ka)),
		uint32(unsafe.Sizeof(ka)), nil, 0, &got, nil, 0))
}

// SetBroadcast sets SO_BROADCAST.
func (s *Sock) SetBroadcast(on bool) error {
	return s.setInt(windows.SOL_SOCKET, windows.SO_BROADCAST, boolInt(on))
}

// SetSendBufferSize sets SO_SNDBUF; SendBufferSize reads it (libuv's uv_send_buffer_size).
func (s *Sock) SetSendBufferSize(n int) error {
	return s.setInt(windows.SOL_SOCKET, windows.SO_SNDBUF, n)
}

// SendBufferSize returns SO_SNDBUF.
func (s *Sock) SendBufferSize() (int, error) { return s.getInt(windows.SOL_SOCKET, windows.SO_SNDBUF) }

// SetRecvBufferSize sets SO_RCVBUF.
func (s *Sock) SetRecvBufferSize(n int) error {
	return s.setInt(windows.SOL_SOCKET, windows.SO_RCVBUF, n)
}

// RecvBufferSize returns SO_RCVBUF.
func (s *Sock) RecvBufferSize() (int, error) { return s.getInt(windows.SOL_SOCKET, windows.SO_RCVBUF) }

// sockFamilyType returns the address family and type of a socket (SO_PROTOCOL_INFOW, which
// works on unbound sockets too).
func sockFamilyType(fd windows.Handle) (int32, int32, error) {
	const soProtocolInfoW = 0x2005
	var info windows.WSAProtocolInfo
	n := int32(unsafe.Sizeof(info))
	if err := windows.Getsockopt(fd, windows.SOL_SOCKET, soProtocolInfoW, (*byte)(unsafe.Pointer(&info)), &n); err != nil {
		if err != windows.WSAENOTSOCK && windows.GetNamedPipeInfo(fd, nil, nil, nil, nil) == nil {
			// A named pipe. Windows says WSAENOTSOCK; Wine, now and then (seen on the parent
			// end of a child's stdio pipe while the child starts), WSAEOPNOTSUPP.
			return 0, 0, ENOTSOCK
		}
		return 0, 0, TranslateSysError(err)
	}
	return info.AddressFamily, info.SocketType, nil
}
