package uv

import "golang.org/x/sys/unix"

func birthtime(st *unix.Stat_t) Timespec { return Timespec{int64(st.Btim.Sec), int64(st.Btim.Nsec)} }

// FsStatfs reports on the file system holding path.
func FsStatfs(path string) (StatFs, error) {
	if err := checkPath(path); err != nil {
		return StatFs{}, err
	}
	var s unix.Statvfs_t
	if err := unix.Statvfs(path, &s); err != nil {
		return StatFs{}, TranslateSysError(err)
	}
	return StatFs{Bsize: s.Bsize, Blocks: s.Blocks, Bfree: s.Bfree, Bavail: s.Bavail, Files: s.Files, Ffree: s.Ffree}, nil
}

// utimeOmit is UTIME_OMIT from <sys/stat.h>, which x/sys lacks here.
const utimeOmit = (1 << 30) - 2
