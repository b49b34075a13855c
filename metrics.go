package uv

import "sync"

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
