package uv

import "golang.org/x/sys/unix"

// NetBSD's differences for the kqueue backend and its sockets. Its filters are numbered from
// 0 and its struct kevent has 32-bit filter and flags fields; unix.SetKevent and the
// conversions in uv_kqueue.go take care of that.

const (
	// No filter reports out-of-band data: EventPrioritized is accepted and never reported.
	kqHaveExcept   = false
	kqExceptFilter = kqNoFilter
	kqNoteOOB      = 0

	// SO_REUSEPORT does not balance connections here: libuv's reuseport flag is ENOTSUP.
	kqReusePortOpt = 0

	kqTCPKeepIdle  = unix.TCP_KEEPIDLE
	kqTCPKeepIntvl = unix.TCP_KEEPINTVL
	kqTCPKeepCnt   = unix.TCP_KEEPCNT
)

// acceptCloexec accepts with the fork lock held: x/sys has no accept4 (paccept) here.
func acceptCloexec(fd int) (int, error) { return acceptForkLocked(fd) }
