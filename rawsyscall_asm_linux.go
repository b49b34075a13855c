//go:build linux && (amd64 || arm64)

package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawIO makes a system call on a buffer that cannot block (recvfrom, sendto on a
// non-blocking socket): trap(fd, p, n, flags, 0, 0). It is unix.RawSyscall6 in one frame
// rather than two (the ABI wrapper of syscall.RawSyscall6 and the runtime's Syscall6): on
// this kernel every frame on the stack during a system call costs a mispredicted return
// after it (see sock_behind_unix.go). In rawsyscall_linux_*.s.
//
//go:noescape
func rawIO(trap uintptr, fd int, p unsafe.Pointer, n int, flags uintptr) (r int, err unix.Errno)
