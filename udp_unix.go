//go:build unix

package uv

import (
	"net/netip"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The datagram half of Sock on Unix (see udp.go).

// SockaddrBuf holds one IP socket address, so that a request can carry its destination
// without an allocation per send: embed it in the request and call Set.
type SockaddrBuf struct {
	in4 unix.SockaddrInet4
	in6 unix.SockaddrInet6
}

// Set stores ap and returns it as a SockAddr that points into b: it stays valid until the
// next Set. It returns EINVAL for an invalid address.
func (b *SockaddrBuf) Set(ap netip.AddrPort) (SockAddr, error) {
	a := ap.Addr()
	switch {
	case !a.IsValid():
		return nil, EINVAL
	case a.Is4():
		b.in4 = unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
		return &b.in4, nil
	}
	b.in6 = unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		id, err := zoneIndex(z)
		if err != nil {
			return nil, err
		}
		b.in6.ZoneId = id
	}
	return &b.in6, nil
}

// dgramKey keys the per-loop datagram scratch space in Loop.Attach.
type dgramKey struct{}

// dgramScratch is where the kernel writes what a receive returns besides the data; one per
// loop, allocated at the first receive.
type dgramScratch struct {
	name  unix.RawSockaddrAny
	in4   unix.SockaddrInet4
	in6   unix.SockaddrInet6
	ctl   [512]byte
	batch dgramBatch
}

func (s *Sock) dgram() *dgramScratch {
	if d, ok := s.loop.Attached(dgramKey{}).(*dgramScratch); ok {
		return d
	}
	d := new(dgramScratch)
	s.loop.Attach(dgramKey{}, d)
	return d
}

// sockaddr converts the raw address at p to a SockAddr stored in d (nil for families other
// than IPv4 and IPv6, and for an empty address).
func (d *dgramScratch) sockaddr(p unsafe.Pointer, n int) SockAddr {
	if n < 2 {
		return nil
	}
	rsa := (*unix.RawSockaddrAny)(p)
	switch int(rsa.Addr.Family) {
	case unix.AF_INET:
		r := (*unix.RawSockaddrInet4)(p)
		d.in4.Port = netPort(&r.Port)
		d.in4.Addr = r.Addr
		return &d.in4
	case unix.AF_INET6:
		r := (*unix.RawSockaddrInet6)(p)
		d.in6.Port = netPort(&r.Port)
		d.in6.Addr = r.Addr
		d.in6.ZoneId = r.Scope_id
		return &d.in6
	}
	return nil
}

// netPort reads a port stored in network byte order.
func netPort(p *uint16) int {
	b := (*[2]byte)(unsafe.Pointer(p))
	return int(b[0])<<8 | int(b[1])
}

// recvmsg receives one message into b with the source address in d.name.
func (s *Sock) recvmsg(d *dgramScratch, b []byte, ctl []byte, flags int) (n, namelen, mflags, ctllen int, err error) {
	var iov unix.Iovec
	if len(b) > 0 {
		iov.Base = &b[0]
		iov.SetLen(len(b))
	}
	for {
		var msg unix.Msghdr
		msg.Name = (*byte)(unsafe.Pointer(&d.name))
		msg.Namelen = unix.SizeofSockaddrAny
		msg.Iov = &iov
		msg.SetIovlen(1)
		if len(ctl) > 0 {
			msg.Control = &ctl[0]
			msg.SetControllen(len(ctl))
		}
		r, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, 0, 0, 0, TranslateSysError(e)
		}
		return int(r), int(msg.Namelen), int(msg.Flags), int(msg.Controllen), nil
	}
}

// RecvFrom receives one datagram into b: its size n (an empty datagram gives 0 and a
// source), its source address (see udp.go for how long it stays valid; nil for a source that
// is not an IP address), and DgramTruncated in flags if b was too small. It returns EAGAIN
// when nothing waits, and a pending socket error (ECONNREFUSED after an ICMP port
// unreachable, for example) as err.
func (s *Sock) RecvFrom(b []byte) (n int, from SockAddr, flags int, err error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return 0, nil, 0, EBADF
	}
	d := s.dgram()
	n, namelen, mflags, _, err := s.recvmsg(d, b, nil, 0)
	if err != nil {
		return 0, nil, 0, err
	}
	if mflags&unix.MSG_TRUNC != 0 {
		flags |= DgramTruncated
	}
	return n, d.sockaddr(unsafe.Pointer(&d.name), namelen), flags, nil
}

// DgramConnect connects a datagram sock to addr (connect(2)): sends without an address go
// there, and datagrams from elsewhere are dropped.
func (s *Sock) DgramConnect(to SockAddr) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	for {
		err := unix.Connect(s.fd, to)
		if err != unix.EINTR {
			return TranslateSysError(err)
		}
	}
}

// DgramDisconnect dissolves a datagram sock's association (connect(2) with AF_UNSPEC).
func (s *Sock) DgramDisconnect() error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	var sa unix.RawSockaddr // all zero: AF_UNSPEC
	for {
		_, _, e := unix.Syscall(unix.SYS_CONNECT, uintptr(s.fd), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
		switch {
		case e == unix.EINTR:
			continue
		case e == 0, disconnectOK(e):
			return nil
		}
		return TranslateSysError(e)
	}
}

// DgramConnected reports whether the sock has a peer (getpeername succeeds), as for a
// socket connected before it was opened.
func (s *Sock) DgramConnected() bool {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return false
	}
	_, err := unix.Getpeername(s.fd)
	return err == nil
}

// SetDgramReuseAddr lets several sockets bind the same address and port, the last one
// receiving the unicast traffic (libuv's UV_UDP_REUSEADDR): SO_REUSEADDR on Linux,
// SO_REUSEPORT on the BSDs and macOS, where that option does not balance load.
func (s *Sock) SetDgramReuseAddr() error {
	return s.setInt(unix.SOL_SOCKET, dgramReuseAddrOpt, 1)
}

// SetMembership joins (join) or leaves the multicast group. For IPv4, iface is the address
// of the interface; for IPv6, iface's zone names the interface. An invalid iface lets the
// kernel choose.
func (s *Sock) SetMembership(group, iface netip.Addr, join bool) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	group = group.Unmap()
	if group.Is4() {
		mreq := unix.IPMreq{Multiaddr: group.As4()}
		if iface.IsValid() {
			if !iface.Unmap().Is4() {
				return EINVAL
			}
			mreq.Interface = iface.Unmap().As4()
		}
		opt := unix.IP_ADD_MEMBERSHIP
		if !join {
			opt = unix.IP_DROP_MEMBERSHIP
		}
		return TranslateSysError(unix.SetsockoptIPMreq(s.fd, unix.IPPROTO_IP, opt, &mreq))
	}
	if !group.Is6() {
		return EINVAL
	}
	idx, err := ifaceIndex(iface)
	if err != nil {
		return err
	}
	mreq := unix.IPv6Mreq{Multiaddr: group.As16(), Interface: idx}
	opt := unix.IPV6_JOIN_GROUP
	if !join {
		opt = unix.IPV6_LEAVE_GROUP
	}
	return TranslateSysError(unix.SetsockoptIPv6Mreq(s.fd, unix.IPPROTO_IPV6, opt, &mreq))
}

// ifaceIndex returns the interface index named by an IPv6 address's zone (0 for none).
func ifaceIndex(iface netip.Addr) (uint32, error) {
	if !iface.IsValid() || iface.Zone() == "" {
		return 0, nil
	}
	return zoneIndex(iface.Zone())
}

// SetSourceMembership joins (join) or leaves the multicast group for datagrams from source
// only (source-specific multicast). iface is as for SetMembership. ENOSYS where the OS has
// no source-specific membership (NetBSD, OpenBSD, DragonFly).
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
		var ifa [4]byte
		if iface.IsValid() {
			if !iface.Unmap().Is4() {
				return EINVAL
			}
			ifa = iface.Unmap().As4()
		}
		return s.sourceMembership4(group.As4(), ifa, source.As4(), join)
	}
	if !group.Is6() || !source.Is6() || source.Is4In6() {
		return EINVAL
	}
	idx, err := ifaceIndex(iface)
	if err != nil {
		return err
	}
	return s.sourceMembership6(group.As16(), idx, source.As16(), join)
}

// SetMulticastLoop sets whether multicast datagrams the sock sends are looped back to the
// host's own members (IP_MULTICAST_LOOP, or IPV6_MULTICAST_LOOP with v6).
func (s *Sock) SetMulticastLoop(v6, on bool) error {
	return s.setMcastOpt(v6, unix.IP_MULTICAST_LOOP, unix.IPV6_MULTICAST_LOOP, boolInt(on))
}

// SetMulticastTTL sets the hop limit of multicast datagrams, 0 to 255 (IP_MULTICAST_TTL, or
// IPV6_MULTICAST_HOPS with v6).
func (s *Sock) SetMulticastTTL(v6 bool, ttl int) error {
	if ttl < 0 || ttl > 255 {
		return EINVAL
	}
	return s.setMcastOpt(v6, unix.IP_MULTICAST_TTL, unix.IPV6_MULTICAST_HOPS, ttl)
}

// setMcastOpt sets a multicast option; OpenBSD takes the IPv4 ones as a single byte.
func (s *Sock) setMcastOpt(v6 bool, opt4, opt6, v int) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	if v6 {
		return s.setInt(unix.IPPROTO_IPV6, opt6, v)
	}
	if runtime.GOOS == "openbsd" {
		return TranslateSysError(unix.SetsockoptByte(s.fd, unix.IPPROTO_IP, opt4, byte(v)))
	}
	return s.setInt(unix.IPPROTO_IP, opt4, v)
}

// SetTTL sets the hop limit of unicast datagrams, 1 to 255 (IP_TTL, or IPV6_UNICAST_HOPS
// with v6).
func (s *Sock) SetTTL(v6 bool, ttl int) error {
	if ttl < 1 || ttl > 255 {
		return EINVAL
	}
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	if v6 {
		return s.setInt(unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, ttl)
	}
	return s.setInt(unix.IPPROTO_IP, unix.IP_TTL, ttl)
}

// SetMulticastInterface selects the interface multicast datagrams leave by: an IPv4
// interface address (IP_MULTICAST_IF), an IPv6 address whose zone names the interface
// (IPV6_MULTICAST_IF), or, when iface is invalid, the kernel's choice for the sock's family
// (v6 selects IPv6).
func (s *Sock) SetMulticastInterface(v6 bool, iface netip.Addr) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	if !iface.IsValid() {
		if v6 {
			return s.setInt(unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, 0)
		}
		return TranslateSysError(unix.SetsockoptInet4Addr(s.fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, [4]byte{}))
	}
	if a := iface.Unmap(); a.Is4() && iface.Zone() == "" {
		return TranslateSysError(unix.SetsockoptInet4Addr(s.fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, a.As4()))
	}
	idx, err := ifaceIndex(iface)
	if err != nil {
		return err
	}
	return s.setInt(unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, int(idx))
}

// rawInet6 builds a raw IPv6 socket address (port 0) for source-specific membership.
func rawInet6(a [16]byte) unix.RawSockaddrInet6 {
	r := unix.RawSockaddrInet6{Addr: a}
	setRawFamily6(&r)
	return r
}

// bytesOf returns the memory of *p as bytes.
func bytesOf[T any](p *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), unsafe.Sizeof(*p))
}

// sendmsgIov sends one message gathered from iov to to (nil: the connected peer) with a
// single sendmsg and no allocation. ok is false for an address it does not convert (unix
// sockets), which the caller then sends another way.
func sendmsgIov(fd int, iov []unix.Iovec, to SockAddr) (n int, ok bool, err error) {
	var rsa unix.RawSockaddrAny
	var msg unix.Msghdr
	switch sa := to.(type) {
	case nil:
	case *unix.SockaddrInet4:
		r := (*unix.RawSockaddrInet4)(unsafe.Pointer(&rsa))
		setRawFamily4(r)
		setNetPort(&r.Port, sa.Port)
		r.Addr = sa.Addr
		msg.Name, msg.Namelen = (*byte)(unsafe.Pointer(r)), unix.SizeofSockaddrInet4
	case *unix.SockaddrInet6:
		r := (*unix.RawSockaddrInet6)(unsafe.Pointer(&rsa))
		setRawFamily6(r)
		setNetPort(&r.Port, sa.Port)
		r.Addr, r.Scope_id = sa.Addr, sa.ZoneId
		msg.Name, msg.Namelen = (*byte)(unsafe.Pointer(r)), unix.SizeofSockaddrInet6
	default:
		return 0, false, nil
	}
	if len(iov) > 0 {
		msg.Iov = &iov[0]
		msg.SetIovlen(len(iov))
	}
	for {
		r, _, e := unix.Syscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, true, e
		}
		return int(r), true, nil
	}
}

// setNetPort stores a port in network byte order.
func setNetPort(p *uint16, port int) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}
