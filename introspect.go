package uv

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// MetricsPhaseTime, given to Loop.Configure, makes the loop time each phase of each iteration
// and each callback it runs (see Loop.MetricsPhaseTimes and Loop.MetricsLongestCallback). An
// optional argument sets how many recent iterations the longest callback is looked for in
// (default 100); 0 turns the option off again. Timing costs two clock reads per callback
// while on, and nothing while off.
const MetricsPhaseTime LoopOption = UseIOUringSQPOLL + 1

const defaultCallbackWindow = 100

// instr is a loop's instrumentation: the tracer and the phase-time metrics. The loop has one
// only while either is on, so every hook is a nil check when both are off.
type instr struct {
	tracer Tracer
	timing bool

	phase      LoopPhase // running, or phaseNone between iterations
	phaseStart uint64
	phaseCbs   int
	phaseWait  uint64 // ns the phase spent waiting for I/O (poll)
	waitStart  uint64
	iteration  uint64

	cur   [NumLoopPhases]PhaseStat // the iteration in progress
	last  [NumLoopPhases]PhaseStat // the last one completed
	total [NumLoopPhases]PhaseStat
	lastN uint64 // the number of the last completed iteration
	iters uint64 // iterations completed while timing

	notes []handleNote // handle transitions not yet given to the tracer

	max     cbRecord   // longest callback of the iteration in progress
	ring    []cbRecord // longest callback of each of the last len(ring) iterations
	ringPos int
}

type handleNote struct {
	h  *Handle
	op HandleOp
}

// cbRecord is a timed callback, resolved to a handle type only when asked for.
type cbRecord struct {
	iteration uint64
	phase     LoopPhase
	dur       uint64
	subject   any // the watcher, pending entry or handle the callback belongs to
	pc        uintptr
	handle    HandleType // resolved when the handle closed, else when asked for
}

func (l *Loop) instrument() *instr {
	if l.ins == nil {
		l.ins = &instr{phase: phaseNone}
	}
	return l.ins
}

// dropInstr removes the instrumentation once nothing uses it.
func (l *Loop) dropInstr() {
	if in := l.ins; in != nil && in.tracer == nil && !in.timing {
		l.ins = nil
	}
}

func (l *Loop) configurePhaseTime(args []int) error {
	n := defaultCallbackWindow
	switch {
	case len(args) > 1:
		return EINVAL
	case len(args) == 1:
		n = args[0]
	}
	if n < 0 {
		return EINVAL
	}
	if n == 0 {
		if in := l.ins; in != nil {
			in.timing = false
			in.ring = nil
			l.dropInstr()
		}
		return nil
	}
	in := l.instrument()
	if !in.timing {
		in.total, in.iters = [NumLoopPhases]PhaseStat{}, 0
		in.last, in.lastN = [NumLoopPhases]PhaseStat{}, 0
	}
	if !in.timing || len(in.ring) != n {
		in.ring, in.ringPos = make([]cbRecord, n), 0
	}
	in.timing = true
	return nil
}

// mark ends the phase that runs and begins p; phaseEnd ends the iteration. The loop calls it
// between phases.
func (l *Loop) mark(p LoopPhase) {
	if l.ins != nil {
		l.ins.mark(l, p)
	}
}

func (in *instr) mark(l *Loop, p LoopPhase) {
	in.flush()
	now := HRTime()
	if cur := in.phase; cur != phaseNone {
		d := now - in.phaseStart
		wait := time.Duration(in.phaseWait)
		s := &in.cur[cur]
		s.Time += time.Duration(d)
		s.Wait += wait
		s.Callbacks += uint64(in.phaseCbs)
		if in.timing {
			s = &in.total[cur]
			s.Time += time.Duration(d)
			s.Wait += wait
			s.Callbacks += uint64(in.phaseCbs)
		}
		if in.tracer != nil {
			in.tracer.TracePhase(l, PhaseEvent{Iteration: in.iteration, Phase: cur, End: true,
				Start: in.phaseStart, Duration: time.Duration(d), Wait: wait, Callbacks: in.phaseCbs})
		}
		if p == phaseEnd {
			in.endIteration()
			return
		}
	} else {
		if p == phaseEnd {
			return
		}
		in.iteration = l.metrics.loopCount + 1
		in.cur = [NumLoopPhases]PhaseStat{}
		in.max = cbRecord{}
	}
	in.phase, in.phaseCbs, in.phaseWait = p, 0, 0
	if in.tracer != nil {
		in.tracer.TracePhase(l, PhaseEvent{Iteration: in.iteration, Phase: p, Start: now})
		now = HRTime() // the tracer's own time is not the phase's
	}
	in.phaseStart = now
}

func (in *instr) endIteration() {
	in.phase = phaseNone
	in.last = in.cur
	in.lastN = in.iteration
	if in.timing && len(in.ring) > 0 {
		in.iters++
		in.ring[in.ringPos] = in.max
		if in.ringPos++; in.ringPos == len(in.ring) {
			in.ringPos = 0
		}
	}
	in.max = cbRecord{}
}

// call runs a callback of the running phase, counting and, with MetricsPhaseTime, timing it.
// subject is the watcher, entry or handle the callback belongs to.
func (in *instr) call(fn func(), subject any) {
	in.phaseCbs++
	if !in.timing {
		fn()
		return
	}
	t := HRTime()
	fn()
	if d := HRTime() - t; d > in.max.dur {
		in.record(d, subject, reflect.ValueOf(fn).Pointer())
	}
}

// callClose is call for the closing phase of one handle.
func (in *instr) callClose(l *Loop, h *Handle) {
	in.phaseCbs++
	if !in.timing {
		l.finishClose(h)
		return
	}
	var pc uintptr
	if h.closeCb != nil {
		pc = reflect.ValueOf(h.closeCb).Pointer()
	}
	in.resolveClosed(h)
	t := HRTime()
	l.finishClose(h)
	if d := HRTime() - t; d > in.max.dur {
		in.record(d, h, pc)
	}
}

// resolveClosed tells the recorded callbacks that belong to h their handle type, before h
// leaves the loop's handle list.
func (in *instr) resolveClosed(h *Handle) {
	base, size := handleRange(h)
	check := func(r *cbRecord) {
		if r.subject == nil || r.handle != UnknownHandle {
			return
		}
		if v := reflect.ValueOf(r.subject); v.Kind() == reflect.Pointer {
			if p := v.Pointer(); p >= base && p < base+size {
				r.handle = h.Type()
			}
		}
	}
	check(&in.max)
	for i := range in.ring {
		check(&in.ring[i])
	}
}

// handleRange is the memory of the handle's own struct (its owner), or of the Handle.
func handleRange(h *Handle) (base, size uintptr) {
	if o := reflect.ValueOf(h.owner); o.Kind() == reflect.Pointer && !o.IsNil() {
		return o.Pointer(), o.Type().Elem().Size()
	}
	return uintptr(unsafe.Pointer(h)), unsafe.Sizeof(*h)
}

func (in *instr) record(d uint64, subject any, pc uintptr) {
	in.max = cbRecord{iteration: in.iteration, phase: in.phase, dur: d, subject: subject, pc: pc}
}

// PrintAllHandles writes one line per handle of the loop, internal ones included, in libuv's
// format (uv_print_all_handles): flags R (referenced), A (active) and I (internal), or - for
// each that is not set, then the type and the address of the handle's struct, as in
// "[RA-] timer    0xc000012340". A nil w means standard error.
func (l *Loop) PrintAllHandles(w io.Writer) error { return l.printHandles(w, false) }

// PrintActiveHandles is PrintAllHandles for the active handles only
// (uv_print_active_handles).
func (l *Loop) PrintActiveHandles(w io.Writer) error { return l.printHandles(w, true) }

func (l *Loop) printHandles(w io.Writer, onlyActive bool) error {
	if w == nil {
		w = os.Stderr
	}
	if l.handleQ.s.next == nil {
		return nil
	}
	var b []byte
	for h := l.handleQ.s.next; h != &l.handleQ.s; h = h.next {
		if onlyActive && h.flags&flagActive == 0 {
			continue
		}
		b = append(b, '[', flagChar(h.flags, flagRef, 'R'), flagChar(h.flags, flagActive, 'A'),
			flagChar(h.flags, flagInternal, 'I'), ']', ' ')
		name := h.Type().String()
		if name == "" {
			name = "<unknown>"
		}
		b = fmt.Appendf(b, "%-8s %#x\n", name, handleAddr(h))
	}
	_, err := w.Write(b)
	return err
}

func flagChar(flags, f uint16, c byte) byte {
	if flags&f != 0 {
		return c
	}
	return '-'
}

// handleAddr is the address of the handle's own struct (its owner), or of the Handle.
func handleAddr(h *Handle) uintptr {
	base, _ := handleRange(h)
	return base
}

// PrintMetrics writes the loop's metrics for a person: libuv's counters, then, when
// Configure(MetricsPhaseTime) is on, the time of each phase in the last iteration and in
// all, and the longest recent callback. A nil w means standard error. Call it on the loop's
// goroutine or while the loop is not running.
func (l *Loop) PrintMetrics(w io.Writer) error {
	if w == nil {
		w = os.Stderr
	}
	m := l.Metrics()
	b := fmt.Appendf(nil, "iterations %d, events %d (%d waiting when polled), idle %v\n",
		m.LoopCount, m.Events, m.EventsWaiting, time.Duration(l.MetricsIdleTime()))
	if in := l.ins; in != nil && in.timing {
		pt := l.MetricsPhaseTimes()
		b = fmt.Appendf(b, "%-8s %14s %6s %14s %6s %12s\n", "phase", "last", "cbs", "total", "cbs", "waiting")
		for p := range LoopPhase(NumLoopPhases) {
			last, total := pt.Last[p], pt.Total[p]
			b = fmt.Appendf(b, "%-8s %14v %6d %14v %6d", p, last.Time, last.Callbacks, total.Time, total.Callbacks)
			if p == LoopPhasePoll {
				b = fmt.Appendf(b, " %12v", total.Wait)
			}
			b = append(b, '\n')
		}
		if st, ok := l.MetricsLongestCallback(); ok {
			b = fmt.Appendf(b, "longest callback of the last %d iterations: %v in %s of #%d",
				len(in.ring), st.Duration, st.Phase, st.Iteration)
			switch {
			case st.Handle != UnknownHandle:
				b = fmt.Appendf(b, ", %s handle", st.Handle)
			case st.Req != UnknownReq:
				b = fmt.Appendf(b, ", %s request", st.Req)
			}
			if st.Func != "" {
				b = fmt.Appendf(b, ", %s", st.Func)
			}
			b = append(b, '\n')
		}
	}
	_, err := w.Write(b)
	return err
}

// resolve finds what a timed callback belonged to: the handle whose struct holds its
// subject, or else what the function's name tells.
func (l *Loop) resolve(r *cbRecord) CallbackStat {
	st := CallbackStat{Iteration: r.iteration, Phase: r.phase, Duration: time.Duration(r.dur)}
	if r.pc != 0 {
		if f := runtime.FuncForPC(r.pc); f != nil {
			st.Func = strings.TrimSuffix(f.Name(), "-fm")
		}
	}
	if r.handle != UnknownHandle {
		st.Handle = r.handle
		return st
	}
	switch s := r.subject.(type) {
	case *Handle:
		st.Handle = s.Type()
		return st
	case *AsyncWatcher:
		if s == &l.wq.async {
			st.Req = TypeWork
			return st
		}
	}
	if r.subject != nil {
		if v := reflect.ValueOf(r.subject); v.Kind() == reflect.Pointer {
			p := v.Pointer()
			for h := l.handleQ.s.next; h != nil && h != &l.handleQ.s; h = h.next {
				if base, size := handleRange(h); p >= base && p < base+size {
					st.Handle = h.Type()
					return st
				}
			}
		}
	}
	st.Handle = handleTypeOfFunc(st.Func)
	return st
}

// handleTypeOfFunc guesses the handle type from a method's receiver, for callbacks whose
// handle has gone: "github.com/uv-go/uv/handles.(*Timer).fire" gives TypeTimer.
func handleTypeOfFunc(name string) HandleType {
	i := strings.Index(name, ".(*")
	if i < 0 {
		return UnknownHandle
	}
	recv := name[i+3:]
	if j := strings.IndexByte(recv, ')'); j >= 0 {
		recv = recv[:j]
	}
	switch strings.ToLower(recv) {
	case "timer":
		return TypeTimer
	case "idle":
		return TypeIdle
	case "prepare":
		return TypePrepare
	case "check":
		return TypeCheck
	case "async":
		return TypeAsync
	case "poll":
		return TypePoll
	case "signal":
		return TypeSignal
	case "tcp":
		return TypeTCP
	case "pipe":
		return TypeNamedPipe
	case "tty":
		return TypeTTY
	case "udp":
		return TypeUDP
	case "process":
		return TypeProcess
	case "fsevent":
		return TypeFSEvent
	case "fspoll":
		return TypeFSPoll
	case "stream", "sock":
		return TypeStream
	}
	return UnknownHandle
}
