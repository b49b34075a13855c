package uv

import "golang.org/x/sys/unix"

// OpenBSD's differences for the kqueue backend and its sockets.

const (
	// Out-of-band data is EVFILT_EXCEPT with NOTE_OOB.
	kqHaveExcept   = true
	kqExceptFilter = unix.EVFILT_EXCEPT
	kqNoteOOB      = unix.NOTE_OOB

	// SO_REUSEPORT does not balance connections here: libuv's reuseport flag is ENOTSUP.
	kqReusePortOpt = 0

	// Keep-alive timing is system-wide (sysctl) only: SetKeepAlive turns probing on and the
	// timing is left alone, as libuv does here.
	kqTCPKeepIdle  = 0
	kqTCPKeepIntvl = 0
	kqTCPKeepCnt   = 0
)

// acceptCloexec accepts with the fork lock held: x/sys has no accept4 here.
func acceptCloexec(fd int) (int, error) { return acceptForkLocked(fd) }
