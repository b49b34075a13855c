package uv

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Connecting a pipe client, as libuv's uv_pipe_connect2 on Windows: the pipe is opened by name
// at once (duplex, or read-only or write-only if the server allows no more); if every instance
// of the server is busy (ERROR_PIPE_BUSY), a goroutine waits for one with WaitNamedPipe (30 s
// at a time) and opens it then. Either way the outcome reaches the callback in the pending
// phase.

// InitPipe makes the sock a pipe of the loop that has no handle yet: one that may connect
// (ConnectPipe) or record a connect error (FailConnect); ipc makes it an IPC pipe
// (sock_pipeipc_windows.go).
func (s *Sock) InitPipe(l *Loop, ipc bool) error {
	if l == nil || l.closed || (s.loop != nil && s.flags&sockClosed == 0) {
		return EINVAL
	}
	s.bind(l, windows.InvalidHandle, pipeDriver{}, &pipeState{})
	if ipc {
		s.initIPC(windows.InvalidHandle)
	}
	return nil
}

// pipeConnect is a connect in progress.
type pipeConnect struct {
	name16 []uint16
	h      windows.Handle // the opened pipe
	e      syscall.Errno  // or the error
	pend   Pending
}

// ConnectPipe connects a sock from InitPipe to the pipe called name; cb runs on the loop, in
// the pending phase, with the outcome (ENOENT if no server has that name, ECANCELED if the
// sock closes first, ...). It returns EINVAL for a server, a closed sock or a name with a NUL,
// EALREADY while a connect is in progress, EBUSY if the sock is connected already.
func (s *Sock) ConnectPipe(name string, cb func(err error)) error {
	ps := s.ext
	if s.flags&sockClosed != 0 || s.loop == nil || cb == nil || ps == nil || ps.server || ps.console {
		return EINVAL
	}
	if s.flags&sockConnecting != 0 {
		return EALREADY
	}
	if s.fd != windows.InvalidHandle || ps.gone {
		return EBUSY
	}
	name16, err := windows.UTF16FromString(name)
	if err != nil {
		return EINVAL
	}
	ps.name = name
	c := &pipeConnect{name16: name16, h: windows.InvalidHandle}
	c.pend.Init(func() { s.pipeConnected(c) })
	ps.conn = c
	s.connectCb = cb
	s.flags |= sockConnecting
	s.loop.RegisterRequest()
	h, e := openNamedPipe(&name16[0])
	if e != windows.ERROR_PIPE_BUSY {
		c.h, c.e = h, e
		s.loop.QueuePending(&c.pend)
		return nil
	}
	err = ps.call.start(s.loop, func() {
		c.h, c.e = waitNamedPipe(&c.name16[0])
	}, func() {
		s.loop.QueuePending(&c.pend)
	}, func() {
		if c.h != windows.InvalidHandle {
			windows.CloseHandle(c.h)
		}
	}, false)
	if err != nil {
		c.e = windows.ERROR_NOT_ENOUGH_MEMORY
		s.loop.QueuePending(&c.pend)
	}
	return nil
}

// waitNamedPipe waits for a free instance of the pipe and opens it, as libuv's
// pipe_connect_thread_proc.
func waitNamedPipe(name *uint16) (windows.Handle, syscall.Errno) {
	e := windows.ERROR_PIPE_BUSY
	for {
		ok, _, werr := syscall.SyscallN(procWaitNamedPipeW.Addr(), uintptr(unsafe.Pointer(name)), 30000)
		if ok == 0 {
			if e = werr; e == 0 {
				e = windows.ERROR_PIPE_BUSY
			}
			return windows.InvalidHandle, e
		}
		h, e := openNamedPipe(name)
		if e != windows.ERROR_PIPE_BUSY {
			return h, e
		}
		windows.SleepEx(0, false) // yield, as libuv's SwitchToThread
	}
}

// openNamedPipe opens the client end of a pipe, overlapped: duplex, or as the server allows.
func openNamedPipe(name *uint16) (windows.Handle, syscall.Errno) {
	for _, access := range []uint32{windows.GENERIC_READ | windows.GENERIC_WRITE,
		windows.GENERIC_READ | windows.FILE_WRITE_ATTRIBUTES, windows.GENERIC_WRITE | windows.FILE_READ_ATTRIBUTES} {
		h, err := windows.CreateFile(name, access, 0, nil, windows.OPEN_EXISTING, windows.FILE_FLAG_OVERLAPPED, 0)
		if err == nil {
			return h, 0
		}
		e, _ := err.(syscall.Errno)
		if e != windows.ERROR_ACCESS_DENIED {
			return windows.InvalidHandle, nonzero(e)
		}
	}
	return windows.InvalidHandle, windows.ERROR_ACCESS_DENIED
}

// pipeConnected runs in the pending phase with the outcome of c.
func (s *Sock) pipeConnected(c *pipeConnect) {
	ps := s.ext
	if ps == nil || ps.conn != c || s.flags&sockConnecting == 0 {
		if c.h != windows.InvalidHandle {
			windows.CloseHandle(c.h)
		}
		return
	}
	ps.conn = nil
	var err error
	if c.e != 0 {
		err = translateErrno(c.e)
	} else if aerr := attachPipe(s.loop, c.h, ps); aerr != nil {
		windows.CloseHandle(c.h)
		err = aerr
	} else {
		s.fd = c.h
		if !ps.sync {
			s.skipPortOnSuccess()
		}
		s.track(c.h)
	}
	s.connectErr = err
	s.finishConnect()
}

// abandon is Close's part for a connect in progress: the pipe it opened, now or later, is
// closed; CancelAll fails the connect with ECANCELED.
func (c *pipeConnect) abandon(s *Sock) {
	// Queued, the outcome is the loop's to release; otherwise the goroutine still waits, and
	// the blockingCall's cleanup closes what it opens.
	if c.pend.Queued() {
		s.loop.CancelPending(&c.pend)
		if c.h != windows.InvalidHandle {
			windows.CloseHandle(c.h)
			c.h = windows.InvalidHandle
		}
	}
	s.ext.conn = nil
}
