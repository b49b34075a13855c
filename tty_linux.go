package uv

import (
	"strconv"

	"golang.org/x/sys/unix"
)

const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)

// ttyIsSlave reports whether terminal fd is not a pty master: only a master answers
// TIOCGPTN with its pty number.
func ttyIsSlave(fd int) bool {
	_, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	return err != nil
}

// ttyName returns the path of terminal fd: the /proc/self/fd link when it names the same
// device, else the /dev search.
func ttyName(fd int) (string, bool) {
	buf := make([]byte, 256)
	n, err := unix.Readlink("/proc/self/fd/"+strconv.Itoa(fd), buf)
	if err == nil && n > 0 && n < len(buf) && buf[0] == '/' {
		p := string(buf[:n])
		var a, b unix.Stat_t
		if unix.Stat(p, &a) == nil && fstat(fd, &b) == nil &&
			a.Mode&unix.S_IFMT == unix.S_IFCHR && a.Rdev == b.Rdev {
			return p, true
		}
	}
	return ttyNameScan(fd)
}

// dup2Cloexec makes newfd refer to oldfd's open file, close-on-exec; EINVAL if they are
// the same descriptor.
func dup2Cloexec(oldfd, newfd int) error {
	for {
		err := unix.Dup3(oldfd, newfd, unix.O_CLOEXEC)
		if err != unix.EINTR {
			return err
		}
	}
}

// makeRaw is glibc's cfmakeraw.
func makeRaw(t *unix.Termios) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
}
