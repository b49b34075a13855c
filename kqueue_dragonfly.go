package uv

import "golang.org/x/sys/unix"

// DragonFly's differences for the kqueue backend and its sockets.

const (
	// Out-of-band data is EVFILT_EXCEPT with NOTE_OOB.
	kqHaveExcept   = true
	kqExceptFilter = unix.EVFILT_EXCEPT
	kqNoteOOB      = unix.NOTE_OOB

	// SO_REUSEPORT balances connections here (since DragonFly 3.6), as on Linux.
	kqReusePortOpt = unix.SO_REUSEPORT

	kqTCPKeepIdle  = unix.TCP_KEEPIDLE
	kqTCPKeepIntvl = unix.TCP_KEEPINTVL
	kqTCPKeepCnt   = unix.TCP_KEEPCNT
)

// acceptCloexec accepts a non-blocking, close-on-exec socket in one step.
func acceptCloexec(fd int) (int, error) {
	nfd, _, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	return nfd, err
}
