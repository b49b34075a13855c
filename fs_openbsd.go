package uv

import "golang.org/x/sys/unix"

func birthtime(st *unix.Stat_t) Timespec { return Timespec{} }

// FsStatfs reports on the file system holding path.
func FsStatfs(path string) (StatFs, error) {
	if err := checkPath(path); err != nil {
		return StatFs{}, err
	}
	var s unix.Statfs_t
	if err := unix.Statfs(path, &s); err != nil {
		return StatFs{}, TranslateSysError(err)
	}
	return StatFs{Bsize: uint64(s.F_bsize), Blocks: s.F_blocks, Bfree: s.F_bfree, Bavail: uint64(s.F_bavail), Files: s.F_files, Ffree: s.F_ffree}, nil
}

const utimeOmit = unix.UTIME_OMIT
