package conformance_test

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dup2 makes newfd a copy of oldfd.
func dup2(oldfd, newfd int) error { return unix.Dup3(oldfd, newfd, 0) }

// blockSignalOnThread locks the goroutine to its thread and blocks sig there, as libuv's
// kill test blocks SIGTERM with pthread_sigmask around uv_spawn; unblock undoes both.
func blockSignalOnThread(sig unix.Signal) (unblock func(), ok bool) {
	runtime.LockOSThread()
	var set unix.Sigset_t
	n, bits := uint(sig)-1, uint(unsafe.Sizeof(set.Val[0])*8)
	set.Val[n/bits] |= 1 << (n % bits)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
		runtime.UnlockOSThread()
		return func() {}, false
	}
	return func() {
		unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil)
		runtime.UnlockOSThread()
	}, true
}
