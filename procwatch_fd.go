//go:build !(darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package uv

// ProcessWatcher on an exit descriptor (a pidfd on Linux, or the pipe that stands in for one
// on kernels without pidfds): readable once the child has exited. The kqueue systems watch
// the pid instead (uv_kqueue.go).

func (l *Loop) watchProcess(w *ProcessWatcher, exitFd OSFd) error {
	if exitFd == InvalidSock {
		return EINVAL
	}
	if err := w.io.Init(l, exitFd, w.exitFdReadable); err != nil {
		return err
	}
	if err := w.io.Start(EventReadable); err != nil {
		w.io.Close()
		return err
	}
	return nil
}

func (l *Loop) unwatchProcess(w *ProcessWatcher) { w.io.Close() }

func (w *ProcessWatcher) exitFdReadable(int) {
	st, done, err := ReapProcess(w.pid)
	if err == nil && !done {
		return // not collectable yet: the descriptor stays readable, so we are called again
	}
	w.finish(st, err)
}
