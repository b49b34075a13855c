package uv

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// A pipe server, as libuv's: Bind creates the first instance of the pipe (with
// FILE_FLAG_FIRST_PIPE_INSTANCE, so a name another server holds is EADDRINUSE); Listen keeps
// PendingInstances instances (default 4) waiting in an overlapped ConnectNamedPipe, each in
// one of the Sock's accept requests; a connected instance is handed out by Accept as the
// connection's handle, and its request makes a new instance. The server's own handle (Fd) is
// the instance made last, as libuv's is.

// DefaultPipeInstances is how many instances a pipe server keeps waiting for clients unless
// told otherwise (libuv's default for uv_pipe_pending_instances).
const DefaultPipeInstances = 4

// pipeBufSize is the size of each direction's buffer of a pipe instance, as libuv's.
const pipeBufSize = 65536

// pipeInstances holds the instances servers made and associated with their loop's port, until
// a Sock takes one (Init must not associate it again) or it is closed.
var pipeInstances struct {
	mu sync.Mutex
	m  map[windows.Handle]struct{}
}

func addInstance(h windows.Handle) {
	pipeInstances.mu.Lock()
	if pipeInstances.m == nil {
		pipeInstances.m = make(map[windows.Handle]struct{})
	}
	pipeInstances.m[h] = struct{}{}
	pipeInstances.mu.Unlock()
}

// takeInstance forgets h and reports whether it was a server's instance.
func takeInstance(h windows.Handle) bool {
	pipeInstances.mu.Lock()
	_, ok := pipeInstances.m[h]
	delete(pipeInstances.m, h)
	pipeInstances.mu.Unlock()
	return ok
}

// closeInstance closes an instance nobody took.
func closeInstance(h windows.Handle) {
	takeInstance(h)
	windows.CloseHandle(h)
}

// BindPipe makes the sock a pipe server on the loop, bound to name (libuv's uv_pipe_bind on
// Windows): the name of a named pipe, \\.\pipe\something. instances is how many instances
// Listen keeps waiting for clients (0: DefaultPipeInstances). EADDRINUSE if another server
// holds the name, EACCES for a name that is no pipe name, EINVAL if the sock is in use.
func (s *Sock) BindPipe(l *Loop, name string, instances int) error {
	if l == nil || l.closed || (s.loop != nil && s.flags&sockClosed == 0) {
		return EINVAL
	}
	name16, err := windows.UTF16FromString(name)
	if err != nil {
		return EINVAL
	}
	if instances <= 0 {
		instances = DefaultPipeInstances
	}
	h, e := createInstance(name16, true)
	if e != 0 {
		switch e {
		case windows.ERROR_ACCESS_DENIED:
			return EADDRINUSE
		case windows.ERROR_PATH_NOT_FOUND, windows.ERROR_INVALID_NAME:
			return EACCES
		}
		return translateErrno(e)
	}
	if err := l.associate(h); err != nil {
		windows.CloseHandle(h)
		return err
	}
	ps := &pipeState{name: name, server: true, instances: instances, name16: name16, first: h, readable: true}
	s.bind(l, h, pipeDriver{}, ps)
	s.flags |= sockBound
	return nil
}

// createInstance creates an overlapped, duplex instance of the named pipe.
func createInstance(name16 []uint16, first bool) (windows.Handle, syscall.Errno) {
	flags := uint32(windows.PIPE_ACCESS_DUPLEX | windows.FILE_FLAG_OVERLAPPED | windows.WRITE_DAC)
	if first {
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	}
	h, err := windows.CreateNamedPipe(&name16[0], flags, windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT,
		windows.PIPE_UNLIMITED_INSTANCES, pipeBufSize, pipeBufSize, 0, nil)
	if err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return windows.InvalidHandle, e
		}
		return windows.InvalidHandle, syscall.EINVAL
	}
	if first {
		// Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE: an instance that is not alone belongs
		// to a pipe another server made.
		var n uint32
		if windows.GetNamedPipeHandleState(h, nil, &n, nil, nil, nil, 0) == nil && n > 1 {
			windows.CloseHandle(h)
			return windows.InvalidHandle, windows.ERROR_ACCESS_DENIED
		}
	}
	return h, 0
}

// SetPipeInstances sets how many instances a pipe server keeps waiting for clients (libuv's
// uv_pipe_pending_instances); it does nothing once the server listens.
func (s *Sock) SetPipeInstances(n int) {
	if ps := s.ext; ps != nil && ps.server && s.flags&sockListening == 0 && n > 0 {
		ps.instances = n
	}
}

func (pipeDriver) acceptCount(s *Sock) int { return s.ext.instances }

func (pipeDriver) listen(s *Sock, backlog int) error {
	if !s.ext.server {
		return EINVAL
	}
	return nil
}

func (pipeDriver) startAccept(s *Sock, a *acceptReq) syscall.Errno {
	ps := s.ext
	a.pipe = true
	if a.accepted == windows.InvalidHandle {
		if ps.first != windows.InvalidHandle {
			a.accepted, ps.first = ps.first, windows.InvalidHandle
		} else {
			h, e := createInstance(ps.name16, false)
			if e != 0 {
				return e
			}
			if err := s.loop.associate(h); err != nil {
				windows.CloseHandle(h)
				return windows.ERROR_INVALID_PARAMETER
			}
			if s.flags&sockSkipPort != 0 {
				windows.SetFileCompletionNotificationModes(h,
					windows.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|windows.FILE_SKIP_SET_EVENT_ON_HANDLE)
			}
			a.accepted = h
		}
		addInstance(a.accepted)
		s.fd = a.accepted
	}
	ok, _, e := syscall.SyscallN(procConnectNamedPipe.Addr(), uintptr(a.accepted), uintptr(unsafe.Pointer(&a.ov)))
	if ok != 0 {
		return 0
	}
	if e == windows.ERROR_PIPE_CONNECTED || e == windows.ERROR_NO_DATA {
		// A client came between the instance's creation and this call (and may have gone
		// already: the connection then reads as ended): connected, and no packet will come.
		a.finish(0, 0)
		return windows.ERROR_IO_PENDING
	}
	return nonzero(e)
}

func (pipeDriver) finishAccept(s *Sock, a *acceptReq) error { return nil }

// closeServer is the driver's close for a server: the instance Bind made, if no accept took
// it. The accepts' instances were closed with them.
func (s *Sock) closeServer() {
	ps := s.ext
	if ps.first != windows.InvalidHandle {
		windows.CloseHandle(ps.first)
		ps.first = windows.InvalidHandle
	}
	s.fd = windows.InvalidHandle
}

// PipeName returns the name of a pipe sock (libuv's uv_pipe_getsockname and
// uv_pipe_getpeername on Windows): a server's own name is the name it is bound to, and it has
// no peer (ENOTCONN); a connection's own name is "", and its peer's the name it connected to
// or, for a connection a server accepted or a pipe opened from a handle, the name of the pipe
// as the system knows it (\\?\pipe\...). EBADF if the sock has no pipe.
func (s *Sock) PipeName(peer bool) (string, error) {
	ps := s.ext
	if s.loop == nil || s.flags&sockClosed != 0 || ps == nil || ps.console {
		return "", EBADF
	}
	if ps.server {
		if peer {
			return "", ENOTCONN
		}
		return ps.name, nil
	}
	if !peer {
		return "", nil
	}
	if ps.name != "" {
		return ps.name, nil
	}
	if s.fd == windows.InvalidHandle {
		return "", EBADF
	}
	return handleName(s.fd)
}
