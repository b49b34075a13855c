package uv

import (
	"strconv"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Pipes on Windows are named pipes (libuv's src/win/pipe.c): a name is \\.\pipe\something,
// bound with Sock.BindPipe and connected to with Sock.ConnectPipe; an anonymous pipe
// (PipePair, a child's stdio pipe) is a pair of ends of a uniquely named pipe, as libuv makes
// it. The unix helpers that take a socket (BindPipe, PipeConnectAddr) do not apply.

// MaxPipeName is the longest pipe name libuv's tests expect to be usable (Windows itself takes
// names of up to 256 characters after \\.\pipe\).
const MaxPipeName = 256

// AbstractPipeNames is false: abstract socket names are Linux only.
const AbstractPipeNames = false

// BindPipe returns ENOTSUP: named pipes are bound with Sock.BindPipe.
func BindPipe(fd OSSock, name string) error { return ENOTSUP }

// PipeConnectAddr returns ENOTSUP: named pipes are connected to with Sock.ConnectPipe.
func PipeConnectAddr(name string) (SockAddr, error) { return nil, ENOTSUP }

// PipeName returns the name of pipe handle fd as the system knows it, \\?\pipe\name (libuv's
// uv__pipe_getname), or "" with peer false: an end of a pipe has no name of its own.
func PipeName(fd OSSock, peer bool) (string, error) {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return "", EBADF
	}
	if !peer {
		return "", nil
	}
	return handleName(h)
}

// handleName is NtQueryInformationFile's name of pipe handle h, with libuv's prefix.
func handleName(h windows.Handle) (string, error) {
	buf := make([]uint16, 256)
	for {
		var iosb windows.IO_STATUS_BLOCK
		err := windows.NtQueryInformationFile(h, &iosb, (*byte)(unsafe.Pointer(&buf[0])), uint32(2*len(buf)),
			fileNameInformation)
		n := int(*(*uint32)(unsafe.Pointer(&buf[0]))) / 2
		if err == windows.STATUS_BUFFER_OVERFLOW && n+2 > len(buf) {
			buf = make([]uint16, n+2)
			continue
		}
		if err != nil {
			return "", ntCallError(err)
		}
		if n == 0 {
			return "", nil
		}
		return `\\?\pipe` + windows.UTF16ToString(buf[2:2+n]), nil
	}
}

// FdAccess reports whether handle fd was opened for reading and for writing (libuv's
// uv_pipe_open reads the same FileAccessInformation); EBADF if fd is not open.
func FdAccess(fd OSFd) (readable, writable bool, err error) {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return false, false, EBADF
	}
	access, err := handleAccess(h)
	if err != nil {
		return false, false, err
	}
	return access&windows.FILE_READ_DATA != 0, access&windows.FILE_WRITE_DATA != 0, nil
}

// PipeChmod gives everyone read access, write access or both to the named pipe of handle fd
// (libuv's uv_pipe_chmod on Windows: an entry for Everyone in the pipe's DACL).
func PipeChmod(fd OSFd, readable, writable bool) error {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return EBADF
	}
	everyone, err := windows.CreateWellKnownSid(windows.WinWorldSid)
	if err != nil {
		return TranslateSysError(err)
	}
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return TranslateSysError(err)
	}
	old, _, err := sd.DACL()
	if err != nil {
		old = nil
	}
	var access windows.ACCESS_MASK = windows.SYNCHRONIZE
	if readable {
		access |= windows.GENERIC_READ | windows.FILE_WRITE_ATTRIBUTES
	}
	if writable {
		access |= windows.GENERIC_WRITE | windows.FILE_READ_ATTRIBUTES
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: access,
		AccessMode:        windows.SET_ACCESS,
		Inheritance:       windows.NO_INHERITANCE,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_WELL_KNOWN_GROUP,
			TrusteeValue: windows.TrusteeValueFromSID(everyone),
		},
	}}, old)
	if err != nil {
		return TranslateSysError(err)
	}
	return TranslateSysError(windows.SetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.DACL_SECURITY_INFORMATION,
		nil, nil, acl, nil))
}

// Access of the ends of a pipe pair, from each end's point of view.
const (
	pipeRead  = 1
	pipeWrite = 2
)

// pipeSerial numbers the pipe pairs of this process, for their names.
var pipeSerial atomic.Uint64

// createPipePair is libuv's uv__create_pipe_pair: a uniquely named pipe with exactly one
// instance, server, and its client end, connected. serverAccess and clientAccess say which
// end reads and writes (pipeRead, pipeWrite); an overlapped end is for a loop, a
// non-overlapped one for a child or synchronous use. Neither end is inheritable (a child gets
// a duplicate).
func createPipePair(serverAccess, clientAccess int, serverOverlapped, clientOverlapped bool) (server, client windows.Handle, err error) {
	flags := uint32(windows.WRITE_DAC | windows.FILE_FLAG_FIRST_PIPE_INSTANCE)
	if serverAccess&pipeRead != 0 {
		flags |= windows.PIPE_ACCESS_INBOUND
	}
	if serverAccess&pipeWrite != 0 {
		flags |= windows.PIPE_ACCESS_OUTBOUND
	}
	if serverOverlapped {
		flags |= windows.FILE_FLAG_OVERLAPPED
	}
	access := uint32(windows.WRITE_DAC)
	if clientAccess&pipeRead != 0 {
		access |= windows.GENERIC_READ
	} else {
		access |= windows.FILE_READ_ATTRIBUTES
	}
	if clientAccess&pipeWrite != 0 {
		access |= windows.GENERIC_WRITE
	} else {
		access |= windows.FILE_WRITE_ATTRIBUTES
	}
	var clientFlags uint32
	if clientOverlapped {
		clientFlags = windows.FILE_FLAG_OVERLAPPED
	}
	pid := strconv.FormatUint(uint64(windows.GetCurrentProcessId()), 10)
	var name *uint16
	for {
		// A name another process made (or this one, in an earlier life with the same pid) is
		// taken: try the next.
		name, err = windows.UTF16PtrFromString(`\\.\pipe\uv-go\` + pid + "-" +
			strconv.FormatUint(pipeSerial.Add(1), 10) + "-" + strconv.FormatUint(HRTime()&0xffffff, 36))
		if err != nil {
			return windows.InvalidHandle, windows.InvalidHandle, EINVAL
		}
		server, err = windows.CreateNamedPipe(name, flags, windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT,
			1, pipeBufSize, pipeBufSize, 0, nil)
		if err == nil {
			break
		}
		if err != windows.ERROR_PIPE_BUSY && err != windows.ERROR_ACCESS_DENIED {
			return windows.InvalidHandle, windows.InvalidHandle, TranslateSysError(err)
		}
	}
	client, err = windows.CreateFile(name, access, 0, nil, windows.OPEN_EXISTING, clientFlags, 0)
	if err != nil {
		windows.CloseHandle(server)
		return windows.InvalidHandle, windows.InvalidHandle, TranslateSysError(err)
	}
	if serverOverlapped {
		// The client is there: the connect completes at once (ERROR_PIPE_CONNECTED).
		ov := new(windows.Overlapped)
		err = windows.ConnectNamedPipe(server, ov)
		if err == windows.ERROR_IO_PENDING {
			var n uint32
			err = windows.GetOverlappedResult(server, ov, &n, true)
		}
	} else {
		err = windows.ConnectNamedPipe(server, nil)
	}
	if err != nil && err != windows.ERROR_PIPE_CONNECTED {
		windows.CloseHandle(server)
		windows.CloseHandle(client)
		return windows.InvalidHandle, windows.InvalidHandle, TranslateSysError(err)
	}
	return server, client, nil
}

// PipePair creates an anonymous pipe as libuv's uv_pipe does on Windows: fds[0] is the read
// end, fds[1] the write end, both not inheritable; an end whose flags hold NonblockPipe is
// overlapped (a loop reads or writes it without a goroutine), the other is not (for a child,
// or for blocking use).
func PipePair(readFlags, writeFlags int) ([2]OSFd, error) {
	r, w, err := createPipePair(pipeRead, pipeWrite, readFlags&NonblockPipe != 0, writeFlags&NonblockPipe != 0)
	if err != nil {
		return [2]OSFd{OSFd(windows.InvalidHandle), OSFd(windows.InvalidHandle)}, err
	}
	return [2]OSFd{OSFd(r), OSFd(w)}, nil
}

// StdioHandle maps the C runtime's descriptors 0, 1 and 2, which Windows programs ported from
// libuv pass to uv_pipe_open and which are never handle values (real handles are multiples of
// four), to the process's standard input, output and error handles, as uv_pipe_open's
// _get_osfhandle does; and a higher descriptor that is not a multiple of four either (3, 5,
// ...) to the handle the parent passed for it in the C runtime's table (crtdesc_windows.go),
// if it did. Any other value is returned as it is.
func StdioHandle(fd OSFd) OSFd {
	var n uint32
	switch fd {
	case 0:
		n = windows.STD_INPUT_HANDLE
	case 1:
		n = windows.STD_OUTPUT_HANDLE
	case 2:
		n = windows.STD_ERROR_HANDLE
	default:
		if fd > 2 && fd%4 != 0 {
			if h, ok := crtHandle(int(fd)); ok {
				return OSFd(h)
			}
		}
		return fd
	}
	h, err := windows.GetStdHandle(n)
	if err != nil || h == 0 {
		return OSFd(windows.InvalidHandle)
	}
	return OSFd(h)
}
