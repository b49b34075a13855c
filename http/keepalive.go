package http

import "strconv"

// kaLines holds the keep-alive header lines of a server's responses, rebuilt when its
// KeepAliveTimeout changes.
type kaLines struct {
	timeout int
	line    []byte
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
