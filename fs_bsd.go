//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"time"

	"golang.org/x/sys/unix"
)

func statPath(path string, lstat bool) (Stat, error) { return statLstat(path, lstat) }
func statFd(fd OSFd) (Stat, error)                   { return statFstat(fd) }

// FsFutime sets the times of an open file, with microsecond precision here (futimes(2)).
// UtimeOmit keeps a time (read back with fstat first); UtimeNow is the current time.
func FsFutime(fd OSFd, atime, mtime time.Time) error {
	if atime.IsZero() || mtime.IsZero() {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return TranslateSysError(err)
		}
		if atime.IsZero() {
			atime = time.Unix(int64(st.Atim.Sec), int64(st.Atim.Nsec))
		}
		if mtime.IsZero() {
			mtime = time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec))
		}
	}
	now := time.Now()
	if isUtimeNow(atime) {
		atime = now
	}
	if isUtimeNow(mtime) {
		mtime = now
	}
	tv := []unix.Timeval{timevalOf(atime), timevalOf(mtime)}
	return TranslateSysError(unix.Futimes(fd, tv))
}

func timevalOf(t time.Time) unix.Timeval {
	return unix.NsecToTimeval(t.Unix()*1e9 + int64(t.Nanosecond()))
}

// futimens sets an open file's times from timespecs (microsecond precision here).
func futimens(fd OSFd, ts []unix.Timespec) error {
	tv := []unix.Timeval{unix.NsecToTimeval(unix.TimespecToNsec(ts[0])), unix.NsecToTimeval(unix.TimespecToNsec(ts[1]))}
	return TranslateSysError(unix.Futimes(fd, tv))
}

// fileClone: these systems have no FICLONE; libuv returns ENOSYS for
// UV_FS_COPYFILE_FICLONE_FORCE here (and UV_FS_COPYFILE_FICLONE falls back to a copy).
func fileClone(dst, src int) error { return ENOSYS }

// sendfileOnce copies up to n bytes from in at *off to out with sendfile(2) and advances
// *off; errors other than a partial EAGAIN or EINTR make FsSendfile fall back to reading and
// writing or report them.
func sendfileOnce(out, in OSFd, off *int64, n int) (int, error) {
	o := *off
	w, err := unix.Sendfile(out, in, &o, n)
	if w > 0 && (err == nil || err == unix.EAGAIN || err == unix.EINTR) {
		*off += int64(w)
		return w, nil
	}
	if err == nil {
		return 0, nil
	}
	return 0, err
}

// The vectored helpers for systems whose x/sys has no readv family: one buffer per system
// call, stopping at the first short transfer, as libuv's emulation does.

func readvEmul(fd OSFd, bufs [][]byte, off int64) (int, error) {
	total := 0
	for _, b := range bufs {
		var n int
		var err error
		if off < 0 {
			n, err = unix.Read(fd, b)
		} else {
			n, err = unix.Pread(fd, b, off+int64(total))
		}
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		total += n
		if n < len(b) {
			break
		}
	}
	return total, nil
}

func writevEmul(fd OSFd, bufs [][]byte, off int64) (int, error) {
	total := 0
	for _, b := range bufs {
		var n int
		var err error
		if off < 0 {
			n, err = unix.Write(fd, b)
		} else {
			n, err = unix.Pwrite(fd, b, off+int64(total))
		}
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		total += n
		if n < len(b) {
			break
		}
	}
	return total, nil
}
