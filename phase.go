package uv

// Phase names one of the loop's watcher phases.
type Phase int

// The loop phases that run watchers, in the order an iteration runs them.
const (
	PhaseIdle Phase = iota
	PhasePrepare
	PhaseCheck
)

// PhaseWatcher runs a callback once per loop iteration in the idle, prepare or check phase.
// It is the mechanism under libuv's idle, prepare and check handles: the most recently
// started watcher runs first, and a watcher started while its phase runs waits for the next
// iteration. For handle implementations.
type PhaseWatcher struct {
	loop   *Loop
	phase  Phase
	cb     func()
	prev   *PhaseWatcher
	next   *PhaseWatcher
	active bool
}

// Init binds the watcher to a loop and phase; cb runs each iteration while started.
func (w *PhaseWatcher) Init(l *Loop, p Phase, cb func()) {
	w.loop, w.phase, w.cb = l, p, cb
}

// Start puts the watcher at the head of its phase list. Starting a started watcher does
// nothing.
func (w *PhaseWatcher) Start() {
	if w.active {
		return
	}
	w.active = true
	q := w.loop.phaseQ(w.phase)
	w.next = q.next
	w.prev = q
	q.next.prev = w
	q.next = w
}

// Stop removes the watcher from its phase. Stopping a stopped watcher does nothing.
func (w *PhaseWatcher) Stop() {
	if !w.active {
		return
	}
	w.active = false
	w.prev.next = w.next
	w.next.prev = w.prev
	w.prev, w.next = nil, nil
}

// Active reports whether the watcher is started.
func (w *PhaseWatcher) Active() bool { return w.active }

func (l *Loop) phaseQ(p Phase) *PhaseWatcher {
	switch p {
	case PhaseIdle:
		return &l.idleQ
	case PhasePrepare:
		return &l.prepareQ
	default:
		return &l.checkQ
	}
}

func initPhaseQ(q *PhaseWatcher) { q.prev, q.next = q, q }

// runPhase calls every watcher of the phase that was started when the phase began. The list
// is moved aside first and each watcher is moved back before its callback, so callbacks may
// start and stop any watcher.
func (l *Loop) runPhase(q *PhaseWatcher) int {
	if q.next == q {
		return 0
	}
	tmp := &l.phaseTmp
	tmp.next, tmp.prev = q.next, q.prev
	tmp.next.prev = tmp
	tmp.prev.next = tmp
	q.next, q.prev = q, q
	n := 0
	for tmp.next != tmp {
		w := tmp.next
		// Move w back to the tail of the loop's list.
		w.prev.next = w.next
		w.next.prev = w.prev
		w.prev = q.prev
		w.next = q
		q.prev.next = w
		q.prev = w
		n++
		if l.ins != nil {
			l.ins.call(w.cb, w)
			continue
		}
		w.cb()
	}
	return n
}
