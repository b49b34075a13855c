//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import "syscall"

// The kqueue backend learns of child exits by pid (EVFILT_PROC with NOTE_EXIT, see
// ProcessWatcher), so SpawnProcess gives no exit descriptor here.
func setExitFd(sys *syscall.SysProcAttr, fd *int) {}

// exitNotifier makes no descriptor: ProcessWatcher watches the pid itself.
func exitNotifier(pid int) (OSFd, error) { return -1, nil }

// clearThreadSigmask does nothing here: x/sys offers no pthread_sigmask on these systems, so
// the child gets the forking thread's signal mask.
func clearThreadSigmask() (restore func()) { return func() {} }

// inotifyState is Linux's; kqueue systems watch files with EVFILT_VNODE instead.
type inotifyState struct{}
