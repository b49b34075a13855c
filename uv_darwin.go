package uv

import "golang.org/x/sys/unix"

// macOS runs on the kqueue backend (uv_kqueue.go, kqueue_poll.go) with EVFILT_USER wakeups
// (kqueue_user.go). What differs from the BSDs is here.

const (
	// Out-of-band data is EVFILT_EXCEPT with NOTE_OOB (libuv does the same on macOS).
	kqHaveExcept   = true
	kqExceptFilter = unix.EVFILT_EXCEPT
	kqNoteOOB      = unix.NOTE_OOB

	// socket(2) takes no SOCK_NONBLOCK or SOCK_CLOEXEC.
	kqSockFlags = 0

	// SO_REUSEPORT does not balance connections here: libuv's reuseport flag is ENOTSUP.
	kqReusePortOpt = 0

	// TCP keep-alive timing; the idle time is TCP_KEEPALIVE.
	kqTCPKeepIdle  = unix.TCP_KEEPALIVE
	kqTCPKeepIntvl = unix.TCP_KEEPINTVL
	kqTCPKeepCnt   = unix.TCP_KEEPCNT

	// Watched paths are opened for events only, so that they do not keep a volume busy.
	kqOpenEvtOnly = unix.O_EVTONLY
)

// acceptCloexec accepts with the fork lock held: there is no accept4.
func acceptCloexec(fd int) (int, error) { return acceptForkLocked(fd) }
