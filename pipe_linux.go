package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// AbstractPipeNames reports whether pipe names may be abstract (Linux only): a name that
// starts with a NUL byte lives in no file system, and an empty name asks for a unique one.
const AbstractPipeNames = true

func pipeCloexec(p *[2]int) error { return unix.Pipe2(p[:], unix.O_CLOEXEC) }

// sunPathOffset is where sun_path starts in a sockaddr_un.
const sunPathOffset = unsafe.Offsetof(unix.RawSockaddrUnix{}.Path)

// bindPipe binds with the exact address length libuv uses: the name's own length for an
// abstract name (so NUL bytes in it count), the whole structure for a path (which then
// needs no terminating NUL when it fills sun_path).
func bindPipe(fd int, name string) error {
	var sa unix.RawSockaddrUnix
	sa.Family = unix.AF_UNIX
	path := (*[len(sa.Path)]byte)(unsafe.Pointer(&sa.Path))
	copy(path[:], name)
	n := unsafe.Sizeof(sa)
	if name == "" || name[0] == 0 {
		n = sunPathOffset + uintptr(len(name))
	}
	for {
		_, _, e := unix.Syscall(unix.SYS_BIND, uintptr(fd), uintptr(unsafe.Pointer(&sa)), n)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

func pipeName(fd int, peer bool) (string, error) {
	var sa unix.RawSockaddrUnix
	n := uint32(unsafe.Sizeof(sa))
	call := uintptr(unix.SYS_GETSOCKNAME)
	if peer {
		call = unix.SYS_GETPEERNAME
	}
	_, _, e := unix.RawSyscall(call, uintptr(fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return "", e
	}
	if sa.Family != unix.AF_UNIX {
		return "", unix.EINVAL
	}
	path := (*[len(sa.Path)]byte)(unsafe.Pointer(&sa.Path))
	if uintptr(n) <= sunPathOffset {
		return "", nil
	}
	size := min(int(uintptr(n)-sunPathOffset), len(path))
	if path[0] == 0 {
		return string(path[:size]), nil
	}
	end := 0
	for end < len(path) && path[end] != 0 {
		end++
	}
	return string(path[:end]), nil
}
