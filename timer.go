package uv

import (
	"math"
	"reflect"
	"unsafe"

	"github.com/uv-go/uv/timers"
)

// TimerWatcher is a one-shot timer on the loop's timer heap, the mechanism under libuv's
// timer handle. Timers fire in the timer phase in order of due time, then of start order.
// For handle implementations.
type TimerWatcher struct {
	node timers.Timer // must stay the first field: the loop maps heap nodes back to watchers
	fn   *timerFunc
}

// timerFunc is what a watcher runs when it fires and where its loop is: its own callback and
// loop (Init), or a function of the struct the watcher sits in and that struct's Handle,
// shared by every watcher of the struct's type (TimerFunc). A watcher is then 24 bytes.
type timerFunc struct {
	cb     func()
	loop   *Loop // Init
	call   func(w *TimerWatcher)
	pc     uintptr // the function's entry, the name introspection reports
	off    uintptr // TimerFunc: the watcher's offset in its owner
	handle int     // TimerFunc: the owner's Handle, relative to the watcher
}

func (f *timerFunc) run(w *TimerWatcher) {
	if f.call != nil {
		f.call(w)
	} else if f.cb != nil {
		f.cb()
	}
}

// loopOf returns the watcher's loop, nil if it was never bound.
func (w *TimerWatcher) loopOf() *Loop {
	switch f := w.fn; {
	case f == nil:
		return nil
	case f.call == nil: // Init
		return f.loop
	default:
		return (*Handle)(unsafe.Add(unsafe.Pointer(w), f.handle)).loop
	}
}

// Init binds the watcher to a loop; cb runs when the timer fires.
func (w *TimerWatcher) Init(l *Loop, cb func()) {
	w.fn = &timerFunc{cb: cb, loop: l, pc: reflect.ValueOf(cb).Pointer()}
}

// TimerFunc is a timer callback shared by all the watchers that sit at one place in the
// structs of a handle type T, and that run on the loop of the Handle in T. Binding a watcher
// to it allocates nothing, where Init's callback is usually a method value: one allocation
// per handle, and one more object for the garbage collector to mark, which a million timers
// feel. For handle implementations.
type TimerFunc[T any] struct {
	f timerFunc
}

// NewTimerFunc returns the callback fire for the watcher that watcher(t) returns, which must
// be a field of *t (or of a struct embedded in it, not behind a pointer), as must the Handle
// that handle(t) returns. Call it once per type, for example in a package-level variable.
// With any other accessors, Bind reports EINVAL.
func NewTimerFunc[T any](fire func(*T), watcher func(*T) *TimerWatcher, handle func(*T) *Handle) *TimerFunc[T] {
	f := new(TimerFunc[T]) // with no call, Bind refuses it
	if fire == nil || watcher == nil || handle == nil {
		return f
	}
	probe := new(T)
	base, size := uintptr(unsafe.Pointer(probe)), unsafe.Sizeof(*probe)
	within := func(p, n uintptr) bool { return p >= base && n <= size && p-base <= size-n }
	w, h := uintptr(unsafe.Pointer(watcher(probe))), uintptr(unsafe.Pointer(handle(probe)))
	if !within(w, unsafe.Sizeof(TimerWatcher{})) || !within(h, unsafe.Sizeof(Handle{})) {
		return f
	}
	off := w - base
	f.f.off, f.f.handle = off, int(h)-int(w)
	f.f.pc = reflect.ValueOf(fire).Pointer()
	f.f.call = func(w *TimerWatcher) { fire((*T)(unsafe.Add(unsafe.Pointer(w), -int(off)))) }
	return f
}

// Bind binds w, the watcher of owner, to f: the timer runs on the loop of owner's Handle
// (initialise the Handle first), and fire(owner) runs when it fires. It returns EINVAL if w
// is not where f's accessor finds the watcher in owner.
func (f *TimerFunc[T]) Bind(w *TimerWatcher, owner *T) error {
	if f == nil || f.f.call == nil || w == nil || owner == nil ||
		uintptr(unsafe.Pointer(w))-uintptr(unsafe.Pointer(owner)) != f.f.off {
		return EINVAL
	}
	w.fn = &f.f
	return nil
}

// Start (re)schedules the timer timeout milliseconds after the loop's cached time (Now). A
// due time past the clock's range saturates, as in libuv.
func (w *TimerWatcher) Start(timeout uint64) {
	l := w.loopOf()
	due := l.time + timeout
	if due < timeout {
		due = math.MaxUint64
	}
	l.timers.Start(&w.node, due)
}

// Stop unschedules the timer, including one already due but not yet run in this timer phase.
func (w *TimerWatcher) Stop() {
	if l := w.loopOf(); l != nil {
		l.timers.Stop(&w.node)
	}
}

// Pending reports whether the timer is scheduled.
func (w *TimerWatcher) Pending() bool { return w.node.Pending() }

// Due returns the absolute due time, in loop milliseconds, last given to Start.
func (w *TimerWatcher) Due() uint64 { return w.node.Due() }

// DueIn returns the milliseconds until the timer is due, or 0 if it is due already.
func (w *TimerWatcher) DueIn() uint64 {
	d := w.node.Due()
	l := w.loopOf()
	if l == nil || l.time >= d {
		return 0
	}
	return d - l.time
}

// runTimers is libuv's timer phase: every timer due now is collected first, then each runs
// in order. A timer started from a callback, even with timeout 0, waits for the next phase.
func (l *Loop) runTimers() {
	l.timers.CollectDue(l.time)
	for {
		t := l.timers.NextReady()
		if t == nil {
			return
		}
		w := (*TimerWatcher)(unsafe.Pointer(t))
		if l.ins != nil {
			l.ins.callTimer(w)
			continue
		}
		w.fn.run(w)
	}
}

// callTimer is instr.call for a timer watcher, whose callback is not a func() of its own.
func (in *instr) callTimer(w *TimerWatcher) {
	in.phaseCbs++
	if !in.timing {
		w.fn.run(w)
		return
	}
	t := HRTime()
	w.fn.run(w)
	if d := HRTime() - t; d > in.max.dur {
		in.record(d, w, w.fn.pc)
	}
}

// nextTimeout is the poll timeout the timer heap allows: -1 with no timers, 0 if one is due,
// otherwise the milliseconds until the earliest, clamped to MaxInt32.
func (l *Loop) nextTimeout() int {
	due, ok := l.timers.Peek()
	if !ok {
		return -1
	}
	if due <= l.time {
		return 0
	}
	d := due - l.time
	if d > math.MaxInt32 {
		d = math.MaxInt32
	}
	return int(d)
}
