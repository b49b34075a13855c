package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func birthtime(st *unix.Stat_t) Timespec { return Timespec{} }
func statFlags(st *unix.Stat_t) uint64   { return 0 }
func statGen(st *unix.Stat_t) uint64     { return 0 }

// FsFdatasync flushes an open file's data (not all its metadata) to storage.
func FsFdatasync(fd OSFd) error { return TranslateSysError(unix.Fdatasync(fd)) }

// FsStatfs reports on the file system holding path.
func FsStatfs(path string) (StatFs, error) {
	if err := checkPath(path); err != nil {
		return StatFs{}, err
	}
	var s unix.Statfs_t
	if err := unix.Statfs(path, &s); err != nil {
		return StatFs{}, TranslateSysError(err)
	}
	return StatFs{Type: uint64(s.Type), Bsize: uint64(s.Bsize), Blocks: s.Blocks, Bfree: s.Bfree,
		Bavail: s.Bavail, Files: s.Files, Ffree: s.Ffree}, nil
}

// FsFutime sets the times of an open file.
func FsFutime(fd OSFd, atime, mtime timeArg) error {
	ts := utimesOf(atime, mtime)
	// utimensat with a NULL path acts on fd itself (futimens).
	_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if e != 0 {
		return TranslateSysError(e)
	}
	return nil
}

func fileClone(dst, src int) error {
	if err := unix.IoctlFileClone(dst, src); err != nil {
		if err == unix.EOPNOTSUPP || err == unix.EXDEV || err == unix.EINVAL || err == unix.ENOTTY {
			return ENOTSUP
		}
		return TranslateSysError(err)
	}
	return nil
}

const utimeOmit = unix.UTIME_OMIT
