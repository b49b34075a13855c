//go:build unix

package uv

import "golang.org/x/sys/unix"

// OSFd is a file descriptor of the host OS (libuv's uv_os_fd_t).
type OSFd = int

// OSSock is a socket of the host OS (libuv's uv_os_sock_t).
type OSSock = int

// An IOWatcher reports readiness of one socket or file descriptor to a callback on the loop,
// the mechanism under libuv's poll handle. Interest changes reach the kernel at the start of
// the next poll, so starting and stopping within one iteration costs no system call. Events
// are level-triggered: a callback that leaves data unread is called again next iteration.
// The callback gets only events that are still wanted, plus EventError and EventHangup. One
// loop watches an fd with at most one started IOWatcher. For handle implementations.
type IOWatcher struct {
	pevents int   // wanted (first with sock: what the poll reads of each watcher)
	sock    *Sock // the Sock whose watcher this is: dispatch calls its onIO directly
	loop    *Loop
	fd      int
	cb      func(events int)
	events  int // as last given to the kernel; 0 when not registered
	qprev   *IOWatcher
	qnext   *IOWatcher
}

// Init binds the watcher to fd on the loop, after checking that the backend can watch that
// kind of file (regular files cannot be watched: EPERM on Linux) and making fd non-blocking.
// It returns EEXIST if another watcher of this loop is started on fd.
func (w *IOWatcher) Init(l *Loop, fd OSFd, cb func(events int)) error {
	if l == nil || l.closed || fd < 0 {
		return EINVAL
	}
	if fd < len(l.watchers) && l.watchers[fd] != nil {
		return EEXIST
	}
	if err := l.ioCheckFd(fd); err != nil {
		return err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return TranslateSysError(err)
	}
	*w = IOWatcher{loop: l, fd: fd, cb: cb}
	return nil
}

// initSocket binds the watcher to a socket this package created or accepted, which is
// non-blocking already and which every backend can watch: the checks of Init would only cost
// system calls (an epoll_ctl pair and two fcntl calls per connection).
func (w *IOWatcher) initSocket(l *Loop, fd OSSock, cb func(events int)) error {
	if l == nil || l.closed || fd < 0 {
		return EINVAL
	}
	if fd < len(l.watchers) && l.watchers[fd] != nil {
		return EEXIST
	}
	*w = IOWatcher{loop: l, fd: fd, cb: cb}
	return nil
}

// dispatch runs the watcher's callback for events. A Sock's watcher calls Sock.onIO
// directly: the bound method value would cost a load of its closure (a cold cache line on
// every event of a busy server) and a wrapper frame.
func (w *IOWatcher) dispatch(events int) {
	if s := w.sock; s != nil {
		s.onIO(events)
		return
	}
	w.cb(events)
}

// Fd returns the watched descriptor.
func (w *IOWatcher) Fd() OSFd { return w.fd }

// Events returns the events the watcher wants.
func (w *IOWatcher) Events() int { return w.pevents }

// Start adds events to what the watcher wants. It returns EEXIST if another watcher of the
// loop is started on the same fd.
func (w *IOWatcher) Start(events int) error {
	l := w.loop
	if l == nil || l.closed {
		return EINVAL
	}
	events &= eventsWanted
	if events == 0 {
		return nil
	}
	if w.fd >= len(l.watchers) {
		n := len(l.watchers) * 2
		if n <= w.fd {
			n = w.fd + 64
		}
		grown := make([]*IOWatcher, n)
		copy(grown, l.watchers)
		l.watchers = grown
	}
	if o := l.watchers[w.fd]; o != nil && o != w {
		return EEXIST
	}
	if w.pevents|events == w.pevents && l.watchers[w.fd] == w {
		return nil
	}
	w.pevents |= events
	if w.qnext == nil {
		l.ioQueue(w)
	}
	if l.watchers[w.fd] == nil {
		l.watchers[w.fd] = w
		l.nfds++
	}
	return nil
}

// Stop removes events from what the watcher wants. With nothing left the watcher stops.
func (w *IOWatcher) Stop(events int) {
	l := w.loop
	if l == nil || w.fd < 0 || w.fd >= len(l.watchers) {
		return
	}
	w.pevents &^= events & eventsWanted
	if w.pevents == 0 {
		l.ioDequeue(w)
		w.events = 0
		if l.watchers[w.fd] == w {
			l.watchers[w.fd] = nil
			l.nfds--
		}
		return
	}
	if w.qnext == nil {
		l.ioQueue(w)
	}
}

// StopAll stops the watcher, removes the fd from the kernel's interest set at once and drops
// events for it that the current poll has not delivered yet. The watcher can be started again.
func (w *IOWatcher) StopAll() {
	l := w.loop
	if l == nil || w.fd < 0 {
		return
	}
	w.Stop(eventsWanted)
	if l.closed {
		return
	}
	if w.fd < len(l.watchers) {
		if o := l.watchers[w.fd]; o != nil && o != w {
			return // another watcher owns the fd: leave its registration alone
		}
	}
	l.ioInvalidate(w.fd)
}

// Close is StopAll, after which the watcher is unbound. It does not close the fd.
func (w *IOWatcher) Close() {
	w.StopAll()
	w.fd = -1
}

func (l *Loop) ioQueue(w *IOWatcher) {
	q := &l.ioQ
	w.qprev = q.qprev
	w.qnext = q
	q.qprev.qnext = w
	q.qprev = w
}

func (l *Loop) ioDequeue(w *IOWatcher) {
	if w.qnext == nil {
		return
	}
	w.qprev.qnext = w.qnext
	w.qnext.qprev = w.qprev
	w.qprev, w.qnext = nil, nil
}

func (l *Loop) ioQueueEmpty() bool { return l.ioQ.qnext == &l.ioQ }

func (l *Loop) initIOQueue() { l.ioQ.qprev, l.ioQ.qnext = &l.ioQ, &l.ioQ }

func (l *Loop) closeOSState() {
	l.closeInotify()
	if l.os.emfileFd > 0 {
		unix.Close(l.os.emfileFd)
		l.os.emfileFd = 0
	}
}
