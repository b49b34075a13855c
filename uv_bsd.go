//go:build dragonfly || freebsd || netbsd || openbsd

package uv

import "golang.org/x/sys/unix"

// The BSDs run on the kqueue backend (uv_kqueue.go, kqueue_poll.go), as macOS does. What
// they share, and macOS does not, is here; what differs between them is in kqueue_<os>.go.

const (
	// socket(2) creates non-blocking, close-on-exec sockets in one step.
	kqSockFlags = unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC

	// There is no O_EVTONLY: watched paths are opened read-only.
	kqOpenEvtOnly = 0
)
