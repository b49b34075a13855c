package uv

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Named pipes as a Sock (libuv's src/win/pipe.c): the second sockDriver, beside Winsock's.
//
//   - An overlapped pipe reads as a socket does: a zero-byte overlapped ReadFile says data (or
//     the end) is there, and Read then peeks how much is waiting (PeekNamedPipe) and reads that
//     much at once, so it never blocks: EAGAIN when nothing waits, EOF when the other end has
//     closed (ERROR_BROKEN_PIPE).
//   - Every write is an overlapped WriteFile of its own through the Sock's ordered queue (a
//     write of several buffers is first gathered into one, which the request keeps for reuse);
//     in blocking mode it is waited for before Write returns. TryWrite gives EAGAIN, as libuv's
//     does for pipes.
//   - A non-overlapped pipe handle (an end of PipePair without NonblockPipe, a pipe this
//     process inherited) cannot do either: its zero-byte read blocks on a goroutine
//     (blockingCall), as on libuv's thread, and Read then peeks and reads on the loop, which
//     does not block either; its writes run one at a time on a goroutine, or at once with
//     blocking writes. An overlapped handle that another completion port has already (a
//     standard handle opened twice) completes its calls on events that goroutines wait for
//     (sock_pipesync_windows.go).
//   - Taking a handle in (Init, Open) follows libuv's uv__set_pipe_handle
//     (sock_pipeinit_windows.go).
//   - A server (BindPipe) keeps a few instances of the pipe waiting in ConnectNamedPipe
//     (sock_pipeserver_windows.go); a client opens the pipe by name, waiting on a goroutine
//     when every instance is busy (sock_pipeconnect_windows.go); Shutdown waits until the
//     other end has read everything, and then lets it see the end as libuv does
//     (sock_pipeshutdown_windows.go).
//
// A console handle uses the same state, with a driver of its own (sock_console_windows.go).

// pipeState is what a Sock on a pipe or console handle has beyond a socket's state.
type pipeState struct {
	name    string // the name a server is bound to, or a client connected to
	server  bool
	console bool
	sync    bool // a non-overlapped handle
	// emulate: an overlapped handle another completion port has (a handle of this process's
	// stdio opened twice, ...): its calls complete on events that a goroutine waits for, as
	// libuv's UV_HANDLE_EMULATE_IOCP does with RegisterWaitForSingleObject.
	emulate  bool
	readable bool // the handle may be read: a shutdown then waits for the end (eofTimer)
	gone     bool // the handle was closed by a shutdown or the end timer; the Sock is open

	// A server's pipe instances (sock_pipeserver_windows.go).
	instances int
	name16    []uint16
	first     windows.Handle // the instance Bind made, until Listen gives it to an accept

	rdr   *TTYReader   // reads console input on a goroutine
	out   TTYState     // console output
	call  blockingCall // a connect's wait, a flush, a write of a non-overlapped pipe
	rcall blockingCall // the zero read of a non-overlapped pipe

	// Writes of a non-overlapped pipe waiting for the goroutine, oldest first; swCur is the
	// one it runs.
	swHead, swTail *writeReq
	swCur          *writeReq

	conn *pipeConnect // a connect in progress

	ipc *pipeIPC // an IPC pipe's framing and received sockets (sock_pipeipc_windows.go)

	shutCb   func(error) // the caller's shutdown callback while the flush runs
	shutFn   func(error)
	flushing bool

	eof      TimerWatcher
	eofArmed bool // a shutdown completed on a readable pipe: reads start the end timer
	eofInit  bool
}

// Win32 calls of the pipe paths, called directly so that they return a bare errno.
var (
	procReadFile            = modkernel32.NewProc("ReadFile")
	procWriteFile           = modkernel32.NewProc("WriteFile")
	procPeekNamedPipe       = modkernel32.NewProc("PeekNamedPipe")
	procConnectNamedPipe    = modkernel32.NewProc("ConnectNamedPipe")
	procWaitNamedPipeW      = modkernel32.NewProc("WaitNamedPipeW")
	procGetOverlappedResult = modkernel32.NewProc("GetOverlappedResult")
)

// pipeDriver is the sockDriver of pipes.
type pipeDriver struct{}

func (pipeDriver) startRead(s *Sock, r *readReq) syscall.Errno {
	if s.fd == windows.InvalidHandle {
		return windows.ERROR_BROKEN_PIPE
	}
	if s.ext.sync {
		return s.startSyncZeroRead(r)
	}
	if s.ext.emulate {
		return s.startEmulated(&r.sockReq, &zeroByte, 0, procReadFile.Addr(), &s.ext.rcall)
	}
	ok, _, e := syscall.SyscallN(procReadFile.Addr(), uintptr(s.fd), uintptr(unsafe.Pointer(&zeroByte)), 0, 0,
		uintptr(unsafe.Pointer(&r.ov)))
	if ok != 0 {
		return 0
	}
	return nonzero(e)
}

func nonzero(e syscall.Errno) syscall.Errno {
	if e == 0 {
		return syscall.EINVAL
	}
	return e
}

func (d pipeDriver) read(s *Sock, b []byte) (int, error) {
	if s.ext.ipc != nil {
		return s.readIPC(b)
	}
	return d.readRaw(s, b)
}

// readRaw reads the bytes of the pipe, whatever they are.
func (pipeDriver) readRaw(s *Sock, b []byte) (int, error) {
	if s.fd == windows.InvalidHandle {
		return 0, EOF
	}
	var avail uint32
	ok, _, e := syscall.SyscallN(procPeekNamedPipe.Addr(), uintptr(s.fd), 0, 0, 0, uintptr(unsafe.Pointer(&avail)), 0)
	if ok == 0 {
		return 0, pipeReadError(nonzero(e))
	}
	if avail == 0 {
		return 0, EAGAIN
	}
	b = b[:min(len(b), int(avail), maxIOBytes)]
	var n int
	if s.ext.sync {
		// What is waiting is read at once, without an OVERLAPPED.
		var got uint32
		ok, _, e = syscall.SyscallN(procReadFile.Addr(), uintptr(s.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
			uintptr(unsafe.Pointer(&got)), 0)
		if ok == 0 {
			e = nonzero(e)
		} else {
			e = 0
		}
		n = int(got)
	} else {
		n, e = s.loop.readNow(s.fd, b)
	}
	if e != 0 {
		return 0, pipeReadError(e)
	}
	return n, nil
}

// pipeReadError translates the error of a pipe read: the other end closed is EOF.
func pipeReadError(e syscall.Errno) error {
	if e == windows.ERROR_BROKEN_PIPE || e == windows.ERROR_PIPE_NOT_CONNECTED {
		return EOF
	}
	return translateErrno(e)
}

// pipeWriteError translates the error of a pipe write, as libuv's
// uv_translate_write_sys_error: the other end closed is EPIPE.
func pipeWriteError(e syscall.Errno) error {
	if e == windows.ERROR_BROKEN_PIPE || e == windows.ERROR_NO_DATA {
		return EPIPE
	}
	return translateErrno(e)
}

// syncEvent returns the loop's event for the calls it waits for itself. Its handle is passed
// with the low bit set, which keeps their completion off the port.
func (l *Loop) syncEvent() (windows.Handle, syscall.Errno) {
	if l.os.event == 0 {
		ev, err := windows.CreateEvent(nil, 0, 0, nil)
		if err != nil {
			return 0, err.(syscall.Errno)
		}
		l.os.event = ev
	}
	return l.os.event, 0
}

// readNow reads into b from overlapped handle h, which has that much data waiting, and waits
// for the read (which then does not block). The OVERLAPPED is the loop's: the call is over
// before readNow returns.
func (l *Loop) readNow(h windows.Handle, b []byte) (int, syscall.Errno) {
	ev, e := l.syncEvent()
	if e != 0 {
		return 0, e
	}
	ov := &l.os.ov
	*ov = windows.Overlapped{HEvent: ev | 1}
	var n uint32
	ok, _, e := syscall.SyscallN(procReadFile.Addr(), uintptr(h), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		uintptr(unsafe.Pointer(&n)), uintptr(unsafe.Pointer(ov)))
	if ok == 0 {
		if e != windows.ERROR_IO_PENDING {
			return 0, nonzero(e)
		}
		if e := l.waitNow(h, &n); e != 0 {
			return 0, e
		}
	}
	return int(n), 0
}

// waitNow waits for the overlapped call on the loop's OVERLAPPED.
func (l *Loop) waitNow(h windows.Handle, n *uint32) syscall.Errno {
	ok, _, e := syscall.SyscallN(procGetOverlappedResult.Addr(), uintptr(h), uintptr(unsafe.Pointer(&l.os.ov)),
		uintptr(unsafe.Pointer(n)), 1)
	if ok == 0 {
		return nonzero(e)
	}
	return 0
}

// pipeBuffer returns the bytes of w's send as one buffer: its only buffer, or its buffers
// gathered into the request's own (kept for the next send).
func (w *writeReq) pipeBuffer() []byte {
	switch len(w.bufs) {
	case 0:
		return nil
	case 1:
		return unsafe.Slice(w.bufs[0].Buf, w.bufs[0].Len)
	}
	if cap(w.gather) < w.n {
		w.gather = make([]byte, 0, w.n)
	}
	b := w.gather[:0]
	for _, v := range w.bufs {
		if v.Len > 0 {
			b = append(b, unsafe.Slice(v.Buf, v.Len)...)
		}
	}
	w.gather = b
	return b
}

// maxKeptGather is the largest gather buffer a write request keeps after its send.
const maxKeptGather = 64 << 10

func (pipeDriver) startWrite(s *Sock, w *writeReq) syscall.Errno {
	if s.fd == windows.InvalidHandle {
		return windows.ERROR_NO_DATA
	}
	if s.ext.sync || s.ext.emulate {
		if s.ext.sync && s.flags&sockBlockingWrites != 0 {
			// libuv's blocking write to a non-overlapped pipe: done here, at once.
			w.abandon()
			return writeAll(s.fd, w.pipeBuffer())
		}
		s.queueSyncWrite(w)
		return windows.ERROR_IO_PENDING
	}
	b := w.pipeBuffer()
	p := &zeroByte
	if len(b) > 0 {
		p = &b[0]
	}
	if s.flags&sockBlockingWrites != 0 {
		// Wait here for the write, with the loop's event and off the port.
		ev, e := s.loop.syncEvent()
		if e != 0 {
			return e
		}
		w.abandon()
		ov := &s.loop.os.ov
		*ov = windows.Overlapped{HEvent: ev | 1}
		var n uint32
		ok, _, e := syscall.SyscallN(procWriteFile.Addr(), uintptr(s.fd), uintptr(unsafe.Pointer(p)), uintptr(len(b)),
			uintptr(unsafe.Pointer(&n)), uintptr(unsafe.Pointer(ov)))
		if ok != 0 {
			return 0
		}
		if e != windows.ERROR_IO_PENDING {
			return nonzero(e)
		}
		return s.loop.waitNow(s.fd, &n)
	}
	ok, _, e := syscall.SyscallN(procWriteFile.Addr(), uintptr(s.fd), uintptr(unsafe.Pointer(p)), uintptr(len(b)), 0,
		uintptr(unsafe.Pointer(&w.ov)))
	if ok != 0 {
		return 0
	}
	return nonzero(e)
}

func (pipeDriver) tryWrite(s *Sock, bufs [][]byte, to *windows.RawSockaddrAny) (int, error) {
	// As libuv, which has no non-blocking write for pipes on Windows.
	return 0, EAGAIN
}

func (pipeDriver) close(s *Sock) {
	ps := s.ext
	if ps.server {
		s.closeServer()
		return
	}
	if s.fd != windows.InvalidHandle {
		if !ps.sync {
			windows.CancelIoEx(s.fd, nil)
		}
		windows.CloseHandle(s.fd)
	}
}

// closeExt is Close's part for a pipe or console sock, before the requests are orphaned:
// what runs on goroutines is stopped or given up (and its requests taken back, as no
// completion will come for them), connects and shutdowns in flight are left to CancelAll.
func (s *Sock) closeExt() {
	ps := s.ext
	if ps.rdr != nil {
		ps.rdr.Close()
	}
	if ps.ipc != nil {
		ps.ipc.close()
	}
	if ps.rcall.busy() {
		ps.rcall.giveUp(false)
		if s.rd != nil && s.rd.inFlight() && !ps.emulate {
			s.rd.abandon() // a goroutine's read, which owns nothing of it
		}
	}
	ps.rcall.close()
	if ps.eofInit {
		ps.eof.Stop()
	}
	if ps.conn != nil {
		ps.conn.abandon(s)
	}
	if ps.flushing {
		// Give the caller's callback back to CancelAll, which fails it with ECANCELED (and
		// ends the flush's request).
		ps.flushing = false
		s.shutdownCb = ps.shutCb
		ps.shutCb = nil
	}
	for w := ps.swHead; w != nil; w = w.snext {
		w.abandon() // not started: nothing owns it
	}
	ps.swHead, ps.swTail = nil, nil
	if w := ps.swCur; w != nil && ps.call.busy() && !ps.emulate {
		w.abandon() // its goroutine writes through a handle of its own
	}
	ps.swCur = nil
	ps.call.close()
	if ps.emulate && s.fd != windows.InvalidHandle {
		// The calls in flight end now, and their events with them; their requests stay on
		// the loop's in-flight list until the loop closes, as the kernel may still write to
		// them until then.
		windows.CancelIoEx(s.fd, nil)
	}
}
