//go:build darwin || dragonfly || freebsd

package uv

import "golang.org/x/sys/unix"

// SendfileSupported reports whether Sock.WriteFile sends files with the kernel's copy on
// this system: sendfile(2) exists on macOS, FreeBSD and DragonFly.
func SendfileSupported() bool { return true }

// sockSendfile copies up to n bytes of in, from off, to the socket out. On a non-blocking
// socket these systems report a partial copy as EAGAIN (or EINTR) with the bytes sent: that
// is progress, not an error; EAGAIN with nothing sent means the socket's buffer is full.
func sockSendfile(out, in int, off int64, n int) (int, error) {
	w, err := unix.Sendfile(out, in, &off, n)
	if w > 0 && (err == nil || err == unix.EAGAIN || err == unix.EINTR) {
		return w, nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}
