//go:build unix

package uv

import (
	"io"
	"os"
	"sort"
	"time"

	"golang.org/x/sys/unix"
)

// Open flags (libuv's UV_FS_O_*), the host's O_* values on unix systems.
const (
	FsORdonly    = unix.O_RDONLY
	FsOWronly    = unix.O_WRONLY
	FsORdwr      = unix.O_RDWR
	FsOAppend    = unix.O_APPEND
	FsOCreat     = unix.O_CREAT
	FsOExcl      = unix.O_EXCL
	FsOTrunc     = unix.O_TRUNC
	FsONoctty    = unix.O_NOCTTY
	FsONonblock  = unix.O_NONBLOCK
	FsOSync      = unix.O_SYNC
	FsODirectory = unix.O_DIRECTORY
	FsONofollow  = unix.O_NOFOLLOW
)

func checkPath(p string) error {
	if hasNUL(p) {
		return EINVAL
	}
	return nil
}

// FsOpen opens path with O_CLOEXEC added, as libuv does.
func FsOpen(path string, flags, mode int) (OSFd, error) {
	if err := checkPath(path); err != nil {
		return -1, err
	}
	for {
		fd, err := unix.Open(path, flags|unix.O_CLOEXEC, uint32(mode))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, TranslateSysError(err)
		}
		return fd, nil
	}
}

// FsClose closes fd. An interrupted close (EINTR, EINPROGRESS) has still released the
// descriptor, so it counts as success, as in libuv.
func FsClose(fd OSFd) error {
	err := unix.Close(fd)
	if err == unix.EINTR || err == unix.EINPROGRESS {
		return nil
	}
	return TranslateSysError(err)
}

// FsRead reads into bufs at offset, or at the current position when offset is negative, with
// one system call, as libuv does: it returns 0 at end of file and may fill fewer bytes than
// the buffers hold. At most 1024 buffers (IOV_MAX) are filled; the rest are ignored. It
// returns EINVAL for no buffers.
func FsRead(fd OSFd, bufs [][]byte, offset int64) (int, error) {
	if len(bufs) == 0 {
		return 0, EINVAL
	}
	if len(bufs) > iovMax {
		bufs = bufs[:iovMax]
	}
	if len(bufs) > 1 {
		// Keep the total below what one read may ask for, dropping trailing buffers.
		total, n := 0, 0
		for ; n < len(bufs); n++ {
			if len(bufs[n]) > ioMaxBytes-total {
				break
			}
			total += len(bufs[n])
		}
		bufs = bufs[:max(n, 1)]
	}
	for {
		var n int
		var err error
		switch {
		case len(bufs) == 1:
			b := bufs[0]
			if len(b) > ioMaxBytes {
				b = b[:ioMaxBytes]
			}
			if offset < 0 {
				n, err = unix.Read(fd, b)
			} else {
				n, err = unix.Pread(fd, b, offset)
			}
		case offset < 0:
			n, err = readv(fd, bufs)
		default:
			n, err = preadv(fd, bufs, offset)
		}
		// A signal for the Go runtime (preemption, profiling) must not fail the read.
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, TranslateSysError(err)
		}
		return n, nil
	}
}

// FsWrite writes all of bufs at offset, or at the current position when offset is negative,
// as libuv's uv_fs_write does: it keeps writing (1024 buffers per system call) until all is
// written, a write makes no progress, or an error occurs. An error after some bytes were
// written is dropped and the count returned. It returns EINVAL for no buffers.
func FsWrite(fd OSFd, bufs [][]byte, offset int64) (int, error) {
	if len(bufs) == 0 {
		return 0, EINVAL
	}
	total := 0
	i, skip := 0, 0 // the next byte to write is bufs[i][skip]
	var scratch [][]byte
	for i < len(bufs) {
		var n int
		var err error
		end := min(i+iovMax, len(bufs))
		off := int64(-1)
		if offset >= 0 {
			off = offset + int64(total)
		}
		if end-i == 1 {
			b := bufs[i][skip:]
			if off < 0 {
				n, err = unix.Write(fd, b)
			} else {
				n, err = unix.Pwrite(fd, b, off)
			}
		} else {
			chunk := bufs[i:end]
			if skip > 0 { // a previous write stopped inside bufs[i]
				scratch = append(append(scratch[:0], bufs[i][skip:]), bufs[i+1:end]...)
				chunk = scratch
			}
			if off < 0 {
				n, err = writev(fd, chunk)
			} else {
				n, err = pwritev(fd, chunk, off)
			}
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, TranslateSysError(err)
		}
		if n <= 0 {
			break
		}
		total += n
		for n > 0 && i < len(bufs) {
			if rem := len(bufs[i]) - skip; n >= rem {
				n -= rem
				i++
				skip = 0
			} else {
				skip += n
				n = 0
			}
		}
	}
	return total, nil
}

// writeAll writes b at the current position, retrying short writes and EINTR.
func writeAll(fd OSFd, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			if err := waitWritable(fd); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return TranslateSysError(err)
		}
		if n == 0 {
			return EIO
		}
		b = b[n:]
	}
	return nil
}

// waitWritable blocks until a non-blocking fd is writable again.
func waitWritable(fd OSFd) error {
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		n, err := unix.Poll(pfd, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n != 1 || pfd[0].Revents&^unix.POLLOUT != 0 {
			return EIO
		}
		return nil
	}
}

// FsSendfile copies up to length bytes of in, from offset, to out at its current position,
// without changing in's position. It uses the kernel's copy (copy_file_range or sendfile)
// where it can and falls back to reading and writing; it stops early at the end of in. It
// returns the bytes copied; an error after some bytes were copied is dropped.
func FsSendfile(out, in OSFd, offset int64, length int) (int, error) {
	if length <= 0 {
		return 0, nil
	}
	off := offset
	total := 0
	for total < length {
		at := off
		n, err := sendfileOnce(out, in, &off, length-total)
		if globalTracer.Load() != nil {
			traceGlobal(SysSendfile, out, int64(in), at, int64(length-total), n, err)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if total == 0 && (err == unix.EINVAL || err == unix.EIO || err == unix.ENOTSOCK ||
				err == unix.EXDEV || err == unix.ENOSYS || err == unix.EOPNOTSUPP) {
				return sendfileEmul(out, in, offset, length)
			}
			if total > 0 {
				break
			}
			return 0, TranslateSysError(err)
		}
		if n <= 0 {
			break
		}
		total += n
	}
	return total, nil
}

// sendfileEmul is sendfile by reading and writing. Read errors after some bytes were sent
// end the copy quietly; write errors are reported, as in libuv.
func sendfileEmul(out, in OSFd, offset int64, length int) (int, error) {
	buf := make([]byte, min(length, 64*1024))
	usePread := true
	total := 0
	for total < length {
		want := min(len(buf), length-total)
		var n int
		var err error
		if usePread {
			n, err = unix.Pread(in, buf[:want], offset+int64(total))
		} else {
			n, err = unix.Read(in, buf[:want])
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if usePread && total == 0 && (err == unix.ESPIPE || err == unix.EIO) {
				usePread = false
				continue
			}
			if total > 0 {
				break
			}
			return 0, TranslateSysError(err)
		}
		if n == 0 {
			break
		}
		if err := writeAll(out, buf[:n]); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// FsStat stats path, following symlinks.
func FsStat(path string) (Stat, error) {
	if err := checkPath(path); err != nil {
		return Stat{}, err
	}
	return statPath(path, false)
}

// FsLstat stats path without following a final symlink.
func FsLstat(path string) (Stat, error) {
	if err := checkPath(path); err != nil {
		return Stat{}, err
	}
	return statPath(path, true)
}

// FsFstat stats an open descriptor.
func FsFstat(fd OSFd) (Stat, error) { return statFd(fd) }

// statOf converts the host's stat result the way libuv's uv__to_stat does.
func statOf(st *unix.Stat_t) Stat {
	return Stat{
		Dev: uint64(st.Dev), Mode: uint64(st.Mode), Nlink: uint64(st.Nlink), UID: uint64(st.Uid),
		GID: uint64(st.Gid), Rdev: uint64(st.Rdev), Ino: uint64(st.Ino), Size: uint64(st.Size),
		Blksize: uint64(st.Blksize), Blocks: uint64(st.Blocks),
		Atim:     Timespec{int64(st.Atim.Sec), int64(st.Atim.Nsec)},
		Mtim:     Timespec{int64(st.Mtim.Sec), int64(st.Mtim.Nsec)},
		Ctim:     Timespec{int64(st.Ctim.Sec), int64(st.Ctim.Nsec)},
		Birthtim: birthtime(st),
		Flags:    statFlags(st), Gen: statGen(st),
	}
}

// statLstat stats path with stat(2) or lstat(2).
func statLstat(path string, lstat bool) (Stat, error) {
	var st unix.Stat_t
	var err error
	if lstat {
		err = unix.Lstat(path, &st)
	} else {
		err = unix.Stat(path, &st)
	}
	if err != nil {
		return Stat{}, TranslateSysError(err)
	}
	return statOf(&st), nil
}

// statFstat stats fd with fstat(2).
func statFstat(fd OSFd) (Stat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return Stat{}, TranslateSysError(err)
	}
	return statOf(&st), nil
}

// FsFtruncate truncates an open file to size bytes.
func FsFtruncate(fd OSFd, size int64) error { return TranslateSysError(unix.Ftruncate(fd, size)) }

// utimeSpec converts a time given to FsUtime and friends: UtimeOmit and UtimeNow become the
// kernel's UTIME_OMIT and UTIME_NOW.
func utimeSpec(t time.Time) (unix.Timespec, error) {
	switch {
	case t.IsZero():
		return unix.Timespec{Nsec: utimeOmit}, nil
	case isUtimeNow(t):
		return unix.Timespec{Nsec: utimeNow}, nil
	}
	ts, err := unix.TimeToTimespec(t)
	if err != nil {
		return ts, EINVAL
	}
	return ts, nil
}

func utimesOf(atime, mtime time.Time) ([]unix.Timespec, error) {
	a, err := utimeSpec(atime)
	if err != nil {
		return nil, err
	}
	m, err := utimeSpec(mtime)
	if err != nil {
		return nil, err
	}
	return []unix.Timespec{a, m}, nil
}

// FsUtime sets the access and modification times of path with nanosecond precision.
// UtimeOmit (the zero time) leaves a time unchanged; UtimeNow sets it to the current time.
func FsUtime(path string, atime, mtime time.Time) error {
	if err := checkPath(path); err != nil {
		return err
	}
	ts, err := utimesOf(atime, mtime)
	if err != nil {
		return err
	}
	return TranslateSysError(unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, 0))
}

// FsLutime is FsUtime on a symlink itself.
func FsLutime(path string, atime, mtime time.Time) error {
	if err := checkPath(path); err != nil {
		return err
	}
	ts, err := utimesOf(atime, mtime)
	if err != nil {
		return err
	}
	return TranslateSysError(unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW))
}

// FsAccess checks access to path with mode (AccessRead | AccessWrite | AccessExec, or
// AccessExists).
func FsAccess(path string, mode int) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.Access(path, uint32(mode)))
}

// FsChmod changes the mode of path.
func FsChmod(path string, mode int) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.Chmod(path, uint32(mode)))
}

// FsFchmod changes the mode of an open file.
func FsFchmod(fd OSFd, mode int) error { return TranslateSysError(unix.Fchmod(fd, uint32(mode))) }

// FsChown changes the owner of path; -1 leaves an id unchanged.
func FsChown(path string, uid, gid int) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.Chown(path, uid, gid))
}

// FsFchown changes the owner of an open file.
func FsFchown(fd OSFd, uid, gid int) error { return TranslateSysError(unix.Fchown(fd, uid, gid)) }

// FsLchown changes the owner of a symlink itself.
func FsLchown(path string, uid, gid int) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.Lchown(path, uid, gid))
}

// FsUnlink removes a file.
func FsUnlink(path string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.Unlink(path))
}

// FsRmdir removes an empty directory.
func FsRmdir(path string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.Rmdir(path))
}

// FsMkdir creates a directory.
func FsMkdir(path string, mode int) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.Mkdir(path, uint32(mode)))
}

// FsMkdtemp creates a unique directory (mode 0700) from tpl, which must end in "XXXXXX"
// (EINVAL otherwise), and returns its path.
func FsMkdtemp(tpl string) (string, error) {
	if err := checkPath(tpl); err != nil {
		return "", err
	}
	for range 100 {
		p, err := tempName(tpl)
		if err != nil {
			return "", err
		}
		err = unix.Mkdir(p, 0o700)
		if err == unix.EEXIST || err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", TranslateSysError(err)
		}
		return p, nil
	}
	return "", EEXIST
}

// FsMkstemp creates and opens (read-write, mode 0600, close-on-exec) a unique file from tpl,
// which must end in "XXXXXX" (EINVAL otherwise).
func FsMkstemp(tpl string) (OSFd, string, error) {
	if err := checkPath(tpl); err != nil {
		return -1, "", err
	}
	for range 100 {
		p, err := tempName(tpl)
		if err != nil {
			return -1, "", err
		}
		fd, err := unix.Open(p, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
		if err == unix.EEXIST || err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, "", TranslateSysError(err)
		}
		return fd, p, nil
	}
	return -1, "", EEXIST
}

// FsRename renames a file or directory, replacing the target if it exists.
func FsRename(from, to string) error {
	if checkPath(from) != nil || checkPath(to) != nil {
		return EINVAL
	}
	return TranslateSysError(unix.Rename(from, to))
}

// FsScandir lists a directory, sorted by name (byte order, as strcmp), without "." and "..".
// An empty directory gives no entries and no error.
func FsScandir(path string) ([]Dirent, error) {
	d, err := FsOpendir(path)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var all []Dirent
	for {
		ents, err := d.Read(256)
		if err != nil {
			return nil, err
		}
		if len(ents) == 0 {
			break
		}
		all = append(all, ents...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, nil
}

// Dir is an open directory stream (libuv's uv_dir_t).
type Dir struct{ f *os.File }

// FsOpendir opens a directory for Read. ENOTDIR if path is not a directory.
func FsOpendir(path string) (*Dir, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	fd, err := FsOpen(path, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	return &Dir{f: os.NewFile(uintptr(fd), path)}, nil
}

// Read returns up to n entries (fewer at the end; none when done), without "." and "..".
func (d *Dir) Read(n int) ([]Dirent, error) {
	if d == nil || d.f == nil {
		return nil, EINVAL
	}
	des, err := d.f.ReadDir(n)
	if err != nil && err != io.EOF {
		return nil, TranslateSysError(err)
	}
	if len(des) == 0 {
		return nil, nil
	}
	out := make([]Dirent, 0, len(des))
	for _, de := range des {
		out = append(out, Dirent{Name: de.Name(), Type: direntType(de.Type())})
	}
	return out, nil
}

// Close closes the directory stream.
func (d *Dir) Close() error {
	if d == nil || d.f == nil {
		return EINVAL
	}
	err := d.f.Close()
	d.f = nil
	return TranslateSysError(err)
}

func direntType(m os.FileMode) DirentType {
	switch {
	case m.IsRegular():
		return DirentFile
	case m&os.ModeDir != 0:
		return DirentDir
	case m&os.ModeSymlink != 0:
		return DirentLink
	case m&os.ModeNamedPipe != 0:
		return DirentFifo
	case m&os.ModeSocket != 0:
		return DirentSocket
	case m&os.ModeCharDevice != 0:
		return DirentChar
	case m&os.ModeDevice != 0:
		return DirentBlock
	}
	return DirentUnknown
}

// FsLink creates a hard link.
func FsLink(from, to string) error {
	if checkPath(from) != nil || checkPath(to) != nil {
		return EINVAL
	}
	return TranslateSysError(unix.Link(from, to))
}

// FsSymlink creates a symbolic link to target at path (flags matter on Windows only).
func FsSymlink(target, path string, flags int) error {
	if checkPath(target) != nil || checkPath(path) != nil {
		return EINVAL
	}
	return TranslateSysError(unix.Symlink(target, path))
}

// FsReadlink returns a symlink's target. EINVAL if path is not a symlink.
func FsReadlink(path string) (string, error) {
	if err := checkPath(path); err != nil {
		return "", err
	}
	return readlink(path)
}

func readlink(path string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlink(path, buf)
		if err != nil {
			return "", TranslateSysError(err)
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// maxSymlinks is how many symlinks FsRealpath follows before ELOOP (Linux's limit).
const maxSymlinks = 40

// FsRealpath returns the canonical absolute path, with every symlink, "." and ".." resolved
// component by component the way realpath(3) does (so "link/.." is the parent of the link's
// target, not the current directory). Errors: ENOENT for a missing component, ENOTDIR for a
// non-directory followed by "/", ELOOP for a symlink cycle.
func FsRealpath(path string) (string, error) {
	if err := checkPath(path); err != nil {
		return "", err
	}
	if path == "" {
		return "", ENOENT
	}
	resolved := "/"
	if path[0] != '/' {
		wd, err := unix.Getwd()
		if err != nil {
			return "", TranslateSysError(err)
		}
		resolved = wd
	}
	rest := path
	links := 0
	for rest != "" {
		var comp string
		var slash bool
		comp, rest, slash = cutSlash(rest)
		switch comp {
		case "", ".":
			continue
		case "..":
			resolved = parentDir(resolved)
			continue
		}
		next := resolved + "/" + comp
		if resolved == "/" {
			next = "/" + comp
		}
		var st unix.Stat_t
		if err := unix.Lstat(next, &st); err != nil {
			return "", TranslateSysError(err)
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFLNK:
			if links++; links > maxSymlinks {
				return "", ELOOP
			}
			target, err := readlink(next)
			if err != nil {
				return "", err
			}
			if target == "" {
				return "", ENOENT
			}
			if target[0] == '/' {
				resolved = "/"
			}
			if slash {
				rest = target + "/" + rest
			} else {
				rest = target
			}
		case unix.S_IFDIR:
			resolved = next
		default:
			if slash {
				return "", ENOTDIR
			}
			resolved = next
		}
	}
	return resolved, nil
}

// cutSlash splits the first path component off p; slash reports whether one or more slashes
// followed it.
func cutSlash(p string) (comp, rest string, slash bool) {
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			return p[:i], p[i+1:], true
		}
	}
	return p, "", false
}

// parentDir returns the parent of an absolute, clean path ("/" for "/").
func parentDir(p string) string {
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return "/"
}

// FsCopyfile copies a file's contents, mode, owner (when permitted) and access and
// modification times, as libuv does. CopyfileExcl fails with EEXIST if to exists;
// CopyfileFIClone tries a copy-on-write clone first and falls back to copying;
// CopyfileFICloneForce requires a clone and returns the clone's error (ENOSYS where the
// system has no clone operation). Copying a file onto itself succeeds and changes nothing.
// If the copy fails after to was opened, to is removed.
func FsCopyfile(from, to string, flags int) (err error) {
	if checkPath(from) != nil || checkPath(to) != nil || flags&^(CopyfileExcl|CopyfileFIClone|CopyfileFICloneForce) != 0 {
		return EINVAL
	}
	in, err := FsOpen(from, unix.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(in)
	var st unix.Stat_t
	if err := unix.Fstat(in, &st); err != nil {
		return TranslateSysError(err)
	}
	oflags := unix.O_WRONLY | unix.O_CREAT
	if flags&CopyfileExcl != 0 {
		oflags |= unix.O_EXCL
	}
	out, err := FsOpen(to, oflags, int(st.Mode&0o7777))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := FsClose(out); err == nil {
			err = cerr
		}
		if err != nil {
			unix.Unlink(to)
		}
	}()
	if flags&CopyfileExcl == 0 {
		var ost unix.Stat_t
		if err := unix.Fstat(out, &ost); err != nil {
			return TranslateSysError(err)
		}
		// Copying a file onto itself leaves it as it is.
		if ost.Dev == st.Dev && ost.Ino == st.Ino {
			return nil
		}
		if err := unix.Ftruncate(out, 0); err != nil {
			// Some file systems refuse to truncate a new read-only file; that truncation
			// is meaningless anyway.
			if err != unix.EACCES || ost.Size > 0 {
				return TranslateSysError(err)
			}
		}
	}
	// Times and owner follow the source, as `cp -p` does; like cp, ignore failures there.
	_ = futimens(out, []unix.Timespec{st.Atim, st.Mtim})
	_ = unix.Fchown(out, int(st.Uid), int(st.Gid))
	if err := unix.Fchmod(out, uint32(st.Mode&0o7777)); err != nil {
		return TranslateSysError(err)
	}
	if flags&(CopyfileFIClone|CopyfileFICloneForce) != 0 {
		err := fileClone(out, in)
		if err == nil {
			return nil
		}
		if flags&CopyfileFICloneForce != 0 {
			return err
		}
	}
	for left, off := st.Size, int64(0); left > 0; {
		n, err := FsSendfile(out, in, off, int(min(left, 1<<30)))
		if err != nil {
			return err
		}
		if n == 0 { // the source shrank while we copied
			break
		}
		left -= int64(n)
		off += int64(n)
	}
	return nil
}
