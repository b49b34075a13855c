//go:build unix

package uv

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The unix half of the utility API (misc.go). The user and group databases are read from
// /etc/passwd and /etc/group: uv-go has no cgo, so getpwuid_r's other sources (NSS modules,
// macOS Directory Services) are out of reach, and a user that only they know is ENOENT.

// trimDirSep removes a trailing '/' unless the path is the root.
func trimDirSep(p string) string {
	if len(p) > 1 && p[len(p)-1] == '/' {
		return p[:len(p)-1]
	}
	return p
}

// OSHomedir returns the current user's home directory (libuv's uv_os_homedir): $HOME if it
// is set, else the home directory of the user's passwd entry.
func OSHomedir() (string, error) {
	if h, err := OSGetenv("HOME"); err == nil {
		return h, nil
	}
	pw, err := OSGetPasswd()
	if err != nil {
		return "", err
	}
	return pw.Homedir, nil
}

// OSTmpdir returns the directory for temporary files (libuv's uv_os_tmpdir): the first of
// $TMPDIR, $TMP, $TEMP and $TEMPDIR that is set, else "/tmp"; without a trailing '/'.
func OSTmpdir() (string, error) {
	for _, name := range [...]string{"TMPDIR", "TMP", "TEMP", "TEMPDIR"} {
		if d, ok := os.LookupEnv(name); ok {
			return trimDirSep(d), nil
		}
	}
	return "/tmp", nil
}

// OSGetPasswd returns the passwd entry of the effective user (libuv's uv_os_get_passwd).
// ENOENT if the user has none.
func OSGetPasswd() (Passwd, error) { return OSGetPasswd2(unix.Geteuid()) }

// OSGetPasswd2 returns the passwd entry of the user uid (libuv's uv_os_get_passwd2). ENOENT
// if there is none, EINVAL for a negative uid.
func OSGetPasswd2(uid int) (Passwd, error) {
	if uid < 0 {
		return Passwd{}, EINVAL
	}
	var pw Passwd
	found, err := scanDB("/etc/passwd", 7, func(f []string) bool {
		id, err := strconv.Atoi(f[2])
		if err != nil || id != uid {
			return false
		}
		gid, err := strconv.Atoi(f[3])
		if err != nil {
			return false
		}
		pw = Passwd{Username: f[0], UID: id, GID: gid, Homedir: f[5], Shell: f[6]}
		return true
	})
	if err != nil {
		return Passwd{}, err
	}
	if !found {
		return Passwd{}, ENOENT
	}
	return pw, nil
}

// OSGetGroup returns the group entry of gid with its members (libuv's uv_os_get_group).
// ENOENT if there is none, EINVAL for a negative gid.
func OSGetGroup(gid int) (Group, error) {
	if gid < 0 {
		return Group{}, EINVAL
	}
	var gr Group
	found, err := scanDB("/etc/group", 4, func(f []string) bool {
		id, err := strconv.Atoi(f[2])
		if err != nil || id != gid {
			return false
		}
		gr = Group{Groupname: f[0], GID: id, Members: []string{}}
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				gr.Members = append(gr.Members, m)
			}
		}
		return true
	})
	if err != nil {
		return Group{}, err
	}
	if !found {
		return Group{}, ENOENT
	}
	return gr, nil
}

// scanDB calls match with the colon-separated fields of each entry of a passwd-style file
// that has at least n fields, until match returns true. Comments, blank lines and NIS
// include lines ("+", "-") are skipped.
func scanDB(path string, n int, match func(f []string) bool) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, TranslateSysError(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20) // a group may list many members
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		fields := strings.SplitN(line, ":", n)
		if len(fields) < n {
			continue
		}
		if match(fields) {
			return true, nil
		}
	}
	return false, TranslateSysError(sc.Err())
}

// OSUname returns the system's name, release, version and hardware (libuv's uv_os_uname),
// as uname(2) gives them.
func OSUname() (Utsname, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return Utsname{}, TranslateSysError(err)
	}
	return Utsname{
		Sysname: unix.ByteSliceToString(u.Sysname[:]),
		Release: unix.ByteSliceToString(u.Release[:]),
		Version: unix.ByteSliceToString(u.Version[:]),
		Machine: unix.ByteSliceToString(u.Machine[:]),
	}, nil
}

// rlimitMemoryResources are the limits rlimitMaxMemory reads (OpenBSD has no RLIMIT_AS).
var rlimitMemoryResources = [...]int{rlimitAS, unix.RLIMIT_DATA}

// rlimitMaxMemory is the smaller of the address-space and data-segment limits, 0 if neither
// is set (libuv's uv__get_rlimit_max_memory).
func rlimitMaxMemory() uint64 {
	var limit uint64
	for _, res := range rlimitMemoryResources {
		var rl unix.Rlimit
		if unix.Getrlimit(res, &rl) == nil && uint64(rl.Cur) != uint64(unix.RLIM_INFINITY) {
			if limit == 0 || uint64(rl.Cur) < limit {
				limit = uint64(rl.Cur)
			}
		}
	}
	return limit
}
