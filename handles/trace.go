package handles

import (
	"strconv"

	uv "github.com/uv-go/uv"
)

// Layer crossings for the loop's tracer (uv.Loop.TraceLayer). Node's net module calls
// methods of its handle wraps (tcp_wrap, pipe_wrap), which call libuv; the handles here are
// both, so they report under the layer "handles" with the wrap's name: "tcp_wrap listen
// backlog 511". Every call site checks Loop.Tracing first, so nothing is built when no
// tracer is attached.

// wrapName is the name Node gives the wrap of a handle type.
func wrapName(t uv.HandleType) string {
	switch t {
	case uv.TypeTCP:
		return "tcp_wrap"
	case uv.TypeNamedPipe:
		return "pipe_wrap"
	case uv.TypeTTY:
		return "tty_wrap"
	}
	return t.String()
}

// trace reports the stream's method what with its details; call it only when tracing.
func (s *Stream) trace(what, detail string) {
	msg := wrapName(s.Type()) + " " + what
	if detail != "" {
		msg += " " + detail
	}
	s.Loop().TraceLayer("handles", msg)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
