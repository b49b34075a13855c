package app

import (
	"encoding/json"
	"mime"
	"strconv"
	"strings"

	"github.com/uv-go/uv/http"
)

// Response is Express's res: the http response with Express's helpers.
type Response struct {
	*http.ServerResponse
	// App is the application; Req the request being answered.
	App *App
	Req *Request
	// Locals are the request's variables (Express's res.locals), nil until Local sets one.
	Locals map[string]any

	ctx *ctx
}

// Local sets a request variable.
func (r *Response) Local(key string, v any) *Response {
	if r.Locals == nil {
		r.Locals = map[string]any{}
	}
	r.Locals[key] = v
	return r
}

// Status sets the status code (Express's res.status).
func (r *Response) Status(code int) *Response { r.StatusCode = code; return r }

// Set sets a header (Express's res.set); errors (after the head is sent, bad characters)
// are dropped, as chaining needs.
func (r *Response) Set(name, value string) *Response {
	r.SetHeader(name, value)
	return r
}

// Get returns a response header set so far.
func (r *Response) Get(name string) string { return r.GetHeader(name) }

// Append adds a header value (Express's res.append).
func (r *Response) Append(name, value string) *Response {
	r.AppendHeader(name, value)
	return r
}

// Type sets Content-Type: a MIME type, or a file extension or short name ("json",
// ".html", "png") looked up as Express does.
func (r *Response) Type(t string) *Response {
	if !strings.Contains(t, "/") {
		if full := lookupType(t); full != "" {
			t = full
		} else {
			t = "application/octet-stream"
		}
	}
	r.SetHeader("Content-Type", t)
	return r
}

// lookupType maps an extension or short name to a Content-Type with a charset for text.
func lookupType(ext string) string {
	if !strings.HasPrefix(ext, ".") {
		ext = "." + ext
	}
	switch strings.ToLower(ext) {
	case ".json":
		return "application/json; charset=utf-8"
	case ".html", ".htm":
		return "text/html; charset=utf-8"
	case ".txt", ".text":
		return "text/plain; charset=utf-8"
	case ".js", ".mjs":
		return "application/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	return mime.TypeByExtension(ext)
}

// Location sets the Location header.
func (r *Response) Location(url string) *Response { return r.Set("Location", url) }

// Send sends a string body (Express's res.send(string)): Content-Type text/html unless set,
// a weak ETag (setting "etag"), 304 if the request is fresh, no body for HEAD, 204 and 304.
func (r *Response) Send(body string) { r.send(unsafeBytes(body), "text/html; charset=utf-8") }

// SendBytes sends a binary body (Express's res.send(Buffer)): application/octet-stream
// unless a Content-Type was set.
func (r *Response) SendBytes(body []byte) { r.send(body, "application/octet-stream") }

// JSON sends v as JSON (Express's res.json).
func (r *Response) JSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !r.HasHeader("Content-Type") {
		r.SetHeader("Content-Type", "application/json; charset=utf-8")
	}
	r.send(b, "")
	return nil
}

// SendStatus sets the status and sends its reason phrase as text (Express's
// res.sendStatus).
func (r *Response) SendStatus(code int) {
	r.StatusCode = code
	msg := http.StatusText(code)
	if msg == "" {
		msg = strconv.Itoa(code)
	}
	r.SetHeader("Content-Type", "text/plain; charset=utf-8")
	r.Send(msg)
}

// Redirect answers 302 Found with Location: url (Express's res.redirect).
func (r *Response) Redirect(url string) { r.RedirectStatus(302, url) }

// RedirectStatus redirects with another status (301, 303, 307, 308).
func (r *Response) RedirectStatus(code int, url string) {
	r.Location(url)
	r.StatusCode = code
	r.SetHeader("Content-Type", "text/plain; charset=utf-8")
	r.Send(http.StatusText(code) + ". Redirecting to " + url)
}

// SendFile sends a file (Express's res.sendFile): see http.ServeFile for the headers,
// ranges and conditional requests. done, if not nil, runs with the outcome (nil once the
// file is sent); without done, failures go to next(err) handling as in Express.
func (r *Response) SendFile(path string, o *http.FileOptions, done func(err error)) {
	if r.ctx.tracing() {
		r.ctx.loop.TraceLayer("app", "res.sendFile("+strconv.Quote(path)+")")
	}
	http.ServeFile(r.Req.IncomingMessage, r.ServerResponse, path, o, func(err error) {
		if done != nil {
			done(err)
			return
		}
		if err != nil && !r.HeadersSent() {
			r.ctx.next(err)
		}
	})
}

// send is Express's res.send for a body in memory.
func (r *Response) send(body []byte, defaultType string) {
	res := r.ServerResponse
	if r.ctx.tracing() {
		r.ctx.loop.TraceLayer("app", "res.send: "+strconv.Itoa(len(body))+" bytes")
	}
	if defaultType != "" && !res.HasHeader("Content-Type") {
		res.SetHeader("Content-Type", defaultType)
	}
	if r.App.etag && !res.HasHeader("ETag") {
		var buf [64]byte
		res.SetHeaderBytes("ETag", r.App.etags.appendTag(buf[:0], body))
	}
	req := r.Req
	if req.Fresh() {
		res.StatusCode = 304
	}
	if s := res.StatusCode; s == 204 || s == 304 {
		res.RemoveHeader("Content-Type")
		res.RemoveHeader("Content-Length")
		res.RemoveHeader("Transfer-Encoding")
		res.End(nil)
		return
	}
	if req.Method == "HEAD" {
		var buf [20]byte
		res.SetHeaderBytes("Content-Length", strconv.AppendInt(buf[:0], int64(len(body)), 10))
		res.End(nil)
		return
	}
	res.End(body)
}
