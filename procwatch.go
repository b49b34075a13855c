package uv

// A ProcessWatcher learns on the loop that a child has exited, reaps it and reports how it
// ended: the mechanism under libuv's uv_process_t exit callback. Where SpawnProcess gives an
// exit descriptor (a pidfd on Linux) the watcher waits for it to become readable; on the
// kqueue systems, which give none, the backend watches the pid (EVFILT_PROC, NOTE_EXIT). A
// watcher does not keep the loop alive; the handle that owns it does. For handle
// implementations.
type ProcessWatcher struct {
	loop   *Loop
	pid    int
	cb     func(exit ProcessExit, err error)
	active bool
	io     IOWatcher // on the exit descriptor, where there is one
	pend   Pending   // an exit found while starting, reported in the pending phase
}

// Start watches the child pid; exitFd is the descriptor SpawnProcess returned with it
// (InvalidSock when it returned none), which stays the caller's to close once the watcher
// has stopped. cb runs once, on the loop, after the child has exited and the watcher has
// reaped it and stopped: with the exit status or terminating signal, or with the error of
// the wait (for a child that something else reaped). EINVAL if the watcher is started,
// the loop is closed, pid is not positive or cb is nil.
func (w *ProcessWatcher) Start(l *Loop, pid int, exitFd OSFd, cb func(exit ProcessExit, err error)) error {
	if w.active || l == nil || l.closed || pid <= 0 || cb == nil {
		return EINVAL
	}
	w.loop, w.pid, w.cb = l, pid, cb
	if err := l.watchProcess(w, exitFd); err != nil {
		return err
	}
	w.active = true
	return nil
}

// Stop stops watching: the callback will not run, and the child is not reaped (libuv leaves a
// closed process handle's child alone too). Stopping a stopped watcher does nothing.
func (w *ProcessWatcher) Stop() {
	if !w.active {
		return
	}
	w.active = false
	w.loop.unwatchProcess(w)
}

// Active reports whether the watcher is started.
func (w *ProcessWatcher) Active() bool { return w.active }

// Pid returns the watched child's pid.
func (w *ProcessWatcher) Pid() int { return w.pid }

// finish ends the watch with the child's fate.
func (w *ProcessWatcher) finish(exit ProcessExit, err error) {
	if !w.active {
		return
	}
	w.Stop()
	w.cb(exit, err)
}
