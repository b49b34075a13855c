package uv

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The datagram half of Sock on Windows (see udp.go), as libuv's udp.c: StartRead arms a
// zero-byte WSARecv with MSG_PEEK, after which RecvFrom is a non-blocking WSARecvFrom; sends
// are overlapped WSASendTo calls queued like writes. The source addresses RecvFrom returns
// point into the loop's scratch space (Loop.os).

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
	if z := a.Zone(); z != "" {
		id, err := zoneIndex(z)
		if err != nil {
			return nil, err
		}
		b.in6.ZoneId = id
	}
	return &b.in6, nil
}

// RecvFrom receives one datagram into b: its size n (an empty datagram gives 0 and a
// source), its source address (valid until the next receive on the loop), and DgramTruncated
// in flags if b was too small. It returns EAGAIN when nothing waits. As in libuv, the
// WSAECONNRESET an ICMP port unreachable leaves after a send is not an error of the socket:
// it reads as EAGAIN.
func (s *Sock) RecvFrom(b []byte) (n int, from SockAddr, flags int, err error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return 0, nil, 0, EBADF
	}
	if err := s.readErr; err != nil {
		s.readErr = nil
		return 0, nil, 0, err
	}
	o := &s.loop.os
	buf := windows.WSABuf{Buf: &zeroByte}
	if len(b) > 0 {
		buf = windows.WSABuf{Len: uint32(min(len(b), maxIOBytes)), Buf: &b[0]}
	}
	var got uint32
	o.flags = 0
	o.fromLen = int32(unsafe.Sizeof(o.from))
	e := wsaRecvFrom(s.fd, &buf, &got, &o.flags, &o.from, &o.fromLen)
	switch e {
	case 0:
	case windows.WSAEMSGSIZE:
		flags |= DgramTruncated
		got = buf.Len
	case windows.WSAEWOULDBLOCK, windows.WSAECONNRESET, windows.WSAENETRESET:
		return 0, nil, 0, EAGAIN
	default:
		return 0, nil, 0, translateErrno(e)
	}
	return int(got), sockaddrFrom(&o.from, o.fromLen, &o.in4, &o.in6), flags, nil
}

// RecvBatchSupported reports false: Windows has no recvmmsg.
func RecvBatchSupported() bool { return false }

// RecvBatch returns ENOSYS: Windows has no recvmmsg.
func (s *Sock) RecvBatch(b []byte) (int, error) { return 0, ENOSYS }

// BatchMsg returns nothing.
func (s *Sock) BatchMsg(i int) (n int, from SockAddr, flags int) { return 0, nil, 0 }

// ErrQueueSupported reports false: the error queue is Linux's.
func ErrQueueSupported() bool { return false }

// SetRecvErr does nothing: IP_RECVERR is Linux's.
func (s *Sock) SetRecvErr(v6 bool) error { return nil }

// PollError reports false.
func (s *Sock) PollError() bool { return false }

// RecvErrQueue returns ENOSYS: the error queue is Linux's.
func (s *Sock) RecvErrQueue(b []byte) (n int, from SockAddr, flags int, err error) {
	return 0, nil, 0, ENOSYS
}

// DgramConnect connects a datagram sock to addr: sends without an address go there, and
// datagrams from elsewhere are dropped.
func (s *Sock) DgramConnect(to SockAddr) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	return TranslateSysError(windows.Connect(s.fd, to))
}

// DgramDisconnect dissolves a datagram sock's association (connect to an all-zero address,
// as libuv does on Windows).
func (s *Sock) DgramDisconnect() error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	var sa [128]byte // a zeroed SOCKADDR_STORAGE: AF_UNSPEC
	if e := connectRaw(s.fd, unsafe.Pointer(&sa[0]), int32(len(sa))); e != 0 {
		return translateErrno(e)
	}
	return nil
}

// DgramConnected reports whether the sock has a peer (getpeername succeeds).
func (s *Sock) DgramConnected() bool {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return false
	}
	_, err := windows.Getpeername(s.fd)
	return err == nil
}

// SetDgramReuseAddr lets several sockets bind the same address and port (libuv's
// UV_UDP_REUSEADDR, SO_REUSEADDR on Windows).
func (s *Sock) SetDgramReuseAddr() error {
	return s.setInt(windows.SOL_SOCKET, windows.SO_REUSEADDR, 1)
}

// Multicast option numbers x/sys does not name (ws2ipdef.h).
const (
	ipDropMembership       = 13
	ipAddSourceMembership  = 15
	ipDropSourceMembership = 16
	ipv6LeaveGroup         = 13
	mcastJoinSourceGroup   = 45
	mcastLeaveSourceGroup  = 46
)

// SetMembership joins (join) or leaves the multicast group. For IPv4, iface is the address
// of the interface; for IPv6, iface's zone (a number) names the interface. An invalid iface
// lets the system choose.
func (s *Sock) SetMembership(group, iface netip.Addr, join bool) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	group = group.Unmap()
	if group.Is4() {
		mreq := windows.IPMreq{Multiaddr: group.As4()}
		if iface.IsValid() {
			if !iface.Unmap().Is4() {
				return EINVAL
			}
			mreq.Interface = iface.Unmap().As4()
		}
		opt := windows.IP_ADD_MEMBERSHIP
		if !join {
			opt = ipDropMembership
		}
		return TranslateSysError(windows.SetsockoptIPMreq(s.fd, windows.IPPROTO_IP, opt, &mreq))
	}
	if !group.Is6() {
		return EINVAL
	}
	idx, err := ifaceIndex(iface)
	if err != nil {
		return err
	}
	mreq := windows.IPv6Mreq{Multiaddr: group.As16(), Interface: idx}
	opt := windows.IPV6_JOIN_GROUP
	if !join {
		opt = ipv6LeaveGroup
	}
	// x/sys's SetsockoptIPv6Mreq is a stub on Windows.
	return s.setBytes(windows.IPPROTO_IPV6, opt, unsafe.Slice((*byte)(unsafe.Pointer(&mreq)), unsafe.Sizeof(mreq)))
}

// ifaceIndex returns the interface index named by an IPv6 address's zone (0 for none).
func ifaceIndex(iface netip.Addr) (uint32, error) {
	if !iface.IsValid() || iface.Zone() == "" {
		return 0, nil
	}
	return zoneIndex(iface.Zone())
}

// SetSourceMembership joins (join) or leaves the multicast group for datagrams from source
// only (source-specific multicast). iface is as for SetMembership.
func (s *Sock) SetSourceMembership(group, iface, source netip.Addr, join bool) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	group = group.Unmap()
	if group.Is4() {
		source = source.Unmap()
		if !source.Is4() {
			return EINVAL
		}
		// ip_mreq_source on Windows: group, source, interface.
		var mreq [12]byte
		g, src := group.As4(), source.As4()
		copy(mreq[0:4], g[:])
		copy(mreq[4:8], src[:])
		if iface.IsValid() {
			if !iface.Unmap().Is4() {
				return EINVAL
			}
			ifa := iface.Unmap().As4()
			copy(mreq[8:12], ifa[:])
		}
		opt := ipAddSourceMembership
		if !join {
			opt = ipDropSourceMembership
		}
		return s.setBytes(windows.IPPROTO_IP, opt, mreq[:])
	}
	if !group.Is6() || !source.Is6() || source.Is4In6() {
		return EINVAL
	}
	idx, err := ifaceIndex(iface)
	if err != nil {
		return err
	}
	// group_source_req: the interface index, then two SOCKADDR_STORAGEs aligned to 8.
	const storage = 128
	var req [8 + 2*storage]byte
	*(*uint32)(unsafe.Pointer(&req[0])) = idx
	for i, a := range [2]netip.Addr{group, source} {
		p := (*windows.RawSockaddrInet6)(unsafe.Pointer(&req[8+i*storage]))
		p.Family, p.Addr = windows.AF_INET6, a.As16()
	}
	opt := mcastJoinSourceGroup
	if !join {
		opt = mcastLeaveSourceGroup
	}
	if err := s.setBytes(windows.IPPROTO_IPV6, opt, req[:]); err != ENOPROTOOPT {
		return err
	}
	return ENOSYS // no IPv6 source-specific multicast here (Wine lacks it)
}

func (s *Sock) setBytes(level, opt int, b []byte) error {
	return TranslateSysError(windows.Setsockopt(s.fd, int32(level), int32(opt), &b[0], int32(len(b))))
}

// SetMulticastLoop sets whether multicast datagrams the sock sends are looped back to the
// host's own members.
func (s *Sock) SetMulticastLoop(v6, on bool) error {
	return s.setMcastOpt(v6, windows.IP_MULTICAST_LOOP, windows.IPV6_MULTICAST_LOOP, boolInt(on))
}

// SetMulticastTTL sets the hop limit of multicast datagrams, 0 to 255.
func (s *Sock) SetMulticastTTL(v6 bool, ttl int) error {
	if ttl < 0 || ttl > 255 {
		return EINVAL
	}
	return s.setMcastOpt(v6, windows.IP_MULTICAST_TTL, windows.IPV6_MULTICAST_HOPS, ttl)
}

func (s *Sock) setMcastOpt(v6 bool, opt4, opt6, v int) error {
	if v6 {
		return s.setInt(windows.IPPROTO_IPV6, opt6, v)
	}
	return s.setInt(windows.IPPROTO_IP, opt4, v)
}

// SetTTL sets the hop limit of unicast datagrams, 1 to 255 (IP_TTL, or IPV6_UNICAST_HOPS with
// v6; libuv passes IPV6_HOPLIMIT there, which on Windows asks for the hop limit of received
// datagrams instead).
func (s *Sock) SetTTL(v6 bool, ttl int) error {
	if ttl < 1 || ttl > 255 {
		return EINVAL
	}
	return s.setMcastOpt(v6, windows.IP_TTL, windows.IPV6_UNICAST_HOPS, ttl)
}

// SetMulticastInterface selects the interface multicast datagrams leave by: an IPv4
// interface address, an IPv6 address whose zone (a number) names the interface, or, when
// iface is invalid, the system's choice for the sock's family (v6 selects IPv6).
func (s *Sock) SetMulticastInterface(v6 bool, iface netip.Addr) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	if !iface.IsValid() {
		if v6 {
			return s.setInt(windows.IPPROTO_IPV6, windows.IPV6_MULTICAST_IF, 0)
		}
		return TranslateSysError(windows.SetsockoptInet4Addr(s.fd, windows.IPPROTO_IP, windows.IP_MULTICAST_IF, [4]byte{}))
	}
	if a := iface.Unmap(); a.Is4() && iface.Zone() == "" {
		return TranslateSysError(windows.SetsockoptInet4Addr(s.fd, windows.IPPROTO_IP, windows.IP_MULTICAST_IF, a.As4()))
	}
	idx, err := ifaceIndex(iface)
	if err != nil {
		return err
	}
	return s.setInt(windows.IPPROTO_IPV6, windows.IPV6_MULTICAST_IF, int(idx))
}
