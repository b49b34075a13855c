package uv

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Linux stats with statx(2), as libuv does, for the birth time; where the kernel (or a
// seccomp filter) refuses statx, it falls back to stat(2) for good, and then the birth time
// is the change time, as in libuv.

var noStatx atomic.Bool

// statxMask asks for the basic fields and the birth time (STATX_BASIC_STATS | STATX_BTIME).
const statxMask = 0xfff

// pathBufSize bounds the paths statx takes from a stack buffer; longer ones (rare: PATH_MAX is
// 4096) go through x/sys, which allocates. Paths shorter than shortPathBufSize (nearly all) use
// a smaller buffer: Go zeroes a stack array on every call, and zeroing 1 KiB was about half of
// statx's own user time.
const (
	pathBufSize      = 1024
	shortPathBufSize = 128
)

func birthtime(st *unix.Stat_t) Timespec { return Timespec{int64(st.Ctim.Sec), int64(st.Ctim.Nsec)} }
func statFlags(st *unix.Stat_t) uint64   { return 0 }
func statGen(st *unix.Stat_t) uint64     { return 0 }

func statPath(path string, lstat bool) (Stat, error) {
	if !noStatx.Load() {
		flags := 0
		if lstat {
			flags = unix.AT_SYMLINK_NOFOLLOW
		}
		var st Stat
		if err := statx(unix.AT_FDCWD, path, flags, &st); err != ENOSYS {
			return st, err
		}
	}
	return statLstat(path, lstat)
}

func statFd(fd OSFd) (Stat, error) {
	if fd < 0 { // statx would read AT_FDCWD (-100) as the current directory
		return Stat{}, EBADF
	}
	if !noStatx.Load() {
		var st Stat
		if err := statx(fd, "", unix.AT_EMPTY_PATH, &st); err != ENOSYS {
			return st, err
		}
	}
	return statFstat(fd)
}

// statx runs statx(2) into st. It returns ENOSYS (and stops further use of statx) when the
// system call is not usable. A path shorter than pathBufSize is passed from the stack, so a
// stat allocates nothing.
func statx(dirfd int, path string, flags int, st *Stat) error {
	var stx unix.Statx_t
	var err error
	switch {
	case len(path) < shortPathBufSize:
		var buf [shortPathBufSize]byte
		copy(buf[:], path)
		err = statxCall(dirfd, &buf[0], flags, &stx)
	case len(path) < pathBufSize:
		var buf [pathBufSize]byte
		copy(buf[:], path)
		err = statxCall(dirfd, &buf[0], flags, &stx)
	default:
		err = unix.Statx(dirfd, path, flags, statxMask, &stx)
	}
	switch err {
	case nil:
	case unix.ENOSYS, unix.EPERM, unix.EINVAL, unix.EOPNOTSUPP:
		// Not usable here (old kernel, seccomp filter, exotic file system): use stat(2).
		noStatx.Store(true)
		return ENOSYS
	default:
		return TranslateSysError(err)
	}
	*st = Stat{
		Dev:      unix.Mkdev(stx.Dev_major, stx.Dev_minor),
		Mode:     uint64(stx.Mode),
		Nlink:    uint64(stx.Nlink),
		UID:      uint64(stx.Uid),
		GID:      uint64(stx.Gid),
		Rdev:     unix.Mkdev(stx.Rdev_major, stx.Rdev_minor),
		Ino:      stx.Ino,
		Size:     stx.Size,
		Blksize:  uint64(stx.Blksize),
		Blocks:   stx.Blocks,
		Atim:     Timespec{stx.Atime.Sec, int64(stx.Atime.Nsec)},
		Mtim:     Timespec{stx.Mtime.Sec, int64(stx.Mtime.Nsec)},
		Ctim:     Timespec{stx.Ctime.Sec, int64(stx.Ctime.Nsec)},
		Birthtim: Timespec{stx.Btime.Sec, int64(stx.Btime.Nsec)},
	}
	return nil
}

// statxCall runs statx(2) on the NUL-terminated path at path, retrying EINTR.
func statxCall(dirfd int, path *byte, flags int, stx *unix.Statx_t) error {
	for {
		_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(path)),
			uintptr(flags), statxMask, uintptr(unsafe.Pointer(stx)), 0)
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// FsFsync flushes an open file to storage.
func FsFsync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

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
		Bavail: s.Bavail, Files: s.Files, Ffree: s.Ffree, Frsize: uint64(s.Frsize)}, nil
}

// FsFutime sets the times of an open file with nanosecond precision (UtimeOmit and UtimeNow
// as for FsUtime).
func FsFutime(fd OSFd, atime, mtime timeArg) error {
	ts, err := utimesOf(atime, mtime)
	if err != nil {
		return err
	}
	return futimens(fd, ts)
}

// futimens sets an open file's times: utimensat(2) with a NULL path acts on fd itself.
func futimens(fd OSFd, ts []unix.Timespec) error {
	_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if e != 0 {
		return TranslateSysError(e)
	}
	return nil
}

// fileClone clones src into dst with the FICLONE ioctl; the error is the kernel's (ENOTSUP,
// EXDEV, EINVAL, ...), as libuv returns it for UV_FS_COPYFILE_FICLONE_FORCE.
func fileClone(dst, src int) error {
	for {
		err := unix.IoctlFileClone(dst, src)
		if err == unix.EINTR {
			continue
		}
		return TranslateSysError(err)
	}
}

func readv(fd OSFd, bufs [][]byte) (int, error)              { return unix.Readv(fd, bufs) }
func preadv(fd OSFd, bufs [][]byte, off int64) (int, error)  { return unix.Preadv(fd, bufs, off) }
func writev(fd OSFd, bufs [][]byte) (int, error)             { return unix.Writev(fd, bufs) }
func pwritev(fd OSFd, bufs [][]byte, off int64) (int, error) { return unix.Pwritev(fd, bufs, off) }

var noCopyFileRange atomic.Bool

// sendfileOnce copies up to n bytes from in at *off to out with copy_file_range(2), or
// sendfile(2) where that cannot (different file systems, non-regular files, an O_APPEND
// target, old kernels); it advances *off. EINVAL, EIO, ENOTSOCK and EXDEV from sendfile make
// FsSendfile fall back to reading and writing.
func sendfileOnce(out, in OSFd, off *int64, n int) (int, error) {
	if !noCopyFileRange.Load() {
		w, err := unix.CopyFileRange(in, off, out, nil, n, 0)
		switch err {
		case nil, unix.EINTR, unix.EAGAIN:
			if err == nil || w > 0 {
				return w, nil
			}
			return 0, err
		case unix.ENOSYS:
			noCopyFileRange.Store(true)
		case unix.EXDEV, unix.EOPNOTSUPP, unix.EINVAL, unix.EBADF, unix.EPERM, unix.EACCES, unix.EIO:
			// Try sendfile: it copies to sockets, pipes and appending files, and across
			// file systems; a real error shows up there again.
		default:
			return 0, err
		}
	}
	return unix.Sendfile(out, in, off, n)
}

const (
	utimeOmit = unix.UTIME_OMIT
	utimeNow  = unix.UTIME_NOW
)
