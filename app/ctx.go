package app

import (
	"fmt"
	"html"
	"strings"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/http"
)

// frame is a router being walked: the index of its next layer, and what to restore when
// leaving it (a mounted router) or the layer it called (a middleware mounted on a path).
type frame struct {
	r         *Router
	i         int
	skipRoute int
	mounted   bool
	savedURL  string
	savedBase string
	stripped  bool
	layerURL  string
	layerBase string
}

// ctx is the state of one request's walk through the stack. It lives with the connection
// (in the http request's Data), so that a warm connection allocates none.
type ctx struct {
	app    *App
	loop   *uv.Loop // the connection's, for the tracer
	req    Request
	res    Response
	frames []frame
	err    error
	route  int
	done   bool
	nextFn Next
	body   bodyReader
}

func newCtx(a *App) *ctx {
	c := &ctx{app: a, frames: make([]frame, 0, 4)}
	c.req.ctx, c.res.ctx = c, c
	c.req.Res, c.res.Req = &c.res, &c.req
	c.req.App, c.res.App = a, a
	c.nextFn = c.next
	c.body.init(c)
	return c
}

func (c *ctx) start(req *http.IncomingMessage, res *http.ServerResponse) {
	c.req.IncomingMessage, c.res.ServerResponse = req, res
	c.req.OriginalURL, c.req.BaseURL = req.URL, ""
	clear(c.req.Params)
	c.req.Params = c.req.Params[:0]
	c.req.Body = nil
	c.req.query, c.req.queryOf = nil, ""
	c.res.Locals = nil
	c.err, c.route, c.done = nil, 0, false
	if len(c.frames) == 1 {
		c.frames[0] = frame{r: &c.app.Router} // the last walk ended in the app's router
	} else {
		clear(c.frames)
		c.frames = append(c.frames[:0], frame{r: &c.app.Router})
	}
	if c.app.poweredBy {
		res.SetHeader("X-Powered-By", "uv-go")
	}
}

// next is the Next function: it finds the next layer that matches and calls it.
func (c *ctx) next(errs ...error) {
	c.err = nil
	if len(errs) > 0 && errs[0] != nil {
		if errs[0] == NextRoute {
			if n := len(c.frames); n > 0 {
				c.frames[n-1].skipRoute = c.route
			}
		} else {
			c.err = errs[0]
		}
	}
	if c.done {
		return
	}
	req := &c.req
walk:
	for len(c.frames) > 0 {
		f := &c.frames[len(c.frames)-1]
		if f.stripped {
			req.URL, req.BaseURL, f.stripped = f.layerURL, f.layerBase, false
		}
		method := req.Method
		for f.i < len(f.r.layers) {
			l := &f.r.layers[f.i]
			f.i++
			if l.route != 0 && l.route == f.skipRoute {
				continue
			}
			if c.err != nil {
				if l.kind != kError && l.kind != kRouter {
					continue
				}
			} else if l.kind == kError {
				continue
			}
			if l.method != "" && l.method != method && !(l.method == "GET" && method == "HEAD") {
				continue
			}
			path := req.Path()
			mark := len(req.Params)
			n, ok := l.pat.match(path, l.prefix, f.r.caseSensitive, f.r.strict, &req.Params)
			if !ok {
				continue
			}
			if mark > 0 {
				req.Params = append(req.Params[:0], req.Params[mark:]...)
			}
			c.route = l.route
			if l.kind == kRouter {
				c.frames = append(c.frames, frame{r: l.r, mounted: true, savedURL: req.URL, savedBase: req.BaseURL})
				c.strip(n)
				continue walk
			}
			if l.prefix && n > 0 {
				f.stripped, f.layerURL, f.layerBase = true, req.URL, req.BaseURL
				c.strip(n)
			}
			c.call(l)
			return
		}
		// This router is done: leave it.
		if f.mounted {
			req.URL, req.BaseURL = f.savedURL, f.savedBase
		}
		c.frames[len(c.frames)-1] = frame{}
		c.frames = c.frames[:len(c.frames)-1]
	}
	c.final()
}

// strip removes the first n bytes of the path from the URL for a mounted layer (Express's
// trim_prefix), keeping BaseURL a prefix of the original URL where it can.
func (c *ctx) strip(n int) {
	req := &c.req
	rest := req.URL[n:]
	if rest == "" || rest[0] != '/' {
		rest = "/" + rest
	}
	removed := req.URL[:n]
	if strings.HasPrefix(req.OriginalURL, req.BaseURL) && len(req.BaseURL)+n <= len(req.OriginalURL) &&
		req.OriginalURL[len(req.BaseURL):len(req.BaseURL)+n] == removed {
		req.BaseURL = req.OriginalURL[:len(req.BaseURL)+n]
	} else {
		req.BaseURL += removed
	}
	req.URL = rest
}

func (c *ctx) call(l *layer) {
	defer func() {
		if v := recover(); v != nil {
			err, ok := v.(error)
			if !ok {
				err = fmt.Errorf("panic: %v", v)
			}
			c.next(err)
		}
	}()
	if c.tracing() {
		c.traceCall(l)
	}
	switch l.kind {
	case kHandler:
		l.h(&c.req, &c.res)
	case kMiddleware:
		l.m(&c.req, &c.res, c.nextFn)
	case kError:
		l.e(c.err, &c.req, &c.res, c.nextFn)
	}
}

// final is Express's finalhandler: 404 when nothing answered, the error's status otherwise.
func (c *ctx) final() {
	c.done = true
	res := c.res.ServerResponse
	req := &c.req
	status := 404
	msg := "Cannot " + req.Method + " " + html.EscapeString(pathOf(req.OriginalURL))
	if err := c.err; err != nil {
		status = 500
		if sc, ok := err.(interface{ StatusCode() int }); ok {
			status = sc.StatusCode()
		}
		if status < 400 || status > 599 {
			status = 500
		}
		msg = http.StatusText(status)
		if he, ok := err.(*HTTPError); ok && he.Message != "" {
			msg = html.EscapeString(he.Message)
		}
		if status >= 500 && c.app.errorLogger != nil {
			c.app.errorLogger(err)
		}
	}
	if c.tracing() {
		c.traceFinal(status)
	}
	if res.HeadersSent() {
		res.Destroy(nil)
		return
	}
	for _, h := range [...]string{"Content-Encoding", "Content-Language", "Content-Range", "Content-Length", "Content-Type", "ETag"} {
		res.RemoveHeader(h)
	}
	res.StatusCode = status
	res.SetHeader("Content-Security-Policy", "default-src 'none'")
	res.SetHeader("X-Content-Type-Options", "nosniff")
	res.SetHeader("Content-Type", "text/html; charset=utf-8")
	body := "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n" +
		"</head>\n<body>\n<pre>" + msg + "</pre>\n</body>\n</html>\n"
	if req.Method == "HEAD" {
		res.End(nil)
		return
	}
	res.EndString(body)
}

func pathOf(url string) string {
	if i := strings.IndexByte(url, '?'); i >= 0 {
		return url[:i]
	}
	return url
}
