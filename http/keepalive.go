package http

import "strconv"

// kaLines holds the keep-alive header lines of a server's responses, rebuilt when its
// KeepAliveTimeout changes, and the same lines after the Date line: most responses carry
// both, and one copy of a cached line is cheaper than two.
type kaLines struct {
	timeout int
	line    []byte

	dateGen     uint64 // the dateCache generation dateLine was built from; 0: not built
	dateTimeout int    // the KeepAliveTimeout dateLine was built with
	dateLine    []byte
}

// keepAliveLines returns "Connection: keep-alive\r\n" and, with a KeepAliveTimeout of a second
// or more, "Keep-Alive: timeout=<seconds>\r\n" (Node's headers of a keep-alive response).
func (s *Server) keepAliveLines() []byte {
	ka := &s.kaLines
	if ka.line == nil || ka.timeout != s.KeepAliveTimeout {
		b := append(ka.line[:0], "Connection: keep-alive\r\n"...)
		if s.KeepAliveTimeout >= 1000 {
			b = append(b, "Keep-Alive: timeout="...)
			b = strconv.AppendInt(b, int64(s.KeepAliveTimeout/1000), 10)
			b = append(b, '\r', '\n')
		}
		ka.line, ka.timeout = b, s.KeepAliveTimeout
	}
	return ka.line
}

// dateKeepAliveLines returns the Date line (see dateCache.get) followed by keepAliveLines.
func (s *Server) dateKeepAliveLines() []byte {
	d, ka := &s.date, &s.kaLines
	if s.loop.Now() >= d.next {
		d.refresh(s.loop.Now())
	}
	if ka.dateGen != d.gen || ka.dateTimeout != s.KeepAliveTimeout {
		b := append(ka.dateLine[:0], d.line[:]...)
		b = append(b, s.keepAliveLines()...)
		ka.dateLine, ka.dateGen, ka.dateTimeout = b, d.gen, s.KeepAliveTimeout
	}
	return ka.dateLine
}
