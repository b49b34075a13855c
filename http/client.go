package http

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/http/parser"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/stream"
)

// AgentOptions are an Agent's options (Node's http.Agent options).
type AgentOptions struct {
	// Loop runs the agent's sockets; nil means uv.DefaultLoop().
	Loop *uv.Loop
	// NoKeepAlive closes every connection after its response (Node's keepAlive: false);
	// by default connections are kept and reused, as Node 19's global agent does.
	NoKeepAlive bool
	// MaxSockets bounds the connections per host:port (0: no bound); further requests
	// wait in a queue.
	MaxSockets int
	// MaxFreeSockets bounds the idle connections kept per host:port (0: 256).
	MaxFreeSockets int
	// FreeSocketTimeout closes an idle connection after that many milliseconds (0: the
	// server's Keep-Alive hint less a second, else 4 s).
	FreeSocketTimeout int
}

// Agent is Node's http.Agent: it pools client connections per host and port, reusing idle
// ones (kept unreferenced, so that they do not keep the loop alive). Idle connections are
// still open handles: Destroy the agent, and let the loop run their closes, before closing
// the loop.
type Agent struct {
	opts      AgentOptions
	loop      *uv.Loop
	ticks     *stream.TickQueue
	pools     map[string]*hostPool
	destroyed bool
}

type hostPool struct {
	key   string
	host  string
	port  int
	free  []*clientConn
	busy  int
	queue []*ClientRequest
}

// NewAgent creates an agent.
func NewAgent(o AgentOptions) (*Agent, error) {
	l := o.Loop
	if l == nil {
		var err error
		if l, err = uv.DefaultLoop(); err != nil {
			return nil, err
		}
	}
	if o.MaxFreeSockets <= 0 {
		o.MaxFreeSockets = 256
	}
	return &Agent{opts: o, loop: l, ticks: net.Ticks(l), pools: map[string]*hostPool{}}, nil
}

type agentKey struct{}

// DefaultAgent returns the loop's global agent (Node's http.globalAgent): keep-alive, no
// bound on sockets.
func DefaultAgent(l *uv.Loop) *Agent {
	if a, ok := l.Attached(agentKey{}).(*Agent); ok {
		return a
	}
	a, _ := NewAgent(AgentOptions{Loop: l})
	l.Attach(agentKey{}, a)
	return a
}

// Sockets returns the connections of host:port in use and idle.
func (a *Agent) Sockets(host string, port int) (busy, free int) {
	if p := a.pools[poolKey(host, port)]; p != nil {
		return p.busy, len(p.free)
	}
	return 0, 0
}

// Destroy closes the idle connections; connections in use close after their response.
func (a *Agent) Destroy() {
	a.destroyed = true
	for _, p := range a.pools {
		for _, cc := range p.free {
			cc.sock.Destroy(nil)
		}
	}
}

func poolKey(host string, port int) string { return host + ":" + strconv.Itoa(port) }

func (a *Agent) pool(host string, port int) *hostPool {
	k := poolKey(host, port)
	p := a.pools[k]
	if p == nil {
		p = &hostPool{key: k, host: host, port: port}
		a.pools[k] = p
	}
	return p
}

// add gives r a connection: an idle one, a new one, or a place in the queue.
func (a *Agent) add(r *ClientRequest) {
	p := a.pool(r.Host, r.Port)
	if n := len(p.free); n > 0 {
		cc := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		p.busy++
		cc.reuse()
		cc.assign(r)
		return
	}
	if a.opts.MaxSockets > 0 && p.busy >= a.opts.MaxSockets {
		p.queue = append(p.queue, r)
		return
	}
	p.busy++
	cc, err := newClientConn(a, p)
	if err != nil {
		p.busy--
		r.emitError(err)
		return
	}
	cc.assign(r)
}

// done takes back a connection after its response: kept idle, given to a queued request, or
// closed.
func (a *Agent) done(cc *clientConn, keep bool) {
	p := cc.pool
	if len(p.queue) > 0 && keep {
		r := p.queue[0]
		p.queue = p.queue[1:]
		cc.assign(r)
		return
	}
	if keep && !a.destroyed && len(p.free) < a.opts.MaxFreeSockets {
		p.busy--
		cc.idle()
		p.free = append(p.free, cc)
		return
	}
	cc.closeConn() // counted out when it has closed
}

// next starts a queued request on a new connection once a slot is free.
func (a *Agent) next(p *hostPool) {
	if len(p.queue) == 0 || (a.opts.MaxSockets > 0 && p.busy >= a.opts.MaxSockets) {
		return
	}
	r := p.queue[0]
	p.queue = p.queue[1:]
	p.busy++
	cc, err := newClientConn(a, p)
	if err != nil {
		p.busy--
		r.emitError(err)
		return
	}
	cc.assign(r)
}

// gone forgets a closed connection.
func (a *Agent) gone(cc *clientConn, wasFree bool) {
	p := cc.pool
	if wasFree {
		for i, f := range p.free {
			if f == cc {
				p.free = append(p.free[:i], p.free[i+1:]...)
				break
			}
		}
		return
	}
	p.busy--
	a.next(p)
}

// RequestOptions are Node's http.request options.
type RequestOptions struct {
	// Method is the request method (GET).
	Method string
	// Host and Port are the server's (localhost, 80).
	Host string
	Port int
	// Path is the request target, with the query ("/").
	Path string
	// Headers are sent in order, as name, value pairs.
	Headers []string
	// Agent pools the connection (nil: DefaultAgent of the loop).
	Agent *Agent
	// Loop runs the request when Agent is nil; nil means uv.DefaultLoop().
	Loop *uv.Loop
}

// ClientRequest is Node's http.ClientRequest: a stream.Writable for the request body. The
// head goes out with the first Write or End: End(body) with no Content-Length set sends
// Content-Length, other bodies are chunked. The response callback gets the response as an
// IncomingMessage (StatusCode, Headers, the body as a stream.Readable); errors (connection
// refused, "socket hang up") go to the error callback.
type ClientRequest struct {
	stream.Writable

	// Method, Host, Port and Path are the request's.
	Method string
	Host   string
	Port   int
	Path   string

	agent *Agent
	cc    *clientConn
	hdrs  []field

	frozen      bool
	headWritten bool
	chunked     bool
	implicitLen int
	waitDrain   bool
	finalWait   bool
	held        []byte
	heldWrite   bool
	heldFinal   bool
	finished    bool
	gotResponse bool
	timeout     int

	onResponse func(*IncomingMessage)
	onTimeout  func()
	onErr      func(error)
	errEmitted bool
}

// OnError sets the error callback: the connection failed, or closed before the response
// ("socket hang up"). Errors of the response body go to the response's own callback.
func (r *ClientRequest) OnError(fn func(err error)) { r.onErr = fn }

func (r *ClientRequest) emitError(err error) {
	if !r.errEmitted {
		r.errEmitted = true
		if r.onErr != nil {
			r.onErr(err)
		}
	}
	r.Writable.Destroy(nil)
}

// Request starts a request (Node's http.request): set headers, write the body, then End.
// cb, if not nil, is the response callback.
func Request(o RequestOptions, cb func(res *IncomingMessage)) (*ClientRequest, error) {
	a := o.Agent
	if a == nil {
		l := o.Loop
		if l == nil {
			var err error
			if l, err = uv.DefaultLoop(); err != nil {
				return nil, err
			}
		}
		a = DefaultAgent(l)
	}
	r := &ClientRequest{Method: o.Method, Host: o.Host, Port: o.Port, Path: o.Path, agent: a, onResponse: cb, implicitLen: -1}
	if r.Method == "" {
		r.Method = "GET"
	}
	if r.Host == "" {
		r.Host = "localhost"
	}
	if r.Port == 0 {
		r.Port = 80
	}
	if r.Path == "" {
		r.Path = "/"
	}
	if parser.LookupMethod([]byte(r.Method)) == parser.MethodUnknown {
		return nil, &Error{"ERR_INVALID_HTTP_TOKEN", "Method must be a valid HTTP token [\"" + r.Method + "\"]"}
	}
	if strings.ContainsAny(r.Path, " \r\n\x00") {
		return nil, &Error{"ERR_UNESCAPED_CHARACTERS", "Request path contains unescaped characters"}
	}
	if err := r.Writable.Init(stream.Options{Ticks: a.ticks, Write: r.implWrite, Final: r.implFinal}); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(o.Headers); i += 2 {
		if err := r.SetHeader(o.Headers[i], o.Headers[i+1]); err != nil {
			return nil, err
		}
	}
	a.add(r)
	return r, nil
}

// Get requests rawURL ("http://host:port/path") with GET and ends the request (Node's
// http.get).
func Get(loop *uv.Loop, rawURL string, cb func(res *IncomingMessage)) (*ClientRequest, error) {
	o, err := optionsOf(rawURL)
	if err != nil {
		return nil, err
	}
	o.Loop = loop
	r, err := Request(o, cb)
	if err != nil {
		return nil, err
	}
	r.End(nil)
	return r, nil
}

func optionsOf(rawURL string) (RequestOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return RequestOptions{}, err
	}
	if u.Scheme != "http" {
		return RequestOptions{}, &Error{"ERR_INVALID_PROTOCOL", "Protocol \"" + u.Scheme + ":\" not supported. Expected \"http:\""}
	}
	port := 80
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return RequestOptions{}, err
		}
	}
	return RequestOptions{Host: u.Hostname(), Port: port, Path: u.RequestURI()}, nil
}

// OnResponse sets the response callback.
func (r *ClientRequest) OnResponse(fn func(res *IncomingMessage)) { r.onResponse = fn }

// SetTimeout calls cb after ms milliseconds without socket activity (Node's
// req.setTimeout); as in Node the request is not aborted: Destroy it in cb.
func (r *ClientRequest) SetTimeout(ms int, cb func()) {
	r.timeout, r.onTimeout = ms, cb
	if r.cc != nil {
		r.cc.sock.SetTimeout(ms, r.cc.onTimeoutFn)
	}
}

// SetHeader sets a header before the head is sent.
func (r *ClientRequest) SetHeader(name, value string) error {
	switch {
	case r.frozen:
		return ErrHeadersSent
	case !validToken(name):
		return ErrInvalidHeaderName
	case !validValue(value):
		return ErrInvalidHeaderValue
	}
	j := 0
	for i := range r.hdrs {
		if !equalFoldStr(r.hdrs[i].name, name) {
			r.hdrs[j] = r.hdrs[i]
			j++
		}
	}
	r.hdrs = append(r.hdrs[:j], field{name: name, value: value})
	return nil
}

// GetHeader returns a header set so far.
func (r *ClientRequest) GetHeader(name string) string {
	for i := range r.hdrs {
		if equalFoldStr(r.hdrs[i].name, name) {
			return r.hdrs[i].value
		}
	}
	return ""
}

// Write writes a body chunk; see ClientRequest.
func (r *ClientRequest) Write(chunk []byte) bool {
	r.frozen = true
	return r.Writable.Write(chunk)
}

// End ends the request, with body if not empty (Content-Length set for it if the head is
// not sent yet).
func (r *ClientRequest) End(body []byte) {
	if !r.frozen {
		r.frozen = true
		r.implicitLen = len(body)
	}
	r.Writable.End(body)
}

// Destroy aborts the request and closes its connection (Node's req.destroy).
func (r *ClientRequest) Destroy(err error) {
	if cc := r.cc; cc != nil && cc.req == r {
		cc.req = nil
		cc.sock.Destroy(nil)
	}
	if err != nil {
		r.emitError(err)
	}
	r.Writable.Destroy(nil)
}

func (r *ClientRequest) appendHead(b []byte) []byte {
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = append(b, r.Path...)
	b = append(b, " HTTP/1.1\r\n"...)
	var hasHost, hasConn, hasCL, hasTE bool
	for i := range r.hdrs {
		f := &r.hdrs[i]
		b = append(b, f.name...)
		b = append(b, ':', ' ')
		b = append(b, f.value...)
		b = append(b, '\r', '\n')
		switch {
		case equalFoldStr(f.name, "host"):
			hasHost = true
		case equalFoldStr(f.name, "connection"):
			hasConn = true
		case equalFoldStr(f.name, "content-length"):
			hasCL = true
		case equalFoldStr(f.name, "transfer-encoding"):
			hasTE = true
			r.chunked = hasToken(f.value, "chunked")
		}
	}
	if !hasHost {
		b = append(b, "Host: "...)
		b = append(b, r.Host...)
		if r.Port != 80 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(r.Port), 10)
		}
		b = append(b, '\r', '\n')
	}
	if !hasConn {
		if r.agent.opts.NoKeepAlive {
			b = append(b, "Connection: close\r\n"...)
		} else {
			b = append(b, "Connection: keep-alive\r\n"...)
		}
	}
	if !hasCL && !hasTE {
		noBody := r.Method == "GET" || r.Method == "HEAD" || r.Method == "DELETE" || r.Method == "OPTIONS" ||
			r.Method == "TRACE" || r.Method == "CONNECT"
		switch {
		case r.implicitLen > 0 || r.implicitLen == 0 && !noBody:
			b = append(b, "Content-Length: "...)
			b = strconv.AppendInt(b, int64(r.implicitLen), 10)
			b = append(b, '\r', '\n')
		case r.implicitLen < 0:
			b = append(b, "Transfer-Encoding: chunked\r\n"...)
			r.chunked = true
		}
	}
	return append(b, '\r', '\n')
}

func (r *ClientRequest) implWrite(chunk []byte, _ bool) {
	cc := r.cc
	if cc == nil {
		r.held = append(r.held[:0], chunk...)
		r.heldWrite = true
		return
	}
	r.frozen = true
	var b []byte
	if !r.headWritten {
		b = r.appendHead(cc.out[:0])
		r.headWritten = true
	} else {
		b = cc.out[:0]
	}
	if r.chunked {
		b = appendChunkSize(b, len(chunk))
	}
	ok := true
	if len(chunk) <= inlineMax {
		b = append(b, chunk...)
		if r.chunked {
			b = append(b, '\r', '\n')
		}
		ok = cc.sock.Write(b)
	} else {
		if len(b) > 0 {
			ok = cc.sock.Write(b)
		}
		ok = cc.sock.Write(chunk) && ok
		if r.chunked {
			ok = cc.sock.Write(crlf) && ok
		}
	}
	cc.out = b[:0]
	if ok {
		r.Writable.WriteDone(nil)
	} else {
		r.waitDrain = true
	}
}

func (r *ClientRequest) implFinal() {
	cc := r.cc
	if cc == nil {
		r.heldFinal = true
		return
	}
	b := cc.out[:0]
	if !r.headWritten {
		if r.implicitLen < 0 {
			r.implicitLen = 0
		}
		b = r.appendHead(b)
		r.headWritten = true
	}
	if r.chunked {
		b = append(b, "0\r\n\r\n"...)
	}
	ok := true
	if len(b) > 0 {
		ok = cc.sock.Write(b)
	}
	cc.out = b[:0]
	if ok {
		r.requestSent()
	} else {
		r.finalWait = true
	}
}

func (r *ClientRequest) requestSent() {
	r.finished = true
	r.Writable.FinalDone(nil)
	if cc := r.cc; cc != nil && cc.req == r {
		cc.reqDone = true
		cc.maybeDone()
	}
}

// clientConn is one connection of an agent.
type clientConn struct {
	agent      *Agent
	pool       *hostPool
	sock       *net.Socket
	p          parser.Parser
	req        *ClientRequest
	res        *IncomingMessage
	out        []byte
	isFree     bool
	dead       bool
	keepAlive  bool
	reqDone    bool
	resDone    bool
	pausedBody bool
	hint       int

	tDone       stream.Task
	onTimeoutFn func()
}

func newClientConn(a *Agent, p *hostPool) (*clientConn, error) {
	sock, err := net.NewSocket(net.SocketOptions{Loop: a.loop, NoDelay: true})
	if err != nil {
		return nil, err
	}
	cc := &clientConn{agent: a, pool: p, sock: sock}
	cc.p.Init(parser.Config{Mode: parser.ModeResponse, SpansOnly: true}, cc)
	cc.tDone.Init(cc.finishExchange)
	cc.onTimeoutFn = cc.onTimeout
	sock.OnData(cc.onData)
	sock.OnEnd(cc.onEnd)
	sock.OnClose(cc.onClose)
	sock.OnDrain(cc.onDrain)
	sock.OnError(cc.onError)
	if err := sock.Connect(p.port, p.host, nil); err != nil {
		return nil, err
	}
	return cc, nil
}

// assign starts r on the connection.
func (cc *clientConn) assign(r *ClientRequest) {
	cc.req, cc.res = r, nil
	cc.reqDone, cc.resDone, cc.keepAlive, cc.hint = false, false, false, 0
	cc.p.Reset()
	cc.p.SetRequestMethod(parser.LookupMethod([]byte(r.Method)))
	r.cc = cc
	if r.timeout > 0 {
		cc.sock.SetTimeout(r.timeout, cc.onTimeoutFn)
	}
	if r.heldWrite {
		r.heldWrite = false
		r.implWrite(r.held, true)
		r.held = nil
	}
	if r.heldFinal {
		r.heldFinal = false
		r.implFinal()
	}
}

// idle parks the connection in the agent's free list.
func (cc *clientConn) idle() {
	cc.req, cc.res, cc.isFree = nil, nil, true
	cc.sock.Unref()
	ms := cc.agent.opts.FreeSocketTimeout
	if ms <= 0 {
		ms = 4000
		if cc.hint > 1000 {
			ms = cc.hint - 1000
		}
	}
	cc.sock.SetTimeout(ms, cc.onTimeoutFn)
}

func (cc *clientConn) reuse() {
	cc.isFree = false
	cc.sock.Ref()
	cc.sock.SetTimeout(0, nil)
}

func (cc *clientConn) closeConn() {
	cc.req, cc.res = nil, nil
	cc.sock.End(nil)
}

func (cc *clientConn) onTimeout() {
	if cc.isFree {
		cc.sock.Destroy(nil)
		return
	}
	if r := cc.req; r != nil && r.onTimeout != nil {
		r.onTimeout()
	}
}

func (cc *clientConn) onData(b []byte) {
	if cc.dead || cc.req == nil {
		return
	}
	_, err := cc.p.Execute(b)
	switch {
	case err == nil:
	case errors.Is(err, parser.ErrUpgrade):
		cc.fail(&Error{"ERR_HTTP_UPGRADE", "the server switched protocols; upgrades are not supported by this client"})
	default:
		cc.fail(err)
	}
}

// fail ends the exchange with err: on the response if there is one, else on the request.
func (cc *clientConn) fail(err error) {
	r, res := cc.req, cc.res
	cc.req, cc.res = nil, nil
	if res != nil && !cc.resDone {
		res.aborted = true
		res.Destroy(err)
	} else if r != nil && !r.gotResponse {
		r.emitError(err)
	}
	cc.sock.Destroy(nil)
}

func (cc *clientConn) resumeBody() {
	if cc.pausedBody {
		cc.pausedBody = false
		cc.sock.Resume()
	}
}

func (cc *clientConn) OnMessageBegin() error { return nil }

func (cc *clientConn) OnHeadersComplete(info parser.Info) error {
	if info.Status < 200 {
		return nil // an interim response
	}
	r := cc.req
	p := &cc.p
	res := &IncomingMessage{cc: cc}
	res.readFn = res.implRead
	res.closeFn = res.onClosed
	res.Readable.Init(stream.Options{Ticks: cc.agent.ticks, Read: res.readFn})
	res.Readable.OnClose(res.closeFn)
	res.StatusCode = int(info.Status)
	res.StatusMessage = string(p.Reason())
	res.HTTPVersionMajor, res.HTTPVersionMinor = int(info.Major), int(info.Minor)
	res.HTTPVersion = "1.1"
	if info.Minor == 0 {
		res.HTTPVersion = "1.0"
	}
	res.head = append([]byte(nil), p.Buffer()...)
	res.fields = append([]parser.Field(nil), p.Headers()...)
	res.Headers = makeHeader(res.head, res.fields)
	res.Method = r.Method
	res.URL = r.Path
	cc.res = res
	cc.keepAlive = info.KeepAlive() && !cc.agent.opts.NoKeepAlive
	if ka := res.Headers.GetBytes("keep-alive"); ka != nil {
		v := string(ka)
		if i := strings.Index(v, "timeout="); i >= 0 {
			n := 0
			for _, c := range v[i+8:] {
				if c < '0' || c > '9' {
					break
				}
				n = n*10 + int(c-'0')
			}
			cc.hint = n * 1000
		}
	}
	r.gotResponse = true
	if r.onResponse != nil {
		r.onResponse(res)
	} else {
		res.Resume() // nobody wants the body: discard it, as Node does
	}
	if cc.dead {
		return errStop
	}
	return nil
}

func (cc *clientConn) OnBody(data []byte) error {
	res := cc.res
	if res == nil || res.Destroyed() {
		return nil
	}
	if !res.Push(data) && !cc.pausedBody {
		cc.pausedBody = true
		cc.sock.Pause()
	}
	if cc.dead {
		return errStop
	}
	return nil
}

func (cc *clientConn) OnMessageComplete() error {
	res := cc.res
	if res == nil {
		return nil // an interim response
	}
	res.complete = true
	if t := cc.p.Trailers(); len(t) > 0 {
		res.Trailers = makeHeader(append([]byte(nil), cc.p.Buffer()...), append([]parser.Field(nil), t...))
	}
	if !res.Destroyed() {
		res.PushEOF()
	}
	cc.resDone = true
	cc.maybeDone()
	return nil
}

func (cc *clientConn) OnMethod(parser.Method) error       { return nil }
func (cc *clientConn) OnTarget([]byte) error              { return nil }
func (cc *clientConn) OnVersion(int, int) error           { return nil }
func (cc *clientConn) OnStatus(int, []byte) error         { return nil }
func (cc *clientConn) OnHeader(_, _ []byte) error         { return nil }
func (cc *clientConn) OnChunkExtension(_, _ []byte) error { return nil }
func (cc *clientConn) OnChunkHeader(uint64) error         { return nil }
func (cc *clientConn) OnChunkComplete() error             { return nil }
func (cc *clientConn) OnTrailer(_, _ []byte) error        { return nil }

// maybeDone hands the connection back once the request is sent and the response is in.
func (cc *clientConn) maybeDone() {
	if cc.reqDone && cc.resDone && !cc.dead {
		cc.agent.ticks.Defer(&cc.tDone)
	}
}

func (cc *clientConn) finishExchange() {
	if cc.dead || cc.req == nil || !cc.reqDone || !cc.resDone {
		return
	}
	cc.resumeBody()
	cc.agent.done(cc, cc.keepAlive)
}

func (cc *clientConn) onDrain() {
	r := cc.req
	if r == nil {
		return
	}
	switch {
	case r.waitDrain:
		r.waitDrain = false
		r.Writable.WriteDone(nil)
	case r.finalWait:
		r.finalWait = false
		r.requestSent()
	}
}

func (cc *clientConn) onEnd() {
	if cc.dead {
		return
	}
	if err := cc.p.Finish(); err == nil && cc.res != nil && cc.resDone {
		return
	}
	if cc.req != nil && !cc.resDone {
		if cc.res != nil {
			cc.fail(ErrAborted)
		} else {
			cc.fail(ErrSocketHangUp)
		}
	}
}

func (cc *clientConn) onError(err error) {
	if cc.req != nil && !cc.resDone {
		if cc.res != nil {
			cc.res.aborted = true
			cc.res.Destroy(err)
		} else {
			cc.req.emitError(err)
		}
		cc.req, cc.res = nil, nil
	}
}

func (cc *clientConn) onClose(bool) {
	if cc.dead {
		return
	}
	if cc.req != nil && !cc.resDone {
		cc.fail(ErrSocketHangUp)
	}
	cc.dead = true
	cc.agent.gone(cc, cc.isFree)
}
