package uv

import "golang.org/x/sys/unix"

// SendfileSupported reports whether Sock.WriteFile sends files with the kernel's copy on
// this system. Where it is false (Windows, NetBSD, OpenBSD and the other systems without a
// socket sendfile in golang.org/x/sys), the layers above read the file and write it.
func SendfileSupported() bool { return true }

// sockSendfile copies up to n bytes of in, from off, to the socket out, without moving in's
// position: the bytes copied, or EAGAIN when the socket's buffer is full.
func sockSendfile(out, in int, off int64, n int) (int, error) {
	return unix.Sendfile(out, in, &off, n)
}
