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

// traceTransmit reports a TransmitFile as the unix backends report sendfile: SysSendfile with
// the socket, the file, the part's offset and size, and the bytes sent (sent), or the error
// e. A call that started (ERROR_IO_PENDING) is reported at once with the whole part as its
// Result, not as SyscallPending: like a stream send, it completes whole (issueFile measured
// the file) or fails, and a trace read when the peer has the bytes must already count them,
// as it does on unix, where the copy is done when sendfile returns. A started call that then
// fails is reported a second time, when its packet comes, with the error. Call it only when
// l.ins is not nil.
func (l *Loop) traceTransmit(h windows.Handle, w *writeReq, sent int, e syscall.Errno) {
	var err error
	if e != 0 {
		err, sent = e, 0
	}
	l.ins.sys(l, SysSendfile, int(h), int64(w.op.file), w.fileOff, int64(w.n), sent, err)
}
