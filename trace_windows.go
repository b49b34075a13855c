package uv

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// traceWin reports a call of the Windows backend to the loop's tracer: an overlapped call that
// started (ERROR_IO_PENDING) gets Result SyscallPending. Call it only when l.ins is not nil.
func (l *Loop) traceWin(c Syscall, h windows.Handle, a0, a1 int64, res int, e syscall.Errno) {
	var err error
	switch {
	case e == windows.ERROR_IO_PENDING:
		res = SyscallPending
	case e != 0:
		err = e
	}
	l.ins.sys(l, c, int(h), a0, a1, 0, res, err)
}

// traceWait accounts a GetQueuedCompletionStatusEx wait to the running phase and reports it.
// Call it only when l.ins is not nil.
func (l *Loop) traceWait(timeout int, n int, e syscall.Errno) {
	in := l.ins
	if in.waitStart != 0 {
		in.phaseWait += HRTime() - in.waitStart
		in.waitStart = 0
	}
	var err error
	if e != 0 && e != syscall.Errno(windows.WAIT_TIMEOUT) {
		err = e
	}
	in.sys(l, SysGQCSEx, int(l.be.port), maxEvents, int64(timeout), 0, n, err)
}

// bufBytes is the byte count of a WSABuf array, for the trace.
func bufBytes(v []windows.WSABuf) int64 {
	n := int64(0)
	for i := range v {
		n += int64(v[i].Len)
	}
	return n
}
