package uv

import (
	"os"
	"strings"
	"syscall"
	"time"
)

// libuv's utility API (uv_os_getenv and the other uv_os_* calls, uv_cwd, uv_exepath,
// uv_clock_gettime, ...), shaped for Go: where libuv fills a caller's buffer and answers
// ENOBUFS with the size it needs, these return a string. The OS-specific halves are in
// misc_unix.go, misc_linux.go, misc_kqueue.go and misc_windows.go.

// EnvItem is one environment variable (libuv's uv_env_item_t).
type EnvItem struct {
	Name  string
	Value string
}

// validEnvName reports whether name may be given to the environment calls: libuv rejects a
// NULL name with EINVAL; a Go string cannot be NULL, so the empty name and a name holding a
// NUL byte, which no C string can carry, stand for it.
func validEnvName(name string) bool { return name != "" && !hasNUL(name) }

// OSGetenv returns the value of the environment variable name (libuv's uv_os_getenv):
// ENOENT if it is not set, EINVAL if name is empty. A variable set to "" is set.
func OSGetenv(name string) (string, error) {
	if !validEnvName(name) {
		return "", EINVAL
	}
	v, ok := syscall.Getenv(name)
	if !ok {
		return "", ENOENT
	}
	return v, nil
}

// OSSetenv sets the environment variable name to value (libuv's uv_os_setenv); setting it to
// "" does not remove it. EINVAL if name is empty or, on unix, holds '='.
func OSSetenv(name, value string) error {
	if !validEnvName(name) || hasNUL(value) {
		return EINVAL
	}
	return TranslateSysError(syscall.Setenv(name, value))
}

// OSUnsetenv removes the environment variable name (libuv's uv_os_unsetenv). Removing a
// variable that is not set succeeds. EINVAL if name is empty.
func OSUnsetenv(name string) error {
	if !validEnvName(name) {
		return EINVAL
	}
	return TranslateSysError(syscall.Unsetenv(name))
}

// OSEnviron returns every environment variable (libuv's uv_os_environ). An entry without '='
// is left out, as libuv leaves it out. On Windows the per-drive variables ("=C:") come too:
// a name's first character is never taken as its separator.
func OSEnviron() []EnvItem {
	env := syscall.Environ()
	items := make([]EnvItem, 0, len(env))
	for _, kv := range env {
		i := strings.IndexByte(kv[min(1, len(kv)):], '=')
		if i < 0 {
			continue
		}
		i += min(1, len(kv))
		items = append(items, EnvItem{Name: kv[:i], Value: kv[i+1:]})
	}
	return items
}

// Cwd returns the current working directory (libuv's uv_cwd), without a trailing separator
// unless it is a root ("/", `C:\`).
func Cwd() (string, error) {
	d, err := syscall.Getwd()
	if err != nil {
		return "", TranslateSysError(err)
	}
	return trimDirSep(d), nil
}

// Chdir changes the current working directory (libuv's uv_chdir). EINVAL if dir is empty or
// holds a NUL byte.
func Chdir(dir string) error {
	if dir == "" || hasNUL(dir) {
		return EINVAL
	}
	return TranslateSysError(os.Chdir(dir))
}

// Exepath returns the absolute path of the running executable (libuv's uv_exepath). Setting
// the process title does not change it.
func Exepath() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", TranslateSysError(err)
	}
	return p, nil
}

// OSGethostname returns the host name (libuv's uv_os_gethostname).
func OSGethostname() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", TranslateSysError(err)
	}
	return h, nil
}

// Passwd is a user's entry in the system's user database (libuv's uv_passwd_t). On Windows
// Shell is "" and UID and GID are -1, as libuv leaves them NULL and -1.
type Passwd struct {
	Username string
	UID      int
	GID      int
	Shell    string
	Homedir  string
}

// Group is a group's entry in the system's group database (libuv's uv_group_t).
type Group struct {
	Groupname string
	GID       int
	Members   []string
}

// Utsname is what OSUname returns (libuv's uv_utsname_t).
type Utsname struct {
	Sysname string
	Release string
	Version string
	Machine string
}

// ClockID selects the clock ClockGettime reads (libuv's uv_clock_id).
type ClockID int

const (
	// ClockMonotonic is the clock HRTime reads: it never jumps and starts at an unspecified
	// point.
	ClockMonotonic ClockID = iota
	// ClockRealtime is the wall clock: the time since the Unix epoch.
	ClockRealtime
)

// Timespec64 is a time as seconds and nanoseconds (libuv's uv_timespec64_t).
type Timespec64 struct {
	Sec  int64
	Nsec int32
}

// Timeval64 is a time as seconds and microseconds (libuv's uv_timeval64_t).
type Timeval64 struct {
	Sec  int64
	Usec int32
}

// ClockGettime reads the clock id (libuv's uv_clock_gettime); EINVAL for an unknown clock.
// Safe from any goroutine.
func ClockGettime(id ClockID) (Timespec64, error) {
	switch id {
	case ClockMonotonic:
		t := HRTime()
		return Timespec64{Sec: int64(t / 1e9), Nsec: int32(t % 1e9)}, nil
	case ClockRealtime:
		t := time.Now()
		return Timespec64{Sec: t.Unix(), Nsec: int32(t.Nanosecond())}, nil
	}
	return Timespec64{}, EINVAL
}

// Gettimeofday returns the wall-clock time (libuv's uv_gettimeofday). Safe from any
// goroutine.
func Gettimeofday() Timeval64 {
	t := time.Now()
	return Timeval64{Sec: t.Unix(), Usec: int32(t.Nanosecond() / 1000)}
}

// GetOSFHandle returns the OS handle of a file (libuv's uv_get_osfhandle). uv-go's files are
// OS handles already: FsOpen returns a descriptor on unix and a HANDLE on Windows, with no C
// runtime descriptor between them, so the handle is fd itself.
func GetOSFHandle(fd OSFd) OSFd { return fd }

// OpenOSFHandle returns the file for an OS handle (libuv's uv_open_osfhandle): h itself, as
// GetOSFHandle explains.
func OpenOSFHandle(h OSFd) OSFd { return h }
