//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Memory and load figures on macOS and the BSDs, from sysctl. libuv reads macOS's free pages
// with a Mach call (host_statistics); vm.page_free_count is the same counter. On NetBSD and
// OpenBSD the free count lives in a kernel structure (uvmexp) that uv-go does not decode, so
// GetFreeMemory returns 0 there, libuv's answer when it cannot tell.

// GetFreeMemory returns the free memory in bytes (libuv's uv_get_free_memory); 0 if it
// cannot be read.
func GetFreeMemory() uint64 {
	var name string
	switch runtime.GOOS {
	case "darwin":
		name = "vm.page_free_count"
	case "freebsd", "dragonfly":
		name = "vm.stats.vm.v_free_count"
	default:
		return 0
	}
	n, err := unix.SysctlUint32(name)
	if err != nil {
		return 0
	}
	return uint64(n) * uint64(unix.Getpagesize())
}

// GetTotalMemory returns the physical memory in bytes (libuv's uv_get_total_memory); 0 if it
// cannot be read.
func GetTotalMemory() uint64 {
	name := "hw.physmem"
	switch runtime.GOOS {
	case "darwin":
		name = "hw.memsize"
	case "netbsd", "openbsd":
		name = "hw.physmem64"
	}
	if n, err := unix.SysctlUint64(name); err == nil {
		return n
	}
	if n, err := unix.SysctlUint32(name); err == nil {
		return uint64(n)
	}
	return 0
}

// GetConstrainedMemory returns the memory limit of the process in bytes (libuv's
// uv_get_constrained_memory): the smaller of its address-space and data rlimits, 0 if
// neither is set.
func GetConstrainedMemory() uint64 { return rlimitMaxMemory() }

// GetAvailableMemory returns the memory the process may still use in bytes (libuv's
// uv_get_available_memory): the free memory.
func GetAvailableMemory() uint64 { return GetFreeMemory() }

// Loadavg returns the 1, 5 and 15 minute load averages (libuv's uv_loadavg); zeros if they
// cannot be read.
func Loadavg() [3]float64 {
	// struct loadavg { fixpt_t ldavg[3]; long fscale; }: three uint32, then a long aligned
	// to its size.
	b, err := unix.SysctlRaw("vm.loadavg")
	if err != nil {
		return [3]float64{}
	}
	var scale float64
	const long = int(unsafe.Sizeof(uintptr(0)))
	off := (12 + long - 1) &^ (long - 1)
	switch {
	case long == 8 && len(b) >= off+8:
		scale = float64(int64(binary.NativeEndian.Uint64(b[off:])))
	case long == 4 && len(b) >= off+4:
		scale = float64(int32(binary.NativeEndian.Uint32(b[off:])))
	}
	if scale <= 0 {
		return [3]float64{}
	}
	var avg [3]float64
	for i := range avg {
		avg[i] = float64(binary.NativeEndian.Uint32(b[4*i:])) / scale
	}
	return avg
}
