package uv

import "golang.org/x/sys/unix"

func birthtime(st *unix.Stat_t) Timespec { return Timespec{int64(st.Btim.Sec), int64(st.Btim.Nsec)} }
func statFlags(st *unix.Stat_t) uint64   { return uint64(st.Flags) }
func statGen(st *unix.Stat_t) uint64     { return uint64(st.Gen) }

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
	return StatFs{Type: uint64(s.Type), Bsize: s.Bsize, Blocks: s.Blocks, Bfree: s.Bfree,
		Bavail: uint64(s.Bavail), Files: s.Files, Ffree: uint64(s.Ffree), Frsize: s.Bsize}, nil
}

func readv(fd OSFd, bufs [][]byte) (int, error)              { return readvEmul(fd, bufs, -1) }
func preadv(fd OSFd, bufs [][]byte, off int64) (int, error)  { return readvEmul(fd, bufs, off) }
func writev(fd OSFd, bufs [][]byte) (int, error)             { return writevEmul(fd, bufs, -1) }
func pwritev(fd OSFd, bufs [][]byte, off int64) (int, error) { return writevEmul(fd, bufs, off) }

const (
	utimeOmit = unix.UTIME_OMIT
	utimeNow  = unix.UTIME_NOW
)
