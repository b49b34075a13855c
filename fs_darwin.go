package uv

import "golang.org/x/sys/unix"

func birthtime(st *unix.Stat_t) Timespec { return Timespec{int64(st.Btim.Sec), int64(st.Btim.Nsec)} }
func statFlags(st *unix.Stat_t) uint64   { return uint64(st.Flags) }
func statGen(st *unix.Stat_t) uint64     { return uint64(st.Gen) }

// FsFsync flushes an open file to storage. As libuv does, it asks for F_FULLFSYNC (Apple's
// fsync does not flush the drive's cache), then F_BARRIERFSYNC, then plain fsync.
func FsFsync(fd OSFd) error {
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_FULLFSYNC, 0); err == nil {
		return nil
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_BARRIERFSYNC, 0); err == nil {
		return nil
	}
	return TranslateSysError(unix.Fsync(fd))
}

// FsFdatasync is FsFsync here, as in libuv.
func FsFdatasync(fd OSFd) error { return FsFsync(fd) }

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
		Bavail: s.Bavail, Files: s.Files, Ffree: s.Ffree, Frsize: uint64(s.Bsize)}, nil
}

func readv(fd OSFd, bufs [][]byte) (int, error)              { return unix.Readv(fd, bufs) }
func preadv(fd OSFd, bufs [][]byte, off int64) (int, error)  { return unix.Preadv(fd, bufs, off) }
func writev(fd OSFd, bufs [][]byte) (int, error)             { return unix.Writev(fd, bufs) }
func pwritev(fd OSFd, bufs [][]byte, off int64) (int, error) { return unix.Pwritev(fd, bufs, off) }

// UTIME_OMIT and UTIME_NOW from <sys/stat.h>, which x/sys lacks here.
const (
	utimeOmit = -2
	utimeNow  = -1
)
