//go:build unix && !(linux && (amd64 || arm64))

package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawIO is unix.RawSyscall6(trap, fd, p, n, flags, 0, 0) where no assembly of ours makes
// the call (see rawsyscall_asm_linux.go).
func rawIO(trap uintptr, fd int, p unsafe.Pointer, n int, flags uintptr) (int, unix.Errno) {
	r, _, e := unix.RawSyscall6(trap, uintptr(fd), uintptr(p), uintptr(n), flags, 0, 0)
	return int(r), e
}
