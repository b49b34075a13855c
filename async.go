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
	// A plain load first: while a Send is pending, the many that follow (a busy threadpool
	// completes into one watcher) leave the cache line shared with the loop.
	if l == nil || a.pending.Load() != 0 || !a.pending.CompareAndSwap(0, 1) {
		return
	}
	l.asyncMu.Lock()
	if a.closed || l.closed {
		l.asyncMu.Unlock()
		return
	}
	l.asyncQ = append(l.asyncQ, a)
	wake := false
	if !l.wakePending.Load() {
		l.wakePending.Store(true)
		// A loop that is awake checks wakePending before it blocks again (the loop clears
		// awake before that check, and both are sequentially consistent atomics): it needs
		// no system call to learn about this Send.
		if !skipIdleWake || !l.awake.Load() {
			wake = true
			// Counted under the lock, so Loop.Close, which sets closed under it, waits for
			// this write before it closes the wakeup descriptor (whose number could be
			// reused).
			l.wakers.Add(1)
		}
	}
	l.asyncMu.Unlock()
	if wake {
		// Outside the lock: the loop this wakes takes the lock at once in runAsync, and
		// would otherwise often find it still held and sleep on it.
		l.backendWake()
		l.wakers.Add(-1)
	}
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
// backend's poll when wakePending is set.
func (l *Loop) runAsync() int {
	l.asyncMu.Lock()
	q := l.asyncQ
	l.asyncQ = l.asyncSpare[:0]
	l.wakePending.Store(false)
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
