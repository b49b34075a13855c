package uv

import (
	"math"
	"unsafe"

	"github.com/uv-go/uv/timers"
)

// TimerWatcher is a one-shot timer on the loop's timer heap, the mechanism under libuv's
// timer handle. Timers fire in the timer phase in order of due time, then of start order.
// For handle implementations.
type TimerWatcher struct {
	node timers.Timer // must stay the first field: the loop maps heap nodes back to watchers
	loop *Loop
	cb   func()
}

// Init binds the watcher to a loop; cb runs when the timer fires.
func (w *TimerWatcher) Init(l *Loop, cb func()) { w.loop, w.cb = l, cb }

// Start (re)schedules the timer timeout milliseconds after the loop's cached time (Now). A
// due time past the clock's range saturates, as in libuv.
func (w *TimerWatcher) Start(timeout uint64) {
	due := w.loop.time + timeout
	if due < timeout {
		due = math.MaxUint64
	}
	w.loop.timers.Start(&w.node, due)
}

// Stop unschedules the timer, including one already due but not yet run in this timer phase.
func (w *TimerWatcher) Stop() {
	if w.loop != nil {
		w.loop.timers.Stop(&w.node)
	}
}

// Pending reports whether the timer is scheduled.
func (w *TimerWatcher) Pending() bool { return w.node.Pending() }

// Due returns the absolute due time, in loop milliseconds, last given to Start.
func (w *TimerWatcher) Due() uint64 { return w.node.Due() }

// DueIn returns the milliseconds until the timer is due, or 0 if it is due already.
func (w *TimerWatcher) DueIn() uint64 {
	d := w.node.Due()
	if w.loop == nil || w.loop.time >= d {
		return 0
	}
	return d - w.loop.time
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
			l.ins.call(w.cb, w)
			continue
		}
		w.cb()
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
