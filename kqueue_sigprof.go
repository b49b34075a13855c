//go:build dragonfly || freebsd

package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// LoopBlockSignal on FreeBSD and DragonFly: kevent takes no signal mask, so the loop thread
// (Run locks the goroutine to it) blocks SIGPROF with sigprocmask(2), which acts on the
// calling thread on these systems, just before the wait and restores its mask just after.
// A SIGPROF that arrives meanwhile stays pending until then, as with epoll_pwait.
const kqCanBlockSigprof = true

const (
	kqSigBlock   = 1 // SIG_BLOCK
	kqSigSetmask = 3 // SIG_SETMASK
)

// kqSigmask holds the two sigset_t (four 32-bit words on both systems) the calls use; they
// live in the loop, not on the stack, while the kernel reads and writes them.
type kqSigmask struct {
	prof, old [4]uint32
}

func (m *kqSigmask) block() {
	sig := uint(unix.SIGPROF) - 1
	m.prof[sig/32] = 1 << (sig % 32)
	unix.RawSyscall(unix.SYS_SIGPROCMASK, kqSigBlock, uintptr(unsafe.Pointer(&m.prof)), uintptr(unsafe.Pointer(&m.old)))
}

func (m *kqSigmask) restore() {
	unix.RawSyscall(unix.SYS_SIGPROCMASK, kqSigSetmask, uintptr(unsafe.Pointer(&m.old)), 0)
}
