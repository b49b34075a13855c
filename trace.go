package uv

import (
	"sync/atomic"
	"time"
)

// Tracer receives what a loop does underneath a program, as typed events:
//
//   - every system call the backend and the socket primitive make, with its arguments and
//     result (SyscallEvent): socket, setsockopt, bind, listen (with the backlog asked for and
//     the somaxconn it is clamped to), epoll_ctl, epoll_wait, accept4, read, writev,
//     sendmsg, shutdown, close, and sendfile (of file-system requests and of a socket's file
//     writes, Sock.WriteFile);
//   - each phase of each iteration, when it begins and when it ends, with its duration, its
//     wait for I/O and how many callbacks it ran (PhaseEvent);
//   - the lifecycle of each handle: init, start, stop, close, closed (HandleEvent);
//   - the crossings of the layers above uv (LayerEvent), which those layers report with
//     Loop.TraceLayer.
//
// Attach one to a loop with Loop.SetTracer. SetGlobalTracer attaches one to every loop
// created afterwards and gives it the system calls made outside any loop (socket creation,
// file-system operations on the threadpool). The environment does that for any program,
// without changing it:
//
//	UV_TRACE=1 (or text)   a TextPrinter, with timestamps, on standard error
//	UV_TRACE=json          a JSONPrinter on standard error
//	UV_TRACE_FILE=path     either printer writes to path (created or truncated) instead
//
// With no tracer attached, tracing costs one predictable nil check per hook: no allocation,
// no clock reads. An attached tracer slows the loop by whatever it does with each event.
//
// The methods run on the loop's goroutine, in the middle of the loop's work, and must not
// call back into the loop except for queries; the event values are copies the tracer may
// keep. Handle start and stop transitions reach the tracer in order with the other events,
// but may be delivered a little later than they happen: with the next other event or phase
// boundary.
// A tracer given to SetGlobalTracer is shared by every loop and by the threadpool, so it
// must be safe for concurrent use. Embed NopTracer to implement only some of the methods.
//
// # Emitting layer events
//
// The layers above uv (net, http, the app layer) describe what they do with
// Loop.TraceLayer(layer, what), guarded by Loop.Tracing so that building the description
// costs nothing when no one listens:
//
//	if l.Tracing() {
//		l.TraceLayer("net", "Server.listen "+addr.String()+" backlog "+strconv.Itoa(backlog))
//	}
//
// The layer is the package's name ("app", "http", "net", "stream"). A TextPrinter indents
// by layer (DefaultTraceLayers), so the lines draw the walk from the app down to the kernel.
type Tracer interface {
	// TraceSyscall is told of a system call after it returned. l is nil for calls made
	// outside any loop (socket creation, file-system operations).
	TraceSyscall(l *Loop, e SyscallEvent)
	// TracePhase is told when a loop phase begins and when it ends.
	TracePhase(l *Loop, e PhaseEvent)
	// TraceHandle is told of handle lifecycle transitions.
	TraceHandle(l *Loop, e HandleEvent)
	// TraceLayer is told of what a layer above uv reports with Loop.TraceLayer.
	TraceLayer(l *Loop, e LayerEvent)
}

// NopTracer ignores every event; embed it in a tracer that wants only some of them.
type NopTracer struct{}

// TraceSyscall does nothing.
func (NopTracer) TraceSyscall(*Loop, SyscallEvent) {}

// TracePhase does nothing.
func (NopTracer) TracePhase(*Loop, PhaseEvent) {}

// TraceHandle does nothing.
func (NopTracer) TraceHandle(*Loop, HandleEvent) {}

// TraceLayer does nothing.
func (NopTracer) TraceLayer(*Loop, LayerEvent) {}

// Syscall names a system call reported to a tracer.
type Syscall uint8

// The traced system calls. The comment of each says what SyscallEvent's Fd, Args, Addr and
// Result hold for it.
const (
	// SysSocket: Args domain, type (with its flags), protocol; Result the new descriptor.
	SysSocket Syscall = iota + 1
	// SysSetsockopt: Fd; Args level, option, value.
	SysSetsockopt
	// SysBind: Fd; Addr the address.
	SysBind
	// SysListen: Fd; Args the backlog asked for, the system's limit (Linux's
	// /proc/sys/net/core/somaxconn; 0 when unknown), and the backlog the kernel uses (the
	// smaller of the two).
	SysListen
	// SysConnect: Fd; Addr the peer.
	SysConnect
	// SysAccept4: Fd the listening socket; Args the flags; Result the new descriptor.
	SysAccept4
	// SysRead: Fd; Args the buffer's size; Result the bytes read (0 at end of stream).
	SysRead
	// SysRecvmsg: Fd; Args the buffer's size; Result the bytes read.
	SysRecvmsg
	// SysWritev: Fd; Args the buffers, the bytes offered; Result the bytes written.
	SysWritev
	// SysSendmsg: Fd; Args the bytes offered, the descriptors passed along; Addr the
	// destination (nil when connected); Result the bytes sent.
	SysSendmsg
	// SysShutdown: Fd; Args how (SHUT_WR).
	SysShutdown
	// SysClose: Fd.
	SysClose
	// SysEpollCtl: Fd the watched descriptor; Args the epoll descriptor, the operation
	// (EPOLL_CTL_ADD, _MOD, _DEL), the events.
	SysEpollCtl
	// SysEpollWait: Fd the epoll descriptor; Args the most events wanted, the timeout in ms
	// (-1: none); Result the events returned.
	SysEpollWait
	// SysSendfile: Fd the output; Args the input, its offset, the bytes asked for; Result the
	// bytes copied (one kernel copy: copy_file_range or sendfile). On Windows it is one
	// overlapped TransmitFile, reported when it starts with the bytes asked for as its result,
	// and again with the error if it fails.
	SysSendfile
	// SysKevent: Fd the kqueue; Args the changes given, the most events wanted (0: the
	// changes only, no wait), the timeout in ms (-1: none); Result the events returned.
	SysKevent
	// The Windows backend's calls. SysWSARecv: Fd; Args the bytes asked for (0: libuv's
	// zero-byte read, which only signals data); Result the bytes received, or
	// SyscallPending.
	SysWSARecv
	// SysWSASend: Fd; Args the buffers, the bytes offered; Result the bytes sent, or
	// SyscallPending.
	SysWSASend
	// SysAcceptEx: Fd the listening socket; Args the socket the connection will get; Result
	// 0, or SyscallPending.
	SysAcceptEx
	// SysConnectEx: Fd; Addr the peer; Result 0, or SyscallPending.
	SysConnectEx
	// SysIOCPAssociate (CreateIoCompletionPort on a handle): Fd the handle; Args the port.
	SysIOCPAssociate
	// SysGQCSEx (GetQueuedCompletionStatusEx): Fd the port; Args the most packets wanted,
	// the timeout in ms (-1: none); Result the packets returned.
	SysGQCSEx
	sysMax
)

var syscallNames = [...]string{
	SysSocket:     "socket",
	SysSetsockopt: "setsockopt",
	SysBind:       "bind",
	SysListen:     "listen",
	SysConnect:    "connect",
	SysAccept4:    "accept4",
	SysRead:       "read",
	SysRecvmsg:    "recvmsg",
	SysWritev:     "writev",
	SysSendmsg:    "sendmsg",
	SysShutdown:   "shutdown",
	SysClose:      "close",
	SysEpollCtl:   "epoll_ctl",
	SysEpollWait:  "epoll_wait",
	SysSendfile:   "sendfile",
	SysKevent:     "kevent",

	SysWSARecv:       "WSARecv",
	SysWSASend:       "WSASend",
	SysAcceptEx:      "AcceptEx",
	SysConnectEx:     "ConnectEx",
	SysIOCPAssociate: "CreateIoCompletionPort",
	SysGQCSEx:        "GetQueuedCompletionStatusEx",
}

// SyscallPending is the Result of an overlapped call (Windows) that started and completes
// later, through the loop's completion port.
const SyscallPending = -2

// String returns the system call's name, as the kernel calls it ("accept4", "epoll_ctl").
func (c Syscall) String() string {
	if c == 0 || c >= sysMax {
		return "syscall?"
	}
	return syscallNames[c]
}

// SyscallEvent is one system call, reported after it returned. See the Syscall constants for
// what Fd, Args, Addr and Result hold for each call.
type SyscallEvent struct {
	Call Syscall
	// Fd is the descriptor the call acts on.
	Fd   int
	Args [3]int64
	// Addr is the socket address of bind, connect and sendmsg (nil for the others).
	Addr SockAddr
	// Result is what the call returned when it succeeded: a descriptor, a byte or event
	// count, or 0.
	Result int
	// Err is nil or the *Error the call failed with (EAGAIN, EINPROGRESS, ...).
	Err error
}

// LoopPhase is one of the phases of a loop iteration, as reported by PhaseEvent and the phase
// metrics.
type LoopPhase int8

// The phases of an iteration. An iteration runs pending, idle, prepare, poll (which waits for
// I/O and runs the I/O callbacks), pending again, check, closing and timers; Run in
// RunDefault mode also runs due timers once before the first iteration.
const (
	LoopPhaseTimers LoopPhase = iota
	LoopPhasePending
	LoopPhaseIdle
	LoopPhasePrepare
	LoopPhasePoll
	LoopPhaseCheck
	LoopPhaseClosing

	// NumLoopPhases is the number of phases, the length of the arrays indexed by LoopPhase.
	NumLoopPhases = 7

	phaseNone LoopPhase = -1 // between iterations
	phaseEnd  LoopPhase = -2 // mark: the iteration ends
)

var loopPhaseNames = [NumLoopPhases]string{"timers", "pending", "idle", "prepare", "poll", "check", "closing"}

// String returns the phase's name ("timers", "poll", ...).
func (p LoopPhase) String() string {
	if p < 0 || p >= NumLoopPhases {
		return "phase?"
	}
	return loopPhaseNames[p]
}

// PhaseEvent reports that a phase of an iteration began (End false) or ended (End true).
type PhaseEvent struct {
	// Iteration numbers the iteration: LoopCount once its poll has begun.
	Iteration uint64
	Phase     LoopPhase
	End       bool
	// Start is the HRTime at which the phase began.
	Start uint64
	// Duration is the time the phase took, Wait the part of it spent waiting for I/O in the
	// kernel (poll only), and Callbacks how many callbacks it ran; they are set only when End
	// is true.
	Duration  time.Duration
	Wait      time.Duration
	Callbacks int
}

// HandleOp is a handle lifecycle transition.
type HandleOp uint8

// Handle lifecycle transitions.
const (
	HandleInit   HandleOp = iota + 1 // registered with the loop
	HandleStart                      // became active
	HandleStop                       // became inactive
	HandleClose                      // Close was called (the close hook runs next)
	HandleClosed                     // the closing phase reached it; the close callback runs next
)

var handleOpNames = [...]string{HandleInit: "init", HandleStart: "start", HandleStop: "stop",
	HandleClose: "close", HandleClosed: "closed"}

// String returns "init", "start", "stop", "close" or "closed".
func (o HandleOp) String() string {
	if o == 0 || int(o) >= len(handleOpNames) {
		return "op?"
	}
	return handleOpNames[o]
}

// HandleEvent reports a handle lifecycle transition.
type HandleEvent struct {
	Op     HandleOp
	Type   HandleType
	Handle *Handle
}

// LayerEvent is what a layer above uv reported with Loop.TraceLayer.
type LayerEvent struct {
	// Layer names the reporting layer ("app", "http", "net").
	Layer string
	// What describes the crossing ("Server.listen 0.0.0.0:3000 backlog 511").
	What string
}

// SetTracer attaches t to the loop (nil detaches it). Call it on the loop's goroutine or while
// the loop is not running.
func (l *Loop) SetTracer(t Tracer) {
	if t == nil {
		if in := l.ins; in != nil {
			in.flush()
			in.tracer = nil
			l.dropInstr()
		}
		return
	}
	in := l.instrument()
	in.flush()
	in.tracer = t
}

// Tracer returns the loop's tracer, or nil.
func (l *Loop) Tracer() Tracer {
	if l.ins == nil {
		return nil
	}
	return l.ins.tracer
}

// Tracing reports whether a tracer is attached. Layers above uv use it to skip building the
// descriptions they give TraceLayer when no one listens.
func (l *Loop) Tracing() bool { return l.ins != nil && l.ins.tracer != nil }

// TraceLayer reports a crossing of the layer named layer to the loop's tracer, if any. See
// the package's tracing notes for how layers use it.
func (l *Loop) TraceLayer(layer, what string) {
	if in := l.ins; in != nil && in.tracer != nil {
		in.flush()
		in.tracer.TraceLayer(l, LayerEvent{Layer: layer, What: what})
	}
}

type tracerBox struct{ t Tracer }

var globalTracer atomic.Pointer[tracerBox]

// SetGlobalTracer attaches t to every loop created from now on, and gives it the system calls
// made outside any loop: socket creation and file-system operations (which run on the
// threadpool). Their events have a nil loop. t must be safe for concurrent use. nil stops
// both; loops that already have t keep it. UV_TRACE=1 in the environment calls it at start-up
// with a TextPrinter on standard error.
func SetGlobalTracer(t Tracer) {
	if t == nil {
		globalTracer.Store(nil)
		return
	}
	globalTracer.Store(&tracerBox{t})
}

// GlobalTracer returns what SetGlobalTracer set, or nil.
func GlobalTracer() Tracer {
	if b := globalTracer.Load(); b != nil {
		return b.t
	}
	return nil
}

// traceAttachGlobal gives a new loop the global tracer.
func (l *Loop) traceAttachGlobal() {
	if b := globalTracer.Load(); b != nil {
		l.SetTracer(b.t)
	}
}

// traceGlobal reports a system call made outside any loop.
func traceGlobal(c Syscall, fd int, a0, a1, a2 int64, res int, err error) {
	if b := globalTracer.Load(); b != nil {
		b.t.TraceSyscall(nil, SyscallEvent{Call: c, Fd: fd, Args: [3]int64{a0, a1, a2}, Result: res,
			Err: traceErr(err)})
	}
}

func traceErr(err error) error {
	if err == nil {
		return nil
	}
	return TranslateSysError(err)
}

// sys reports a system call of the loop to its tracer. For the hooks: call it only when l.ins
// is not nil.
func (in *instr) sys(l *Loop, c Syscall, fd int, a0, a1, a2 int64, res int, err error) {
	if in.tracer == nil {
		return
	}
	in.flush()
	if err != nil {
		res = -1
	}
	in.tracer.TraceSyscall(l, SyscallEvent{Call: c, Fd: fd, Args: [3]int64{a0, a1, a2}, Result: res,
		Err: traceErr(err)})
}

// sysAddr is sys for the calls that take a socket address.
func (in *instr) sysAddr(l *Loop, c Syscall, fd int, sa SockAddr, a0 int64, res int, err error) {
	if in.tracer == nil {
		return
	}
	in.flush()
	if err != nil {
		res = -1
	}
	in.tracer.TraceSyscall(l, SyscallEvent{Call: c, Fd: fd, Args: [3]int64{a0}, Addr: sa, Result: res,
		Err: traceErr(err)})
}

// listen reports listen(2) with the system's backlog limit.
func (in *instr) listen(l *Loop, fd, backlog int, err error) {
	if in.tracer == nil {
		return
	}
	limit := int64(somaxconn())
	eff := int64(backlog)
	if limit > 0 && (eff < 0 || eff > limit) {
		eff = limit
	}
	in.sys(l, SysListen, fd, int64(backlog), limit, eff, 0, err)
}

// handle reports a handle lifecycle transition.
func (in *instr) handle(h *Handle, op HandleOp) {
	if in.tracer != nil {
		in.flush()
		in.tracer.TraceHandle(h.loop, HandleEvent{Op: op, Type: h.Type(), Handle: h})
	}
}

// flush gives the tracer the start and stop transitions Handle.Activate and Deactivate
// queued. They queue rather than call the tracer so that they stay small enough to be
// inlined (a call would cost every handle start and stop a little even with no tracer);
// every other event and every phase boundary flushes the queue first, so the tracer sees
// the events in order.
func (in *instr) flush() {
	if len(in.notes) == 0 {
		return
	}
	for i := 0; i < len(in.notes); i++ {
		n := in.notes[i]
		in.notes[i] = handleNote{}
		if in.tracer != nil {
			in.tracer.TraceHandle(n.h.loop, HandleEvent{Op: n.op, Type: n.h.Type(), Handle: n.h})
		}
	}
	if cap(in.notes) > 1<<16 {
		in.notes = nil // a burst of transitions outside any phase: do not keep its memory
	} else {
		in.notes = in.notes[:0]
	}
}

// MultiTracer returns a tracer that gives every event to each of ts in turn.
func MultiTracer(ts ...Tracer) Tracer {
	return multiTracer(append([]Tracer(nil), ts...))
}

type multiTracer []Tracer

func (m multiTracer) TraceSyscall(l *Loop, e SyscallEvent) {
	for _, t := range m {
		t.TraceSyscall(l, e)
	}
}

func (m multiTracer) TracePhase(l *Loop, e PhaseEvent) {
	for _, t := range m {
		t.TracePhase(l, e)
	}
}

func (m multiTracer) TraceHandle(l *Loop, e HandleEvent) {
	for _, t := range m {
		t.TraceHandle(l, e)
	}
}

func (m multiTracer) TraceLayer(l *Loop, e LayerEvent) {
	for _, t := range m {
		t.TraceLayer(l, e)
	}
}
