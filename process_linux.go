package uv

import "syscall"

// On Linux the child's exit is learned from a pidfd, which epoll reports readable when the
// child exits; nothing else in the process (Go's runtime included) reaps it.
func setExitFd(sys *syscall.SysProcAttr, fd *int) { sys.PidFD = fd }
