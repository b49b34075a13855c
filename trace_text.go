package uv

import (
	"io"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// traceConst selects a table of kernel constant names for the printers.
type traceConst uint8

const (
	constDomain traceConst = iota
	constSockType
	constSockFlags
	constLevel
	constEpollOp
	constEpollEvents
	constShutHow
)

// DefaultTraceLayers are the layers a TextPrinter indents by, outermost first: what the app
// layer reports is not indented, system calls are indented the most. Loop phases are
// printed at the left margin.
var DefaultTraceLayers = []string{"app", "http", "net", "stream", "handles", "uv", "syscall"}

// TextPrinter is a Tracer that prints events as a walk-through, one line each, indented by
// layer: the app layer at the left, then http, net, the handles, and the system calls at the
// right, so a call can be followed down through the layers to the kernel and back:
//
//	app      app.listen(3000, "127.0.0.1")
//	  http     http.createServer()
//	  http     Server.listen(3000, "127.0.0.1")
//	    net      Server.listen 127.0.0.1:3000 backlog 511
//	        handles  tcp 0xc000180008 init
//	        handles  tcp_wrap bind 127.0.0.1:3000 (uv_tcp_bind)
//	            syscall  socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0) = 11
//	            syscall  setsockopt(11, SOL_SOCKET, SO_REUSEADDR, 1) = 0
//	            syscall  bind(11, 127.0.0.1:3000) = 0
//	        handles  tcp_wrap listen backlog 511 (uv_listen)
//	            syscall  listen(11, 511) = 0  · accept queue 511 (somaxconn 4096)
//	        handles  tcp 0xc000180008 start
//	    net      listening on 127.0.0.1:3000
//	loop     #1 poll
//	            syscall  epoll_ctl(8, EPOLL_CTL_ADD, 11, EPOLLIN) = 0
//	            syscall  epoll_wait(8, events[1024], -1) = 1
//	            syscall  accept4(11, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC) = 14
//	        handles  tcp 0xc000181208 init
//	        handles  tcp_wrap accept fd 14 (uv_accept)
//	    net      connection from 127.0.0.1:51234 (1 open)
//	loop     #1 poll done: 2.021ms (2.003ms waiting for I/O), 1 callback
//
// (go run ./examples/listen-trace prints the whole trip of a request this way.)
//
// A phase is printed only if something happened in it (set AllPhases for every phase). It is
// safe for concurrent use, so one printer can serve several loops (their lines are then
// tagged L1, L2, ...) and the threadpool. Printing allocates nothing in steady state.
type TextPrinter struct {
	// Layers orders the layers from the outermost; a layer not listed is not indented. The
	// printer uses DefaultTraceLayers when it is nil.
	Layers []string
	// Timestamps starts each line with the milliseconds since the printer was made.
	Timestamps bool
	// AllPhases prints every phase of every iteration, even those in which nothing happened.
	AllPhases bool

	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	start uint64
	loops traceLoops[textLoop]
}

type textLoop struct {
	phase PhaseEvent
	open  bool // a phase has begun and not ended
	shown bool // its opening line is printed
}

// NewTextPrinter returns a printer writing to w, a line per Write. A w with a Flush method
// (a *bufio.Writer) is flushed whenever the loop may block (when a poll phase begins), at
// the end of each iteration and after each event of no loop, so it costs fewer system calls
// and still shows each iteration as it ends.
func NewTextPrinter(w io.Writer) *TextPrinter {
	return &TextPrinter{w: w, start: HRTime()}
}

// TraceSyscall prints the call, its arguments and its result.
func (p *TextPrinter) TraceSyscall(l *Loop, e SyscallEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.begin(l, "syscall")
	b = appendSyscall(b, &e)
	p.end(b)
	if l == nil {
		traceFlush(p.w)
	}
}

// TracePhase prints a phase that ended, if something happened in it or AllPhases is set;
// its opening line is printed before the first event inside it.
func (p *TextPrinter) TracePhase(l *Loop, e PhaseEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, id := p.loops.get(l)
	defer traceFlushAfter(p.w, &e)
	if !e.End {
		st.phase, st.open, st.shown = e, true, false
		return
	}
	shown := st.open && st.shown
	st.open, st.shown = false, false
	if !shown && e.Callbacks == 0 && !p.AllPhases {
		return
	}
	b := p.prefix(id, "loop", 0)
	b = appendPhase(b, &e)
	if shown {
		b = append(b, " done:"...)
	}
	b = append(b, ' ')
	b = appendMillis(b, e.Duration)
	if e.Wait > 0 {
		b = append(b, " ("...)
		b = appendMillis(b, e.Wait)
		b = append(b, " waiting for I/O)"...)
	}
	b = append(b, ", "...)
	b = strconv.AppendInt(b, int64(e.Callbacks), 10)
	b = append(b, " callback"...)
	if e.Callbacks != 1 {
		b = append(b, 's')
	}
	p.end(b)
}

// TraceHandle prints the handle's type, address and transition.
func (p *TextPrinter) TraceHandle(l *Loop, e HandleEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.begin(l, "handles")
	b = appendHandleName(b, e.Type)
	b = append(b, " 0x"...)
	b = strconv.AppendUint(b, uint64(handleAddr(e.Handle)), 16)
	b = append(b, ' ')
	b = append(b, e.Op.String()...)
	p.end(b)
}

// TraceLayer prints what the layer reported, indented by its layer.
func (p *TextPrinter) TraceLayer(l *Loop, e LayerEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.begin(l, e.Layer)
	b = append(b, e.What...)
	p.end(b)
}

// begin opens the line of an event of layer, after the opening line of its phase if that
// is not printed yet.
func (p *TextPrinter) begin(l *Loop, layer string) []byte {
	id := 0
	if l != nil {
		var st *textLoop
		st, id = p.loops.get(l)
		if st.open && !st.shown {
			st.shown = true
			b := p.prefix(id, "loop", 0)
			b = appendPhase(b, &st.phase)
			p.end(b)
		}
	}
	return p.prefix(id, layer, p.depth(layer))
}

func (p *TextPrinter) depth(layer string) int {
	layers := p.Layers
	if layers == nil {
		layers = DefaultTraceLayers
	}
	for i, name := range layers {
		if name == layer {
			return i
		}
	}
	return 0
}

func (p *TextPrinter) prefix(id int, layer string, depth int) []byte {
	b := p.buf[:0]
	if p.Timestamps {
		var tmp [32]byte
		ms := strconv.AppendFloat(tmp[:0], float64(HRTime()-p.start)/1e6, 'f', 3, 64)
		for i := len(ms); i < 10; i++ {
			b = append(b, ' ')
		}
		b = append(b, ms...)
		b = append(b, "ms "...)
	}
	if p.loops.n > 1 {
		if id == 0 {
			b = append(b, "L- "...)
		} else {
			b = append(b, 'L')
			b = strconv.AppendInt(b, int64(id), 10)
			b = append(b, ' ')
		}
	}
	for range depth {
		b = append(b, "  "...)
	}
	b = append(b, layer...)
	for n := len(layer); n < 8; n++ {
		b = append(b, ' ')
	}
	return append(b, ' ')
}

func (p *TextPrinter) end(b []byte) {
	b = append(b, '\n')
	p.buf = b
	if p.w != nil {
		p.w.Write(b)
	}
}

func appendPhase(b []byte, e *PhaseEvent) []byte {
	b = append(b, '#')
	b = strconv.AppendUint(b, e.Iteration, 10)
	b = append(b, ' ')
	return append(b, e.Phase.String()...)
}

func appendMillis(b []byte, d time.Duration) []byte {
	b = strconv.AppendFloat(b, float64(d)/1e6, 'f', 3, 64)
	return append(b, "ms"...)
}

func appendHandleName(b []byte, t HandleType) []byte {
	if s := t.String(); s != "" {
		return append(b, s...)
	}
	return append(b, "<unknown>"...)
}

// syscallArgs gives, for each call, how its arguments print: literal text, with verbs
// %f (the descriptor), %0 %1 %2 (Args[i] as a number), %a (the address), %o (the socket
// option named by Args[0] and Args[1]) and %D %T %F %L %P %E %H followed by an argument index
// (Args[i] as a constant: domain, socket type, socket flags, level, epoll op, epoll events,
// shutdown how). A call not listed prints its descriptor.
var syscallArgs = [...]string{
	SysSocket:        "%D0, %T1, %2",
	SysSetsockopt:    "%f, %L0, %o, %2",
	SysBind:          "%f, %a",
	SysConnect:       "%f, %a",
	SysListen:        "%f, %0",
	SysAccept4:       "%f, NULL, NULL, %F0",
	SysRead:          "%f, buf[%0]",
	SysRecvmsg:       "%f, buf[%0]",
	SysWritev:        "%f, iov[%0] %1 bytes",
	SysShutdown:      "%f, %H0",
	SysEpollCtl:      "%0, %P1, %f",
	SysEpollWait:     "%f, events[%0], %1",
	SysKevent:        "%f, changes[%0], events[%1], %2",
	SysWSARecv:       "%f, buf[%0], overlapped",
	SysWSASend:       "%f, bufs[%0] %1 bytes, overlapped",
	SysAcceptEx:      "%f, %0, overlapped",
	SysConnectEx:     "%f, %a, overlapped",
	SysIOCPAssociate: "%f, port %0",
	SysGQCSEx:        "%f, entries[%0], %1",
	SysSendfile:      "%f, %0, [%1], %2",
	SysSendmsg:       "%f, %0 bytes",
}

var traceConstVerbs = [...]struct {
	verb byte
	k    traceConst
}{{'D', constDomain}, {'T', constSockType}, {'F', constSockFlags}, {'L', constLevel},
	{'P', constEpollOp}, {'E', constEpollEvents}, {'H', constShutHow}}

// appendSyscall formats a call as strace would: name(args) = result.
func appendSyscall(b []byte, e *SyscallEvent) []byte {
	b = append(b, e.Call.String()...)
	b = append(b, '(')
	a := &e.Args
	format := "%f"
	if int(e.Call) < len(syscallArgs) && syscallArgs[e.Call] != "" {
		format = syscallArgs[e.Call]
	}
	b = appendArgs(b, format, e)
	switch e.Call {
	case SysSendmsg:
		if a[1] > 0 {
			b = append(b, " + fd"...)
		}
		if e.Addr != nil {
			b = append(b, " to "...)
			b = appendSockAddr(b, e.Addr)
		}
	case SysEpollCtl:
		if a[2] != 0 {
			b = append(b, ", "...)
			b = appendConst(b, constEpollEvents, a[2])
		}
	}
	b = append(b, ") = "...)
	if e.Err != nil {
		b = append(b, "-1 "...)
		b = append(b, traceErrName(e.Err)...)
		b = append(b, " ("...)
		if u, ok := e.Err.(*Error); ok && u.code == UNKNOWN.code && u.sys != 0 {
			b = append(b, u.sys.Error()...)
		} else {
			b = append(b, e.Err.Error()...)
		}
		return append(b, ')')
	}
	if e.Result == SyscallPending {
		return append(b, "pending"...)
	}
	b = strconv.AppendInt(b, int64(e.Result), 10)
	if e.Call == SysListen {
		switch {
		case a[1] <= 0:
		case a[2] < a[0] || a[0] < 0:
			b = append(b, "  · backlog clamped to "...)
			b = strconv.AppendInt(b, a[2], 10)
			b = append(b, " by somaxconn"...)
		default:
			b = append(b, "  · accept queue "...)
			b = strconv.AppendInt(b, a[2], 10)
			b = append(b, " (somaxconn "...)
			b = strconv.AppendInt(b, a[1], 10)
			b = append(b, ')')
		}
	}
	return b
}

// appendArgs appends the arguments of e as format says (see syscallArgs).
func appendArgs(b []byte, format string, e *SyscallEvent) []byte {
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		switch v := format[i]; {
		case v == 'f':
			b = strconv.AppendInt(b, int64(e.Fd), 10)
		case v == 'a':
			b = appendSockAddr(b, e.Addr)
		case v == 'o':
			b = appendSockopt(b, e.Args[0], e.Args[1])
		case v >= '0' && v <= '2':
			b = strconv.AppendInt(b, e.Args[v-'0'], 10)
		default:
			for _, cv := range traceConstVerbs {
				if cv.verb == v && i+1 < len(format) {
					i++
					b = appendConst(b, cv.k, e.Args[format[i]-'0'])
					break
				}
			}
		}
	}
	return b
}

// appendSockAddr appends an IP address and port, or a unix socket's name.
func appendSockAddr(b []byte, sa SockAddr) []byte {
	if sa == nil {
		return append(b, "NULL"...)
	}
	if ap, ok := AddrPortOf(sa); ok {
		return appendAddrPort(b, ap)
	}
	if path, ok := PathOf(sa); ok {
		if len(path) > 0 && path[0] == 0 {
			b = append(b, '@')
			path = path[1:]
		}
		return strconv.AppendQuote(b, path)
	}
	return append(b, '?')
}

func appendAddrPort(b []byte, ap netip.AddrPort) []byte { return ap.AppendTo(b) }

// traceErrName names the error of a system call: libuv's name, or the host's for an errno
// libuv has no code for (EINPROGRESS).
func traceErrName(err error) string {
	if e, ok := err.(*Error); ok && e.code == UNKNOWN.code && e != UNKNOWN && e.sys != 0 {
		if name := errnoName(e.sys); name != "" {
			return name
		}
	}
	return ErrName(err)
}

// traceFlush flushes w if it buffers.
func traceFlush(w io.Writer) {
	if f, ok := w.(interface{ Flush() error }); ok {
		f.Flush()
	}
}

// traceFlushAfter flushes w when the loop may block next or an iteration has ended.
func traceFlushAfter(w io.Writer, e *PhaseEvent) {
	if (!e.End && e.Phase == LoopPhasePoll) || (e.End && e.Phase == LoopPhaseTimers) {
		traceFlush(w)
	}
}

// traceLoops gives loops small numbers, in the order a printer first sees them, and keeps
// the printer's state of each. It forgets the oldest beyond 64 loops, so a printer shared by
// short-lived loops does not grow.
type traceLoops[S any] struct {
	ents []traceLoopEnt[S]
	n    int // loops seen
}

type traceLoopEnt[S any] struct {
	l  *Loop
	id int
	st S
}

const traceLoopsMax = 64

func (t *traceLoops[S]) get(l *Loop) (*S, int) {
	for i := range t.ents {
		if t.ents[i].l == l {
			return &t.ents[i].st, t.ents[i].id
		}
	}
	t.n++
	if len(t.ents) == traceLoopsMax {
		copy(t.ents, t.ents[1:])
		t.ents = t.ents[:len(t.ents)-1]
	}
	t.ents = append(t.ents, traceLoopEnt[S]{l: l, id: t.n})
	e := &t.ents[len(t.ents)-1]
	return &e.st, e.id
}
