//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import "syscall"

// The kqueue backend learns of child exits with EVFILT_PROC (it comes with that backend); no
// exit descriptor exists here.
func setExitFd(sys *syscall.SysProcAttr, fd *int) {}

// inotifyState is Linux's; kqueue systems watch files with EVFILT_VNODE instead.
type inotifyState struct{}
