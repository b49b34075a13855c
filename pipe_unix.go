//go:build unix

package uv

import (
	"golang.org/x/sys/unix"
)

// Helpers for pipe handles (libuv's uv_pipe_t on unix domain sockets and anonymous pipes).
// A pipe name is a file-system path or, on Linux, an abstract name: one that starts with a
// NUL byte and may hold more NUL bytes.

// MaxPipeName is the longest pipe name a unix socket address holds (the size of sun_path:
// 108 bytes on Linux, 104 on macOS and the BSDs). Longer names are truncated or refused.
const MaxPipeName = len(unix.RawSockaddrUnix{}.Path)

// PipePair creates an anonymous pipe, close-on-exec (libuv's uv_pipe): fds[0] is the read
// end, fds[1] the write end. An end whose flags hold NonblockPipe is made non-blocking.
func PipePair(readFlags, writeFlags int) ([2]OSFd, error) {
	var p [2]int
	if err := pipeCloexec(&p); err != nil {
		return [2]OSFd{-1, -1}, TranslateSysError(err)
	}
	for i, fl := range [2]int{readFlags, writeFlags} {
		if fl&NonblockPipe == 0 {
			continue
		}
		if err := unix.SetNonblock(p[i], true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return [2]OSFd{-1, -1}, TranslateSysError(err)
		}
	}
	return p, nil
}

// BindPipe binds the unix socket fd to name, which must be at most MaxPipeName bytes. On
// Linux an empty name autobinds the socket to a unique abstract name; elsewhere it, and an
// abstract name, is EINVAL.
func BindPipe(fd OSSock, name string) error {
	if len(name) > MaxPipeName {
		return ENAMETOOLONG
	}
	if !AbstractPipeNames && (name == "" || name[0] == 0) {
		return EINVAL
	}
	return TranslateSysError(bindPipe(fd, name))
}

// PipeName returns the name the unix socket fd is bound to, or with peer its peer's name
// (getsockname, getpeername). A path ends at its first NUL byte; an abstract name keeps its
// full length, NUL bytes included. An unbound socket has the name "".
func PipeName(fd OSSock, peer bool) (string, error) {
	name, err := pipeName(fd, peer)
	return name, TranslateSysError(err)
}

// PipeConnectAddr converts a pipe name to the socket address Sock.Connect takes.
func PipeConnectAddr(name string) (SockAddr, error) {
	if name == "" {
		return nil, EINVAL
	}
	if name[0] == 0 {
		if !AbstractPipeNames {
			return nil, EINVAL
		}
		// The socket address type marks an abstract name with a leading '@'.
		return &unix.SockaddrUnix{Name: "@" + name[1:]}, nil
	}
	if name[0] == '@' {
		// A path that starts with '@' would be taken for an abstract name: name the same
		// file relative to the working directory instead.
		name = "./" + name
	}
	if len(name) >= MaxPipeName {
		return nil, ENAMETOOLONG
	}
	return &unix.SockaddrUnix{Name: name}, nil
}

// FdAccess reports whether fd was opened for reading and for writing (its O_ACCMODE); EBADF
// if fd is not open.
func FdAccess(fd OSFd) (readable, writable bool, err error) {
	var fl int
	for {
		fl, err = unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return false, false, TranslateSysError(err)
	}
	mode := fl & unix.O_ACCMODE
	return mode != unix.O_WRONLY, mode != unix.O_RDONLY, nil
}

// StdioHandle returns fd: on unix the descriptors 0, 1 and 2 are the standard streams already
// (on Windows it maps them to the standard handles).
func StdioHandle(fd OSFd) OSFd { return fd }
