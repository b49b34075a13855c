package uv

import (
	"sync"
	"time"
)

type metrics struct {
	loopCount     uint64
	events        uint64
	eventsWaiting uint64
	mu            sync.Mutex // guards entry and idle, read from other goroutines
	entry         uint64     // HRTime when the current wait began, 0 outside a wait
	idle          uint64     // ns spent waiting in the kernel
}

// Metrics are libuv's uv_metrics_t counters.
type Metrics struct {
	// LoopCount is the number of loop iterations (polls).
	LoopCount uint64
	// Events is the number of events the backend delivered to callbacks.
	Events uint64
	// EventsWaiting is the number of events that were already waiting when the loop polled.
	EventsWaiting uint64
}

// Metrics returns the loop's counters (libuv's uv_metrics_info).
func (l *Loop) Metrics() Metrics {
	return Metrics{LoopCount: l.metrics.loopCount, Events: l.metrics.events, EventsWaiting: l.metrics.eventsWaiting}
}

// MetricsIdleTime returns the nanoseconds the loop has spent waiting in the kernel, counted
// only once Configure(MetricsIdleTime) was called (libuv's uv_metrics_idle_time). Safe from
// any goroutine.
func (l *Loop) MetricsIdleTime() uint64 {
	m := &l.metrics
	m.mu.Lock()
	idle, e := m.idle, m.entry
	m.mu.Unlock()
	if e > 0 {
		if now := HRTime(); now > e {
			idle += now - e
		}
	}
	return idle
}

func (l *Loop) metricsSetEntry() {
	if l.metricsIdle {
		now := HRTime()
		l.metrics.mu.Lock()
		l.metrics.entry = now
		l.metrics.mu.Unlock()
	}
}

func (l *Loop) metricsUpdateIdle() {
	if !l.metricsIdle {
		return
	}
	m := &l.metrics
	m.mu.Lock()
	if e := m.entry; e != 0 {
		if now := HRTime(); now > e {
			m.idle += now - e
		}
		m.entry = 0
	}
	m.mu.Unlock()
}

// PhaseStat is the time a loop phase took and the callbacks it ran.
type PhaseStat struct {
	Time time.Duration
	// Wait is the part of Time the poll phase spent waiting in the kernel for I/O (0 for
	// the other phases): Time - Wait is the time its callbacks and bookkeeping took.
	Wait      time.Duration
	Callbacks uint64
}

// PhaseTimes is what Loop.MetricsPhaseTimes reports, indexed by LoopPhase.
type PhaseTimes struct {
	// Iteration is the number (LoopCount) of the last completed iteration, 0 if none.
	Iteration uint64
	// Last holds the phases of that iteration.
	Last [NumLoopPhases]PhaseStat
	// Total sums the phases of every iteration since MetricsPhaseTime was configured.
	Total [NumLoopPhases]PhaseStat
	// Iterations counts the iterations in Total.
	Iterations uint64
}

// CallbackStat describes one callback the loop ran.
type CallbackStat struct {
	// Iteration is the number of the iteration that ran it and Phase the phase.
	Iteration uint64
	Phase     LoopPhase
	Duration  time.Duration
	// Handle is the type of the handle the callback belongs to (UnknownHandle if none, or if
	// it cannot be told any more); Req is TypeWork for the completions of threadpool requests
	// (work, fs, DNS), which the loop runs together.
	Handle HandleType
	Req    ReqType
	// Func is the function the loop called, e.g. "github.com/uv-go/uv/handles.(*Timer).fire".
	Func string
}

// MetricsPhaseTimes returns the time each phase took in the last completed iteration and in
// all iterations since Configure(MetricsPhaseTime); all zero while the option is off. Call it
// on the loop's goroutine (a callback) or while the loop is not running.
func (l *Loop) MetricsPhaseTimes() PhaseTimes {
	in := l.ins
	if in == nil || !in.timing {
		return PhaseTimes{}
	}
	return PhaseTimes{Iteration: in.lastN, Last: in.last, Total: in.total, Iterations: in.iters}
}

// MetricsLongestCallback returns the longest callback of the last iterations (100, or what
// Configure(MetricsPhaseTime, n) set), completed ones only: the place to look when the loop
// is blocked for too long. ok is false while the option is off or before a callback ran.
// Call it on the loop's goroutine or while the loop is not running.
func (l *Loop) MetricsLongestCallback() (st CallbackStat, ok bool) {
	in := l.ins
	if in == nil || !in.timing {
		return CallbackStat{}, false
	}
	var best *cbRecord
	for i := range in.ring {
		if r := &in.ring[i]; r.dur > 0 && (best == nil || r.dur > best.dur) {
			best = r
		}
	}
	if best == nil {
		return CallbackStat{}, false
	}
	return l.resolve(best), true
}
