//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"sync"

	"golang.org/x/sys/unix"
)

// The kqueue backend of macOS and the BSDs: one kqueue per loop, level-triggered filters,
// the change list submitted with each wait, and a wakeup that is EVFILT_USER where the
// system has it (kqueue_user.go) and a self-pipe where it does not (kqueue_pipe.go). The
// logic is in kqueue_poll.go; this file is its kernel half, kqSys, which converts between kev
// and the system's struct kevent (its layout differs between systems; unix.SetKevent and the
// per-OS constants in uv_darwin.go and kqueue_<os>.go absorb that).

// The flag and note values kqueue_poll.go passes through unchanged: a mismatch with the
// system's fails to compile (constant index out of range).
var _ = [1]struct{}{}[(kAdd^unix.EV_ADD)|(kDelete^unix.EV_DELETE)|(kOneshot^unix.EV_ONESHOT)|
	(kClear^unix.EV_CLEAR)|(kError^unix.EV_ERROR)|(kEOF^unix.EV_EOF)|(noteLowat^unix.NOTE_LOWAT)|
	(noteDelete^unix.NOTE_DELETE)|(noteWrite^unix.NOTE_WRITE)|(noteExtend^unix.NOTE_EXTEND)|
	(noteAttrib^unix.NOTE_ATTRIB)|(noteRename^unix.NOTE_RENAME)|(noteRevoke^unix.NOTE_REVOKE)|
	(noteExit^unix.NOTE_EXIT)]

// kqNoFilter stands for a filter the system does not have; it matches no kernel event.
const kqNoFilter = -10000

type backend struct {
	kq  kqPoller
	sys kqSys
}

// kqSys is the kernel half of the backend.
type kqSys struct {
	kq int
	// buf carries the changes in and the events out of one kevent call, as libuv's array
	// does: the kernel reads each change before it writes an event over it.
	buf     [kqMaxEvents]unix.Kevent_t
	ts      unix.Timespec
	sigprof bool // block SIGPROF during the wait (LoopBlockSignal), where the system can
	sigs    kqSigmask

	// wakeMu keeps wake from using descriptors that close has released (and the system may
	// have given to someone else).
	wakeMu sync.Mutex
	closed bool
	kqWake // the wakeup's own state (kqueue_user.go or kqueue_pipe.go)
}

var kqFilters = [...]int{
	kfRead:   unix.EVFILT_READ,
	kfWrite:  unix.EVFILT_WRITE,
	kfExcept: kqExceptFilter,
	kfVnode:  unix.EVFILT_VNODE,
	kfProc:   unix.EVFILT_PROC,
	kfUser:   kqUserFilter,
}

func toKevent(k *unix.Kevent_t, e *kev) {
	*k = unix.Kevent_t{}
	unix.SetKevent(k, e.ident, kqFilters[e.filter], int(e.flags))
	k.Fflags = e.fflags
	if e.filter == kfExcept {
		k.Fflags = kqNoteOOB
	}
	k.Data = e.data
}

func fromKevent(e *kev, k *unix.Kevent_t) {
	e.ident = int(k.Ident)
	e.flags = uint16(k.Flags)
	e.fflags = k.Fflags
	e.data = k.Data
	switch int(k.Filter) {
	case unix.EVFILT_READ:
		e.filter = kfRead
	case unix.EVFILT_WRITE:
		e.filter = kfWrite
	case kqExceptFilter:
		e.filter = kfExcept
	case unix.EVFILT_VNODE:
		e.filter = kfVnode
	case unix.EVFILT_PROC:
		e.filter = kfProc
	case kqUserFilter:
		e.filter = kfUser
	default:
		e.filter = kfNone
	}
}

func (s *kqSys) open() error {
	fd, err := unix.Kqueue()
	if err != nil {
		return err
	}
	unix.CloseOnExec(fd) // a kqueue is not inherited by fork, but be explicit for exec
	s.kq = fd
	if err := s.openWake(); err != nil {
		unix.Close(fd)
		s.kq = -1
		return err
	}
	return nil
}

// fd returns the kqueue descriptor.
func (s *kqSys) fd() int { return s.kq }

func (s *kqSys) close() {
	s.wakeMu.Lock()
	s.closed = true
	s.closeWake()
	unix.Close(s.kq)
	s.kq = -1
	s.wakeMu.Unlock()
}

func (s *kqSys) kevent(changes, events []kev, timeout int) (int, error) {
	for i := range changes {
		toKevent(&s.buf[i], &changes[i])
	}
	var ts *unix.Timespec
	if timeout >= 0 {
		s.ts = unix.NsecToTimespec(int64(timeout) * 1e6)
		ts = &s.ts
	}
	if s.sigprof {
		s.sigs.block()
	}
	n, err := unix.Kevent(s.kq, s.buf[:len(changes)], s.buf[:len(events)], ts)
	if s.sigprof {
		s.sigs.restore()
	}
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i++ {
		fromKevent(&events[i], &s.buf[i])
	}
	return n, nil
}

// register applies one change now (setting up the wakeup).
func (s *kqSys) register(ident, filter, flags int) error {
	var ch [1]unix.Kevent_t
	unix.SetKevent(&ch[0], ident, filter, flags)
	for {
		_, err := unix.Kevent(s.kq, ch[:], nil, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

func (l *Loop) backendInit() error {
	s := &l.be.sys
	if err := s.open(); err != nil {
		return TranslateSysError(err)
	}
	p := &l.be.kq
	p.init(l, s, s.wakeID(), s.wakeFilter(), kqHaveExcept)
	p.reap = kqReap
	return nil
}

func (l *Loop) backendClose() {
	l.be.sys.close()
}

func (l *Loop) backendFd() int { return l.be.sys.kq }

// backendWake makes a blocked (or the next) poll return. Safe from any goroutine.
func (l *Loop) backendWake() { l.be.sys.wake() }

func (l *Loop) backendPoll(timeout int) { l.be.kq.poll(timeout) }

// backendConfigure accepts LoopBlockSignal with SIGPROF. kevent takes no signal mask, so on
// FreeBSD and DragonFly the thread's mask is set around the wait; macOS, NetBSD and OpenBSD
// give Go no way to set one thread's mask, and there the option changes nothing: a SIGPROF
// that interrupts the wait only makes it resume with the time left.
func (l *Loop) backendConfigure(opt LoopOption, sig int) error {
	if opt == LoopBlockSignal {
		if sig != int(unix.SIGPROF) {
			return EINVAL
		}
		l.be.sys.sigprof = kqCanBlockSigprof
	}
	return nil
}

// ioCheckFd refuses what kqueue cannot watch, as libuv does: regular files and directories
// (reported ready once, or always), then anything the kernel refuses a read filter for.
// (libuv also refuses named FIFOs on macOS, which report no EOF when the last writer goes; it
// tells them by F_GETPATH, which x/sys does not offer.)
func (l *Loop) ioCheckFd(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return TranslateSysError(err)
	}
	switch uint32(st.Mode) & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFDIR:
		return EINVAL
	}
	return l.be.kq.checkFd(fd)
}

// ioInvalidate drops undelivered events of fd from the batch being dispatched. The kernel
// removes an fd's filters when it is closed; until then they are deleted when an event finds
// no watcher.
func (l *Loop) ioInvalidate(fd int) { l.be.kq.invalidate(fd) }

func (l *Loop) watchProcess(w *ProcessWatcher, exitFd OSFd) error { return l.be.kq.watchPid(w) }

func (l *Loop) unwatchProcess(w *ProcessWatcher) { l.be.kq.unwatchPid(w) }

// kqReap collects a child whose exit the kernel reported. NOTE_EXIT can arrive a moment
// before the child can be waited for, so after a wait that does not block comes one that
// does, as libuv's waitpid without WNOHANG.
func kqReap(pid int) (ProcessExit, error) {
	st, done, err := ReapProcess(pid)
	if err != nil || done {
		return st, err
	}
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return ProcessExit{}, TranslateSysError(err)
		}
		break
	}
	if ws.Signaled() {
		return ProcessExit{Signal: int(ws.Signal())}, nil
	}
	return ProcessExit{Status: int64(ws.ExitStatus())}, nil
}

var _ kqKernel = (*kqSys)(nil)
