//go:build unix && !linux

package conformance_test

import "golang.org/x/sys/unix"

// dup2 makes newfd a copy of oldfd.
func dup2(oldfd, newfd int) error { return unix.Dup2(oldfd, newfd) }

// blockSignalOnThread would block sig on the calling thread; x/sys has no pthread_sigmask
// here, so it does nothing and reports false.
func blockSignalOnThread(sig unix.Signal) (unblock func(), ok bool) { return func() {}, false }
