package uv

import "golang.org/x/sys/unix"

// FreeBSD's differences for the kqueue backend and its sockets.

const (
	// No filter reports out-of-band data (libuv's EV_OOBAND is not one either):
	// EventPrioritized is accepted and never reported.
	kqHaveExcept   = false
	kqExceptFilter = kqNoFilter
	kqNoteOOB      = 0

	// SO_REUSEPORT_LB balances connections between the sockets bound to a port (FreeBSD 12),
	// which is what libuv's reuseport flag asks for.
	kqReusePortOpt = unix.SO_REUSEPORT_LB

	kqTCPKeepIdle  = unix.TCP_KEEPIDLE
	kqTCPKeepIntvl = unix.TCP_KEEPINTVL
	kqTCPKeepCnt   = unix.TCP_KEEPCNT
)

// acceptCloexec accepts a non-blocking, close-on-exec socket in one step.
func acceptCloexec(fd int) (int, error) {
	nfd, _, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	return nfd, err
}
