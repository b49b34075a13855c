package http

import (
	"github.com/uv-go/uv/http/parser"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/stream"
)

// IncomingMessage is Node's http.IncomingMessage on the server side: the request line and
// header fields, and the body as a stream.Readable. Reading the body (OnData, Pipe, Read)
// applies backpressure: once HighWaterMark bytes wait unread, the server stops reading the
// socket until they are consumed. A body nobody reads is discarded once the response ends.
//
// The message is reused by the connection's next request: do not keep it, its Header views
// or its body chunks after the response has closed. URL, Method and HTTPVersion are
// ordinary strings and may be kept.
type IncomingMessage struct {
	stream.Readable

	// Method is the request method ("GET").
	Method string
	// URL is the request target as sent ("/users/7?x=1"); the layer above may rewrite it.
	URL string
	// HTTPVersion is "1.1" or "1.0"; HTTPVersionMajor and HTTPVersionMinor its parts.
	HTTPVersion                        string
	HTTPVersionMajor, HTTPVersionMinor int
	// Headers are the header fields (case-insensitive Get; Raw gives Node's rawHeaders).
	Headers Header
	// Trailers are the trailer fields of a chunked body, once the body has ended.
	Trailers Header
	// Upgrade reports a request that asks to switch protocols (Node's req.upgrade).
	Upgrade bool
	// StatusCode and StatusMessage are a client response's status (0 and "" on the
	// server side).
	StatusCode    int
	StatusMessage string
	// Data is free for the layer above: the connection keeps it when it reuses the
	// message (the app package keeps its request state there).
	Data any

	ex        *exchange
	cc        *clientConn
	head      []byte // a client response's own copy of its header bytes
	fields    []parser.Field
	complete  bool
	closed    bool
	aborted   bool
	readFn    func()
	closeFn   func()
	userClose func()
}

// exchange is one request and its response; a connection reuses it once both have closed.
type exchange struct {
	c    *conn
	req  IncomingMessage
	res  ServerResponse
	used bool
	// inited: the streams were initialised once; later requests reinitialise them with
	// the same options, which is cheaper.
	inited bool
}

func newExchange(c *conn) *exchange {
	ex := &exchange{c: c}
	ex.req.ex, ex.res.ex = ex, ex
	ex.req.readFn = ex.req.implRead
	ex.req.closeFn = ex.req.onClosed
	ex.res.writeFn = ex.res.implWrite
	ex.res.finalFn = ex.res.implFinal
	ex.res.finishFn = ex.res.onFinished
	ex.res.closeFn = ex.res.onClosed
	return ex
}

// reusable reports whether the exchange's streams are both closed.
func (ex *exchange) reusable() bool { return !ex.used || ex.req.closed && ex.res.closed }

func (m *IncomingMessage) start(c *conn, info parser.Info) {
	if !m.ex.inited || m.Readable.Reinit() != nil {
		m.Readable.Init(stream.Options{
			Ticks:         c.srv.ticks,
			HighWaterMark: c.srv.opts.HighWaterMark,
			Read:          m.readFn,
		})
	}
	m.Readable.OnClose(m.closeFn)
	m.Method = info.Method.String()
	if t := c.p.Target(); string(t) != c.lastURL {
		c.lastURL = string(t)
	}
	m.URL = c.lastURL
	m.HTTPVersionMajor, m.HTTPVersionMinor = int(info.Major), int(info.Minor)
	m.HTTPVersion = "1.1"
	if info.Minor == 0 {
		m.HTTPVersion = "1.0"
	}
	m.Headers = makeHeader(c.p.Buffer(), c.p.Headers())
	m.Trailers = Header{}
	m.Upgrade = info.Upgrade()
	m.complete, m.closed, m.aborted, m.userClose = false, false, false, nil
}

// implRead is the body's _read: the consumer wants more, so read the socket again.
func (m *IncomingMessage) implRead() {
	if m.ex == nil {
		if cc := m.cc; cc != nil && cc.res == m {
			cc.resumeBody()
		}
		return
	}
	if c := m.ex.c; c != nil && c.ex == m.ex && c.pausedBody {
		c.pausedBody = false
		c.updateSock()
	}
}

func (m *IncomingMessage) onClosed() {
	m.closed = true
	if m.userClose != nil {
		m.userClose()
	}
	if m.ex == nil {
		return
	}
	if c := m.ex.c; c != nil && c.ex == m.ex {
		c.maybeEndExchange()
	}
}

// OnClose sets the close callback: the body has ended and been consumed, the response has
// finished, or the connection closed (Node's 'close').
func (m *IncomingMessage) OnClose(fn func()) { m.userClose = fn }

// Complete reports whether the whole message was received (Node's req.complete).
func (m *IncomingMessage) Complete() bool { return m.complete }

// Aborted reports whether the connection closed before the message was complete.
func (m *IncomingMessage) Aborted() bool { return m.aborted }

// Socket returns the connection's socket (Node's req.socket); nil once it is gone.
func (m *IncomingMessage) Socket() *net.Socket {
	if m.ex == nil {
		if m.cc != nil {
			return m.cc.sock
		}
		return nil
	}
	if c := m.ex.c; c != nil && c.ex == m.ex {
		return c.sock
	}
	return nil
}

// Response returns the response to this request (nil for a client response).
func (m *IncomingMessage) Response() *ServerResponse {
	if m.ex == nil {
		return nil
	}
	return &m.ex.res
}

// RawHeaders returns the header fields as Node's req.rawHeaders: name, value, ... as sent.
func (m *IncomingMessage) RawHeaders() []string { return m.Headers.Raw() }

// RawTrailers returns the trailer fields as Node's req.rawTrailers.
func (m *IncomingMessage) RawTrailers() []string { return m.Trailers.Raw() }
