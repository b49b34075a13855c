package http

import "strconv"

// Layer crossings for the loop's tracer (uv.Loop.TraceLayer), reported under the layer
// "http" as Node's _http_server.js would describe them. Every call site checks
// Loop.Tracing first, so nothing is built when no tracer is attached.

// traceListen reports a listen call of the server.
func (s *Server) traceListen(port int, host string) {
	what := "Server.listen(" + strconv.Itoa(port)
	if host != "" {
		what += ", " + strconv.Quote(host)
	}
	s.loop.TraceLayer("http", what+")")
}

// traceConnection reports a socket the server starts reading requests from.
func (c *conn) traceConnection() {
	what := "connection: reading requests"
	if ka := c.srv.KeepAliveTimeout; ka > 0 {
		what += " (keep-alive timeout " + strconv.Itoa(ka) + " ms)"
	}
	c.srv.loop.TraceLayer("http", what)
}

// traceRequest reports a request whose head is parsed.
func (c *conn) traceRequest(req *IncomingMessage, keepAlive bool) {
	what := "request " + req.Method + " " + req.URL + " HTTP/" + req.HTTPVersion
	if keepAlive {
		what += " (keep-alive)"
	} else {
		what += " (last on this connection)"
	}
	c.srv.loop.TraceLayer("http", what)
}

// traceHead reports the response head, n bytes, just built.
func (r *ServerResponse) traceHead(c *conn, n int) {
	what := "response head " + strconv.Itoa(r.headStatus) + " " + StatusText(r.headStatus)
	switch cl := r.GetHeader("Content-Length"); {
	case !r.bodyAllowed:
		what += ", no body"
	case r.chunked:
		what += ", chunked"
	case cl != "":
		what += ", Content-Length " + cl
	case r.implicitLen >= 0:
		what += ", Content-Length " + strconv.Itoa(r.implicitLen)
	default:
		what += ", body until close"
	}
	if r.keepAlive {
		what += ", keep-alive"
	} else {
		what += ", Connection: close"
	}
	c.srv.loop.TraceLayer("http", what+" ("+strconv.Itoa(n)+" bytes)")
}
