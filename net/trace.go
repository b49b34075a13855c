package net

import (
	"net/netip"
	"strconv"
)

// Layer crossings for the loop's tracer (uv.Loop.TraceLayer), reported under the layer
// "net" as Node's net.js would describe them. Every call site checks Loop.Tracing first, so
// nothing is built when no tracer is attached.

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// traceListen reports a listen on a.
func (s *Server) traceListen(a netip.Addr) {
	s.loop.TraceLayer("net", "Server.listen "+netip.AddrPortFrom(a, uint16(s.lopts.Port)).String()+
		" backlog "+itoa(int64(s.lopts.Backlog)))
}

// traceAccepted reports a connection handed to the server.
func (s *Server) traceAccepted(c *Socket) {
	peer := "unknown peer"
	if ap, ok := c.peerAddr(); ok {
		peer = ap.String()
	}
	s.loop.TraceLayer("net", "connection from "+peer+" ("+itoa(int64(s.connections))+" open)")
}

// traceDestroy reports a socket destroyed, with its error.
func (s *Socket) traceDestroy(err error) {
	what := "Socket.destroy"
	if err != nil {
		what += ": " + err.Error()
	}
	s.ls.loop.TraceLayer("net", what+" (uv_close)")
}
