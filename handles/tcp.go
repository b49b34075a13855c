package handles

import (
	"net/netip"

	uv "github.com/uv-go/uv"
)

// TCP bind flags (libuv's uv_tcp_flags).
const (
	// TCPIPv6Only makes an IPv6 socket refuse IPv4 clients (no dual-stack).
	TCPIPv6Only = 1
	// TCPReusePort sets SO_REUSEPORT, so several sockets share the port with the kernel
	// balancing connections between them (Linux; ENOTSUP where the OS does not balance).
	TCPReusePort = 2
)

// DefaultBacklog is libuv's and Node's default listen backlog; the kernel clamps it to
// somaxconn.
const DefaultBacklog = 511

// TCP is a TCP stream or server (libuv's uv_tcp_t). The socket is created lazily by Bind,
// Listen or Connect unless InitEx names an address family.
type TCP struct {
	Stream
	nodelay   bool
	keepalive bool
	// singleAccept: SimultaneousAccepts(false) was called.
	singleAccept bool
	keepDelay    int
	bound        bool
}

// NewTCP creates a TCP handle.
func NewTCP(l *uv.Loop) (*TCP, error) { return newHandle[TCP](l) }

// Init initialises a declared TCP handle (libuv's uv_tcp_init).
func (t *TCP) Init(l *uv.Loop) error { return t.InitEx(l, uv.DomainUnspec) }

// InitEx initialises a TCP handle and, unless d is DomainUnspec, creates its socket now
// (libuv's uv_tcp_init_ex).
func (t *TCP) InitEx(l *uv.Loop, d uv.Domain) error {
	if d != uv.DomainUnspec && d != uv.DomainInet && d != uv.DomainInet6 {
		return uv.EINVAL
	}
	if err := t.initStream(l, uv.TypeTCP, t, &tcpHooks); err != nil {
		return err
	}
	t.delayedErr, t.nodelay, t.keepalive, t.bound = nil, false, false, false
	if d != uv.DomainUnspec {
		if err := t.newSocket(d, 0); err != nil {
			t.Close(nil)
			return err
		}
	}
	return nil
}

func (t *TCP) newSocket(d uv.Domain, flags uint8) error {
	fd, err := uv.OpenSocket(d, uv.SockStream)
	if err != nil {
		return err
	}
	if err := t.openNewSock(fd, false, flags); err != nil {
		uv.CloseSocket(fd)
		return err
	}
	t.applyOptions()
	return nil
}

// maybeNewSocket creates the socket for family d if there is none yet, then adds flags.
func (t *TCP) maybeNewSocket(d uv.Domain, flags uint8) error {
	if !t.hasSock() {
		return t.newSocket(d, flags)
	}
	t.flags |= flags
	return nil
}

func (t *TCP) applyOptions() {
	if t.singleAccept {
		t.sock.SetSimultaneousAccepts(false)
	}
	if t.nodelay {
		t.sock.SetNoDelay(true)
	}
	if t.keepalive {
		t.sock.SetKeepAlive(true, t.keepDelay)
	}
}

func domainOf(a netip.Addr) uv.Domain {
	if a.Is4() {
		return uv.DomainInet
	}
	return uv.DomainInet6
}

// Open adopts an existing socket (libuv's uv_tcp_open). EEXIST if the loop already watches it;
// on Windows, ENOTSOCK for a handle that is not a socket (a pipe, say).
func (t *TCP) Open(sock uv.OSSock) error {
	if t.Loop() == nil || t.IsClosing() {
		return uv.EINVAL
	}
	if t.hasSock() {
		return uv.EBUSY
	}
	if err := uv.CheckOpenSocket(sock); err != nil {
		return err
	}
	if err := t.openSock(sock, false, streamReadable|streamWritable); err != nil {
		return err
	}
	t.applyOptions()
	return nil
}

// Bind binds to addr with SO_REUSEADDR set (libuv's uv_tcp_bind). flags may hold
// TCPIPv6Only and TCPReusePort. As in libuv, EADDRINUSE is not returned here but by the
// next Listen or Connect. An IPv6 socket without TCPIPv6Only is dual-stack.
func (t *TCP) Bind(addr netip.AddrPort, flags int) error {
	if t.Loop() == nil || t.IsClosing() {
		return uv.EINVAL
	}
	if flags&^(TCPIPv6Only|TCPReusePort) != 0 {
		return uv.EINVAL
	}
	a := addr.Addr()
	if !a.IsValid() {
		return uv.EINVAL
	}
	if flags&TCPIPv6Only != 0 && !a.Is6() {
		return uv.EINVAL
	}
	a = a.Unmap()
	if a.Is4() && addr.Addr().Is4In6() {
		addr = netip.AddrPortFrom(a, addr.Port())
	}
	sa, err := uv.SockaddrOf(addr)
	if err != nil {
		return err
	}
	if l := t.Loop(); l.Tracing() {
		t.trace("bind", addr.String()+" (uv_tcp_bind)")
	}
	if err := t.maybeNewSocket(domainOf(addr.Addr()), 0); err != nil {
		return err
	}
	if err := t.sock.SetReuseAddr(true); err != nil {
		return err
	}
	if flags&TCPReusePort != 0 {
		if err := t.sock.SetReusePort(true); err != nil {
			return err
		}
	}
	if addr.Addr().Is6() {
		if err := t.sock.SetIPv6Only(flags&TCPIPv6Only != 0); err != nil {
			return err
		}
	}
	err = t.sock.Bind(sa)
	switch err {
	case nil:
		t.delayedErr = nil
	case uv.EADDRINUSE:
		t.delayedErr = err
	case uv.EAFNOSUPPORT:
		return uv.EINVAL
	default:
		return err
	}
	t.bound = true
	return nil
}

// Listen starts accepting connections (libuv's uv_listen); cb runs for each connection,
// which Accept takes. A pending bind error (EADDRINUSE) is returned here.
func (t *TCP) Listen(backlog int, cb func(server *Stream, err error)) error {
	if t.Loop() == nil || t.IsClosing() {
		return uv.EINVAL
	}
	if t.delayedErr != nil {
		return t.delayedErr
	}
	if l := t.Loop(); l.Tracing() {
		t.trace("listen", "backlog "+itoa(int64(backlog))+" (uv_listen)")
	}
	if err := t.maybeNewSocket(uv.DomainInet, 0); err != nil {
		return err
	}
	if err := t.listen(backlog, cb); err != nil {
		return err
	}
	t.bound = true
	return nil
}

// Connect connects to addr (libuv's uv_tcp_connect); cb gets nil, the connect error
// (ECONNREFUSED, ETIMEDOUT, a pending bind error) or ECANCELED if the handle closes first.
func (t *TCP) Connect(req *ConnectReq, addr netip.AddrPort, cb func(req *ConnectReq, err error)) error {
	if t.Loop() == nil || t.IsClosing() || req == nil {
		return uv.EINVAL
	}
	if t.connReq != nil {
		return uv.EALREADY
	}
	sa, err := uv.SockaddrOf(addr)
	if err != nil {
		return err
	}
	if t.delayedErr != nil {
		err := t.delayedErr
		req.stream, req.cb = &t.Stream, cb
		if err := t.sock.FailConnect(err, t.connectCb()); err != nil {
			return err
		}
		t.connReq = req
		t.Activate()
		return nil
	}
	if err := t.maybeNewSocket(domainOf(addr.Addr()), streamReadable|streamWritable); err != nil {
		return err
	}
	return t.connectSock(req, sa, cb)
}

// Sockname returns the local address (libuv's uv_tcp_getsockname).
func (t *TCP) Sockname() (netip.AddrPort, error) {
	if t.delayedErr != nil {
		return netip.AddrPort{}, t.delayedErr
	}
	if !t.hasSock() {
		return netip.AddrPort{}, uv.EINVAL
	}
	sa, err := t.sock.LocalSockaddr()
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap, ok := uv.AddrPortOf(sa)
	if !ok {
		return netip.AddrPort{}, uv.EINVAL
	}
	return ap, nil
}

// Peername returns the peer's address (libuv's uv_tcp_getpeername).
func (t *TCP) Peername() (netip.AddrPort, error) {
	if t.delayedErr != nil {
		return netip.AddrPort{}, t.delayedErr
	}
	if !t.hasSock() {
		return netip.AddrPort{}, uv.EINVAL
	}
	sa, err := t.sock.PeerSockaddr()
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap, ok := uv.AddrPortOf(sa)
	if !ok {
		return netip.AddrPort{}, uv.EINVAL
	}
	return ap, nil
}

// NoDelay turns Nagle's algorithm off (true) or on (libuv's uv_tcp_nodelay). Without a
// socket yet, the setting is applied when it is created.
func (t *TCP) NoDelay(on bool) error {
	if t.hasSock() {
		if err := t.sock.SetNoDelay(on); err != nil {
			return err
		}
	}
	t.nodelay = on
	return nil
}

// KeepAlive turns TCP keep-alive on with the first probe after delay seconds, or off
// (libuv's uv_tcp_keepalive). A delay below 1 with on is EINVAL.
func (t *TCP) KeepAlive(on bool, delay int) error {
	if on && delay < 1 {
		return uv.EINVAL
	}
	if t.hasSock() {
		if err := t.sock.SetKeepAlive(on, delay); err != nil {
			return err
		}
	}
	t.keepalive, t.keepDelay = on, delay
	return nil
}

// KeepAliveEx turns keep-alive on with explicit timing: the first probe after idle seconds,
// then one every intvl seconds, giving up after cnt probes (libuv's uv_tcp_keepalive_ex).
// Any value below 1 with on is EINVAL.
func (t *TCP) KeepAliveEx(on bool, idle, intvl, cnt int) error {
	if on && (idle < 1 || intvl < 1 || cnt < 1) {
		return uv.EINVAL
	}
	if t.hasSock() {
		if err := t.sock.SetKeepAliveEx(on, idle, intvl, cnt); err != nil {
			return err
		}
	}
	t.keepalive, t.keepDelay = on, idle
	return nil
}

// SimultaneousAccepts chooses whether a listener keeps many accepts pending (the default) or
// one (libuv's uv_tcp_simultaneous_accepts). It matters only on Windows, where the IOCP
// backend keeps AcceptEx calls pending; turned off while listening, the pending accepts
// finish and only one is started again. As in libuv, once disabled it cannot be enabled
// again (ENOTSUP).
func (t *TCP) SimultaneousAccepts(enable bool) error {
	switch {
	case enable && t.singleAccept:
		return uv.ENOTSUP
	case enable:
		return nil
	}
	t.singleAccept = true
	if t.hasSock() {
		t.sock.SetSimultaneousAccepts(false)
	}
	return nil
}

// CloseReset closes the connection with an RST instead of a FIN (libuv's
// uv_tcp_close_reset). EINVAL while a shutdown is pending.
func (t *TCP) CloseReset(cb func()) error {
	if t.shutReq != nil {
		return uv.EINVAL
	}
	if t.Loop() == nil || t.IsClosing() {
		return uv.EINVAL
	}
	t.flags &^= streamReading | streamListening
	t.sock.CloseReset()
	return t.Close(cb)
}

// SendBufferSize returns the socket's send buffer size (libuv's uv_send_buffer_size with 0).
func (s *Stream) SendBufferSize() (int, error) { return bufferSize(s.hasSock(), &s.sock, true) }

// RecvBufferSize returns the socket's receive buffer size.
func (s *Stream) RecvBufferSize() (int, error) { return bufferSize(s.hasSock(), &s.sock, false) }

// SetSendBufferSize sets the socket's send buffer size (libuv's uv_send_buffer_size with a
// value; Linux doubles what it is given).
func (s *Stream) SetSendBufferSize(n int) error {
	return setBufferSize(s.hasSock(), &s.sock, true, n)
}

// SetRecvBufferSize sets the socket's receive buffer size.
func (s *Stream) SetRecvBufferSize(n int) error {
	return setBufferSize(s.hasSock(), &s.sock, false, n)
}
