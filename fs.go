package uv

import (
	"crypto/rand"
	"io"
	"time"
)

// File-system operations, as plain synchronous functions on host descriptors and paths: the
// OS half of libuv's uv_fs_* requests. handles.FS runs them on the threadpool (or inline when
// no callback is given) and delivers the results on the loop. Errors are libuv codes.

// Timespec is a time in seconds and nanoseconds (libuv's uv_timespec_t).
type Timespec struct {
	Sec  int64
	Nsec int64
}

// Time converts the timespec to a time.Time.
func (t Timespec) Time() time.Time { return time.Unix(t.Sec, t.Nsec) }

// TimespecOf converts a time.Time to a Timespec.
func TimespecOf(t time.Time) Timespec { return Timespec{Sec: t.Unix(), Nsec: int64(t.Nanosecond())} }

// Stat is libuv's uv_stat_t.
type Stat struct {
	Dev, Mode, Nlink, UID, GID, Rdev, Ino, Size, Blksize, Blocks, Flags, Gen uint64
	Atim, Mtim, Ctim, Birthtim                                               Timespec
}

// StatFs is libuv's uv_statfs_t. Frsize is the fundamental block size (Bsize where the
// system has no separate one); Type is 0 where the system does not report it (OpenBSD,
// NetBSD).
type StatFs struct {
	Type, Bsize, Blocks, Bfree, Bavail, Files, Ffree, Frsize uint64
	Spare                                                    [3]uint64
}

// DirentType is libuv's uv_dirent_type_t.
type DirentType int

// Directory entry types.
const (
	DirentUnknown DirentType = iota
	DirentFile
	DirentDir
	DirentLink
	DirentFifo
	DirentSocket
	DirentChar
	DirentBlock
)

// Dirent is one directory entry (libuv's uv_dirent_t).
type Dirent struct {
	Name string
	Type DirentType
}

// Copyfile flags (libuv's UV_FS_COPYFILE_*).
const (
	CopyfileExcl         = 1
	CopyfileFIClone      = 2
	CopyfileFICloneForce = 4
)

// Symlink flags (libuv's UV_FS_SYMLINK_*; they matter on Windows only).
const (
	SymlinkDir      = 1
	SymlinkJunction = 2
)

// Access modes for FsAccess (F_OK, R_OK, W_OK, X_OK).
const (
	AccessExists = 0
	AccessExec   = 1
	AccessWrite  = 2
	AccessRead   = 4
)

// hasNUL reports whether a path holds a NUL byte, which no system call accepts.
func hasNUL(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] == 0 {
			return true
		}
	}
	return false
}

// timeArg is the type of the times FsUtime and friends take: UtimeOmit (the zero time)
// leaves that time unchanged, UtimeNow sets it to the current time.
type timeArg = time.Time

// UtimeOmit, given as a time to FsUtime, FsFutime or FsLutime, leaves that time unchanged
// (libuv's UV_FS_UTIME_OMIT). It is the zero time.Time, so any zero time does the same.
var UtimeOmit = time.Time{}

// UtimeNow, given as a time to FsUtime, FsFutime or FsLutime, sets that time to the current
// time of the file system (libuv's UV_FS_UTIME_NOW). It is a sentinel far outside the range a
// file system stores; compare with Equal, not ==.
var UtimeNow = time.Unix(-1<<62, 1)

// isUtimeNow reports whether t is the UtimeNow sentinel.
func isUtimeNow(t time.Time) bool { return t.Equal(UtimeNow) }

// iovMax is the most buffers one read or write system call takes (IOV_MAX on the systems
// uv-go runs on). A read with more buffers fills only the first iovMax, as libuv's does; a
// write writes them all, iovMax at a time.
const iovMax = 1024

// ioMaxBytes caps the bytes one read asks for (libuv's UV__IO_MAX_BYTES, Linux's own limit).
const ioMaxBytes = 0x7ffff000

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
