package uv

import (
	"net/netip"

	"golang.org/x/sys/windows"
)

// The datagram half of Sock waits for the IOCP backend (WSARecvFrom, WSASendTo); until then
// every operation returns ENOSYS.

// SockaddrBuf holds one IP socket address, so that a request can carry its destination
// without an allocation per send: embed it in the request and call Set.
type SockaddrBuf struct {
	in4 windows.SockaddrInet4
	in6 windows.SockaddrInet6
}

// Set stores ap and returns it as a SockAddr that points into b: it stays valid until the
// next Set. It returns EINVAL for an invalid address.
func (b *SockaddrBuf) Set(ap netip.AddrPort) (SockAddr, error) {
	a := ap.Addr()
	switch {
	case !a.IsValid():
		return nil, EINVAL
	case a.Is4():
		b.in4 = windows.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
		return &b.in4, nil
	}
	b.in6 = windows.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	return &b.in6, nil
}

// RecvFrom returns ENOSYS until the IOCP backend exists.
func (s *Sock) RecvFrom(b []byte) (n int, from SockAddr, flags int, err error) {
	return 0, nil, 0, ENOSYS
}

// RecvBatchSupported reports false until the IOCP backend exists.
func RecvBatchSupported() bool { return false }

// RecvBatch returns ENOSYS.
func (s *Sock) RecvBatch(b []byte) (int, error) { return 0, ENOSYS }

// BatchMsg returns nothing.
func (s *Sock) BatchMsg(i int) (n int, from SockAddr, flags int) { return 0, nil, 0 }

// ErrQueueSupported reports false: the error queue is Linux's.
func ErrQueueSupported() bool { return false }

// SetRecvErr does nothing: IP_RECVERR is Linux's.
func (s *Sock) SetRecvErr(v6 bool) error { return nil }

// PollError reports false.
func (s *Sock) PollError() bool { return false }

// RecvErrQueue returns ENOSYS.
func (s *Sock) RecvErrQueue(b []byte) (n int, from SockAddr, flags int, err error) {
	return 0, nil, 0, ENOSYS
}

// DgramConnect returns ENOSYS until the IOCP backend exists.
func (s *Sock) DgramConnect(to SockAddr) error { return ENOSYS }

// DgramDisconnect returns ENOSYS until the IOCP backend exists.
func (s *Sock) DgramDisconnect() error { return ENOSYS }

// DgramConnected reports false until the IOCP backend exists.
func (s *Sock) DgramConnected() bool { return false }

// SetDgramReuseAddr returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetDgramReuseAddr() error { return ENOSYS }

// SetMembership returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetMembership(group, iface netip.Addr, join bool) error { return ENOSYS }

// SetSourceMembership returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetSourceMembership(group, iface, source netip.Addr, join bool) error {
	return ENOSYS
}

// SetMulticastLoop returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetMulticastLoop(v6, on bool) error { return ENOSYS }

// SetMulticastTTL returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetMulticastTTL(v6 bool, ttl int) error { return ENOSYS }

// SetTTL returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetTTL(v6 bool, ttl int) error { return ENOSYS }

// SetMulticastInterface returns ENOSYS until the IOCP backend exists.
func (s *Sock) SetMulticastInterface(v6 bool, iface netip.Addr) error { return ENOSYS }
