//go:build unix

package uv

import "golang.org/x/sys/unix"

// Socket options of a Sock, applied to its descriptor now. Errors are libuv codes.

func (s *Sock) setInt(level, opt, v int) error {
	err := unix.SetsockoptInt(s.fd, level, opt, v)
	if s.loop != nil && s.loop.ins != nil {
		s.loop.ins.sys(s.loop, SysSetsockopt, s.fd, int64(level), int64(opt), int64(v), 0, err)
	}
	return TranslateSysError(err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SetReuseAddr sets SO_REUSEADDR.
func (s *Sock) SetReuseAddr(on bool) error {
	return s.setInt(unix.SOL_SOCKET, unix.SO_REUSEADDR, boolInt(on))
}

// SetIPv6Only sets IPV6_V6ONLY: with it off, an IPv6 socket bound to "::" accepts IPv4 too.
func (s *Sock) SetIPv6Only(on bool) error {
	return s.setInt(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, boolInt(on))
}

// SetNoDelay sets TCP_NODELAY (Nagle's algorithm off).
func (s *Sock) SetNoDelay(on bool) error {
	return s.setInt(unix.IPPROTO_TCP, unix.TCP_NODELAY, boolInt(on))
}

// SetKeepAlive turns TCP keep-alive on, probing after delay seconds of idleness, every
// second, giving up after 10 probes (libuv's defaults), or off.
func (s *Sock) SetKeepAlive(on bool, delay int) error {
	if err := s.setInt(unix.SOL_SOCKET, unix.SO_KEEPALIVE, boolInt(on)); err != nil || !on {
		return err
	}
	return s.setKeepAliveTimes(delay, 1, 10)
}

// SetKeepAliveEx turns TCP keep-alive on with explicit probe timing (seconds of idleness,
// seconds between probes, probes before giving up), or off.
func (s *Sock) SetKeepAliveEx(on bool, idle, intvl, cnt int) error {
	if err := s.setInt(unix.SOL_SOCKET, unix.SO_KEEPALIVE, boolInt(on)); err != nil || !on {
		return err
	}
	return s.setKeepAliveTimes(idle, intvl, cnt)
}

// SetBroadcast sets SO_BROADCAST.
func (s *Sock) SetBroadcast(on bool) error {
	return s.setInt(unix.SOL_SOCKET, unix.SO_BROADCAST, boolInt(on))
}

// SetSendBufferSize sets SO_SNDBUF; SendBufferSize reads it (libuv's uv_send_buffer_size).
func (s *Sock) SetSendBufferSize(n int) error {
	return s.setInt(unix.SOL_SOCKET, unix.SO_SNDBUF, n)
}

// SendBufferSize returns SO_SNDBUF.
func (s *Sock) SendBufferSize() (int, error) {
	v, err := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_SNDBUF)
	return v, TranslateSysError(err)
}

// SetRecvBufferSize sets SO_RCVBUF.
func (s *Sock) SetRecvBufferSize(n int) error {
	return s.setInt(unix.SOL_SOCKET, unix.SO_RCVBUF, n)
}

// RecvBufferSize returns SO_RCVBUF.
func (s *Sock) RecvBufferSize() (int, error) {
	v, err := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
	return v, TranslateSysError(err)
}

// FailConnect records a connect that fails with err before it starts (a bind error libuv
// defers); cb gets err in the pending phase.
func (s *Sock) FailConnect(err error, cb func(error)) error {
	if s.flags&sockClosed != 0 || cb == nil {
		return EINVAL
	}
	if s.flags&sockConnecting != 0 {
		return EALREADY
	}
	s.connectErr = err
	s.connectCb = cb
	s.flags |= sockConnecting
	s.loop.RegisterRequest()
	s.loop.QueuePending(&s.pend)
	return nil
}
