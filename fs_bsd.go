//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"time"

	"golang.org/x/sys/unix"
)

func statFlags(st *unix.Stat_t) uint64 { return uint64(st.Flags) }
func statGen(st *unix.Stat_t) uint64   { return uint64(st.Gen) }

// FsFdatasync flushes an open file to storage (fsync where the OS has no fdatasync).
func FsFdatasync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

// FsFutime sets the times of an open file (microsecond precision here).
func FsFutime(fd OSFd, atime, mtime time.Time) error {
	tv := []unix.Timeval{unix.NsecToTimeval(atime.UnixNano()), unix.NsecToTimeval(mtime.UnixNano())}
	return TranslateSysError(unix.Futimes(fd, tv))
}

func fileClone(dst, src int) error { return ENOTSUP }
