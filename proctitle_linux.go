package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func setKernelTitle(t string) error {
	var name [16]byte
	copy(name[:15], t)
	return TranslateSysError(unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0, 0, 0))
}
