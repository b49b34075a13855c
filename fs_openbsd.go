package uv

import "golang.org/x/sys/unix"

// OpenBSD reports no birth time, flags or generation through libuv: the birth time is the
// change time and the others are 0, as in libuv.
func birthtime(st *unix.Stat_t) Timespec { return Timespec{int64(st.Ctim.Sec), int64(st.Ctim.Nsec)} }
func statFlags(st *unix.Stat_t) uint64   { return 0 }
func statGen(st *unix.Stat_t) uint64     { return 0 }

// FsFsync flushes an open file to storage.
func FsFsync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

// FsFdatasync flushes an open file to storage (fsync, as libuv does here).
func FsFdatasync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

// FsStatfs reports on the file system holding path (OpenBSD reports no type).
func FsStatfs(path string) (StatFs, error) {
	if err := checkPath(path); err != nil {
		return StatFs{}, err
	}
	var s unix.Statfs_t
	if err := unix.Statfs(path, &s); err != nil {
		return StatFs{}, TranslateSysError(err)
	}
	return StatFs{Bsize: uint64(s.F_bsize), Blocks: s.F_blocks, Bfree: s.F_bfree,
		Bavail: uint64(s.F_bavail), Files: s.F_files, Ffree: s.F_ffree, Frsize: uint64(s.F_bsize)}, nil
}

func readv(fd OSFd, bufs [][]byte) (int, error)              { return unix.Readv(fd, bufs) }
func preadv(fd OSFd, bufs [][]byte, off int64) (int, error)  { return unix.Preadv(fd, bufs, off) }
func writev(fd OSFd, bufs [][]byte) (int, error)             { return unix.Writev(fd, bufs) }
func pwritev(fd OSFd, bufs [][]byte, off int64) (int, error) { return unix.Pwritev(fd, bufs, off) }

const (
	utimeOmit = unix.UTIME_OMIT
	utimeNow  = unix.UTIME_NOW
)
