package app

import (
	"strconv"

	uv "github.com/uv-go/uv"
)

// Layer crossings for the loop's tracer (uv.Loop.TraceLayer), reported under the layer
// "app" as Express would describe them: app.listen, the layers a request is routed
// through, res.send. Every call site checks tracing first, so nothing is built when no
// tracer is attached.

// traceListen reports app.listen.
func traceListen(l *uv.Loop, port int, host string) {
	what := "app.listen(" + strconv.Itoa(port)
	if host != "" {
		what += ", " + strconv.Quote(host)
	}
	l.TraceLayer("app", what+")")
}

// tracing reports whether the request's loop has a tracer.
func (c *ctx) tracing() bool { return c.loop != nil && c.loop.Tracing() }

// traceCall reports the layer a request is handed to.
func (c *ctx) traceCall(l *layer) {
	req := &c.req
	what := req.Method + " " + req.OriginalURL + " -> "
	switch l.kind {
	case kHandler:
		method := l.method
		if method == "" {
			method = "ALL"
		}
		what += "route " + method + " " + strconv.Quote(l.path) + " handler"
	case kMiddleware:
		what += "middleware " + strconv.Quote(l.path)
	case kError:
		what += "error middleware " + strconv.Quote(l.path) + " (" + c.err.Error() + ")"
	}
	c.loop.TraceLayer("app", what)
}

// traceFinal reports the final handler's answer.
func (c *ctx) traceFinal(status int) {
	what := "final handler: " + strconv.Itoa(status)
	if c.err != nil {
		what += " (" + c.err.Error() + ")"
	} else {
		what += " (no route answered)"
	}
	c.loop.TraceLayer("app", what)
}
