//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"strings"

	"golang.org/x/sys/unix"
)

const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)

// ttyIsSlave reports whether terminal fd is not a pty master. Masters are either nameless
// clones or /dev/ptmx and /dev/pty* nodes; reopening any of those would not give the same
// terminal back, so only a terminal with another name counts as reopenable.
func ttyIsSlave(fd int) bool {
	name, ok := ttyName(fd)
	if !ok {
		return false
	}
	base := name[strings.LastIndexByte(name, '/')+1:]
	return base != "ptmx" && !strings.HasPrefix(base, "pty")
}

func ttyName(fd int) (string, bool) { return ttyNameScan(fd) }

// dup2Cloexec makes newfd refer to oldfd's open file, close-on-exec; EINVAL if they are
// the same descriptor.
func dup2Cloexec(oldfd, newfd int) error {
	if oldfd == newfd {
		return unix.EINVAL
	}
	for {
		err := unix.Dup2(oldfd, newfd)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		unix.CloseOnExec(newfd)
		return nil
	}
}

// makeRaw is the BSD and macOS cfmakeraw.
func makeRaw(t *unix.Termios) {
	t.Iflag &^= unix.IMAXBEL | unix.IXOFF | unix.INPCK | unix.BRKINT | unix.ICRNL | unix.INLCR |
		unix.IGNCR | unix.ISTRIP | unix.IXON | unix.PARMRK
	t.Iflag |= unix.IGNBRK
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ECHONL | unix.ICANON | unix.ISIG |
		unix.IEXTEN | unix.NOFLSH | unix.TOSTOP | unix.PENDIN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8 | unix.CREAD
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
}
