package net

import (
	"net/netip"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/stream"
)

// DefaultBacklog is Node's default listen backlog.
const DefaultBacklog = handles.DefaultBacklog

// ServerOptions are a Server's options (Node's net.createServer options).
type ServerOptions struct {
	// Loop runs the server and its connections; nil means uv.DefaultLoop().
	Loop *uv.Loop
	// AllowHalfOpen, HighWaterMark, NoDelay, KeepAlive and KeepAliveInitialDelay apply to
	// every accepted socket (see SocketOptions).
	AllowHalfOpen         bool
	HighWaterMark         int
	NoDelay               bool
	KeepAlive             bool
	KeepAliveInitialDelay int
	// PauseOnConnect hands connections over paused: nothing is read until Resume.
	PauseOnConnect bool
}

// ListenOptions are Node's server.listen(options) fields.
type ListenOptions struct {
	// Port to listen on; 0 picks a free port (see Address).
	Port int
	// Host to listen on: an IP address or a name to look up. Empty means "::", dual-stack
	// (IPv4 clients too), or "0.0.0.0" where IPv6 is unavailable.
	Host string
	// Backlog is the listen queue length; below 1 means DefaultBacklog (511).
	Backlog int
	// IPv6Only refuses IPv4 clients on an IPv6 host.
	IPv6Only bool
	// ReusePort sets SO_REUSEPORT so that several servers share the port (Linux).
	ReusePort bool
}

// Server is Node's net.Server: it listens on a TCP port and hands each connection to the
// connection callback as a Socket. Events: listening, connection, error (listen failures,
// as "listen EADDRINUSE: address already in use :::3000"), close (after Close, once the last
// connection is gone), and drop (a connection refused by MaxConnections).
type Server struct {
	// MaxConnections, if above 0, makes the server close new connections once it has that
	// many (Node's server.maxConnections).
	MaxConnections int

	loop    *uv.Loop
	ls      *loopState
	initErr error
	opts    ServerOptions

	tcp             *handles.TCP
	closingTCP      bool
	listening       bool
	looking         bool
	addr            netip.AddrPort
	connections     int
	unref           bool
	closeAsked      bool
	lookupCancelled bool

	lopts ListenOptions
	dns   handles.GetAddrInfoReq

	onConnection func(*Socket)
	onListening  func()
	onError      func(error)
	onClose      func()
	onDrop       func(local, remote netip.AddrPort)
	listenCb     func()
	closeCbs     []closeCb
	pendingErr   error

	tListening, tError, tClose stream.Task
	handleClosedFn             func()
}

type closeCb struct {
	fn  func(error)
	err error
}

// CreateServer creates a server on the default loop with Node's defaults (Node's
// net.createServer(connectionListener)). If the default loop cannot be created, Listen
// returns the error.
func CreateServer(onConnection func(*Socket)) *Server {
	s, err := NewServer(ServerOptions{}, onConnection)
	if err != nil {
		return &Server{initErr: err}
	}
	return s
}

// NewServer creates a server with options (Node's net.createServer(options, listener)).
func NewServer(o ServerOptions, onConnection func(*Socket)) (*Server, error) {
	l, err := loopOrDefault(o.Loop)
	if err != nil {
		return nil, err
	}
	o.Loop = l
	s := &Server{loop: l, ls: stateOf(l), opts: o, onConnection: onConnection}
	s.tListening.Init(s.emitListening)
	s.tError.Init(s.emitError)
	s.tClose.Init(s.emitClose)
	s.handleClosedFn = s.handleClosed
	s.dns.Data = s
	return s, nil
}

// Listen listens on port on the default host (Node's server.listen(port, cb)); cb, if not
// nil, runs once listening. See ListenWith.
func (s *Server) Listen(port int, cb func()) error {
	return s.ListenWith(ListenOptions{Port: port}, cb)
}

// ListenHost listens on host:port (Node's server.listen(port, host, cb)).
func (s *Server) ListenHost(port int, host string, cb func()) error {
	return s.ListenWith(ListenOptions{Port: port, Host: host}, cb)
}

// ListenBacklog listens on host:port with a backlog (Node's server.listen(port, host,
// backlog, cb)).
func (s *Server) ListenBacklog(port int, host string, backlog int, cb func()) error {
	return s.ListenWith(ListenOptions{Port: port, Host: host, Backlog: backlog}, cb)
}

// ListenWith listens as options say (Node's server.listen(options, cb)). As in Node, it
// returns an error only for bad arguments (ERR_SOCKET_BAD_PORT) or a server already
// listening (ERR_SERVER_ALREADY_LISTEN); binding and listening fail on the error callback,
// on the next tick, and the listening callback (then cb) runs on success.
func (s *Server) ListenWith(o ListenOptions, cb func()) error {
	if s.initErr != nil {
		return s.initErr
	}
	if o.Port < 0 || o.Port > 65535 {
		return badPort(o.Port)
	}
	if s.tcp != nil || s.looking {
		return ErrServerAlreadyListen
	}
	if o.Backlog < 1 {
		o.Backlog = DefaultBacklog
	}
	s.lopts, s.listenCb = o, cb
	if o.Host == "" {
		s.listenDefault()
		return nil
	}
	if a, err := netip.ParseAddr(o.Host); err == nil {
		s.listenOn(a)
		return nil
	}
	hints := handles.AddrInfoHints{SockType: handles.SockTypeStream}
	if err := handles.GetAddrInfo(s.loop, &s.dns, serverLookupDone, o.Host, "", &hints); err != nil {
		s.fail(dnsException(err, "getaddrinfo", o.Host))
		return nil
	}
	s.looking = true
	return nil
}

func serverLookupDone(req *handles.GetAddrInfoReq, err error, res []handles.AddrInfo) {
	s := req.Data.(*Server)
	defer s.ls.drain()
	s.looking = false
	if s.lookupCancelled {
		s.lookupCancelled = false
		return // closed while looking up
	}
	if err != nil || len(res) == 0 {
		if err == nil {
			err = uv.EAI_NONAME
		}
		s.fail(dnsException(err, "getaddrinfo", s.lopts.Host))
		return
	}
	s.listenOn(res[0].Addr.Addr())
}

var (
	anyIPv6 = netip.IPv6Unspecified()
	anyIPv4 = netip.IPv4Unspecified()
)

// listenDefault binds "::" (dual-stack) and falls back to "0.0.0.0", as Node does.
func (s *Server) listenDefault() {
	if s.loop.Tracing() {
		s.traceListen(anyIPv6)
	}
	tcp, err := s.bind(anyIPv6)
	addr := anyIPv6
	if err != nil {
		tcp, err = s.bind(anyIPv4)
		addr = anyIPv4
	}
	s.listenHandle(tcp, addr, err)
}

func (s *Server) listenOn(a netip.Addr) {
	if s.loop.Tracing() {
		s.traceListen(a)
	}
	tcp, err := s.bind(a)
	s.listenHandle(tcp, a, err)
}

func (s *Server) bind(a netip.Addr) (*handles.TCP, error) {
	tcp := new(handles.TCP)
	if err := tcp.Init(s.loop); err != nil {
		return nil, err
	}
	flags := 0
	if s.lopts.IPv6Only && a.Is6() {
		flags |= handles.TCPIPv6Only
	}
	if s.lopts.ReusePort {
		flags |= handles.TCPReusePort
	}
	if err := tcp.Bind(netip.AddrPortFrom(a, uint16(s.lopts.Port)), flags); err != nil {
		tcp.Close(nil)
		return nil, err
	}
	return tcp, nil
}

func (s *Server) listenHandle(tcp *handles.TCP, a netip.Addr, err error) {
	if err == nil {
		tcp.Data = s
		if err = tcp.Listen(s.lopts.Backlog, serverConnection); err != nil {
			tcp.Close(nil)
		}
	}
	if err != nil {
		s.fail(uvExceptionWithHostPort(err, "listen", a.String(), s.lopts.Port))
		return
	}
	s.tcp = tcp
	s.addr, _ = tcp.Sockname()
	s.listening = true
	if s.loop.Tracing() {
		s.loop.TraceLayer("net", "listening on "+s.addr.String())
	}
	if s.unref {
		tcp.Unref()
	}
	s.ls.ticks.Defer(&s.tListening)
}

// fail reports err on the error callback on the next tick.
func (s *Server) fail(err error) {
	s.listenCb = nil
	s.pendingErr = err
	s.ls.ticks.Defer(&s.tError)
}

func (s *Server) emitListening() {
	if !s.listening {
		return
	}
	if s.onListening != nil {
		s.onListening()
	}
	if cb := s.listenCb; cb != nil {
		s.listenCb = nil
		cb()
	}
}

func (s *Server) emitError() {
	err := s.pendingErr
	s.pendingErr = nil
	if err != nil && s.onError != nil {
		s.onError(err)
	}
}

func serverConnection(ls *handles.Stream, err error) {
	s := ls.Data.(*Server)
	defer s.ls.drain()
	if err != nil {
		if s.onError != nil {
			s.onError(errnoException(err, "accept"))
		}
		return
	}
	s.accept(ls)
}

// AcceptFrom serves a connection that reached this loop some other way as if the server's
// own listener had accepted it (Node's server.onconnection, which a cluster worker calls for
// the handles its primary sends): src is an IPC pipe with a received TCP handle pending, or
// a listening TCP handle on the same loop with a connection waiting. The server need not be
// listening; MaxConnections, the socket options, the connection callback and Close's wait
// for the last connection apply as to its own connections. It returns EAGAIN if nothing
// waits, EINVAL if src is nil or on another loop, or the error of the accept.
func (s *Server) AcceptFrom(src *handles.Stream) error {
	if s.initErr != nil {
		return s.initErr
	}
	if src == nil || src.Loop() != s.loop {
		return uv.EINVAL
	}
	defer s.ls.drain()
	return s.accept(src)
}

// accept takes the connection waiting on ls and hands it to the connection callback.
func (s *Server) accept(ls *handles.Stream) error {
	if s.MaxConnections > 0 && s.connections >= s.MaxConnections {
		return s.drop(ls)
	}
	c := new(Socket)
	c.init(s.loop, &SocketOptions{
		AllowHalfOpen: s.opts.AllowHalfOpen,
		HighWaterMark: s.opts.HighWaterMark,
		NoDelay:       s.opts.NoDelay,
		KeepAlive:     s.opts.KeepAlive, KeepAliveInitialDelay: s.opts.KeepAliveInitialDelay,
	})
	if err := c.initTCP(&c.tcpv); err != nil {
		return err
	}
	if err := ls.Accept(&c.tcpv.Stream); err != nil {
		c.tcpv.Close(nil)
		return err
	}
	c.opened()
	c.server = s
	s.connections++
	if s.loop.Tracing() {
		s.traceAccepted(c)
	}
	if s.opts.PauseOnConnect {
		c.Duplex.Pause()
	} else {
		c.Duplex.Read(nil)
	}
	if s.onConnection != nil {
		s.onConnection(c)
	}
	return nil
}

// drop accepts and closes a connection beyond MaxConnections.
func (s *Server) drop(ls *handles.Stream) error {
	t := new(handles.TCP)
	if err := t.Init(s.loop); err != nil {
		return err
	}
	err := ls.Accept(&t.Stream)
	if err == nil && s.onDrop != nil {
		local, _ := t.Sockname()
		remote, _ := t.Peername()
		s.onDrop(local, remote)
	}
	t.Close(nil)
	return err
}

// Close stops accepting connections (Node's server.close). The close callback, then cb
// (if not nil), run once the listening handle is closed and the last connection has ended;
// open connections are not closed. On a server that is not listening, cb gets
// ErrServerNotRunning.
func (s *Server) Close(cb func(err error)) {
	if s.initErr != nil {
		if cb != nil {
			cb(s.initErr)
		}
		return
	}
	if s.loop.Tracing() {
		s.loop.TraceLayer("net", "Server.close: the listener closes (uv_close)")
	}
	s.closeAsked = true
	if s.looking {
		s.lookupCancelled = true
	}
	if cb != nil {
		var err error
		if s.tcp == nil {
			err = ErrServerNotRunning
		}
		s.closeCbs = append(s.closeCbs, closeCb{cb, err})
	}
	if s.tcp != nil {
		s.closingTCP = true
		s.tcp.Close(s.handleClosedFn)
		s.tcp = nil
		s.listening = false
	}
	s.maybeEmitClose()
}

func (s *Server) handleClosed() {
	s.closingTCP = false
	s.maybeEmitClose()
	s.ls.drain()
}

func (s *Server) maybeEmitClose() {
	if !s.closeAsked || s.tcp != nil || s.closingTCP || s.connections > 0 {
		return
	}
	s.ls.ticks.Defer(&s.tClose)
}

func (s *Server) emitClose() {
	if !s.closeAsked {
		return
	}
	s.closeAsked = false
	cbs := s.closeCbs
	s.closeCbs = nil
	if s.onClose != nil {
		s.onClose()
	}
	for _, c := range cbs {
		c.fn(c.err)
	}
}

// OnConnection sets the connection callback.
func (s *Server) OnConnection(fn func(*Socket)) { s.onConnection = fn }

// OnListening sets the listening callback.
func (s *Server) OnListening(fn func()) { s.onListening = fn }

// OnError sets the error callback. Unlike Node, an error without a callback is dropped,
// not thrown.
func (s *Server) OnError(fn func(err error)) { s.onError = fn }

// OnClose sets the close callback.
func (s *Server) OnClose(fn func()) { s.onClose = fn }

// OnDrop sets the drop callback: a connection was closed because of MaxConnections.
func (s *Server) OnDrop(fn func(local, remote netip.AddrPort)) { s.onDrop = fn }

// Listening reports whether the server is listening.
func (s *Server) Listening() bool { return s.listening }

// Address returns the address the server listens on (Node's server.address()), for
// example { "::", "IPv6", 3000 }; the zero Addr if it is not listening.
func (s *Server) Address() Addr {
	if !s.listening {
		return Addr{}
	}
	return addrOf(s.addr)
}

// AddrPort returns the address the server listens on.
func (s *Server) AddrPort() netip.AddrPort {
	if !s.listening {
		return netip.AddrPort{}
	}
	return s.addr
}

// Connections returns the number of open connections (Node's getConnections).
func (s *Server) Connections() int { return s.connections }

// Loop returns the loop the server runs on (nil if it has none).
func (s *Server) Loop() *uv.Loop { return s.loop }

// Ref makes the listening server keep the loop alive (the default).
func (s *Server) Ref() {
	s.unref = false
	if s.tcp != nil {
		s.tcp.Ref()
	}
}

// Unref lets the loop end while the server listens.
func (s *Server) Unref() {
	s.unref = true
	if s.tcp != nil {
		s.tcp.Unref()
	}
}
