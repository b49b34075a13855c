//go:build unix

package uv

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
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

// FsClose closes fd.
func FsClose(fd OSFd) error { return TranslateSysError(unix.Close(fd)) }

// FsRead reads into bufs at offset, or at the current position when offset is negative.
// It returns 0 at end of file.
func FsRead(fd OSFd, bufs [][]byte, offset int64) (int, error) {
	total := 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		var n int
		var err error
		for {
			if offset < 0 {
				n, err = unix.Read(fd, b)
			} else {
				n, err = unix.Pread(fd, b, offset+int64(total))
			}
			if err != unix.EINTR {
				break
			}
		}
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, TranslateSysError(err)
		}
		total += n
		if n < len(b) {
			break
		}
	}
	return total, nil
}

// FsWrite writes bufs at offset, or at the current position when offset is negative.
func FsWrite(fd OSFd, bufs [][]byte, offset int64) (int, error) {
	total := 0
	for _, b := range bufs {
		for len(b) > 0 {
			var n int
			var err error
			if offset < 0 {
				n, err = unix.Write(fd, b)
			} else {
				n, err = unix.Pwrite(fd, b, offset+int64(total))
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
			total += n
			b = b[n:]
		}
	}
	return total, nil
}

// FsSendfile copies up to length bytes from in at offset to out; it returns the bytes copied.
func FsSendfile(out, in OSFd, offset int64, length int) (int, error) {
	off := offset
	total := 0
	for total < length {
		n, err := unix.Sendfile(out, in, &off, length-total)
		if err == unix.EINTR || (err == unix.EAGAIN && n == 0 && total == 0) {
			if err == unix.EAGAIN {
				return 0, EAGAIN
			}
			continue
		}
		if err != nil {
			if err == unix.EINVAL || err == unix.ENOSYS {
				return fsCopyRange(out, in, offset, length)
			}
			if total > 0 {
				return total, nil
			}
			return 0, TranslateSysError(err)
		}
		if n == 0 {
			break
		}
		total += n
	}
	return total, nil
}

// fsCopyRange is sendfile's fallback for files that cannot be sent: read and write.
func fsCopyRange(out, in OSFd, offset int64, length int) (int, error) {
	buf := make([]byte, 64*1024)
	total := 0
	for total < length {
		want := min(len(buf), length-total)
		n, err := unix.Pread(in, buf[:want], offset+int64(total))
		if err != nil {
			return total, TranslateSysError(err)
		}
		if n == 0 {
			break
		}
		if _, err := FsWrite(out, [][]byte{buf[:n]}, -1); err != nil {
			return total, err
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
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return Stat{}, TranslateSysError(err)
	}
	return statOf(&st), nil
}

// FsLstat stats path without following a final symlink.
func FsLstat(path string) (Stat, error) {
	if err := checkPath(path); err != nil {
		return Stat{}, err
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return Stat{}, TranslateSysError(err)
	}
	return statOf(&st), nil
}

// FsFstat stats an open descriptor.
func FsFstat(fd OSFd) (Stat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return Stat{}, TranslateSysError(err)
	}
	return statOf(&st), nil
}

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

// FsFtruncate truncates an open file to size bytes.
func FsFtruncate(fd OSFd, size int64) error { return TranslateSysError(unix.Ftruncate(fd, size)) }

func utimesOf(atime, mtime time.Time) []unix.Timespec {
	ts := make([]unix.Timespec, 2)
	for i, t := range []time.Time{atime, mtime} {
		if t.IsZero() {
			ts[i] = unix.Timespec{Nsec: utimeOmit}
		} else {
			ts[i] = unix.NsecToTimespec(t.UnixNano())
		}
	}
	return ts
}

// FsUtime sets the access and modification times of path with nanosecond precision; a zero
// time leaves that time unchanged.
func FsUtime(path string, atime, mtime time.Time) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.UtimesNanoAt(unix.AT_FDCWD, path, utimesOf(atime, mtime), 0))
}

// FsLutime is FsUtime on a symlink itself.
func FsLutime(path string, atime, mtime time.Time) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return TranslateSysError(unix.UtimesNanoAt(unix.AT_FDCWD, path, utimesOf(atime, mtime), unix.AT_SYMLINK_NOFOLLOW))
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

// FsFsync flushes an open file to storage.
func FsFsync(fd OSFd) error { return TranslateSysError(unix.Fsync(fd)) }

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

const tempChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// tempName replaces the trailing "XXXXXX" of tpl with random characters.
func tempName(tpl string) (string, error) {
	const x = "XXXXXX"
	if len(tpl) < len(x) || tpl[len(tpl)-len(x):] != x {
		return "", EINVAL
	}
	var r [6]byte
	if _, err := io.ReadFull(rand.Reader, r[:]); err != nil {
		return "", EIO
	}
	b := []byte(tpl)
	for i := range r {
		b[len(b)-6+i] = tempChars[int(r[i])%len(tempChars)]
	}
	return string(b), nil
}

// FsMkdtemp creates a unique directory from tpl, which must end in "XXXXXX", and returns
// its path.
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
		if err == unix.EEXIST {
			continue
		}
		if err != nil {
			return "", TranslateSysError(err)
		}
		return p, nil
	}
	return "", EEXIST
}

// FsMkstemp creates and opens a unique file from tpl, which must end in "XXXXXX".
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
		if err == unix.EEXIST {
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

// FsScandir lists a directory, sorted by name, without "." and "..".
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

// FsOpendir opens a directory for Read.
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

// FsReadlink returns a symlink's target.
func FsReadlink(path string) (string, error) {
	if err := checkPath(path); err != nil {
		return "", err
	}
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

// FsRealpath returns the canonical absolute path, with every symlink resolved.
func FsRealpath(path string) (string, error) {
	if err := checkPath(path); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", TranslateSysError(err)
	}
	p, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", TranslateSysError(err)
	}
	return p, nil
}

// FsCopyfile copies a file's contents and mode. CopyfileExcl fails with EEXIST if to exists;
// CopyfileFIClone tries a copy-on-write clone first; CopyfileFICloneForce requires one
// (ENOTSUP where the file system cannot).
func FsCopyfile(from, to string, flags int) error {
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
	out, err := FsOpen(to, oflags, int(st.Mode&0o777))
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		unix.Close(out)
		if !ok {
			unix.Unlink(to)
		}
	}()
	// Copying a file onto itself leaves it as it is.
	var ost unix.Stat_t
	if unix.Fstat(out, &ost) == nil && ost.Dev == st.Dev && ost.Ino == st.Ino {
		ok = true
		return nil
	}
	if err := unix.Ftruncate(out, 0); err != nil {
		return TranslateSysError(err)
	}
	if err := unix.Fchmod(out, uint32(st.Mode&0o7777)); err != nil {
		return TranslateSysError(err)
	}
	if flags&(CopyfileFIClone|CopyfileFICloneForce) != 0 {
		err := fileClone(out, in)
		if err == nil {
			ok = true
			return nil
		}
		if flags&CopyfileFICloneForce != 0 {
			return err
		}
	}
	if _, err := FsSendfile(out, in, 0, int(st.Size)); err != nil {
		return err
	}
	ok = true
	return nil
}
