package http

import (
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http/parser"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/stream"
)

// Node's defaults.
const (
	// DefaultHeadersTimeout is how long a client may take to send a request's header
	// section, in milliseconds (Node's server.headersTimeout).
	DefaultHeadersTimeout = 60_000
	// DefaultRequestTimeout is how long a client may take to send a whole request, in
	// milliseconds (Node's server.requestTimeout).
	DefaultRequestTimeout = 300_000
	// DefaultKeepAliveTimeout is how long an idle keep-alive connection is kept, in
	// milliseconds (Node's server.keepAliveTimeout).
	DefaultKeepAliveTimeout = 5_000
	// DefaultConnectionsCheckingInterval is how often the header and request timeouts are
	// checked, in milliseconds (Node's connectionsCheckingInterval).
	DefaultConnectionsCheckingInterval = 30_000
	// lingerTimeout bounds how long a connection closed after an error waits for the
	// client to close its side.
	lingerTimeout = 500
	// maxFreeConns bounds the pool of connection states.
	maxFreeConns = 1000
	// maxFreeParsers and maxFreeExchanges bound the pools of the state only a busy
	// connection holds (a parser carries its MaxHeaderSize header buffer). The pools grow to
	// the number of connections busy at once, up to these bounds.
	maxFreeParsers   = 256
	maxFreeExchanges = 256
	maxFreePending   = 16
)

// RequestListener is the request callback: Node's (req, res) => {}.
type RequestListener func(req *IncomingMessage, res *ServerResponse)

// ServerOptions are a Server's options (Node's http.createServer options). Durations are in
// milliseconds; for the timeouts, 0 means Node's default and a negative value turns the
// timeout off.
type ServerOptions struct {
	// Loop runs the server; nil means uv.DefaultLoop().
	Loop *uv.Loop
	// MaxHeaderSize bounds a request's header section (431 beyond); 0: 16 KiB.
	MaxHeaderSize int
	// MaxTargetSize bounds the request target (414 beyond); 0: only MaxHeaderSize.
	MaxTargetSize int
	// HeadersTimeout, RequestTimeout, KeepAliveTimeout and ConnectionsCheckingInterval
	// are Node's server settings of those names.
	HeadersTimeout              int
	RequestTimeout              int
	KeepAliveTimeout            int
	ConnectionsCheckingInterval int
	// MaxRequestsPerSocket closes a keep-alive connection after that many requests (0: no
	// limit), as Node's server.maxRequestsPerSocket.
	MaxRequestsPerSocket int
	// HighWaterMark of the sockets, requests and responses (16 KiB by default).
	HighWaterMark int
	// Nagle keeps Nagle's algorithm on (Node's noDelay: false); by default it is off.
	Nagle bool
	// ImmediateWrites writes each response's bytes inside the call that sends them (End,
	// Write), as Node does. By default they reach the kernel when the I/O callback that
	// runs the handler returns (net.Socket.SetWriteBehind), which saves CPU time on every
	// response; a handler that blocks after End then delays its own response until it
	// returns.
	ImmediateWrites bool
	// KeepAlive turns TCP keep-alive on for accepted sockets, after KeepAliveInitialDelay.
	KeepAlive             bool
	KeepAliveInitialDelay int
}

// Server is Node's http.Server: a net.Server whose connections speak HTTP/1.1. The listen
// methods, Address, OnListening, OnError and the other net.Server methods come from the
// embedded net.Server. The settings below may be changed at any time (as Node's properties);
// they apply to what happens next.
//
// Events: request; connection (a new socket); checkContinue (a request with Expect:
// 100-continue: the handler must call WriteContinue, or answer at once); checkExpectation
// (any other Expect; without it the answer is 417); upgrade (a request with Connection:
// upgrade: the socket is handed over); connect (a CONNECT request); clientError (a request
// the parser rejected, or a timeout: without it the answer is the parser's status and the
// connection closes); close.
type Server struct {
	*net.Server

	// HeadersTimeout, RequestTimeout and KeepAliveTimeout are in milliseconds; 0 turns
	// each off (Node's semantics for 0).
	HeadersTimeout   int
	RequestTimeout   int
	KeepAliveTimeout int
	// MaxRequestsPerSocket, if above 0, closes a connection after that many requests.
	MaxRequestsPerSocket int

	loop    *uv.Loop
	ticks   *stream.TickQueue
	opts    ServerOptions
	initErr error
	closing bool

	onRequest          RequestListener
	onCheckContinue    RequestListener
	onCheckExpectation RequestListener
	onConnection       func(*net.Socket)
	onUpgrade          func(req *IncomingMessage, sock *net.Socket, head []byte)
	onConnect          func(req *IncomingMessage, sock *net.Socket, head []byte)
	onClientError      func(err error, sock *net.Socket)

	head, tail *conn // connections served
	free       []*conn
	date       dateCache
	kaLines    kaLines
	heads      headCache

	// What busy connections borrow (see conn.acquire and conn.release).
	parsers   []*parser.Parser
	exchanges []*exchange
	out       []byte   // the head buffer every connection builds its heads in
	spares    [][]byte // buffers for pipelined bytes

	check      handles.Timer
	checkInit  bool
	checkOn    bool
	checkEvery uint64

	// Keep-alive connections waiting for a request, oldest first, and the one timer that
	// closes them after KeepAliveTimeout: no timer per connection.
	idleHead, idleTail *conn
	idleTimer          handles.Timer
	idleInit, idleOn   bool
}

// CreateServer creates a server on the default loop with Node's defaults (Node's
// http.createServer(requestListener)). If the default loop cannot be created, Listen
// returns the error.
func CreateServer(handler RequestListener) *Server {
	s, err := NewServer(ServerOptions{}, handler)
	if err != nil {
		return &Server{initErr: err, Server: net.CreateServer(nil)}
	}
	return s
}

// NewServer creates a server with options (Node's http.createServer(options, listener)).
func NewServer(o ServerOptions, handler RequestListener) (*Server, error) {
	s := &Server{onRequest: handler}
	ns, err := net.NewServer(net.ServerOptions{
		Loop:                  o.Loop,
		AllowHalfOpen:         true,
		HighWaterMark:         o.HighWaterMark,
		NoDelay:               !o.Nagle,
		KeepAlive:             o.KeepAlive,
		KeepAliveInitialDelay: o.KeepAliveInitialDelay,
	}, s.connection)
	if err != nil {
		return nil, err
	}
	s.Server = ns
	s.loop = ns.Loop()
	s.ticks = net.Ticks(s.loop)
	s.opts = o
	s.HeadersTimeout = defaulted(o.HeadersTimeout, DefaultHeadersTimeout)
	s.RequestTimeout = defaulted(o.RequestTimeout, DefaultRequestTimeout)
	s.KeepAliveTimeout = defaulted(o.KeepAliveTimeout, DefaultKeepAliveTimeout)
	s.MaxRequestsPerSocket = o.MaxRequestsPerSocket
	s.checkEvery = uint64(defaulted(o.ConnectionsCheckingInterval, DefaultConnectionsCheckingInterval))
	if s.checkEvery == 0 {
		s.checkEvery = DefaultConnectionsCheckingInterval
	}
	if s.loop.Tracing() {
		s.loop.TraceLayer("http", "http.createServer()")
	}
	return s, nil
}

func defaulted(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// Listen listens on port (Node's server.listen(port, cb)); see net.Server for the other
// forms (ListenHost, ListenBacklog, ListenWith), which work the same way.
func (s *Server) Listen(port int, cb func()) error {
	if s.initErr != nil {
		return s.initErr
	}
	if s.loop.Tracing() {
		s.traceListen(port, "")
	}
	return s.Server.Listen(port, cb)
}

// ListenHost listens on host:port (Node's server.listen(port, host, cb)).
func (s *Server) ListenHost(port int, host string, cb func()) error {
	if s.initErr != nil {
		return s.initErr
	}
	if s.loop.Tracing() {
		s.traceListen(port, host)
	}
	return s.Server.ListenHost(port, host, cb)
}

// OnRequest sets the request callback.
func (s *Server) OnRequest(fn RequestListener) { s.onRequest = fn }

// OnConnection sets the connection callback: a socket was accepted (Node's 'connection').
func (s *Server) OnConnection(fn func(*net.Socket)) { s.onConnection = fn }

// OnCheckContinue sets the checkContinue callback. It replaces the request callback for
// requests with Expect: 100-continue; call res.WriteContinue to have the body sent.
func (s *Server) OnCheckContinue(fn RequestListener) { s.onCheckContinue = fn }

// OnCheckExpectation sets the checkExpectation callback, for requests with an Expect other
// than 100-continue; without one they are answered 417.
func (s *Server) OnCheckExpectation(fn RequestListener) { s.onCheckExpectation = fn }

// OnUpgrade sets the upgrade callback (Node's 'upgrade'): a request with Connection:
// upgrade hands the socket over, with the bytes that followed the request in head (valid
// only during the callback). The server no longer reads the socket: it is handed over
// paused, with no callbacks of the server's; call its Resume after setting OnData. Without
// an upgrade callback such requests are ordinary requests.
func (s *Server) OnUpgrade(fn func(req *IncomingMessage, sock *net.Socket, head []byte)) {
	s.onUpgrade = fn
}

// OnConnect sets the connect callback (Node's 'connect'), for CONNECT requests; the socket is
// handed over as in OnUpgrade. Without one, a CONNECT request closes the connection.
func (s *Server) OnConnect(fn func(req *IncomingMessage, sock *net.Socket, head []byte)) {
	s.onConnect = fn
}

// OnClientError sets the clientError callback: err is a *parser.Error (its Status is the
// answer the server would give), ErrRequestTimeout, or a socket error. The callback owns the
// socket: write an answer and End or Destroy it. Without a callback the server answers the
// status (400, 408, 413, 414, 431, 505) with Connection: close and closes the connection.
func (s *Server) OnClientError(fn func(err error, sock *net.Socket)) { s.onClientError = fn }

// Close stops accepting connections and closes the idle ones (Node 19's server.close):
// requests in progress are answered, with Connection: close, and their connections then
// close. The close callback, then cb, run once the last connection has closed.
func (s *Server) Close(cb func(err error)) {
	if s.loop != nil && s.loop.Tracing() {
		s.loop.TraceLayer("http", "Server.close: no new connections, idle ones closed")
	}
	s.closing = true
	s.checkOn = false
	if s.checkInit {
		s.check.Close(nil)
		s.checkInit = false
	}
	s.idleOn = false
	if s.idleInit {
		s.idleTimer.Close(nil)
		s.idleInit = false
	}
	s.Server.Close(cb)
	s.CloseIdleConnections()
}

// CloseIdleConnections closes the connections that are not in a request.
func (s *Server) CloseIdleConnections() {
	for c := s.head; c != nil; {
		next := c.next
		if c.idle() {
			c.sock.Destroy(nil)
		}
		c = next
	}
}

// CloseAllConnections closes every connection at once (requests in progress are aborted).
func (s *Server) CloseAllConnections() {
	for c := s.head; c != nil; {
		next := c.next
		c.sock.Destroy(nil)
		c = next
	}
}

// Loop returns the loop the server runs on.
func (s *Server) Loop() *uv.Loop { return s.loop }

// connection adopts an accepted socket.
func (s *Server) connection(sock *net.Socket) {
	var c *conn
	if n := len(s.free); n > 0 {
		c = s.free[n-1]
		s.free[n-1] = nil
		s.free = s.free[:n-1]
	} else {
		c = newConn(s)
	}
	c.attach(sock)
	s.link(c)
	if s.loop.Tracing() {
		c.traceConnection()
	}
	s.startChecking()
	if s.onConnection != nil {
		s.onConnection(sock)
	}
}

func (s *Server) link(c *conn) {
	c.prev, c.next = s.tail, nil
	if s.tail != nil {
		s.tail.next = c
	} else {
		s.head = c
	}
	s.tail = c
	c.linked = true
}

func (s *Server) unlink(c *conn) {
	if !c.linked {
		return
	}
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		s.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		s.tail = c.prev
	}
	c.prev, c.next, c.linked = nil, nil, false
	if s.head == nil && s.checkOn {
		s.check.Stop()
		s.checkOn = false
	}
}

// takeParser returns a parser reporting to c, from the pool if it has one.
func (s *Server) takeParser(c *conn) *parser.Parser {
	if n := len(s.parsers); n > 0 {
		p := s.parsers[n-1]
		s.parsers[n-1] = nil
		s.parsers = s.parsers[:n-1]
		p.SetHandler(c)
		return p
	}
	return parser.New(parser.Config{
		MaxHeaderSize: s.opts.MaxHeaderSize,
		MaxTargetSize: s.opts.MaxTargetSize,
		SpansOnly:     true,
	}, c)
}

// putParser pools a parser in its initial state (between messages).
func (s *Server) putParser(p *parser.Parser) {
	if len(s.parsers) < maxFreeParsers {
		p.SetHandler(nil)
		s.parsers = append(s.parsers, p)
	}
}

// takeExchange returns an unused exchange for c.
func (s *Server) takeExchange(c *conn) *exchange {
	if n := len(s.exchanges); n > 0 {
		ex := s.exchanges[n-1]
		s.exchanges[n-1] = nil
		s.exchanges = s.exchanges[:n-1]
		ex.c = c
		return ex
	}
	return newExchange(c)
}

// putExchange pools an exchange whose request and response have closed.
func (s *Server) putExchange(ex *exchange) {
	ex.c = nil
	ex.used = false
	if len(s.exchanges) < maxFreeExchanges {
		s.exchanges = append(s.exchanges, ex)
	}
}

// takePending returns a pooled buffer for pipelined bytes, empty, or nil.
func (s *Server) takePending() []byte {
	n := len(s.spares)
	if n == 0 {
		return nil
	}
	b := s.spares[n-1]
	s.spares[n-1] = nil
	s.spares = s.spares[:n-1]
	return b[:0]
}

// putPending pools a buffer for pipelined bytes, unless it is too large.
func (s *Server) putPending(b []byte) {
	if cap(b) <= 2*pendingMax && len(s.spares) < maxFreePending {
		s.spares = append(s.spares, b[:0])
	}
}

// release returns a closed connection's state to the pool.
func (s *Server) release(c *conn) {
	if len(s.free) < maxFreeConns {
		s.free = append(s.free, c)
	}
}

// idleLink puts c, idle between requests, at the end of the idle list, to be closed
// KeepAliveTimeout from now unless a request comes (Node's server.keepAliveTimeout).
func (s *Server) idleLink(c *conn) {
	if c.idleLinked || c.requests == 0 || s.KeepAliveTimeout <= 0 || s.closing {
		return
	}
	c.idleSince = s.loop.Now()
	c.idlePrev, c.idleNext = s.idleTail, nil
	if s.idleTail != nil {
		s.idleTail.idleNext = c
	} else {
		s.idleHead = c
	}
	s.idleTail = c
	c.idleLinked = true
	if !s.idleOn {
		s.armIdle(uint64(s.KeepAliveTimeout))
	}
}

func (s *Server) idleUnlink(c *conn) {
	if !c.idleLinked {
		return
	}
	if c.idlePrev != nil {
		c.idlePrev.idleNext = c.idleNext
	} else {
		s.idleHead = c.idleNext
	}
	if c.idleNext != nil {
		c.idleNext.idlePrev = c.idlePrev
	} else {
		s.idleTail = c.idlePrev
	}
	c.idlePrev, c.idleNext, c.idleLinked = nil, nil, false
}

// armIdle starts the idle timer; it does not keep the loop alive.
func (s *Server) armIdle(ms uint64) {
	if !s.idleInit {
		if s.idleTimer.Init(s.loop) != nil {
			return
		}
		s.idleTimer.Data = s
		s.idleTimer.Unref()
		s.idleInit = true
	}
	s.idleTimer.Start(serverIdleTimer, ms, 0)
	s.idleOn = true
}

// serverIdleTimer closes the connections idle for KeepAliveTimeout; one still flushing
// its last response gets another KeepAliveTimeout.
func serverIdleTimer(t *handles.Timer) {
	s := t.Data.(*Server)
	s.idleOn = false
	now, ka := s.loop.Now(), uint64(max(s.KeepAliveTimeout, 0))
	for c := s.idleHead; c != nil; c = s.idleHead {
		if ka > 0 && now-c.idleSince < ka {
			s.armIdle(ka - (now - c.idleSince))
			break
		}
		s.idleUnlink(c)
		switch {
		case ka == 0 || c.dead || c.closing || !c.idle() || c.parsePaused:
		case c.sock.WritableLength() > 0:
			s.idleLink(c)
		default:
			c.sock.Destroy(nil)
		}
	}
	s.ticks.Drain()
}

// startChecking runs the timeout check while there are connections (Node's
// connectionsCheckingInterval); its timer does not keep the loop alive.
func (s *Server) startChecking() {
	if s.checkOn || s.closing || (s.HeadersTimeout == 0 && s.RequestTimeout == 0) {
		return
	}
	if !s.checkInit {
		if s.check.Init(s.loop) != nil {
			return
		}
		s.check.Data = s
		s.check.Unref()
		s.checkInit = true
	}
	s.check.Start(serverCheck, s.checkEvery, s.checkEvery)
	s.checkOn = true
}

func serverCheck(t *handles.Timer) {
	s := t.Data.(*Server)
	now := s.loop.Now()
	ht, rt := uint64(s.HeadersTimeout), uint64(s.RequestTimeout)
	for c := s.head; c != nil; {
		next := c.next
		// A request in progress, or a new connection that has sent nothing yet.
		if (c.inRequest || c.requests == 0 && !c.active) && !c.msgDone {
			age := now - c.reqStart
			if (ht > 0 && !c.headersDone && age > ht) || (rt > 0 && age > rt) {
				c.clientError(ErrRequestTimeout, 408)
			}
		}
		c = next
	}
	s.ticks.Drain()
}
