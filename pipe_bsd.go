//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// AbstractPipeNames reports whether pipe names may be abstract (Linux only): a name that
// starts with a NUL byte lives in no file system, and an empty name asks for a unique one.
const AbstractPipeNames = false

// pipeCloexec makes a pipe and marks it close-on-exec while holding the fork lock, so that no
// process spawned meanwhile inherits it.
func pipeCloexec(p *[2]int) error {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	if err := unix.Pipe(p[:]); err != nil {
		return err
	}
	unix.CloseOnExec(p[0])
	unix.CloseOnExec(p[1])
	return nil
}

func bindPipe(fd int, name string) error {
	return unix.Bind(fd, &unix.SockaddrUnix{Name: name})
}

func pipeName(fd int, peer bool) (string, error) {
	var sa unix.Sockaddr
	var err error
	if peer {
		sa, err = unix.Getpeername(fd)
	} else {
		sa, err = unix.Getsockname(fd)
	}
	if err != nil {
		return "", err
	}
	u, ok := sa.(*unix.SockaddrUnix)
	if !ok {
		return "", unix.EINVAL
	}
	return u.Name, nil
}
