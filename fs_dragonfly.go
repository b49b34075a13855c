package uv

import "golang.org/x/sys/unix"

// DragonFly reports no birth time, flags or generation through libuv: the birth time is the
// change time and the others are 0, as in libuv.
func birthtime(st *unix.Stat_t) Timespec { return Timespec{int64(st.Ctim.Sec), int64(st.Ctim.Nsec)} }
func statFlags(st *unix.Stat_t) uint64   { return 0 }
func statGen(st *unix.Stat_t) uint64     { return 0 }

// FsFsync flushes an open file to storage.
func FsFsync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

// FsFdatasync flushes an open file to storage (fsync, as libuv does here).
func FsFdatasync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

// FsStatfs reports on the file system holding path.
func FsStatfs(path string) (StatFs, error) {
	if err := checkPath(path); err != nil {
		return StatFs{}, err
	}
	var s unix.Statfs_t
	if err := unix.Statfs(path, &s); err != nil {
		return StatFs{}, TranslateSysError(err)
	}
	return StatFs{Type: uint64(s.Type), Bsize: uint64(s.Bsize), Blocks: uint64(s.Blocks),
		Bfree: uint64(s.Bfree), Bavail: uint64(s.Bavail), Files: uint64(s.Files),
		Ffree: uint64(s.Ffree), Frsize: uint64(s.Bsize)}, nil
}

func readv(fd OSFd, bufs [][]byte) (int, error)              { return readvEmul(fd, bufs, -1) }
func preadv(fd OSFd, bufs [][]byte, off int64) (int, error)  { return readvEmul(fd, bufs, off) }
func writev(fd OSFd, bufs [][]byte) (int, error)             { return writevEmul(fd, bufs, -1) }
func pwritev(fd OSFd, bufs [][]byte, off int64) (int, error) { return writevEmul(fd, bufs, off) }

const (
	utimeOmit = unix.UTIME_OMIT
	utimeNow  = unix.UTIME_NOW
)
