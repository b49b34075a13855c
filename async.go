package uv

import "sync/atomic"

// AsyncWatcher wakes the loop from any goroutine and runs a callback on the loop, the
// mechanism under libuv's async handle and the threadpool's completion path. Sends are
// coalesced: however many arrive before the loop gets to it, the callback runs once. For
// handle implementations.
type AsyncWatcher struct {
	loop    *Loop
	cb      func()
	pending atomic.Uint32
	closed  bool // guarded by loop.asyncMu
}

// Init binds the watcher to a loop; cb runs on the loop after one or more Sends.
func (a *AsyncWatcher) Init(l *Loop, cb func()) error {
	if l == nil || l.closed {
		return EINVAL
	}
	a.loop, a.cb = l, cb
	a.pending.Store(0)
	l.asyncMu.Lock()
	a.closed = false
	l.asyncMu.Unlock()
	return nil
}

// Send asks the loop to run the callback. It is safe from any goroutine and never blocks on
// the loop. After Close, or once the loop is closed, Send does nothing.
func (a *AsyncWatcher) Send() {
	l := a.loop
	if l == nil || !a.pending.CompareAndSwap(0, 1) {
		return
	}
	l.asyncMu.Lock()
	if a.closed || l.closed {
		l.asyncMu.Unlock()
		return
	}
	l.asyncQ = append(l.asyncQ, a)
	if !l.wakePending {
		// Under the lock, so Loop.Close cannot close the wakeup descriptor meanwhile (its
		// number could be reused by then).
		l.wakePending = true
		l.backendWake()
	}
	l.asyncMu.Unlock()
}

// Close stops the watcher: later Sends are ignored and a Send not yet delivered is dropped.
// Call it on the loop's goroutine.
func (a *AsyncWatcher) Close() {
	l := a.loop
	if l == nil {
		return
	}
	l.asyncMu.Lock()
	a.closed = true
	l.asyncMu.Unlock()
}

// runAsync runs the callbacks of the watchers sent since the last run. It is called from the
// backend when the wakeup fires.
func (l *Loop) runAsync() int {
	l.asyncMu.Lock()
	q := l.asyncQ
	l.asyncQ = l.asyncSpare[:0]
	l.wakePending = false
	l.asyncMu.Unlock()
	n := 0
	for i, a := range q {
		q[i] = nil
		a.pending.Store(0)
		if a.closed { // written only on this goroutine
			continue
		}
		n++
		if l.ins != nil {
			l.ins.call(a.cb, a)
			continue
		}
		a.cb()
	}
	l.asyncSpare = q[:0]
	return n
}
