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
	return StatFs{Type: uint64(s.Type), Bsize: uint64(s.Bsize), Blocks: uint64(s.Blocks), Bfree: uint64(s.Bfree), Bavail: uint64(s.Bavail), Files: uint64(s.Files), Ffree: uint64(s.Ffree)}, nil
}

const utimeOmit = unix.UTIME_OMIT
