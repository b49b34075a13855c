//go:build darwin || dragonfly || freebsd || netbsd || openbsd || linux

package uv

import (
	"math"
	"syscall"
)

// The kqueue backend's logic, shared by macOS and the BSDs: building the change list that goes
// to the kernel with each wait, translating events back to IOWatcher events, masking them to
// what is still wanted, invalidating the events of descriptors closed during a dispatch, the
// wakeup, child exits (EVFILT_PROC) and file events (EVFILT_VNODE). It talks to the kernel
// only through kqKernel and only in kev, a form of struct kevent that is the same on every
// system, so it also builds on Linux, where its tests run it against a fake kernel
// (uv_kqueue.go is the real one).

// kqMaxEvents is the size of the change list and of the event array of one wait.
const kqMaxEvents = 1024

// Filters of a kev. The kernel half maps them to the system's EVFILT_* values.
const (
	kfNone   int8 = iota // an event dropped from the batch being dispatched
	kfRead               // EVFILT_READ
	kfWrite              // EVFILT_WRITE
	kfExcept             // EVFILT_EXCEPT with NOTE_OOB, where the system has it
	kfVnode              // EVFILT_VNODE
	kfProc               // EVFILT_PROC
	kfUser               // EVFILT_USER
)

// Flags and notes of a kev: these values are the same on every kqueue system (uv_kqueue.go
// checks them against x/sys at compile time), so they pass through unchanged.
const (
	kAdd     = 0x1
	kDelete  = 0x2
	kOneshot = 0x10
	kClear   = 0x20
	kError   = 0x4000
	kEOF     = 0x8000

	noteLowat  = 0x1 // EVFILT_READ: fire only with data bytes readable (or at EOF)
	noteDelete = 0x1 // EVFILT_VNODE notes
	noteWrite  = 0x2
	noteExtend = 0x4
	noteAttrib = 0x8
	noteRename = 0x20
	noteRevoke = 0x40
	noteExit   = 0x80000000 // EVFILT_PROC

	kqVnodeNotes = noteAttrib | noteWrite | noteRename | noteDelete | noteExtend | noteRevoke
)

// kqLowatNever is the low-water mark of a read filter registered only to learn of EOF (a
// watcher that wants EventDisconnect but not EventReadable): no read buffer gets there, so
// the filter fires at EOF or on an error alone, as EPOLLRDHUP does.
const kqLowatNever = math.MaxInt32

// kev is one kevent change or event.
type kev struct {
	ident  int // descriptor, pid or wakeup ident
	data   int64
	fflags uint32
	flags  uint16
	filter int8
}

// kqKernel is the kernel-facing half of the backend.
type kqKernel interface {
	// kevent submits changes, then waits up to timeout ms (-1: no limit; 0: do not block)
	// for events, as kevent(2) does: a change the kernel refuses comes back as an event with
	// kError and the errno in data while events has room, and then nothing is waited for.
	// With events empty nothing is waited for either, and a refused change is the error.
	kevent(changes, events []kev, timeout int) (int, error)
	// wake makes a blocked (or the next) kevent return with the wakeup event. Safe from any
	// goroutine, and after close.
	wake()
	// drainWake rearms the wakeup after its event was seen (reads the self-pipe empty).
	drainWake()
	// fd returns the kqueue descriptor, for the trace.
	fd() int
}

// kqPoller is the state of a loop's kqueue backend.
type kqPoller struct {
	loop *Loop
	k    kqKernel

	// The wakeup shows as the event (wakeID, wakeFilter): EVFILT_USER, or EVFILT_READ on the
	// read end of a self-pipe.
	wakeID     int
	wakeFilter int8
	// hasExcept says the system can report out-of-band data (EventPrioritized).
	hasExcept bool

	changes  [kqMaxEvents]kev
	nchanges int
	events   [kqMaxEvents]kev
	// nDispatch is the number of events being dispatched (for invalidation), 0 outside.
	nDispatch int
	// failed holds additions refused in a flush that could not carry them with a wait; they
	// are reported at the start of the next poll. Rare: nil almost always.
	failed []kev

	procs  map[int]*ProcessWatcher // by pid
	vnodes map[int]*FSWatcher      // by the descriptor of the watched path

	// reap collects an exited child; it may block briefly (a child is reported exited a
	// moment before it can be waited for).
	reap func(pid int) (ProcessExit, error)
}

func (p *kqPoller) init(l *Loop, k kqKernel, wakeID int, wakeFilter int8, hasExcept bool) {
	p.loop, p.k = l, k
	p.wakeID, p.wakeFilter, p.hasExcept = wakeID, wakeFilter, hasExcept
}

// kqSyscall gives the kernel changes without waiting, retrying an interrupted call.
func (p *kqPoller) kqSyscall(changes []kev) error {
	for {
		_, err := p.k.kevent(changes, nil, 0)
		if in := p.loop.ins; in != nil {
			in.keventDone(p.loop, p.k.fd(), len(changes), 0, 0, 0, err)
		}
		if err != syscall.EINTR {
			return err
		}
	}
}

// change queues a change for the next wait, flushing the list first when it is full.
func (p *kqPoller) change(ident int, filter int8, flags uint16, fflags uint32, data int64) {
	if p.nchanges == len(p.changes) {
		p.flushChanges()
	}
	p.changes[p.nchanges] = kev{ident: ident, filter: filter, flags: flags, fflags: fflags, data: data}
	p.nchanges++
}

// flushChanges gives the kernel the queued changes now, without waiting.
func (p *kqPoller) flushChanges() {
	n := p.nchanges
	p.nchanges = 0
	if n == 0 {
		return
	}
	if err := p.kqSyscall(p.changes[:n]); err != nil {
		p.applyEach(p.changes[:n])
	}
}

// applyEach gives the kernel changes one at a time, after a batch of them failed: the kernel
// stops a batch at the first change it refuses, and the changes before it can safely be
// given again (adding twice or deleting what is gone changes nothing). Refused deletions are
// forgotten; refused additions are kept to be reported as EventError.
func (p *kqPoller) applyEach(changes []kev) {
	for i := range changes {
		err := p.kqSyscall(changes[i : i+1])
		if err == nil || changes[i].flags&kDelete != 0 {
			continue
		}
		c := changes[i]
		c.flags = kError
		if errno, ok := err.(syscall.Errno); ok {
			c.data = int64(errno)
		} else {
			c.data = int64(syscall.EINVAL)
		}
		p.failed = append(p.failed, c)
	}
}

// Readiness events behind each filter.
const (
	kqReadEvents   = EventReadable | EventDisconnect
	kqWriteEvents  = EventWritable
	kqExceptEvents = EventPrioritized
)

func kqFilterEvents(filter int8) int {
	switch filter {
	case kfRead:
		return kqReadEvents
	case kfWrite:
		return kqWriteEvents
	case kfExcept:
		return kqExceptEvents
	}
	return 0
}

// flushInterest turns the interest changes queued since the last poll into kevent changes:
// a filter is added when its first event becomes wanted and deleted when its last one stops
// being wanted (a watcher stopped altogether is forgotten here instead; its filters are
// deleted when their next event finds no watcher, or by the kernel when the fd is closed).
func (p *kqPoller) flushInterest() {
	l := p.loop
	q := &l.ioQ
	for q.qnext != q {
		w := q.qnext
		l.ioDequeue(w)
		old, cur := w.events, w.pevents
		w.events = cur
		fd := w.fd
		switch {
		case cur&kqReadEvents != 0:
			// Readable needs a plain read filter; Disconnect alone one that fires at EOF
			// only. Re-adding a filter changes its settings.
			plain := cur&EventReadable != 0
			if old&kqReadEvents == 0 || (old&EventReadable != 0) != plain {
				if plain {
					p.change(fd, kfRead, kAdd, 0, 0)
				} else {
					p.change(fd, kfRead, kAdd, noteLowat, kqLowatNever)
				}
			}
		case old&kqReadEvents != 0:
			p.change(fd, kfRead, kDelete, 0, 0)
		}
		switch {
		case cur&kqWriteEvents != 0 && old&kqWriteEvents == 0:
			p.change(fd, kfWrite, kAdd, 0, 0)
		case cur&kqWriteEvents == 0 && old&kqWriteEvents != 0:
			p.change(fd, kfWrite, kDelete, 0, 0)
		}
		if p.hasExcept {
			switch {
			case cur&kqExceptEvents != 0 && old&kqExceptEvents == 0:
				p.change(fd, kfExcept, kAdd, 0, 0)
			case cur&kqExceptEvents == 0 && old&kqExceptEvents != 0:
				p.change(fd, kfExcept, kDelete, 0, 0)
			}
		}
	}
}

// poll waits up to timeout ms (-1: no limit) and dispatches the events, following libuv's
// uv__io_poll for kqueue: the change list goes with the wait, an interrupted wait is retried
// with the time left, and a full event array is followed by up to 47 more waits that do not
// block.
func (p *kqPoller) poll(timeout int) {
	l := p.loop
	if l.os.dispatching { // a callback panicked out of the last poll
		l.os.dispatching = false
		l.writeBehind(nil)
	}
	p.flushInterest()
	if len(p.failed) > 0 {
		// Additions refused by an early flush: report them now, and do not block.
		if p.dispatchFailed() > 0 {
			timeout = 0
		}
	}
	var deadline uint64
	if timeout > 0 {
		deadline = l.time + uint64(timeout)
	}
	userTimeout, resetTimeout := timeout, false
	if l.metricsIdle {
		resetTimeout = true
		timeout = 0
	}
	rounds := 48
	for {
		if timeout != 0 {
			l.metricsSetEntry()
		}
		l.pollTimeout = timeout
		nch := p.nchanges
		p.nchanges = 0
		if l.ins != nil {
			l.ins.waitStart = HRTime()
		}
		n, err := p.k.kevent(p.changes[:nch], p.events[:], timeout)
		if l.ins != nil {
			l.ins.keventDone(l, p.k.fd(), nch, len(p.events), timeout, n, err)
		}
		l.UpdateTime()
		if err != nil {
			if err != syscall.EINTR {
				// Not an interruption: the kernel refused the call itself (a refused change
				// with room for its error comes back as an event instead). Give the changes
				// one by one so that none is lost, and wait again; with none, give up.
				if nch == 0 {
					return
				}
				p.applyEach(p.changes[:nch])
				if p.dispatchFailed() > 0 {
					return
				}
			}
			n = 0
		}
		if n == 0 {
			if resetTimeout {
				timeout, resetTimeout = userTimeout, false
			} else if err == nil {
				return // timed out
			}
			if !kqRetryTimeout(l, &timeout, deadline) {
				return
			}
			continue
		}
		nevents := p.dispatch(n)
		l.metrics.events += uint64(nevents)
		if resetTimeout {
			timeout, resetTimeout = userTimeout, false
			l.metrics.eventsWaiting += uint64(nevents)
		}
		if nevents != 0 {
			if n == len(p.events) {
				if rounds--; rounds != 0 {
					timeout = 0
					continue
				}
			}
			return
		}
		if !kqRetryTimeout(l, &timeout, deadline) {
			return
		}
	}
}

// kqRetryTimeout computes the timeout for another wait after an interrupted one, or one that
// delivered nothing, and reports whether to wait again.
func kqRetryTimeout(l *Loop, timeout *int, deadline uint64) bool {
	switch {
	case *timeout == 0:
		return false
	case *timeout == -1:
		return true
	}
	if l.time >= deadline {
		return false
	}
	*timeout = int(deadline - l.time)
	return true
}

// dispatchFailed dispatches the additions refused by an early flush, as error events.
func (p *kqPoller) dispatchFailed() int {
	n := copy(p.events[:], p.failed)
	clear(p.failed[:n])
	p.failed = p.failed[n:]
	if len(p.failed) == 0 {
		p.failed = nil
	}
	nevents := p.dispatch(n)
	p.loop.metrics.events += uint64(nevents)
	return nevents
}

// dispatch runs the callbacks of the first n events and returns how many it delivered.
func (p *kqPoller) dispatch(n int) int {
	l := p.loop
	nevents := 0
	p.nDispatch = n
	for i := 0; i < n; i++ {
		ev := &p.events[i]
		if ev.filter == kfNone {
			continue
		}
		if ev.ident == p.wakeID && ev.filter == p.wakeFilter {
			if ev.flags&kError != 0 {
				continue
			}
			nevents++
			l.metricsUpdateIdle()
			p.k.drainWake()
			l.runAsync()
			continue
		}
		if ev.flags&kError != 0 {
			nevents += p.changeFailed(ev.ident, ev.filter, syscall.Errno(ev.data))
			continue
		}
		switch ev.filter {
		case kfRead, kfWrite, kfExcept:
			nevents += p.ioEvent(ev.ident, ev.filter, ev.flags)
		case kfProc:
			if ev.fflags&noteExit != 0 {
				nevents += p.procExit(ev.ident)
			}
		case kfVnode:
			nevents += p.vnodeEvent(ev.ident, ev.fflags)
		}
	}
	p.nDispatch = 0
	return nevents
}

func (p *kqPoller) watcher(fd int) *IOWatcher {
	if fd >= 0 && fd < len(p.loop.watchers) {
		return p.loop.watchers[fd]
	}
	return nil
}

// ioEvent delivers a readiness event masked to what the fd's watcher still wants. A filter
// nobody wants any more is deleted (with the next wait): libuv's lazy stop.
func (p *kqPoller) ioEvent(fd int, filter int8, flags uint16) int {
	w := p.watcher(fd)
	if w == nil {
		p.change(fd, filter, kDelete, 0, 0)
		return 0
	}
	revents := 0
	switch filter {
	case kfRead:
		revents = w.pevents & EventReadable
		if flags&kEOF != 0 {
			revents |= w.pevents & EventDisconnect
		}
	case kfWrite:
		revents = w.pevents & EventWritable
	case kfExcept:
		revents = w.pevents & EventPrioritized
	}
	if w.pevents&kqFilterEvents(filter) == 0 {
		p.change(fd, filter, kDelete, 0, 0)
		w.events &^= kqFilterEvents(filter) // so that a later Start adds it again
	}
	if revents == 0 {
		return 0
	}
	p.loop.metricsUpdateIdle()
	if in := p.loop.ins; in != nil {
		in.callIO(w, revents)
	} else {
		l := p.loop
		l.os.dispatching = true
		w.dispatch(revents)
		l.os.dispatching = false
		if len(l.os.behind) != 0 {
			l.writeBehind(nil)
		}
	}
	return 1
}

// changeFailed handles a change the kernel refused. A deletion of what is already gone
// (ENOENT) means nothing; an addition for a watcher that still wants the filter is reported
// to it as EventError, as the epoll backend reports a failed registration.
func (p *kqPoller) changeFailed(ident int, filter int8, errno syscall.Errno) int {
	if errno == 0 || errno == syscall.ENOENT {
		return 0
	}
	bits := kqFilterEvents(filter)
	if bits == 0 {
		return 0
	}
	w := p.watcher(ident)
	if w == nil || w.events&bits == 0 {
		return 0
	}
	w.events &^= bits
	p.loop.metricsUpdateIdle()
	w.cb(EventError)
	return 1
}

// invalidate drops the undelivered events of fd from the batch being dispatched: the caller
// is about to close it, and the number may be reused before the batch ends. The kernel
// forgets an fd's filters when it is closed, so nothing is deleted here (as in libuv).
func (p *kqPoller) invalidate(fd int) {
	for i := 0; i < p.nDispatch; i++ {
		ev := &p.events[i]
		if ev.ident == fd && ev.filter != kfProc && ev.filter != kfUser {
			ev.filter = kfNone
		}
	}
}

// checkFd checks that the kernel can watch fd for reading (libuv's uv__io_check_fd, after the
// file-type checks of the caller).
func (p *kqPoller) checkFd(fd int) error {
	ch := [2]kev{
		{ident: fd, filter: kfRead, flags: kAdd},
		{ident: fd, filter: kfRead, flags: kDelete},
	}
	if err := p.kqSyscall(ch[:]); err != nil {
		return TranslateSysError(err)
	}
	return nil
}

// watchPid registers w's child for NOTE_EXIT. A child that has already exited (ESRCH) is
// reported in the pending phase, never from inside the call.
func (p *kqPoller) watchPid(w *ProcessWatcher) error {
	ch := [1]kev{{ident: w.pid, filter: kfProc, flags: kAdd | kOneshot, fflags: noteExit}}
	err := p.kqSyscall(ch[:])
	if err != nil && err != syscall.ESRCH {
		return TranslateSysError(err)
	}
	if p.procs == nil {
		p.procs = make(map[int]*ProcessWatcher)
	}
	p.procs[w.pid] = w
	if err != nil {
		pid := w.pid
		w.pend.Init(func() { p.procExit(pid) })
		p.loop.QueuePending(&w.pend)
	}
	return nil
}

// unwatchPid forgets w. Its one-shot registration stays in the kernel until the child exits;
// the event then finds no watcher and is ignored.
func (p *kqPoller) unwatchPid(w *ProcessWatcher) {
	if p.procs[w.pid] == w {
		delete(p.procs, w.pid)
	}
	p.loop.CancelPending(&w.pend)
}

// procExit reaps the child pid, whose exit the kernel reported, and tells its watcher.
func (p *kqPoller) procExit(pid int) int {
	w := p.procs[pid]
	if w == nil {
		return 0
	}
	delete(p.procs, pid)
	p.loop.metricsUpdateIdle()
	st, err := p.reap(pid)
	w.finish(st, err)
	return 1
}

// watchVnode registers fd, open on w's path, for one file event; it is registered again
// after each event while w stays started (libuv's one-shot EVFILT_VNODE).
func (p *kqPoller) watchVnode(w *FSWatcher, fd int) error {
	if err := p.armVnode(fd); err != nil {
		return err
	}
	if p.vnodes == nil {
		p.vnodes = make(map[int]*FSWatcher)
	}
	p.vnodes[fd] = w
	return nil
}

func (p *kqPoller) armVnode(fd int) error {
	ch := [1]kev{{ident: fd, filter: kfVnode, flags: kAdd | kOneshot, fflags: kqVnodeNotes}}
	if err := p.kqSyscall(ch[:]); err != nil {
		return TranslateSysError(err)
	}
	return nil
}

// unwatchVnode forgets fd before its owner closes it.
func (p *kqPoller) unwatchVnode(fd int) {
	delete(p.vnodes, fd)
	p.invalidate(fd)
}

// vnodeEvent reports a file event with libuv's mapping: an attribute change or an extension
// is FSEventChange, anything else (a write that does not extend, a rename, a removal)
// FSEventRename. The name is the base name of the watched path (libuv gives its current name
// where F_GETPATH or F_KINFO tells it, which x/sys does not offer).
func (p *kqPoller) vnodeEvent(fd int, fflags uint32) int {
	w := p.vnodes[fd]
	if w == nil {
		return 0
	}
	events := FSEventRename
	if fflags&(noteAttrib|noteExtend) != 0 {
		events = FSEventChange
	}
	gen := w.gen
	p.loop.metricsUpdateIdle()
	w.cb(w.self, events)
	if w.active && w.gen == gen && p.vnodes[fd] == w {
		p.armVnode(fd) // cannot fail while fd is open
	}
	return 1
}

// closeVnodes stops the file watchers left when the loop closes, giving their descriptors
// to close.
func (p *kqPoller) closeVnodes(close func(fd int)) {
	for fd, w := range p.vnodes {
		w.active = false
		w.wds = nil
		close(fd)
	}
	p.vnodes = nil
}
