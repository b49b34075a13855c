package uv

import (
	"io"
	"strconv"
	"sync"
	"unicode/utf8"
)

// JSONPrinter is a Tracer that writes one JSON object per event and line, for tools. Every
// object has "t" (nanoseconds since the printer was made), "loop" (a small number per loop,
// in the order the printer first saw them; 0 for calls made outside any loop) and "ev", one
// of:
//
//	{"ev":"syscall","call":"listen","fd":7,"args":[511,4096,511],"ret":0}
//	{"ev":"syscall","call":"read","fd":9,"args":[65536,0,0],"ret":-1,"err":"EAGAIN"}
//	{"ev":"syscall","call":"bind","fd":7,"args":[0,0,0],"addr":"127.0.0.1:8000","ret":0}
//	{"ev":"phase","iter":3,"phase":"poll","end":false}
//	{"ev":"phase","iter":3,"phase":"poll","end":true,"dur_ns":81234,"wait_ns":80012,"callbacks":1}
//	{"ev":"handle","op":"init","type":"tcp","handle":"0xc0000b4000"}
//	{"ev":"layer","layer":"http","what":"GET / HTTP/1.1"}
//
// (The keys "t" and "loop" come first and are left out above.) See the Syscall constants
// for what args holds for each call. It is safe for concurrent use and allocates nothing in
// steady state.
type JSONPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	start uint64
	loops traceLoops[struct{}]
}

// NewJSONPrinter returns a printer writing to w, a line per Write; a w with a Flush method is
// flushed as NewTextPrinter says.
func NewJSONPrinter(w io.Writer) *JSONPrinter {
	return &JSONPrinter{w: w, start: HRTime()}
}

// TraceSyscall writes a "syscall" object.
func (p *JSONPrinter) TraceSyscall(l *Loop, e SyscallEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.begin(l, "syscall")
	b = append(b, `,"call":"`...)
	b = append(b, e.Call.String()...)
	b = append(b, `","fd":`...)
	b = strconv.AppendInt(b, int64(e.Fd), 10)
	b = append(b, `,"args":[`...)
	for i, a := range e.Args {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, a, 10)
	}
	b = append(b, ']')
	if e.Addr != nil {
		b = append(b, `,"addr":`...)
		var tmp [128]byte
		b = appendJSONString(b, appendSockAddr(tmp[:0], e.Addr))
	}
	b = append(b, `,"ret":`...)
	b = strconv.AppendInt(b, int64(e.Result), 10)
	if e.Err != nil {
		b = append(b, `,"err":`...)
		b = appendJSONString(b, traceErrName(e.Err))
	}
	p.end(b)
	if l == nil {
		traceFlush(p.w)
	}
}

// TracePhase writes a "phase" object.
func (p *JSONPrinter) TracePhase(l *Loop, e PhaseEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.begin(l, "phase")
	b = append(b, `,"iter":`...)
	b = strconv.AppendUint(b, e.Iteration, 10)
	b = append(b, `,"phase":"`...)
	b = append(b, e.Phase.String()...)
	b = append(b, `","end":`...)
	b = strconv.AppendBool(b, e.End)
	if e.End {
		b = append(b, `,"dur_ns":`...)
		b = strconv.AppendInt(b, int64(e.Duration), 10)
		b = append(b, `,"wait_ns":`...)
		b = strconv.AppendInt(b, int64(e.Wait), 10)
		b = append(b, `,"callbacks":`...)
		b = strconv.AppendInt(b, int64(e.Callbacks), 10)
	}
	p.end(b)
	traceFlushAfter(p.w, &e)
}

// TraceHandle writes a "handle" object.
func (p *JSONPrinter) TraceHandle(l *Loop, e HandleEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.begin(l, "handle")
	b = append(b, `,"op":"`...)
	b = append(b, e.Op.String()...)
	b = append(b, `","type":`...)
	var tmp [16]byte
	b = appendJSONString(b, appendHandleName(tmp[:0], e.Type))
	b = append(b, `,"handle":"0x`...)
	b = strconv.AppendUint(b, uint64(handleAddr(e.Handle)), 16)
	b = append(b, '"')
	p.end(b)
}

// TraceLayer writes a "layer" object.
func (p *JSONPrinter) TraceLayer(l *Loop, e LayerEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.begin(l, "layer")
	b = append(b, `,"layer":`...)
	b = appendJSONString(b, e.Layer)
	b = append(b, `,"what":`...)
	b = appendJSONString(b, e.What)
	p.end(b)
}

func (p *JSONPrinter) begin(l *Loop, ev string) []byte {
	id := 0
	if l != nil {
		_, id = p.loops.get(l)
	}
	b := append(p.buf[:0], `{"t":`...)
	b = strconv.AppendUint(b, HRTime()-p.start, 10)
	b = append(b, `,"loop":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"ev":"`...)
	b = append(b, ev...)
	return append(b, '"')
}

func (p *JSONPrinter) end(b []byte) {
	b = append(b, '}', '\n')
	p.buf = b
	if p.w != nil {
		p.w.Write(b)
	}
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString[S ~string | ~[]byte](b []byte, s S) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
