package uv

import (
	"encoding/binary"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The C runtime descriptors a parent passed this process. A libuv parent (and SpawnProcess)
// gives a child the stdio it asked for as a table in STARTUPINFO's lpReserved2 (a count, a
// flag byte per descriptor, then the handles), which a C child's runtime turns into its
// descriptors 0, 1, 2, 3, ...: a libuv child opens its descriptor 3 with uv_pipe_open(3), and
// the runtime's _get_osfhandle finds the handle. Go's runtime ignores the table, so StdioHandle
// reads it for the descriptors above 2.

var crtTable struct {
	once sync.Once
	h    []windows.Handle // InvalidHandle for a descriptor the parent left closed
}

// crtHandle returns the handle the parent passed as C runtime descriptor fd, if it did.
func crtHandle(fd int) (windows.Handle, bool) {
	crtTable.once.Do(loadCRTTable)
	if fd < 0 || fd >= len(crtTable.h) || crtTable.h[fd] == windows.InvalidHandle {
		return windows.InvalidHandle, false
	}
	return crtTable.h[fd], true
}

func loadCRTTable() {
	var si startupInfoEx
	if windows.GetStartupInfo((*windows.StartupInfo)(unsafe.Pointer(&si))) != nil ||
		si.lpReserved2 == nil || si.cbReserved2 < 4 {
		return
	}
	b := unsafe.Slice(si.lpReserved2, si.cbReserved2)
	n := int(binary.LittleEndian.Uint32(b))
	if n <= 0 || n > 256 || len(b) < 4+n+8*n {
		return
	}
	h := make([]windows.Handle, n)
	for i := range h {
		v := windows.Handle(binary.LittleEndian.Uint64(b[4+n+8*i:]))
		// -2 is what a C runtime writes for a descriptor it has no handle for.
		if b[4+i]&crtFOPEN == 0 || v == 0 || v == windows.InvalidHandle || v == windows.Handle(^uintptr(1)) {
			v = windows.InvalidHandle
		}
		h[i] = v
	}
	crtTable.h = h
}
