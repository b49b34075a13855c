package uv

import "golang.org/x/sys/unix"

func birthtime(st *unix.Stat_t) Timespec { return Timespec{int64(st.Btim.Sec), int64(st.Btim.Nsec)} }
func statFlags(st *unix.Stat_t) uint64   { return uint64(st.Flags) }
func statGen(st *unix.Stat_t) uint64     { return uint64(st.Gen) }

// FsFsync flushes an open file to storage.
func FsFsync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

// FsFdatasync flushes an open file's data to storage (fdatasync(2)).
func FsFdatasync(fd OSFd) error {
	_, _, e := unix.Syscall(unix.SYS_FDATASYNC, uintptr(fd), 0, 0)
	if e != 0 {
		return TranslateSysError(e)
	}
	return nil
}

// FsStatfs reports on the file system holding path (statvfs; NetBSD reports no type).
func FsStatfs(path string) (StatFs, error) {
	if err := checkPath(path); err != nil {
		return StatFs{}, err
	}
	var s unix.Statvfs_t
	if err := unix.Statvfs(path, &s); err != nil {
		return StatFs{}, TranslateSysError(err)
	}
	return StatFs{Bsize: uint64(s.Bsize), Blocks: s.Blocks, Bfree: s.Bfree, Bavail: s.Bavail,
		Files: s.Files, Ffree: s.Ffree, Frsize: uint64(s.Bsize)}, nil
}

func readv(fd OSFd, bufs [][]byte) (int, error)              { return readvEmul(fd, bufs, -1) }
func preadv(fd OSFd, bufs [][]byte, off int64) (int, error)  { return readvEmul(fd, bufs, off) }
func writev(fd OSFd, bufs [][]byte) (int, error)             { return writevEmul(fd, bufs, -1) }
func pwritev(fd OSFd, bufs [][]byte, off int64) (int, error) { return writevEmul(fd, bufs, off) }

// UTIME_OMIT and UTIME_NOW from <sys/stat.h>, which x/sys lacks here.
const (
	utimeOmit = (1 << 30) - 2
	utimeNow  = (1 << 30) - 1
)
