package handles

import (
	"net/netip"

	uv "github.com/uv-go/uv"
)

// UDP flags (libuv's uv_udp_flags, same values). UDPIPv6Only, UDPReuseAddr, UDPReusePort and
// UDPLinuxRecvErr are Bind flags, UDPRecvmmsg an InitEx flag; UDPPartial, UDPMmsgChunk,
// UDPMmsgFree and UDPLinuxRecvErr are reported to the receive callback.
const (
	// UDPIPv6Only makes an IPv6 socket refuse IPv4 traffic (no dual-stack).
	UDPIPv6Only = 1
	// UDPPartial: the datagram was larger than the buffer; the kernel dropped its tail.
	UDPPartial = 2
	// UDPReuseAddr lets several sockets bind the same address and port; the last one bound
	// gets the unicast traffic (SO_REUSEADDR on Linux, SO_REUSEPORT on the BSDs and macOS).
	UDPReuseAddr = 4
	// UDPMmsgChunk: the buffer is one chunk of a batched receive; it belongs to the buffer
	// alloc returned, which a later UDPMmsgFree callback hands back.
	UDPMmsgChunk = 8
	// UDPMmsgFree: a batched receive is done with the buffer alloc returned (given with
	// length 0 and no address); the callback may release or reuse it.
	UDPMmsgFree = 16
	// UDPLinuxRecvErr asks Linux for full ICMP error reporting (IP_RECVERR): errors reach
	// unconnected sockets too and arrive as receive callbacks carrying this flag, the error
	// and the offender's address. No effect elsewhere.
	UDPLinuxRecvErr = 32
	// UDPReusePort sets SO_REUSEPORT, so the kernel balances datagrams between the sockets
	// bound to the port (Linux; ENOTSUP where the OS does not balance).
	UDPReusePort = 64
	// UDPRecvmmsg makes receives batch several datagrams per system call where the OS can
	// (recvmmsg on Linux): alloc should then return a multiple of 64 KiB, cut into chunks.
	UDPRecvmmsg = 256
)

// Membership selects joining or leaving a multicast group (libuv's uv_membership).
type Membership int

// Membership values, as libuv's.
const (
	LeaveGroup Membership = iota
	JoinGroup
)

// udp flags.
const (
	udpBound uint8 = 1 << iota
	udpConnected
	udpReceiving
	udpRecvmmsg
	udpRecvErr
)

// maxSendBytes is the largest total of one send (libuv's UV__IO_MAX_BYTES).
const maxSendBytes = 1<<31 - 1

// UDP is a UDP socket (libuv's uv_udp_t; not a stream). The socket is created lazily: by
// InitEx with an address family, or implicitly bound to 0.0.0.0 or :: port 0 by the first
// Send, TrySend, RecvStart, Connect or SetMembership, as libuv does.
type UDP struct {
	uv.Handle
	sock       uv.Sock
	flags      uint8
	v6         bool
	alloc      func(u *UDP, suggested int) []byte
	recv       func(u *UDP, buf []byte, from netip.AddrPort, flags int, err error)
	queueSize  int
	queueCount int
	tryAddr    uv.SockaddrBuf

	readyFn func() // bound once at init, so receiving and sending allocate nothing
	sendFn  func(*uv.WriteOp, error)
}

// UDPSendReq is a send request (libuv's uv_udp_send_t). Embed or reuse it: a send allocates
// nothing.
type UDPSendReq struct {
	op   uv.WriteOp
	addr uv.SockaddrBuf
	udp  *UDP
	size int
	cb   func(req *UDPSendReq, err error)

	// Data is free for the user.
	Data any
}

// UDP returns the handle the request sends on (libuv's req->handle).
func (r *UDPSendReq) UDP() *UDP { return r.udp }

// NewUDP creates a UDP handle.
func NewUDP(l *uv.Loop) (*UDP, error) { return newHandle[UDP](l) }

// Init initialises a declared UDP handle (libuv's uv_udp_init).
func (u *UDP) Init(l *uv.Loop) error { return u.InitEx(l, uv.DomainUnspec, 0) }

// InitEx initialises a UDP handle and, unless d is DomainUnspec, creates its socket now
// (libuv's uv_udp_init_ex). flags may hold UDPRecvmmsg. EINVAL for another domain or flag.
func (u *UDP) InitEx(l *uv.Loop, d uv.Domain, flags int) error {
	if d != uv.DomainUnspec && d != uv.DomainInet && d != uv.DomainInet6 {
		return uv.EINVAL
	}
	if flags&^UDPRecvmmsg != 0 {
		return uv.EINVAL
	}
	fd := uv.InvalidSock
	if d != uv.DomainUnspec {
		var err error
		if fd, err = uv.OpenSocket(d, uv.SockDgram); err != nil {
			return err
		}
	}
	if err := u.Handle.InitHooks(l, uv.TypeUDP, u, &udpHooks); err != nil {
		if d != uv.DomainUnspec {
			uv.CloseSocket(fd)
		}
		return err
	}
	u.sock = uv.Sock{}
	u.flags, u.v6 = 0, false
	u.alloc, u.recv = nil, nil
	u.queueSize, u.queueCount = 0, 0
	u.readyFn, u.sendFn = u.onReadable, u.sendDone
	if flags&UDPRecvmmsg != 0 {
		u.flags |= udpRecvmmsg
	}
	if d != uv.DomainUnspec {
		if err := u.sock.Init(l, fd, uv.SockDgram, false); err != nil {
			uv.CloseSocket(fd)
			u.Close(nil)
			return err
		}
		u.v6 = d == uv.DomainInet6
	}
	return nil
}

func (u *UDP) hasSock() bool { return u.sock.Loop() != nil && !u.sock.Closed() }

var udpHooks = uv.HandleHooks{
	Close:  func(h *uv.Handle) { h.Owner().(*UDP).closeUDP() },
	Closed: func(h *uv.Handle) { h.Owner().(*UDP).finishClose() },
}

func (u *UDP) closeUDP() {
	u.flags &^= udpReceiving
	u.sock.Close()
}

// finishClose fails the queued sends with ECANCELED before the close callback.
func (u *UDP) finishClose() {
	u.sock.CancelAll()
	u.alloc, u.recv = nil, nil
}

// newSocket creates the socket for family d.
func (u *UDP) newSocket(d uv.Domain) error {
	fd, err := uv.OpenSocket(d, uv.SockDgram)
	if err != nil {
		return err
	}
	if err := u.sock.Init(u.Loop(), fd, uv.SockDgram, false); err != nil {
		uv.CloseSocket(fd)
		return err
	}
	u.v6 = d == uv.DomainInet6
	return nil
}

// UsingRecvmmsg reports whether receives are batched (libuv's uv_udp_using_recvmmsg).
func (u *UDP) UsingRecvmmsg() bool { return u.flags&udpRecvmmsg != 0 && uv.RecvBatchSupported() }

// Open adopts an existing socket with SO_REUSEADDR set (libuv's uv_udp_open).
func (u *UDP) Open(sock uv.OSSock) error { return u.OpenEx(sock, UDPReuseAddr) }

// OpenEx adopts an existing socket (libuv's uv_udp_open_ex); flags may hold UDPReuseAddr and
// UDPReusePort. A socket connected before counts as connected. EBUSY if the handle has a
// socket, EEXIST if the loop already watches this one. If an option fails the handle keeps
// the socket and closes it with the handle.
func (u *UDP) OpenEx(sock uv.OSSock, flags int) error {
	if u.Loop() == nil || u.IsClosing() {
		return uv.EINVAL
	}
	if flags&^(UDPReuseAddr|UDPReusePort) != 0 {
		return uv.EINVAL
	}
	if u.hasSock() {
		return uv.EBUSY
	}
	if err := uv.CheckOpenSocket(sock); err != nil {
		return err
	}
	if err := u.sock.Init(u.Loop(), sock, uv.SockDgram, false); err != nil {
		return err
	}
	if sa, err := u.sock.LocalSockaddr(); err == nil {
		if ap, ok := uv.AddrPortOf(sa); ok {
			u.v6 = !ap.Addr().Is4()
		}
	}
	if flags&UDPReuseAddr != 0 {
		if err := u.sock.SetDgramReuseAddr(); err != nil {
			return err
		}
	}
	if flags&UDPReusePort != 0 {
		if err := u.sock.SetReusePort(true); err != nil {
			return err
		}
	}
	if u.sock.DgramConnected() {
		u.flags |= udpConnected
	}
	return nil
}

func domainOfAddr(a netip.Addr) uv.Domain {
	if a.Is4() {
		return uv.DomainInet
	}
	return uv.DomainInet6
}

// Bind binds the socket to addr (libuv's uv_udp_bind), creating it first if needed. flags may
// hold UDPIPv6Only, UDPReuseAddr, UDPReusePort and UDPLinuxRecvErr. An IPv6 socket without
// UDPIPv6Only is dual-stack where the OS allows it; an IPv4-mapped IPv6 address binds an IPv6
// socket. EINVAL for bad flags, UDPIPv6Only with an IPv4 address, or an address of the other
// family than the socket's; EADDRINUSE when the port is taken.
func (u *UDP) Bind(addr netip.AddrPort, flags int) error {
	if u.Loop() == nil || u.IsClosing() {
		return uv.EINVAL
	}
	return u.bind(addr, flags)
}

func (u *UDP) bind(addr netip.AddrPort, flags int) error {
	if flags&^(UDPIPv6Only|UDPReuseAddr|UDPReusePort|UDPLinuxRecvErr) != 0 {
		return uv.EINVAL
	}
	a := addr.Addr()
	if !a.IsValid() {
		return uv.EINVAL
	}
	if flags&UDPIPv6Only != 0 && a.Is4() {
		return uv.EINVAL
	}
	sa, err := uv.SockaddrOf(addr)
	if err != nil {
		return err
	}
	if !u.hasSock() {
		if err := u.newSocket(domainOfAddr(a)); err != nil {
			return err
		}
	}
	v6 := !a.Is4()
	if flags&UDPLinuxRecvErr != 0 {
		if err := u.sock.SetRecvErr(v6); err != nil {
			return err
		}
		u.flags |= udpRecvErr
	}
	if flags&UDPReuseAddr != 0 {
		if err := u.sock.SetDgramReuseAddr(); err != nil {
			return err
		}
	}
	if flags&UDPReusePort != 0 {
		if err := u.sock.SetReusePort(true); err != nil {
			return err
		}
	}
	if flags&UDPIPv6Only != 0 {
		if err := u.sock.SetIPv6Only(true); err != nil {
			return err
		}
	}
	if err := u.sock.Bind(sa); err != nil {
		if err == uv.EAFNOSUPPORT {
			return uv.EINVAL
		}
		return err
	}
	u.v6 = v6
	u.flags |= udpBound
	return nil
}

// maybeBind creates and binds the socket to the wildcard address of family d and port 0 if
// the handle has no socket yet (libuv's deferred bind).
func (u *UDP) maybeBind(d uv.Domain, flags int) error {
	if u.hasSock() {
		return nil
	}
	if d == uv.DomainInet6 {
		return u.bind(netip.AddrPortFrom(netip.IPv6Unspecified(), 0), flags)
	}
	return u.bind(netip.AddrPortFrom(netip.IPv4Unspecified(), 0), flags)
}

// Connect associates the socket with a peer (libuv's uv_udp_connect): sends then go there
// without an address, and only its datagrams are received. An invalid addr disconnects, as
// Disconnect does. EISCONN if already connected.
func (u *UDP) Connect(addr netip.AddrPort) error {
	if u.Loop() == nil || u.IsClosing() {
		return uv.EINVAL
	}
	if !addr.IsValid() {
		return u.Disconnect()
	}
	if u.flags&udpConnected != 0 {
		return uv.EISCONN
	}
	if err := u.maybeBind(domainOfAddr(addr.Addr()), 0); err != nil {
		return err
	}
	sa, err := u.tryAddr.Set(addr)
	if err != nil {
		return err
	}
	if err := u.sock.DgramConnect(sa); err != nil {
		return err
	}
	u.flags |= udpConnected
	return nil
}

// Disconnect dissolves the association made by Connect (libuv's uv_udp_connect with NULL).
// ENOTCONN if not connected.
func (u *UDP) Disconnect() error {
	if u.Loop() == nil || u.IsClosing() {
		return uv.EINVAL
	}
	if u.flags&udpConnected == 0 {
		return uv.ENOTCONN
	}
	if err := u.sock.DgramDisconnect(); err != nil {
		return err
	}
	u.flags &^= udpConnected
	return nil
}

// checkSend applies libuv's rules before a send and returns the datagram's size.
func (u *UDP) checkSend(bufs [][]byte, addr netip.AddrPort) (int, error) {
	return u.checkSendDest(bufs, addr.IsValid())
}

func (u *UDP) checkSendDest(bufs [][]byte, hasDest bool) (int, error) {
	if u.Loop() == nil || u.IsClosing() {
		return 0, uv.EINVAL
	}
	if hasDest && u.flags&udpConnected != 0 {
		return 0, uv.EISCONN
	}
	if !hasDest && u.flags&udpConnected == 0 {
		return 0, uv.EDESTADDRREQ
	}
	if len(bufs) < 1 || len(bufs) > 1024*1024 {
		return 0, uv.EINVAL
	}
	n := 0
	for _, b := range bufs {
		n += len(b)
		if n > maxSendBytes {
			return 0, uv.EINVAL
		}
	}
	return n, nil
}

// Send queues one datagram made of bufs to addr, or to the connected peer when addr is
// invalid (libuv's uv_udp_send). It is tried at once when nothing is queued; cb, which may
// be nil, always runs later, in the pending phase, with nil or the send's error (EMSGSIZE,
// ECONNREFUSED, ...; ECANCELED if the handle closes first). The buffers and the bufs slice
// must stay untouched until then. EISCONN if connected and addr is valid, EDESTADDRREQ if not
// connected and addr is invalid, EINVAL without buffers or when closing. Without a socket,
// the handle is first bound to the wildcard address of addr's family, port 0.
func (u *UDP) Send(req *UDPSendReq, bufs [][]byte, addr netip.AddrPort, cb func(req *UDPSendReq, err error)) error {
	if req == nil {
		return uv.EINVAL
	}
	size, err := u.checkSend(bufs, addr)
	if err != nil {
		return err
	}
	var to uv.SockAddr
	if addr.IsValid() {
		if err := u.maybeBind(domainOfAddr(addr.Addr()), 0); err != nil {
			return err
		}
		if to, err = req.addr.Set(addr); err != nil {
			return err
		}
	}
	req.udp, req.cb, req.size = u, cb, size
	req.op.Ctx = req
	if err := u.sock.SendTo(&req.op, bufs, to, u.sendFn); err != nil {
		return err
	}
	u.queueSize += size
	u.queueCount++
	u.Activate()
	return nil
}

// SendPath queues one datagram to a unix-domain socket name (libuv's uv_udp_send with a
// sockaddr_un), for a handle opened on a unix datagram socket.
func (u *UDP) SendPath(req *UDPSendReq, bufs [][]byte, path string, cb func(req *UDPSendReq, err error)) error {
	if req == nil {
		return uv.EINVAL
	}
	size, err := u.checkSendDest(bufs, true)
	if err != nil {
		return err
	}
	to, err := uv.PathSockaddr(path)
	if err != nil {
		return err
	}
	req.udp, req.cb, req.size = u, cb, size
	req.op.Ctx = req
	if err := u.sock.SendTo(&req.op, bufs, to, u.sendFn); err != nil {
		return err
	}
	u.queueSize += size
	u.queueCount++
	u.Activate()
	return nil
}

func (u *UDP) sendDone(op *uv.WriteOp, err error) {
	req := op.Ctx.(*UDPSendReq)
	u.queueSize -= req.size
	u.queueCount--
	if req.cb != nil {
		req.cb(req, err)
	}
	if u.queueCount == 0 && u.flags&udpReceiving == 0 && !u.IsClosing() {
		u.Deactivate()
	}
}

// TrySend sends one datagram now without queueing (libuv's uv_udp_try_send): its size, or
// EAGAIN if sends are queued or the kernel has no room, or the send's error (EMSGSIZE, ...).
// addr is as for Send, with the same rules.
func (u *UDP) TrySend(bufs [][]byte, addr netip.AddrPort) (int, error) {
	if _, err := u.checkSend(bufs, addr); err != nil {
		return 0, err
	}
	if u.queueCount != 0 {
		return 0, uv.EAGAIN
	}
	var to uv.SockAddr
	if addr.IsValid() {
		if err := u.maybeBind(domainOfAddr(addr.Addr()), 0); err != nil {
			return 0, err
		}
		var err error
		if to, err = u.tryAddr.Set(addr); err != nil {
			return 0, err
		}
	}
	return u.trySend(bufs, to)
}

func (u *UDP) trySend(bufs [][]byte, to uv.SockAddr) (int, error) {
	n, err := u.sock.TrySendTo(bufs, to)
	if err == uv.ENOBUFS {
		err = uv.EAGAIN
	}
	return n, err
}

// TrySend2 sends several datagrams now without queueing (libuv's uv_udp_try_send2):
// datagram i is msgs[i] sent to addrs[i] (invalid: the connected peer). It returns how many
// were sent, or the first one's error if none was. EINVAL without datagrams, with lengths
// that differ, or without a socket (TrySend2 does not bind implicitly).
func (u *UDP) TrySend2(msgs [][][]byte, addrs []netip.AddrPort) (int, error) {
	if len(msgs) < 1 || len(addrs) != len(msgs) {
		return 0, uv.EINVAL
	}
	for i := range msgs {
		if _, err := u.checkSend(msgs[i], addrs[i]); err != nil {
			return 0, err
		}
	}
	if u.queueCount > 0 {
		return 0, uv.EAGAIN
	}
	if !u.hasSock() {
		return 0, uv.EINVAL
	}
	sent := 0
	for i := range msgs {
		var to uv.SockAddr
		if addrs[i].IsValid() {
			var err error
			if to, err = u.tryAddr.Set(addrs[i]); err != nil {
				return sent, err
			}
		}
		if _, err := u.trySend(msgs[i], to); err != nil {
			if sent > 0 {
				return sent, nil
			}
			return 0, err
		}
		sent++
	}
	return sent, nil
}

// RecvStart starts receiving (libuv's uv_udp_recv_start). alloc returns the buffer for the
// next datagram (suggested size 64 KiB; with UDPRecvmmsg a multiple of it receives a batch);
// with a nil alloc the loop's shared 64 KiB buffer is used, valid only during the callback.
//
// recv gets each datagram as buf with its source from and flags (UDPPartial if truncated).
// When nothing more waits, it gets an empty buf with an invalid from and a nil err (libuv's
// nread 0 with a NULL address); an empty datagram instead comes with a valid from. Errors
// come with an empty buf (ENOBUFS if alloc returned an empty buffer). Batched receives give
// each datagram with UDPMmsgChunk, then the whole buffer with length 0 and UDPMmsgFree.
// Without a socket, the handle is first bound to 0.0.0.0 port 0. EALREADY if already
// receiving, EINVAL if recv is nil or the handle is closing.
func (u *UDP) RecvStart(alloc func(u *UDP, suggested int) []byte, recv func(u *UDP, buf []byte, from netip.AddrPort, flags int, err error)) error {
	if u.Loop() == nil || u.IsClosing() || recv == nil {
		return uv.EINVAL
	}
	if u.flags&udpReceiving != 0 {
		return uv.EALREADY
	}
	if err := u.maybeBind(uv.DomainInet, 0); err != nil {
		return err
	}
	u.alloc, u.recv = alloc, recv
	if err := u.sock.StartRead(u.readyFn); err != nil {
		u.alloc, u.recv = nil, nil
		return err
	}
	u.flags |= udpReceiving
	u.Activate()
	return nil
}

// RecvStop stops receiving (libuv's uv_udp_recv_stop). Stopping a handle that is not
// receiving does nothing.
func (u *UDP) RecvStop() error {
	if u.Loop() == nil {
		return uv.EINVAL
	}
	if u.flags&udpReceiving != 0 {
		u.flags &^= udpReceiving
		u.sock.StopRead()
	}
	u.alloc, u.recv = nil, nil
	if u.queueCount == 0 && !u.IsClosing() {
		u.Deactivate()
	}
	return nil
}

func (u *UDP) receiving() bool { return u.flags&udpReceiving != 0 && !u.IsClosing() }

// onReadable is libuv's receive pass: up to 32 datagrams per readiness event. On Linux an
// error, or a pending error-queue message on a UDPLinuxRecvErr socket, means the event was
// POLLERR, after which libuv drains the error queue too.
func (u *UDP) onReadable() {
	err := u.recvPass(false)
	if !uv.ErrQueueSupported() || !u.receiving() {
		return
	}
	if err != nil || (u.flags&udpRecvErr != 0 && u.sock.PollError()) {
		u.recvPass(true)
	}
}

func addrOf(sa uv.SockAddr) netip.AddrPort {
	if sa == nil {
		return netip.AddrPort{}
	}
	ap, _ := uv.AddrPortOf(sa)
	return ap
}

// recvPass receives until nothing waits, 32 datagrams arrived, or receiving stopped; it
// returns the socket error it delivered, if any.
func (u *UDP) recvPass(errQueue bool) error {
	for count := 32; count > 0; {
		if !u.receiving() {
			return nil
		}
		var buf []byte
		if u.alloc != nil {
			buf = u.alloc(u, uv.DgramMaxSize)
		} else {
			buf = u.Loop().ReadBuffer()
		}
		recv := u.recv
		if len(buf) == 0 {
			recv(u, buf, netip.AddrPort{}, 0, uv.ENOBUFS)
			return nil
		}
		if !errQueue && u.UsingRecvmmsg() {
			if len(buf) < uv.DgramMaxSize { // not even one chunk: no system call, no POLLERR
				recv(u, buf[:0], netip.AddrPort{}, 0, uv.EINVAL)
				return nil
			}
			n, err := u.sock.RecvBatch(buf)
			if err != nil {
				if err == uv.EAGAIN {
					recv(u, buf[:0], netip.AddrPort{}, 0, nil)
					return nil
				}
				recv(u, buf[:0], netip.AddrPort{}, 0, err)
				return err
			}
			for k := 0; k < n && u.receiving(); k++ {
				size, from, fl := u.sock.BatchMsg(k)
				flags := UDPMmsgChunk
				if fl&uv.DgramTruncated != 0 {
					flags |= UDPPartial
				}
				at := k * uv.DgramMaxSize
				u.recv(u, buf[at:at+size:at+uv.DgramMaxSize], addrOf(from), flags, nil)
			}
			if u.receiving() {
				u.recv(u, buf[:0], netip.AddrPort{}, UDPMmsgFree, nil)
			}
			count -= n
			continue
		}
		var n, fl int
		var from uv.SockAddr
		var err error
		if errQueue {
			n, from, fl, err = u.sock.RecvErrQueue(buf)
		} else {
			n, from, fl, err = u.sock.RecvFrom(buf)
		}
		flags := 0
		if fl&uv.DgramTruncated != 0 {
			flags |= UDPPartial
		}
		switch {
		case fl&uv.DgramErrQueue != 0:
			recv(u, buf[:0], addrOf(from), flags|UDPLinuxRecvErr, err)
		case err == nil:
			recv(u, buf[:n], addrOf(from), flags, nil)
		case err == uv.EAGAIN:
			recv(u, buf[:0], netip.AddrPort{}, 0, nil)
			return nil
		default:
			recv(u, buf[:0], netip.AddrPort{}, 0, err)
			return err
		}
		count--
	}
	return nil
}

// SetMembership joins or leaves the multicast group (libuv's uv_udp_set_membership). iface
// selects the interface: its address for IPv4, its zone for IPv6 ("::1%lo"); invalid lets
// the kernel choose. Without a socket, the handle is first bound to the wildcard address of
// the group's family with UDPReuseAddr. EINVAL for an invalid group or membership.
func (u *UDP) SetMembership(group, iface netip.Addr, m Membership) error {
	if u.Loop() == nil || u.IsClosing() || !group.IsValid() {
		return uv.EINVAL
	}
	if err := u.maybeBind(domainOfAddr(group), UDPReuseAddr); err != nil {
		return err
	}
	if m != JoinGroup && m != LeaveGroup {
		return uv.EINVAL
	}
	return u.sock.SetMembership(group, iface, m == JoinGroup)
}

// SetSourceMembership joins or leaves the multicast group for datagrams from source only
// (libuv's uv_udp_set_source_membership); iface is as for SetMembership. ENOSYS where the OS
// lacks source-specific multicast; EINVAL if group and source are of different families.
func (u *UDP) SetSourceMembership(group, iface, source netip.Addr, m Membership) error {
	if u.Loop() == nil || u.IsClosing() || !group.IsValid() || !source.IsValid() {
		return uv.EINVAL
	}
	if group.Is4() != source.Is4() {
		return uv.EINVAL
	}
	if err := u.maybeBind(domainOfAddr(group), UDPReuseAddr); err != nil {
		return err
	}
	if m != JoinGroup && m != LeaveGroup {
		return uv.EINVAL
	}
	return u.sock.SetSourceMembership(group, iface, source, m == JoinGroup)
}

// needSock returns EINVAL for an unusable handle and EBADF without a socket, as libuv's
// options on an fd of -1 do.
func (u *UDP) needSock() error {
	if u.Loop() == nil {
		return uv.EINVAL
	}
	if !u.hasSock() {
		return uv.EBADF
	}
	return nil
}

// SetMulticastLoop sets whether multicast datagrams sent are looped back to the host
// (libuv's uv_udp_set_multicast_loop). EBADF without a socket.
func (u *UDP) SetMulticastLoop(on bool) error {
	if err := u.needSock(); err != nil {
		return err
	}
	return u.sock.SetMulticastLoop(u.v6, on)
}

// SetMulticastTTL sets the hop limit of multicast datagrams, 0 to 255 (libuv's
// uv_udp_set_multicast_ttl). EINVAL outside that range, EBADF without a socket.
func (u *UDP) SetMulticastTTL(ttl int) error {
	if ttl < 0 || ttl > 255 {
		return uv.EINVAL
	}
	if err := u.needSock(); err != nil {
		return err
	}
	return u.sock.SetMulticastTTL(u.v6, ttl)
}

// SetMulticastInterface selects the interface multicast datagrams are sent from (libuv's
// uv_udp_set_multicast_interface): an IPv4 address, an IPv6 address whose zone names the
// interface, or invalid for the kernel's choice. EBADF without a socket.
func (u *UDP) SetMulticastInterface(iface netip.Addr) error {
	if err := u.needSock(); err != nil {
		return err
	}
	return u.sock.SetMulticastInterface(u.v6, iface)
}

// SetBroadcast sets SO_BROADCAST (libuv's uv_udp_set_broadcast). EBADF without a socket.
func (u *UDP) SetBroadcast(on bool) error {
	if err := u.needSock(); err != nil {
		return err
	}
	return u.sock.SetBroadcast(on)
}

// SetTTL sets the hop limit of unicast datagrams, 1 to 255 (libuv's uv_udp_set_ttl). EINVAL
// outside that range, EBADF without a socket.
func (u *UDP) SetTTL(ttl int) error {
	if ttl < 1 || ttl > 255 {
		return uv.EINVAL
	}
	if err := u.needSock(); err != nil {
		return err
	}
	return u.sock.SetTTL(u.v6, ttl)
}

// SendQueueSize returns the bytes of the sends whose callback has not run yet (libuv's
// uv_udp_get_send_queue_size).
func (u *UDP) SendQueueSize() int { return u.queueSize }

// SendQueueCount returns the sends whose callback has not run yet (libuv's
// uv_udp_get_send_queue_count).
func (u *UDP) SendQueueCount() int { return u.queueCount }

// Sockname returns the local address (libuv's uv_udp_getsockname). EBADF without a socket.
func (u *UDP) Sockname() (netip.AddrPort, error) {
	if err := u.needSock(); err != nil {
		return netip.AddrPort{}, err
	}
	sa, err := u.sock.LocalSockaddr()
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap, ok := uv.AddrPortOf(sa)
	if !ok {
		return netip.AddrPort{}, uv.EINVAL
	}
	return ap, nil
}

// Peername returns the connected peer's address (libuv's uv_udp_getpeername). ENOTCONN if
// not connected, EBADF without a socket.
func (u *UDP) Peername() (netip.AddrPort, error) {
	if err := u.needSock(); err != nil {
		return netip.AddrPort{}, err
	}
	sa, err := u.sock.PeerSockaddr()
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap, ok := uv.AddrPortOf(sa)
	if !ok {
		return netip.AddrPort{}, uv.EINVAL
	}
	return ap, nil
}

// Fileno returns the socket (libuv's uv_fileno); EBADF if there is none.
func (u *UDP) Fileno() (uv.OSFd, error) {
	if !u.hasSock() || u.IsClosing() {
		return uv.OSFd(uv.InvalidSock), uv.EBADF
	}
	return uv.OSFd(u.sock.Fd()), nil
}
