//go:build unix

package uv

import (
	"reflect"
	"syscall"

	"golang.org/x/sys/unix"
)

// writev reports a writev(2) of iov.
func (in *instr) writev(l *Loop, fd int, iov []unix.Iovec, n int, e unix.Errno) {
	if in.tracer == nil {
		return
	}
	var size int64
	for i := range iov {
		size += int64(iov[i].Len)
	}
	var err error
	if e != 0 {
		err = e
	}
	in.sys(l, SysWritev, fd, int64(len(iov)), size, 0, n, err)
}

// callIO is call for an I/O watcher's callback.
func (in *instr) callIO(w *IOWatcher, events int) {
	in.phaseCbs++
	if !in.timing {
		w.cb(events)
		return
	}
	cb := w.cb // the callback may rebind the watcher
	t := HRTime()
	cb(events)
	if d := HRTime() - t; d > in.max.dur {
		in.record(d, w, reflect.ValueOf(cb).Pointer())
	}
}

// errnoName is the host's name for an errno ("EINPROGRESS"), or "".
func errnoName(e syscall.Errno) string { return unix.ErrnoName(e) }

// waited accounts a wait for I/O (epoll_wait, kevent) to the running phase and reports it.
func (in *instr) waited(l *Loop, fd, max, timeout, n int, err error) {
	if in.waitStart != 0 {
		in.phaseWait += HRTime() - in.waitStart
		in.waitStart = 0
	}
	in.sys(l, SysEpollWait, fd, int64(max), int64(timeout), 0, n, err)
}

// keventDone accounts a kevent call to the running phase (when it waited) and reports it.
func (in *instr) keventDone(l *Loop, fd, nchanges, max, timeout, n int, err error) {
	if in.waitStart != 0 {
		in.phaseWait += HRTime() - in.waitStart
		in.waitStart = 0
	}
	in.sys(l, SysKevent, fd, int64(nchanges), int64(max), int64(timeout), n, err)
}
