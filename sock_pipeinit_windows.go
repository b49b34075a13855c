package uv

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Taking a pipe handle into a Sock (libuv's uv__set_pipe_handle and uv_pipe_open on Windows):
// what the handle is, how it may be read and written, and the loop's completion port.

// NtQueryInformationFile classes and the structures they fill.
const (
	fileAccessInformation    = 8
	fileNameInformation      = 9
	fileModeInformation      = 16
	filePipeLocalInformation = 24
)

type filePipeLocalInfo struct {
	namedPipeType          uint32
	namedPipeConfiguration uint32
	maximumInstances       uint32
	currentInstances       uint32
	inboundQuota           uint32
	readDataAvailable      uint32
	outboundQuota          uint32
	writeQuotaAvailable    uint32
	namedPipeState         uint32
	namedPipeEnd           uint32
}

// queryFile is NtQueryInformationFile into v.
func queryFile[T any](h windows.Handle, class uint32, v *T) error {
	var iosb windows.IO_STATUS_BLOCK
	return windows.NtQueryInformationFile(h, &iosb, (*byte)(unsafe.Pointer(v)), uint32(unsafe.Sizeof(*v)), class)
}

// handleAccess returns the access rights h was opened with (FileAccessInformation).
func handleAccess(h windows.Handle) (uint32, error) {
	var access uint32
	if err := queryFile(h, fileAccessInformation, &access); err != nil {
		return 0, ntCallError(err)
	}
	return access, nil
}

// ntCallError turns the NTSTATUS error of an Nt call into an *Error.
func ntCallError(err error) error {
	if st, ok := err.(windows.NTStatus); ok {
		if st == windows.STATUS_INVALID_HANDLE || st == windows.STATUS_OBJECT_TYPE_MISMATCH {
			return EBADF
		}
		return TranslateSysError(st.Errno())
	}
	return TranslateSysError(err)
}

// isSyncHandle reports whether h was opened for synchronous (non-overlapped) I/O.
func isSyncHandle(h windows.Handle) (bool, error) {
	var mode uint32
	if err := queryFile(h, fileModeInformation, &mode); err != nil {
		return false, ntCallError(err)
	}
	const syncAlert = 0x10 // FILE_SYNCHRONOUS_IO_ALERT
	return mode&(syncAlert|windows.FILE_SYNCHRONOUS_IO_NONALERT) != 0, nil
}

// initHandle is Init for a handle that is not a socket: a console or a pipe.
func (s *Sock) initHandle(l *Loop, h windows.Handle, kind SockKind, ipc bool) error {
	if kind != SockStream {
		return ENOTSOCK // a datagram sock needs a socket
	}
	var mode uint32
	if windows.GetConsoleMode(h, &mode) == nil {
		if ipc {
			return EINVAL
		}
		return s.initConsole(l, h)
	}
	t, err := windows.GetFileType(h)
	if t != windows.FILE_TYPE_PIPE {
		if t == windows.FILE_TYPE_UNKNOWN && err != nil && err != syscall.EINVAL {
			return EBADF
		}
		return ENOTSOCK
	}
	if ipc {
		// As libuv: an IPC pipe must read and write.
		access, err := handleAccess(h)
		if err != nil {
			return err
		}
		if access&windows.FILE_READ_DATA == 0 || access&windows.FILE_WRITE_DATA == 0 {
			return EINVAL
		}
	}
	std := isStdHandle(h)
	if std {
		// As libuv does for descriptors 0-2: the sock gets a duplicate, so that closing it
		// leaves this process's standard handle alone, and a standard handle may be opened
		// more than once.
		cur := windows.CurrentProcess()
		if err := windows.DuplicateHandle(cur, h, cur, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
			return TranslateSysError(err)
		}
	}
	ps := &pipeState{}
	if err := attachPipe(l, h, ps); err != nil {
		if std {
			windows.CloseHandle(h)
		}
		return err
	}
	s.bind(l, h, pipeDriver{}, ps)
	s.track(h)
	if ipc {
		s.initIPC(h)
	} else {
		takeStdioPeer(h) // a child's pipe that is not IPC: its note is not needed
	}
	return nil
}

// isStdHandle reports whether h is one of this process's standard handles.
func isStdHandle(h windows.Handle) bool {
	for _, n := range [3]uint32{windows.STD_INPUT_HANDLE, windows.STD_OUTPUT_HANDLE, windows.STD_ERROR_HANDLE} {
		if s, err := windows.GetStdHandle(n); err == nil && s == h {
			return true
		}
	}
	return false
}

// attachPipe readies pipe handle h for a Sock of l as libuv's uv__set_pipe_handle does: byte
// reads, blocking wait mode, and, for an overlapped handle, the loop's completion port. It
// records in ps how the handle reads and writes.
func attachPipe(l *Loop, h windows.Handle, ps *pipeState) error {
	if t, _ := windows.GetFileType(h); t != windows.FILE_TYPE_PIPE {
		return ENOTSOCK
	}
	mode := uint32(windows.PIPE_READMODE_BYTE | windows.PIPE_WAIT)
	if err := windows.SetNamedPipeHandleState(h, &mode, nil, nil); err != nil {
		switch err {
		case windows.ERROR_ACCESS_DENIED:
			// A handle without write access cannot change its mode; it will do if it has the
			// right one already.
			var cur uint32
			if err := windows.GetNamedPipeHandleState(h, &cur, nil, nil, nil, nil, 0); err != nil {
				return TranslateSysError(err)
			}
			if cur&windows.PIPE_NOWAIT != 0 {
				return EACCES
			}
		case windows.ERROR_INVALID_PARAMETER:
			return ENOTSOCK // not a pipe
		case windows.ERROR_INVALID_HANDLE:
			return EBADF
		default:
			return TranslateSysError(err)
		}
	}
	sync, err := isSyncHandle(h)
	if err != nil {
		return err
	}
	ps.sync = sync
	if access, err := handleAccess(h); err == nil {
		ps.readable = access&windows.FILE_READ_DATA != 0
	} else {
		ps.readable = true
	}
	if !sync && !takeInstance(h) {
		// (An instance a server of this loop made is associated already.)
		if err := l.associate(h); err != nil {
			if err != EINVAL {
				return err
			}
			ps.emulate = true // associated with another completion port
		}
	}
	return nil
}

// bind makes the sock the loop's, on handle h with driver d.
func (s *Sock) bind(l *Loop, h windows.Handle, d sockDriver, ps *pipeState) {
	if s.pendFn == nil {
		s.pendFn = s.runPending
	}
	s.dropIdleReqs(l)
	s.loop, s.fd, s.family, s.flags = l, h, 0, 0
	s.drv, s.ext = d, ps
	s.readErr, s.connectErr = nil, nil
	if ps != nil && ps.emulate {
		// No packet ever comes: calls that complete at once are completed by their caller.
		s.flags |= sockSkipPort
	} else if ps != nil && !ps.sync && h != windows.InvalidHandle {
		s.skipPortOnSuccess()
	}
	s.pend.Init(s.pendFn)
}

// skipPortOnSuccess asks the system not to queue packets for calls that complete at once.
func (s *Sock) skipPortOnSuccess() {
	if windows.SetFileCompletionNotificationModes(s.fd,
		windows.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|windows.FILE_SKIP_SET_EVENT_ON_HANDLE) == nil {
		s.flags |= sockSkipPort
	}
}

// track records h as the loop's, so that a second Init of it fails with EEXIST.
func (s *Sock) track(h windows.Handle) {
	l := s.loop
	if l.os.socks == nil {
		l.os.socks = make(map[windows.Handle]struct{})
		l.Attach(sockLoopKey{}, sockLoopCloser{l})
	}
	l.os.socks[h] = struct{}{}
}
