package http

import (
	"strconv"
	"unsafe"

	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/stream"
)

// inlineMax is the largest body chunk copied next to its head or chunk framing so that both
// go out in one write; larger chunks are written on their own.
const inlineMax = 16 << 10

// field is an outgoing header field. A value set from bytes lives in the response's arena.
type field struct {
	name, value string
	off, n      int32
	arena       bool
}

// ServerResponse is Node's http.ServerResponse: a stream.Writable whose chunks become the
// response body. Header methods work until the head is sent (HeadersSent); WriteHead fixes
// the status and header; the first Write or End sends the head. Write returns false once
// HighWaterMark bytes wait, or the socket is at its own (the drain callback follows);
// without a Content-Length the body is chunked (HTTP/1.1) or ends with the connection
// (HTTP/1.0). End(body) before the head is sent sets Content-Length itself, so that head
// and body go out in one write.
//
// The response is reused by the connection's next request: do not touch it after its close
// callback.
type ServerResponse struct {
	stream.Writable

	// StatusCode is the status sent with the head (200 unless set).
	StatusCode int
	// StatusMessage is the reason phrase; "" means the standard one.
	StatusMessage string
	// SendDate adds a Date header unless one was set (true unless turned off).
	SendDate bool
	// Data is free for the layer above: the connection keeps it when it reuses the
	// response.
	Data any

	ex       *exchange
	hdrs     []field
	trailers []field
	arena    []byte

	frozen      bool // HeadersSent: WriteHead, Write or End ran
	headWritten bool // the head is on its way to the socket
	bodyAllowed bool
	isHead      bool
	keepAlive   bool
	http10      bool
	chunked     bool
	finished    bool
	closed      bool
	waitDrain   bool
	finalWait   bool
	sockFull    bool // End wrote past the socket's highWaterMark: _final waits for drain
	lastSent    bool // End(nil) sent a chunked body's last chunk and trailers with the head
	sent100     bool
	implicitLen int
	headStatus  int
	headMessage string

	writeFn    func([]byte, bool)
	finalFn    func()
	finishFn   func()
	closeFn    func()
	userFinish func()
	userClose  func()
}

func (r *ServerResponse) start(c *conn, req *IncomingMessage, keepAlive bool) {
	if !r.ex.inited || r.Writable.Reinit() != nil {
		r.Writable.Init(stream.Options{
			Ticks:         c.srv.ticks,
			HighWaterMark: c.srv.opts.HighWaterMark,
			Write:         r.writeFn,
			Final:         r.finalFn,
		})
		r.ex.inited = true
	}
	r.Writable.OnFinish(r.finishFn)
	r.Writable.OnClose(r.closeFn)
	r.StatusCode, r.StatusMessage, r.SendDate = 200, "", true
	// The fields are not cleared, only cut: the strings they hold (header names and values
	// of the last response, mostly literals) stay referenced until overwritten, a bounded
	// amount with the exchanges pooled, which saves clearing them on every request.
	r.hdrs = r.hdrs[:0]
	r.trailers = r.trailers[:0]
	r.arena = r.arena[:0]
	r.frozen, r.headWritten, r.chunked, r.finished, r.closed = false, false, false, false, false
	r.waitDrain, r.finalWait, r.sent100, r.sockFull, r.lastSent = false, false, false, false, false
	r.isHead = req.Method == "HEAD"
	r.bodyAllowed = !r.isHead
	r.keepAlive = keepAlive
	r.http10 = req.HTTPVersionMinor == 0
	r.implicitLen = -1
	r.userFinish, r.userClose = nil, nil
}

func (r *ServerResponse) conn() *conn {
	if c := r.ex.c; c != nil && c.ex == r.ex && !c.dead {
		return c
	}
	return nil
}

// Request returns the request this response answers.
func (r *ServerResponse) Request() *IncomingMessage { return &r.ex.req }

// Socket returns the connection's socket (Node's res.socket); nil once it is gone.
func (r *ServerResponse) Socket() *net.Socket {
	if c := r.conn(); c != nil {
		return c.sock
	}
	return nil
}

// HeadersSent reports whether the head is fixed: WriteHead, Write or End ran (Node's
// headersSent).
func (r *ServerResponse) HeadersSent() bool { return r.frozen }

// Finished reports whether the finish callback ran (Node's writableFinished).
func (r *ServerResponse) Finished() bool { return r.finished }

// OnFinish sets the finish callback: the response was handed to the socket.
func (r *ServerResponse) OnFinish(fn func()) { r.userFinish = fn }

// OnClose sets the close callback: the response finished, or the connection closed first.
func (r *ServerResponse) OnClose(fn func()) { r.userClose = fn }

func (r *ServerResponse) find(name string) int {
	for i := range r.hdrs {
		if equalFoldStr(r.hdrs[i].name, name) {
			return i
		}
	}
	return -1
}

func (r *ServerResponse) remove(name string) {
	i := r.find(name)
	if i < 0 {
		return // the common case: nothing to replace, nothing moved
	}
	j := i
	for i++; i < len(r.hdrs); i++ {
		if !equalFoldStr(r.hdrs[i].name, name) {
			r.hdrs[j] = r.hdrs[i]
			j++
		}
	}
	clear(r.hdrs[j:])
	r.hdrs = r.hdrs[:j]
}

// checkedBefore reports whether name and value are, by address, those of the field the
// last response on this exchange set at the same place: the fields are cut, not cleared,
// between responses (see start), so the slot past the current ones still holds it. Every
// field there was checked when it was set, and the same string (strings do not change) needs
// no second look: a handler setting the same literals in the same order skips the checks.
func (r *ServerResponse) checkedBefore(name, value string) bool {
	n := len(r.hdrs)
	if n == cap(r.hdrs) || len(name) == 0 {
		return false
	}
	f := &r.hdrs[:n+1][n]
	return !f.arena && len(f.name) == len(name) && unsafe.StringData(f.name) == unsafe.StringData(name) &&
		len(f.value) == len(value) && unsafe.StringData(f.value) == unsafe.StringData(value)
}

// SetHeader sets a header field, replacing fields of the same name (Node's setHeader). It
// fails after the head is sent, and on a name that is not a token or a value with control
// characters.
func (r *ServerResponse) SetHeader(name, value string) error {
	if r.checkedBefore(name, value) {
		if r.frozen {
			return ErrHeadersSent
		}
	} else if err := r.checkHeader(name, value); err != nil {
		return err
	}
	r.remove(name)
	r.hdrs = append(r.hdrs, field{name: name, value: value})
	return nil
}

// SetHeaderBytes is SetHeader with a value that is copied into the response's own buffer:
// it allocates nothing once the response is warm.
func (r *ServerResponse) SetHeaderBytes(name string, value []byte) error {
	if r.frozen {
		return ErrHeadersSent
	}
	if !validToken(name) {
		return ErrInvalidHeaderName
	}
	if off := len(r.arena); !(off+len(value) <= cap(r.arena) &&
		string(r.arena[off:off+len(value)]) == string(value)) && !validValueBytes(value) {
		// Skipped when the arena's spare bytes (a last response's values) are these: every
		// byte there passed the check, which looks at each byte alone.
		return ErrInvalidHeaderValue
	}
	r.remove(name)
	off := len(r.arena)
	r.arena = append(r.arena, value...)
	r.hdrs = append(r.hdrs, field{name: name, off: int32(off), n: int32(len(value)), arena: true})
	return nil
}

// SetHeaderValues sets a field to several values, sent as repeated fields (Node's
// setHeader(name, array)).
func (r *ServerResponse) SetHeaderValues(name string, values []string) error {
	for _, v := range values {
		if err := r.checkHeader(name, v); err != nil {
			return err
		}
	}
	r.remove(name)
	for _, v := range values {
		r.hdrs = append(r.hdrs, field{name: name, value: v})
	}
	return nil
}

// AppendHeader adds a value to a field, keeping those already set (Node's appendHeader).
func (r *ServerResponse) AppendHeader(name, value string) error {
	if err := r.checkHeader(name, value); err != nil {
		return err
	}
	r.hdrs = append(r.hdrs, field{name: name, value: value})
	return nil
}

func (r *ServerResponse) checkHeader(name, value string) error {
	switch {
	case r.frozen:
		return ErrHeadersSent
	case !validToken(name):
		return ErrInvalidHeaderName
	case !validValue(value):
		return ErrInvalidHeaderValue
	}
	return nil
}

func (r *ServerResponse) valueOf(f *field) string {
	if f.arena {
		return string(r.arena[f.off : f.off+f.n])
	}
	return f.value
}

// GetHeader returns the first value of a field set so far, or "".
func (r *ServerResponse) GetHeader(name string) string {
	if i := r.find(name); i >= 0 {
		return r.valueOf(&r.hdrs[i])
	}
	return ""
}

// GetHeaderValues returns every value of a field set so far.
func (r *ServerResponse) GetHeaderValues(name string) []string {
	var out []string
	for i := range r.hdrs {
		if equalFoldStr(r.hdrs[i].name, name) {
			out = append(out, r.valueOf(&r.hdrs[i]))
		}
	}
	return out
}

// HasHeader reports whether a field is set.
func (r *ServerResponse) HasHeader(name string) bool { return r.find(name) >= 0 }

// GetHeaderNames returns the names of the fields set, lower-cased, once each.
func (r *ServerResponse) GetHeaderNames() []string {
	var out []string
	for i := range r.hdrs {
		n := lowerString(unsafeBytes(r.hdrs[i].name))
		dup := false
		for _, o := range out {
			dup = dup || o == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}

// RemoveHeader removes a field (Node's removeHeader); it fails after the head is sent.
func (r *ServerResponse) RemoveHeader(name string) error {
	if r.frozen {
		return ErrHeadersSent
	}
	r.remove(name)
	return nil
}

// AddTrailer adds a trailer field, sent after a chunked body (Node's addTrailers); trailers
// of a response that is not chunked are not sent.
func (r *ServerResponse) AddTrailer(name, value string) error {
	if !validToken(name) {
		return ErrInvalidHeaderName
	}
	if !validValue(value) {
		return ErrInvalidHeaderValue
	}
	r.trailers = append(r.trailers, field{name: name, value: value})
	return nil
}

// WriteHead fixes the status and the header (Node's writeHead): kv are extra fields as
// name, value pairs, set as SetHeader does. The head goes out with the first Write or End.
func (r *ServerResponse) WriteHead(statusCode int, kv ...string) error {
	if r.frozen {
		return ErrHeadersSent
	}
	if statusCode < 100 || statusCode > 999 {
		return ErrInvalidStatus
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if err := r.SetHeader(kv[i], kv[i+1]); err != nil {
			return err
		}
	}
	r.StatusCode = statusCode
	r.freeze(-1)
	return nil
}

// FlushHeaders sends the head now (Node's flushHeaders).
func (r *ServerResponse) FlushHeaders() {
	if r.headWritten || r.Writable.WritableEnded() || r.Writable.Destroyed() {
		return
	}
	r.freeze(-1)
	c := r.conn()
	if c == nil {
		return
	}
	b := r.appendHead(c.out[:0])
	r.headWritten = true
	c.sock.Write(b)
	c.keepOut(b)
}

// WriteContinue sends "100 Continue" (Node's writeContinue), telling a client that sent
// Expect: 100-continue to send the body.
func (r *ServerResponse) WriteContinue() {
	if r.sent100 || r.headWritten {
		return
	}
	if c := r.conn(); c != nil {
		r.sent100 = true
		c.sock.Write(continueLine)
	}
}

var continueLine = []byte("HTTP/1.1 100 Continue\r\n\r\n")

func (r *ServerResponse) freeze(implicitLen int) {
	if r.frozen {
		return
	}
	r.frozen = true
	r.implicitLen = implicitLen
	r.headStatus, r.headMessage = r.StatusCode, r.StatusMessage
	if r.headStatus < 100 || r.headStatus > 999 {
		r.headStatus = 500
	}
	if s := r.headStatus; s == 204 || s == 304 || s < 200 {
		r.bodyAllowed = false
	}
}

// Write writes a body chunk (Node's write); see ServerResponse. The chunk is not kept. As
// Node's, it returns false while the socket is at its highWaterMark, even for a chunk the
// response alone would take (the head and chunk of a first write reaching the socket's
// highWaterMark, say), and the drain callback follows when the socket drains.
func (r *ServerResponse) Write(chunk []byte) bool {
	r.freeze(-1)
	ok := r.Writable.Write(chunk)
	if ok && r.waitDrain {
		r.Writable.NeedDrain()
		return false
	}
	return ok
}

// WriteString writes a string body chunk.
func (r *ServerResponse) WriteString(s string) bool { return r.Write(unsafeBytes(s)) }

// End writes body, if not empty, and ends the response (Node's end). If the head was not
// sent yet and no Content-Length or Transfer-Encoding was set, Content-Length is set to
// len(body).
func (r *ServerResponse) End(body []byte) {
	r.freeze(len(body))
	if !r.headWritten && r.Writable.WritableLength() == 0 && r.Writable.WritableCorked() == 0 &&
		r.Writable.IsWritable() {
		// Nothing written yet, nothing in the way: what Writable.End would hand to
		// implWrite and implFinal and complete at once goes to the socket directly, and the
		// stream is ended empty (its _final then waits for the socket if the write filled
		// it).
		if c := r.conn(); c != nil && !c.closing {
			var ok bool
			if len(body) > 0 {
				ok = r.send(c, body)
			} else {
				ok = r.sendLast(c)
			}
			if !ok {
				r.sockFull = true
			} else if r.holdEnd(c) {
				return
			}
			r.Writable.End(nil)
			return
		}
	}
	r.Writable.End(body)
}

// holdEnd ends the response quietly when only the server watches it and its request: the
// stream's end is held (see stream.Writable.HoldEnd), and the connection's end task
// settles both in one step (conn.settle) instead of their finish and close callbacks on two
// ticks. Everything sent, nothing is left for Final to do.
func (r *ServerResponse) holdEnd(c *conn) bool {
	req := &r.ex.req
	if (r.chunked && !r.lastSent) || r.userFinish != nil || r.userClose != nil || req.userClose != nil ||
		c.upgrading || c.srv.loop.Tracing() || req.Readable.Watched() || !r.Writable.HoldEnd() {
		return false
	}
	c.held = true
	if !c.parsing {
		c.deferEnd() // parsing, execute settles it (or defers) when the parser stops
	}
	return true
}

// EndString is End with a string body.
func (r *ServerResponse) EndString(body string) { r.End(unsafeBytes(body)) }

// Destroy aborts the response and closes the connection (Node's res.destroy).
func (r *ServerResponse) Destroy(err error) {
	if c := r.conn(); c != nil {
		c.sock.Destroy(err)
	}
	r.Writable.Destroy(err)
}

// What appendHead learns from the fields set: the framing and connection fields.
const (
	hasDate uint8 = 1 << iota
	hasConn
	hasCL
	hasTE
	hasKA
	teChunked
	connClose
)

// fieldFlags returns what a field of one of the lengths appendHead looks at tells.
func fieldFlags(name, value string) uint8 {
	switch len(name) {
	case 4:
		if equalFoldStr(name, "date") {
			return hasDate
		}
	case 10:
		if equalFoldStr(name, "connection") {
			if hasToken(value, "close") {
				return hasConn | connClose
			}
			return hasConn
		}
		if equalFoldStr(name, "keep-alive") {
			return hasKA
		}
	case 14:
		if equalFoldStr(name, "content-length") {
			return hasCL
		}
	case 17:
		if equalFoldStr(name, "transfer-encoding") {
			if hasToken(value, "chunked") {
				return hasTE | teChunked
			}
			return hasTE
		}
	}
	return 0
}

// appendHead appends the status line and header section, deciding the framing and whether
// the connection stays open. A head made of the same status, fields and settings as the
// server's last one is copied from it (see headCache); only Content-Length is spelled anew.
func (r *ServerResponse) appendHead(b []byte) []byte {
	start := len(b)
	c := r.ex.c
	key := r.headKey()
	if c != nil && c.srv.heads.match(r, key, c.srv) {
		h := &c.srv.heads
		r.chunked, r.keepAlive = h.chunked, h.keepAlive
		if h.tail != tailCL || h.implicit == r.implicitLen {
			b = append(b, h.head...) // the framing line as well: it is the same
		} else {
			b = appendTail(append(b, h.head[:h.lines]...), h.tail, r.implicitLen)
		}
	} else {
		var tail uint8
		b, tail = r.appendHeadLines(b, c)
		lines := len(b) - start
		b = appendTail(b, tail, r.implicitLen)
		if c != nil {
			c.srv.heads.store(r, key, c.srv, b[start:], lines, tail)
		}
	}
	if c != nil && c.srv.loop.Tracing() {
		r.traceHead(c, len(b)-start)
	}
	return b
}

// appendTail appends the framing line the server adds (see appendHeadLines), if any, and
// the blank line.
func appendTail(b []byte, tail uint8, implicitLen int) []byte {
	switch tail {
	case tailCL:
		return appendContentLength(b, implicitLen)
	case tailTE:
		return append(b, "Transfer-Encoding: chunked\r\n\r\n"...)
	}
	return append(b, '\r', '\n')
}

// The end of a head: the blank line, after a Content-Length or Transfer-Encoding line the
// server adds, or alone.
const (
	tailNone uint8 = iota
	tailCL
	tailTE
)

// appendHeadLines appends the status line and the header lines but the framing line the
// server adds (see appendHead), and returns which one that is.
func (r *ServerResponse) appendHeadLines(b []byte, c *conn) ([]byte, uint8) {
	code := r.headStatus
	if r.headMessage == "" && code < len(statusLines) && statusLines[code] != "" {
		b = append(b, statusLines[code]...)
	} else {
		b = append(b, "HTTP/1.1 "...)
		b = strconv.AppendInt(b, int64(code), 10)
		b = append(b, ' ')
		if msg := r.headMessage; msg != "" {
			b = append(b, msg...)
		} else {
			b = append(b, statusText[code]...)
		}
		b = append(b, '\r', '\n')
	}
	var flags uint8
	for i := range r.hdrs {
		f := &r.hdrs[i]
		v := f.value
		if f.arena && f.n > 0 {
			v = unsafe.String(&r.arena[f.off], int(f.n)) // a view: the arena is not touched here
		}
		b = append(b, f.name...)
		b = append(b, ':', ' ')
		b = append(b, v...)
		b = append(b, '\r', '\n')
		switch len(f.name) {
		case 4, 10, 14, 17:
			flags |= fieldFlags(f.name, v)
		}
	}
	// Framing.
	closeDelimited := false
	tail := tailNone
	switch {
	case flags&hasCL != 0:
	case flags&hasTE != 0:
		r.chunked = flags&teChunked != 0 && r.bodyAllowed
		closeDelimited = flags&teChunked == 0 && r.bodyAllowed
	case !r.bodyAllowed:
	case r.implicitLen >= 0:
		tail = tailCL
	case !r.http10:
		tail = tailTE
		r.chunked = true
	default:
		closeDelimited = true
	}
	ka := r.keepAlive && !closeDelimited && flags&connClose == 0 && (c == nil || !c.srv.closing)
	r.keepAlive = ka
	if c == nil {
		b = appendConnection(b, flags, ka)
	} else {
		b = c.appendServerLines(b, r.SendDate && flags&hasDate == 0, flags, ka)
	}
	return b, tail
}

// appendServerLines appends the Date line (if date) and the connection lines.
func (c *conn) appendServerLines(b []byte, date bool, flags uint8, ka bool) []byte {
	s := c.srv
	if ka && flags&(hasConn|hasKA) == 0 {
		if date {
			return append(b, s.dateKeepAliveLines()...) // the common case: one copy
		}
		return append(b, s.keepAliveLines()...)
	}
	if date {
		b = append(b, s.date.get(s.loop.Now())...)
	}
	return appendConnection(b, flags, ka)
}

// appendConnection appends the Connection line unless one was set.
func appendConnection(b []byte, flags uint8, ka bool) []byte {
	switch {
	case flags&hasConn != 0:
		return b
	case ka:
		return append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "Connection: close\r\n"...)
}

// implWrite is the body's _write: frame the chunk, send the head with it if it is not sent
// yet, and let the stream go on once the socket is below its highWaterMark.
func (r *ServerResponse) implWrite(chunk []byte, _ bool) {
	c := r.conn()
	if c == nil || c.closing {
		r.Writable.WriteDone(nil)
		return
	}
	if r.send(c, chunk) {
		r.Writable.WriteDone(nil)
	} else {
		r.waitDrain = true
	}
}

// send writes chunk, framed, to the socket, after the head if it is not sent yet. It
// reports whether the socket is below its highWaterMark.
func (r *ServerResponse) send(c *conn, chunk []byte) bool {
	b, direct := c.out[:0], false
	if !r.headWritten && (!r.bodyAllowed || len(chunk) <= directMax) {
		// A small first write is built where the socket keeps its deferred bytes.
		if wb := c.sock.WriteBuf(len(chunk) + directHead); wb != nil {
			b, direct = wb, true
		}
	}
	if !r.headWritten {
		r.freeze(-1) // a write from a pipe
		b = r.appendHead(b)
		r.headWritten = true
	}
	ok := true
	switch {
	case !r.bodyAllowed:
		if len(b) > 0 {
			ok = c.write(b, direct)
		}
	case len(chunk) <= inlineMax:
		if r.chunked {
			b = appendChunkSize(b, len(chunk))
		}
		b = append(b, chunk...)
		if r.chunked {
			b = append(b, '\r', '\n')
		}
		ok = c.write(b, direct)
	default:
		if r.chunked {
			b = appendChunkSize(b, len(chunk))
		}
		if len(b) > 0 {
			ok = c.sock.Write(b)
		}
		ok = c.sock.Write(chunk) && ok
		if r.chunked {
			ok = c.sock.Write(crlf) && ok
		}
	}
	if !direct {
		c.keepOut(b)
	}
	return ok
}

// A first write of at most directMax bytes of body is built in the room net.Socket.WriteBuf
// gives (directHead more for the head), where the socket keeps what it writes when the
// handler returns, rather than in the server's head buffer and then copied there.
const (
	directHead = 2 << 10
	directMax  = 4 << 10
)

// write writes b to the socket: b is in WriteBuf's room if direct. What grew too big to be
// committed there is copied to the head buffer and written as usual.
func (c *conn) write(b []byte, direct bool) bool {
	if !direct {
		return c.sock.Write(b)
	}
	if c.sock.CommitWrite(b) {
		return true
	}
	b = append(c.out[:0], b...)
	ok := c.sock.Write(b)
	c.keepOut(b)
	return ok
}

var crlf = []byte("\r\n")

// appendContentLength appends the Content-Length line and the blank line that ends the
// head; short lengths are written into a copy of a template line.
func appendContentLength(b []byte, n int) []byte {
	switch {
	case uint(n) < 10:
		b = append(b, "Content-Length: 0\r\n\r\n"...)
		b[len(b)-5] = byte('0' + n)
		return b
	case n < 100:
		b = append(b, "Content-Length: 00\r\n\r\n"...)
		b[len(b)-6], b[len(b)-5] = byte('0'+n/10), byte('0'+n%10)
		return b
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n', '\r', '\n')
}

func appendChunkSize(b []byte, n int) []byte {
	b = strconv.AppendInt(b, int64(n), 16)
	return append(b, '\r', '\n')
}

// implFinal is the body's _final: send the head if nothing was written, and the last chunk
// and trailers of a chunked body.
func (r *ServerResponse) implFinal() {
	if r.headWritten && (!r.chunked || r.lastSent) && !r.sockFull {
		r.Writable.FinalDone(nil) // nothing left to write (End sent it all)
		return
	}
	c := r.conn()
	if c == nil || c.closing {
		r.Writable.FinalDone(nil)
		return
	}
	ok := !r.sockFull
	if !r.headWritten || (r.chunked && !r.lastSent) {
		ok = r.sendLast(c) && ok
	}
	if ok {
		r.Writable.FinalDone(nil)
	} else {
		r.finalWait = true
	}
}

// sendLast writes what ends the body: the head if it is not sent yet (the body is then
// empty), and a chunked body's last chunk and trailers. It reports whether the socket is
// below its highWaterMark.
func (r *ServerResponse) sendLast(c *conn) bool {
	b := c.out[:0]
	if !r.headWritten {
		r.freeze(0) // an End from a pipe, with nothing written
		b = r.appendHead(b)
		r.headWritten = true
	}
	if r.chunked {
		b = append(b, '0', '\r', '\n')
		for i := range r.trailers {
			t := &r.trailers[i]
			b = append(b, t.name...)
			b = append(b, ':', ' ')
			b = append(b, t.value...)
			b = append(b, '\r', '\n')
		}
		b = append(b, '\r', '\n')
		r.lastSent = true
	}
	ok := true
	if len(b) > 0 {
		ok = c.sock.Write(b)
	}
	c.keepOut(b)
	return ok
}

// sockDrained lets a write or the final step waiting for the socket go on.
func (r *ServerResponse) sockDrained() {
	switch {
	case r.waitDrain:
		r.waitDrain = false
		r.Writable.WriteDone(nil)
	case r.finalWait:
		r.finalWait = false
		r.Writable.FinalDone(nil)
	}
}

func (r *ServerResponse) onFinished() {
	r.finished = true
	if c := r.conn(); c != nil {
		if c.srv.loop.Tracing() {
			c.srv.loop.TraceLayer("http", "response finished")
		}
		c.responseFinished()
	}
	if r.userFinish != nil {
		r.userFinish()
	}
}

func (r *ServerResponse) onClosed() {
	r.closed = true
	c := r.conn()
	if c != nil && !r.finished && !c.closing {
		// Destroyed before it finished: the connection cannot carry on.
		c.sock.Destroy(nil)
	}
	if r.userClose != nil {
		r.userClose()
	}
	if c := r.ex.c; c != nil && c.ex == r.ex {
		c.maybeEndExchange()
	}
}
