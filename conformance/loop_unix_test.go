//go:build unix

package conformance_test

import (
	"golang.org/x/sys/unix"
)

// loopWaitBackend waits until the backend descriptor fd of a loop is readable or timeout ms
// (-1: no limit) have passed, as an application embedding the loop would, and reports true:
// the descriptor can be polled here.
func loopWaitBackend(fd, timeout int) (bool, error) {
	for {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		_, err := unix.Poll(p, timeout)
		if err != unix.EINTR {
			return true, err
		}
	}
}

// loopBlockableSignal returns the signal Loop.Configure(LoopBlockSignal, sig) accepts here
// (SIGPROF) and the error expected from it (none).
func loopBlockableSignal() (int, error) { return int(unix.SIGPROF), nil }
