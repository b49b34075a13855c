package app

import (
	"encoding/json"
	"strings"
)

// DefaultBodyLimit is body-parser's default limit: 100 KiB.
const DefaultBodyLimit = 100 << 10

// bodyReader collects a request body; its callbacks are bound once per connection.
type bodyReader struct {
	c      *ctx
	limit  int
	buf    []byte
	next   Next
	json   bool
	over   bool
	onData func([]byte)
	onEnd  func()
	onErr  func(error)
}

func (b *bodyReader) init(c *ctx) {
	b.c = c
	b.onData, b.onEnd, b.onErr = b.data, b.end, b.fail
}

func (b *bodyReader) start(limit int, next Next, isJSON bool) {
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	b.limit, b.next, b.json, b.over = limit, next, isJSON, false
	b.buf = b.buf[:0]
	req := b.c.req.IncomingMessage
	req.OnError(b.onErr)
	req.OnEnd(b.onEnd)
	req.OnData(b.onData)
}

func (b *bodyReader) data(p []byte) {
	if b.over {
		return
	}
	if len(b.buf)+len(p) > b.limit {
		b.over = true
		b.buf = b.buf[:0]
		b.next(NewError(413, "request entity too large"))
		return
	}
	b.buf = append(b.buf, p...)
}

func (b *bodyReader) end() {
	if b.over {
		return
	}
	req := &b.c.req
	req.Body = b.buf
	if cap(b.buf) > 1<<20 {
		b.buf = nil // do not keep a large buffer for the connection's next request
	}
	if b.json && len(req.Body) > 0 && !json.Valid(req.Body) {
		b.next(NewError(400, "invalid JSON body"))
		return
	}
	b.next()
}

func (b *bodyReader) fail(err error) {
	if !b.over {
		b.over = true
		b.next(NewError(400, "request aborted"))
	}
}

// hasBody reports whether the request announces a body.
func hasBody(req *Request) bool {
	return req.Headers.Has("transfer-encoding") || !(req.Headers.Equal("content-length", "0") || !req.Headers.Has("content-length"))
}

// RawBody reads the whole body (up to limit bytes; 0: DefaultBodyLimit) into req.Body
// before the next handler runs; a larger body is a 413 (body-parser's raw(), for any type).
// req.Body is reused by the connection's next request: copy what must outlive the response.
func RawBody(limit int) Middleware {
	return func(req *Request, res *Response, next Next) {
		if !hasBody(req) {
			next()
			return
		}
		req.ctx.body.start(limit, next, false)
	}
}

// JSONBody reads a JSON body (Content-Type application/json or +json) into req.Body,
// checking that it is valid JSON (400 if not); decode it with req.DecodeJSON. Other
// requests pass through (body-parser's json()).
func JSONBody(limit int) Middleware {
	return func(req *Request, res *Response, next Next) {
		if !hasBody(req) || !isJSONType(string(req.Headers.GetBytes("content-type"))) {
			next()
			return
		}
		req.ctx.body.start(limit, next, true)
	}
}

func isJSONType(ct string) bool {
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
