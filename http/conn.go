package http

import (
	"errors"

	"github.com/uv-go/uv/http/parser"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/stream"
)

// errStop makes the parser stop: the connection is gone or handed over.
var errStop = errors.New("http: connection stopped")

// outMax is the largest head buffer a connection keeps between responses.
const outMax = 64 << 10

// pendingMax is how many bytes of pipelined requests are buffered before the connection
// stops reading.
const pendingMax = 64 << 10

// conn is the server side of one connection: the parser, the request being answered, and
// the bytes of pipelined requests waiting for their turn. One request is served at a time:
// after a message the parser pauses until its response has closed, so responses go out in
// order and the request's header views stay valid while it is served.
//
// An idle keep-alive connection holds none of the heavy state: the parser (with its
// header buffer), the exchange, the head buffer and the pipelining buffer are taken from
// the server's pools when bytes arrive and given back when the exchange is over with
// nothing left to parse, so that thousands of idle connections cost little memory.
type conn struct {
	// What every request reads and writes comes first, in two cache lines: with many
	// connections a request finds its conn out of the cache.
	srv  *Server
	sock *net.Socket
	p    *parser.Parser // nil while idle
	ex   *exchange      // nil while idle

	inRequest   bool // a message has begun and its exchange is not over
	headersDone bool
	msgDone     bool
	active      bool // the handler has the exchange
	upgrading   bool
	dumping     bool // the response ended first: the rest of the body is discarded
	lastRequest bool // no request is read after this one
	peerEnded   bool
	closing     bool // closing: nothing more is read
	dead        bool // the socket closed
	parsing     bool
	parsePaused bool
	pausedBody  bool // the socket is paused: the body's buffer is full
	pausedParse bool // the socket is paused: too many pipelined bytes wait
	sockPaused  bool
	held        bool // the response's end is held for the end task to settle (holdEnd)
	idleLinked  bool
	linked      bool
	tEndInit    bool

	requests int
	reqStart uint64 // loop time the current message (or the connection) began
	pending  []byte // unparsed bytes while the parser is paused
	out      []byte // the server's head buffer, borrowed while busy (see keepOut)
	lastURL  string

	// The server's idle list: keep-alive connections waiting for their next request, in
	// the order they became idle (see Server.idleLink).
	idlePrev, idleNext *conn
	idleSince          uint64

	prev, next *conn

	tEnd stream.Task

	// The socket's callbacks, bound once per conn (conns are pooled). Those rarely needed
	// (the linger timeout, the deferred end of an exchange) are bound at their first use,
	// so that an idle connection holds fewer closures.
	onEndFn     func()
	onCloseFn   func(bool)
	onDrainFn   func()
	onErrorFn   func(error)
	onTimeoutFn func()
}

func newConn(s *Server) *conn {
	c := &conn{srv: s}
	c.onEndFn = c.onEnd
	c.onCloseFn = c.onClose
	c.onDrainFn = c.onDrain
	c.onErrorFn = c.onError
	return c
}

func (c *conn) attach(sock *net.Socket) {
	c.sock = sock
	c.reqStart = c.srv.loop.Now()
	c.requests = 0
	c.inRequest, c.headersDone, c.msgDone, c.active, c.upgrading = false, false, false, false, false
	c.dumping, c.lastRequest, c.peerEnded, c.closing, c.dead = false, false, false, false, false
	c.parsing, c.parsePaused, c.pausedBody, c.pausedParse, c.sockPaused = false, false, false, false, false
	c.held = false
	sock.OnDataSink((*connSink)(c))
	sock.OnEnd(c.onEndFn)
	sock.OnClose(c.onCloseFn)
	sock.OnDrain(c.onDrainFn)
	sock.OnError(c.onErrorFn)
	sock.SetWriteBehind(!c.srv.opts.ImmediateWrites)
}

// idle reports a connection between requests (Node's idle connections).
func (c *conn) idle() bool { return !c.inRequest && !c.active }

// keepOut keeps the grown head buffer for the next response. One buffer serves every
// connection of the server: a head is built and handed to the socket, which copies what
// the kernel does not take, before any other connection runs.
func (c *conn) keepOut(b []byte) {
	if cap(b) <= outMax {
		c.out = b[:0]
	} else {
		c.out = nil
	}
	c.srv.out = c.out
}

// acquire takes a parser (and the head buffer) for a connection that has bytes to parse.
func (c *conn) acquire() {
	c.p = c.srv.takeParser(c)
	c.out = c.srv.out
}

// release gives the parser, the exchange and the buffers back to the server's pools once
// the connection is idle: between messages, with nothing pending. The parser is then in
// the state Reset gives a new one (a message just ended and no byte followed it).
func (c *conn) release() {
	s := c.srv
	if p := c.p; p != nil && p.Idle() {
		c.p = nil
		s.putParser(p)
	}
	if ex := c.ex; ex != nil && ex.reusable() {
		c.ex = nil
		s.putExchange(ex)
	}
	if cap(c.pending) > 0 && len(c.pending) == 0 {
		s.putPending(c.pending)
		c.pending = nil
	}
	c.out = nil
}

// pend keeps data as bytes to parse later: appended to what waits, or replacing it.
func (c *conn) pend(data []byte, replace bool) {
	if c.pending == nil {
		c.pending = c.srv.takePending()
	}
	if replace {
		c.pending = append(c.pending[:0], data...)
	} else {
		c.pending = append(c.pending, data...)
	}
}

func (c *conn) updateSock() {
	want := c.pausedBody || c.pausedParse
	if want == c.sockPaused || c.dead {
		return
	}
	c.sockPaused = want
	if want {
		c.sock.Pause()
	} else {
		c.sock.Resume()
	}
}

// connSink is the conn as its socket's stream.DataSink, a type of its own for the one
// method.
type connSink conn

// StreamData is the socket's data: parsed now, or kept while a message is served.
func (cs *connSink) StreamData(b []byte) {
	c := (*conn)(cs)
	if c.dead || c.closing {
		return // closing: what the client still sends is discarded
	}
	if c.idleLinked {
		c.srv.idleUnlink(c)
	}
	if c.parsePaused || c.parsing {
		c.pend(b, false)
		if len(c.pending) >= pendingMax && !c.pausedParse {
			c.pausedParse = true
			c.updateSock()
		}
		return
	}
	c.execute(b, false)
}

// execute parses data (the socket's chunk, or the pending bytes).
func (c *conn) execute(data []byte, fromPending bool) {
	if c.p == nil {
		c.acquire()
	}
	c.parsing = true
	for {
		n, err := c.p.Execute(data)
		if err == parser.ErrUpgrade && !c.upgrading {
			// An upgrade nobody takes: the request was served as an ordinary one.
			c.p.DeclineUpgrade()
			data = data[n:]
			continue
		}
		c.parsing = false
		switch err {
		case nil:
			if fromPending {
				c.pending = c.pending[:0]
			}
		case parser.ErrPause:
			if rest := data[n:]; len(rest) > 0 || c.pending != nil {
				c.pend(rest, true)
			}
			c.parsePaused = true
			if len(c.pending) >= pendingMax && !c.pausedParse {
				c.pausedParse = true
				c.updateSock()
			}
		case parser.ErrUpgrade:
			c.upgrade(data[n:])
		case errStop:
		default:
			status := 400
			var pe *parser.Error
			if errors.As(err, &pe) && pe.Status > 0 {
				status = pe.Status
			}
			c.clientError(err, status)
		}
		if c.held {
			c.endHeld(err == parser.ErrPause && !fromPending && len(c.pending) == 0)
		}
		return
	}
}

// endHeld ends an exchange whose response End held while the parser ran (holdEnd). With
// the message whole and no byte after it (now) nothing is left to run before the end but
// what the settled streams would have reported to nobody, so it ends at once; otherwise
// (pipelined requests wait, or the body is still to come) it ends on the next tick, after
// what the handler queued, as Node's would.
func (c *conn) endHeld(now bool) {
	if now && !c.dead && !c.closing {
		c.endTask()
		return
	}
	c.deferEnd()
}

// resume goes on parsing after an exchange is over.
func (c *conn) resume() {
	if c.dead || c.closing || !c.parsePaused {
		return
	}
	c.parsePaused = false
	parsed := len(c.pending) > 0
	if parsed {
		c.execute(c.pending, true)
	}
	if c.dead || c.closing {
		return
	}
	if !c.parsePaused {
		if c.peerEnded {
			c.finishInput()
			return
		}
		if c.pausedParse {
			c.pausedParse = false
			c.updateSock()
		}
		if !c.active && !c.inRequest {
			if !parsed {
				c.release()
			}
			c.srv.idleLink(c)
		}
	}
}

// Parser callbacks (SpansOnly: the parts are read from the parser).

func (c *conn) OnMessageBegin() error {
	c.inRequest, c.headersDone, c.msgDone = true, false, false
	c.reqStart = c.srv.loop.Now()
	return nil
}

func (c *conn) OnHeadersComplete(info parser.Info) error {
	c.headersDone = true
	c.requests++
	srv := c.srv
	ex := c.ex
	if ex == nil || !ex.reusable() {
		ex = srv.takeExchange(c)
		c.ex = ex
	}
	ex.used = true
	req, res := &ex.req, &ex.res
	req.start(c, info)
	max := srv.MaxRequestsPerSocket
	ka := info.KeepAlive() && !srv.closing && (max <= 0 || c.requests < max)
	res.start(c, req, ka)
	if c.srv.loop.Tracing() {
		c.traceRequest(req, ka)
	}
	c.active, c.dumping = true, false
	if !ka {
		c.lastRequest = true
	}
	if info.Upgrade() {
		if info.Method == parser.MethodConnect {
			if srv.onConnect == nil {
				c.sock.Destroy(nil)
				return errStop
			}
			c.upgrading = true
			return nil
		}
		if srv.onUpgrade != nil {
			c.upgrading = true
			return nil
		}
	}
	switch {
	case max > 0 && c.requests > max:
		res.WriteHead(503)
		res.End(nil)
	case info.Flags&parser.FlagExpectContinue != 0:
		if srv.onCheckContinue != nil {
			srv.onCheckContinue(req, res)
		} else {
			res.WriteContinue()
			c.request(req, res)
		}
	case info.Flags&parser.FlagExpect != 0:
		if srv.onCheckExpectation != nil {
			srv.onCheckExpectation(req, res)
		} else {
			res.WriteHead(417)
			res.End(nil)
		}
	default:
		c.request(req, res)
	}
	if c.dead || c.closing {
		return errStop
	}
	return nil
}

func (c *conn) request(req *IncomingMessage, res *ServerResponse) {
	if h := c.srv.onRequest; h != nil {
		if c.srv.loop.Tracing() {
			c.srv.loop.TraceLayer("http", "calling the request listener")
		}
		h(req, res)
		return
	}
	res.WriteHead(404)
	res.End(nil)
}

func (c *conn) OnBody(data []byte) error {
	if c.dumping || c.upgrading {
		return nil
	}
	req := &c.ex.req
	if req.Destroyed() {
		return nil
	}
	if !req.Push(data) && !c.pausedBody {
		c.pausedBody = true
		c.updateSock()
	}
	if c.dead || c.closing {
		return errStop
	}
	return nil
}

func (c *conn) OnMessageComplete() error {
	c.msgDone = true
	req := &c.ex.req
	req.complete = true
	req.Trailers = makeHeader(c.p.Buffer(), c.p.Trailers())
	if c.upgrading {
		return nil
	}
	if !c.dumping && !req.Destroyed() {
		req.PushEOF()
	}
	if c.pausedBody {
		c.pausedBody = false
		c.updateSock()
	}
	if req.closed && c.ex.res.closed {
		// Both closed already: their close callbacks have looked and found the message
		// unfinished, so ending the exchange is up to us. Otherwise the last close does it.
		c.deferEnd()
	}
	if c.dead || c.closing {
		return errStop
	}
	return parser.ErrPause
}

func (c *conn) OnMethod(parser.Method) error       { return nil }
func (c *conn) OnTarget([]byte) error              { return nil }
func (c *conn) OnVersion(int, int) error           { return nil }
func (c *conn) OnStatus(int, []byte) error         { return nil }
func (c *conn) OnHeader(_, _ []byte) error         { return nil }
func (c *conn) OnChunkExtension(_, _ []byte) error { return nil }
func (c *conn) OnChunkHeader(uint64) error         { return nil }
func (c *conn) OnChunkComplete() error             { return nil }
func (c *conn) OnTrailer(_, _ []byte) error        { return nil }

// onError: a socket error (the close follows); as in Node it reaches the clientError
// callback.
func (c *conn) onError(err error) {
	if h := c.srv.onClientError; h != nil && !c.closing && !c.dead {
		h(err, c.sock)
	}
}

// responseFinished runs when the response is handed to the socket: a body nobody reads is
// discarded, and the request is closed unless its reader is still at it.
func (c *conn) responseFinished() {
	req := &c.ex.req
	consuming := req.IsFlowing() || req.IsPaused()
	if consuming || req.Destroyed() {
		return
	}
	if !c.msgDone {
		c.dumping = true
		if c.pausedBody {
			c.pausedBody = false
			c.updateSock()
		}
	}
	req.Destroy(nil)
}

// deferEnd runs endTask on the next tick.
func (c *conn) deferEnd() {
	if !c.tEndInit {
		c.tEnd.Init(c.endTask)
		c.tEndInit = true
	}
	c.srv.ticks.Defer(&c.tEnd)
}

// endTask settles a response whose end is held, then ends the exchange if it is over.
func (c *conn) endTask() {
	if c.held {
		c.held = false
		c.settle()
	}
	c.maybeEndExchange()
}

// settle finishes and closes a response whose end holdEnd held, and its request, in one
// step: what their finish and close callbacks would do on the ticks after End. Whatever
// began to watch them since End (a callback set late, a write after end that destroyed
// the response) sends the response down the ordinary path instead, and a request that is
// still being read or received goes the way responseFinished sends it.
func (c *conn) settle() {
	ex := c.ex
	if ex == nil {
		return // the socket closed: both were destroyed
	}
	res, req := &ex.res, &ex.req
	if c.parsing {
		c.held = true // not while a message is parsed; see maybeEndExchange
		return
	}
	if res.userFinish != nil || res.userClose != nil || !res.Writable.Settle() {
		res.Writable.ReleaseEnd()
		return
	}
	res.finished, res.closed = true, true
	if req.userClose == nil && req.Readable.Settle() {
		req.closed = true
	} else {
		c.responseFinished()
	}
}

// maybeEndExchange ends the exchange once the message is complete and the request and
// response have closed; then the next request is read, or the connection closes.
func (c *conn) maybeEndExchange() {
	ex := c.ex
	if !c.active || !c.msgDone || ex == nil || !ex.req.closed || !ex.res.closed {
		return
	}
	if c.parsing {
		c.deferEnd()
		return
	}
	c.active, c.inRequest = false, false
	if c.dead || c.closing {
		return
	}
	if c.lastRequest || !ex.res.keepAlive || c.srv.closing {
		if c.srv.loop.Tracing() {
			c.srv.loop.TraceLayer("http", "exchange over: closing the connection")
		}
		c.closeConn()
		return
	}
	if c.srv.loop.Tracing() {
		c.srv.loop.TraceLayer("http", "exchange over: keep-alive, waiting for the next request")
	}
	c.resume()
}

// closeConn ends the connection after the last response: our side is shut down once the
// response is flushed, and what the client still sends is read and discarded until it
// closes too (or lingerTimeout passes), so that it gets the whole response.
func (c *conn) closeConn() {
	if c.dead || c.closing {
		return
	}
	c.closing = true
	c.sock.End(nil)
	c.lingerRead()
}

func (c *conn) lingerRead() {
	c.pausedBody, c.pausedParse = false, false
	c.updateSock()
	if c.onTimeoutFn == nil {
		c.onTimeoutFn = c.onTimeout
	}
	c.sock.SetTimeout(lingerTimeout, c.onTimeoutFn)
}

// clientError answers a request the parser rejected (or that timed out) with its status,
// unless a clientError callback takes over, and closes the connection.
func (c *conn) clientError(err error, status int) {
	if c.dead || c.closing {
		return
	}
	c.closing = true
	headWritten := false
	if c.active && c.ex != nil {
		ex := c.ex
		headWritten = ex.res.headWritten
		if !c.msgDone && !ex.req.Destroyed() {
			ex.req.aborted = true
			ex.req.Destroy(ErrAborted)
		}
		if !ex.res.Destroyed() {
			ex.res.Writable.Destroy(nil)
		}
	}
	c.inRequest = false
	if h := c.srv.onClientError; h != nil {
		h(err, c.sock)
		return
	}
	if headWritten {
		c.sock.Destroy(nil)
		return
	}
	b := c.out[:0]
	if status > 0 && status < len(statusLines) && statusLines[status] != "" {
		b = append(b, statusLines[status]...)
	} else {
		b = append(b, statusLines[400]...)
	}
	b = append(b, "Connection: close\r\n\r\n"...)
	c.sock.End(b)
	c.keepOut(b)
	c.lingerRead()
}

// upgrade hands the socket over to the upgrade or connect callback.
func (c *conn) upgrade(head []byte) {
	ex := c.ex
	req := &ex.req
	sock := c.sock
	c.srv.unlink(c)
	c.srv.idleUnlink(c)
	c.dead = true
	ex.c = nil
	sock.OnData(nil)
	sock.OnEnd(nil)
	sock.OnClose(nil)
	sock.OnDrain(nil)
	sock.OnError(nil)
	sock.SetTimeout(0, nil)
	sock.OnTimeout(nil)
	sock.Pause()
	if !req.Destroyed() {
		req.PushEOF()
	}
	if req.Method == "CONNECT" {
		c.srv.onConnect(req, sock, head)
	} else {
		c.srv.onUpgrade(req, sock, head)
	}
	// The conn is not pooled: the request's header views point into its parser.
}

// onEnd: the client shut its side down.
func (c *conn) onEnd() {
	if c.dead {
		return
	}
	c.peerEnded = true
	if c.closing || c.parsePaused || c.parsing {
		return // a paused parser finishes the input when it resumes
	}
	c.finishInput()
}

// finishInput runs at the client's end of input, once every byte before it was parsed.
func (c *conn) finishInput() {
	var err error
	if c.p != nil {
		err = c.p.Finish() // without a parser the connection is between messages
	}
	if err != nil && c.inRequest && !c.msgDone {
		c.clientError(err, 400)
		return
	}
	if !c.active {
		c.closeConn()
		return
	}
	c.lastRequest = true
}

func (c *conn) onDrain() {
	if ex := c.ex; ex != nil && c.active {
		ex.res.sockDrained()
	}
}

// onTimeout is the socket's idle timer, set while closing: the linger timeout. (The
// keep-alive timeout between requests is the server's idle list.)
func (c *conn) onTimeout() {
	switch {
	case c.dead:
	case c.closing:
		c.sock.Destroy(nil)
	case c.requests > 0 && c.idle() && !c.parsePaused:
		c.sock.Destroy(nil)
	}
}

// onClose: the socket closed; abort what is in progress and recycle the state.
func (c *conn) onClose(bool) {
	if c.dead {
		return
	}
	c.dead = true
	c.srv.unlink(c)
	c.srv.idleUnlink(c)
	inUse := c.ex != nil && c.ex.used && (!c.ex.req.closed || !c.ex.res.closed)
	if ex := c.ex; inUse {
		if !ex.req.Destroyed() {
			if c.active && !c.msgDone {
				ex.req.aborted = true
				ex.req.Destroy(ErrAborted)
			} else {
				ex.req.Destroy(nil)
			}
		}
		if !ex.res.Destroyed() {
			ex.res.Writable.Destroy(nil)
		}
		ex.c = nil
		c.ex = nil // not reusable: its callbacks are still to come
	}
	c.active, c.inRequest = false, false
	c.sock = nil
	if c.p != nil {
		if !inUse {
			c.p.Reset()
			c.srv.putParser(c.p)
		}
		c.p = nil // a request still in use keeps its header views: the parser is not reused
	}
	c.pending = c.pending[:0]
	c.release()
	c.srv.release(c)
}
