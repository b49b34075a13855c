package uv

import (
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// The Windows half of the utility API (misc.go), with libuv's answers: a user has no uid,
// gid or shell, there is no group database (ENOTSUP), and the load average is always zero.

var (
	procGlobalMemoryStatusEx = modkernel32.NewProc("GlobalMemoryStatusEx")
	procGetNativeSystemInfo  = modkernel32.NewProc("GetNativeSystemInfo")
	procGetUserNameW         = windows.NewLazySystemDLL("advapi32.dll").NewProc("GetUserNameW")
)

// trimDirSep removes a trailing '\' unless the path is a drive root ("C:\").
func trimDirSep(p string) string {
	n := len(p)
	if n > 1 && p[n-1] == '\\' && !(n == 3 && p[1] == ':') {
		return p[:n-1]
	}
	return p
}

// OSHomedir returns the current user's home directory (libuv's uv_os_homedir): %USERPROFILE%
// if it is set (ENOENT if it is too short to be a path), else the profile directory of the
// process's user.
func OSHomedir() (string, error) {
	if h, err := OSGetenv("USERPROFILE"); err == nil {
		if len(h) < 3 {
			return "", ENOENT
		}
		return h, nil
	}
	pw, err := OSGetPasswd()
	if err != nil {
		return "", err
	}
	return pw.Homedir, nil
}

// OSTmpdir returns the directory for temporary files (libuv's uv_os_tmpdir), as GetTempPathW
// finds it (%TMP%, %TEMP%, %USERPROFILE%, the Windows directory); without a trailing '\'
// unless it is a drive root. ENOENT if what it finds is too short to be a path.
func OSTmpdir() (string, error) {
	n, err := windows.GetTempPath(0, nil)
	if n == 0 {
		return "", TranslateSysError(err)
	}
	if n < 3 {
		return "", ENOENT
	}
	buf := make([]uint16, n+1)
	n, err = windows.GetTempPath(uint32(len(buf)), &buf[0])
	if n == 0 {
		return "", TranslateSysError(err)
	}
	return trimDirSep(UTF16ToWTF8(buf[:n])), nil
}

// OSGetPasswd returns the process's user (libuv's uv_os_get_passwd): its name and profile
// directory; UID and GID are -1 and Shell is "".
func OSGetPasswd() (Passwd, error) {
	var tok windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_READ, &tok); err != nil {
		return Passwd{}, TranslateSysError(err)
	}
	defer tok.Close()
	home, err := tok.GetUserProfileDirectory()
	if err != nil {
		return Passwd{}, TranslateSysError(err)
	}
	buf := make([]uint16, 257) // UNLEN + 1
	n := uint32(len(buf))
	if r, _, err := procGetUserNameW.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n))); r == 0 {
		return Passwd{}, TranslateSysError(err)
	}
	return Passwd{Username: windows.UTF16ToString(buf), UID: -1, GID: -1, Homedir: home}, nil
}

// OSGetPasswd2 returns ENOTSUP: Windows users have no uid (libuv's uv_os_get_passwd2).
func OSGetPasswd2(uid int) (Passwd, error) { return Passwd{}, ENOTSUP }

// OSGetGroup returns ENOTSUP: Windows has no group ids (libuv's uv_os_get_group).
func OSGetGroup(gid int) (Group, error) { return Group{}, ENOTSUP }

// OSUname returns the system's name, release, version and hardware (libuv's uv_os_uname):
// "Windows_NT"; the version numbers ("10.0.19045"); the product name from the registry with
// the service pack, "Windows 10" read as "Windows 11" from build 22000 on, as libuv does; the
// processor architecture in uname's words ("x86_64", "arm64", ...).
func OSUname() (Utsname, error) {
	v := windows.RtlGetVersion()
	u := Utsname{
		Sysname: "Windows_NT",
		Release: strconv.FormatUint(uint64(v.MajorVersion), 10) + "." +
			strconv.FormatUint(uint64(v.MinorVersion), 10) + "." +
			strconv.FormatUint(uint64(v.BuildNumber), 10),
	}
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, registry.QUERY_VALUE); err == nil {
		if name, _, err := k.GetStringValue("ProductName"); err == nil {
			if v.BuildNumber >= 22000 && strings.HasPrefix(name, "Windows 10") {
				name = "Windows 11" + name[len("Windows 10"):]
			}
			u.Version = name
		}
		k.Close()
	}
	if sp := windows.UTF16ToString(v.CsdVersion[:]); sp != "" {
		if u.Version != "" {
			u.Version += " "
		}
		u.Version += sp
	}
	u.Machine = processorArch()
	return u, nil
}

// systemInfo is the start of SYSTEM_INFO, up to the processor level.
type systemInfo struct {
	arch        uint16
	_           uint16
	pageSize    uint32
	minAddr     uintptr
	maxAddr     uintptr
	activeMask  uintptr
	nProcessors uint32
	procType    uint32
	granularity uint32
	level       uint16
	revision    uint16
}

// processorArch names the processor architecture as libuv's uv_os_uname does.
func processorArch() string {
	var si systemInfo
	procGetNativeSystemInfo.Call(uintptr(unsafe.Pointer(&si)))
	switch si.arch {
	case 9: // PROCESSOR_ARCHITECTURE_AMD64
		return "x86_64"
	case 6: // IA64
		return "ia64"
	case 0: // INTEL
		if si.level > 3 {
			return "i" + strconv.Itoa(int(min(si.level, 6))) + "86"
		}
		return "i386"
	case 10: // IA32_ON_WIN64
		return "i686"
	case 1: // MIPS
		return "mips"
	case 2, 7: // ALPHA, ALPHA64
		return "alpha"
	case 3: // PPC
		return "powerpc"
	case 4: // SHX
		return "sh"
	case 5: // ARM
		return "arm"
	case 12: // ARM64
		return "arm64"
	}
	return "unknown"
}

// memoryStatusEx is MEMORYSTATUSEX.
type memoryStatusEx struct {
	length               uint32
	memoryLoad           uint32
	totalPhys            uint64
	availPhys            uint64
	totalPageFile        uint64
	availPageFile        uint64
	totalVirtual         uint64
	availVirtual         uint64
	availExtendedVirtual uint64
}

func globalMemoryStatus() (memoryStatusEx, bool) {
	ms := memoryStatusEx{length: uint32(unsafe.Sizeof(memoryStatusEx{}))}
	r, _, _ := procGlobalMemoryStatusEx.Call(uintptr(unsafe.Pointer(&ms)))
	return ms, r != 0
}

// GetFreeMemory returns the available physical memory in bytes (libuv's uv_get_free_memory);
// 0 if it cannot be read.
func GetFreeMemory() uint64 {
	ms, ok := globalMemoryStatus()
	if !ok {
		return 0
	}
	return ms.availPhys
}

// GetTotalMemory returns the physical memory in bytes (libuv's uv_get_total_memory); 0 if it
// cannot be read.
func GetTotalMemory() uint64 {
	ms, ok := globalMemoryStatus()
	if !ok {
		return 0
	}
	return ms.totalPhys
}

// GetConstrainedMemory returns 0: libuv knows no memory limit on Windows.
func GetConstrainedMemory() uint64 { return 0 }

// GetAvailableMemory returns the free memory (libuv's uv_get_available_memory).
func GetAvailableMemory() uint64 { return GetFreeMemory() }

// Loadavg returns zeros: Windows has no load average (libuv's uv_loadavg).
func Loadavg() [3]float64 { return [3]float64{} }
