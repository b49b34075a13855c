package uv

import (
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// usePidfd is cleared by tests to take the path of kernels without pidfds.
var usePidfd = true

// On Linux the child's exit is learned from a pidfd, which epoll reports readable when the
// child exits; nothing else in the process (Go's runtime included) reaps it. Kernels older
// than 5.3 give none, and exitNotifier stands in.
func setExitFd(sys *syscall.SysProcAttr, fd *int) {
	if usePidfd {
		sys.PidFD = fd
	}
}

// exitNotifier returns the read end of a pipe whose write end is closed once pid has exited:
// a goroutine waits for the exit without reaping the child (WNOWAIT), so that ReapProcess
// still collects its status on the loop.
func exitNotifier(pid int) (OSFd, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return -1, TranslateSysError(err)
	}
	go func() {
		var info unix.Siginfo
		for {
			err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
			if err != unix.EINTR {
				break
			}
		}
		unix.Close(p[1])
	}()
	return p[0], nil
}

// clearThreadSigmask empties the signal mask of the calling thread, which a forked child
// inherits, until the returned function restores it.
func clearThreadSigmask() (restore func()) {
	runtime.LockOSThread()
	var empty, old unix.Sigset_t
	if unix.PthreadSigmask(unix.SIG_SETMASK, &empty, &old) != nil {
		return runtime.UnlockOSThread
	}
	return func() {
		unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
		runtime.UnlockOSThread()
	}
}
