package handles

import (
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/threadpool"
)

// FSType is libuv's uv_fs_type: which operation an FS request performs.
type FSType int

// File-system request types, in libuv's order.
const (
	FSUnknown FSType = iota - 1
	FSCustom
	FSOpen
	FSClose
	FSRead
	FSWrite
	FSSendfile
	FSStat
	FSLstat
	FSFstat
	FSFtruncate
	FSUtime
	FSFutime
	FSAccess
	FSChmod
	FSFchmod
	FSFsync
	FSFdatasync
	FSUnlink
	FSRmdir
	FSMkdir
	FSMkdtemp
	FSRename
	FSScandir
	FSLink
	FSSymlink
	FSReadlink
	FSChown
	FSFchown
	FSRealpath
	FSCopyfile
	FSLchown
	FSOpendir
	FSReaddir
	FSClosedir
	FSStatfs
	FSMkstemp
	FSLutime
)

// FS is a file-system request (libuv's uv_fs_t). Every operation runs on the threadpool and
// calls back on the loop, or, when the callback is nil, runs at once in the calling goroutine
// and returns its error, as libuv's synchronous mode does. Results: Result (a descriptor, a
// byte count, ...), Err (nil or a libuv error), Path, Statbuf, StatFs, Link (readlink and
// realpath), Dir (opendir) and Dirents (readdir); scandir entries come from ScandirNext.
// Arguments are checked as libuv checks them: a nil request, no buffers for read or write and
// unknown copyfile flags fail with EINVAL at once, queueing nothing. Buffers given to an
// asynchronous read or write belong to the request until its callback runs. A request may be
// reused once its callback has run; reusing it earlier fails with EBUSY.
type FS struct {
	work   uv.WorkReq
	typ    FSType
	cb     func(*FS)
	op     func(*FS)
	runFn  func()
	doneFn func(error)

	submitted    bool // went to the threadpool at least once, for Cancel
	file, file2  uv.OSFd
	bufs         [][]byte
	offset       int64
	flags, mode  int
	path2        string
	uid, gid     int
	atime, mtime time.Time
	length       int
	dirents      []uv.Dirent
	next         int

	// Result is libuv's req->result: on success a descriptor for open and mkstemp, a byte
	// count for read, write and sendfile, an entry count for scandir and readdir, 0
	// otherwise; on failure the negative libuv code of Err (uv.Error.Code).
	Result int64
	// Err is the operation's error, or nil.
	Err error
	// Path is the path the operation used (the target for symlink, the source for rename,
	// link and copyfile); mkdtemp and mkstemp set it to the created path, and mkstemp to ""
	// when it fails, as libuv does.
	Path string
	// Statbuf is the result of stat, lstat and fstat.
	Statbuf uv.Stat
	// StatFs is the result of statfs.
	StatFs uv.StatFs
	// Link is the result of readlink and realpath.
	Link string
	// Dir is the directory stream opendir returns, for Readdir and Closedir.
	Dir *FSDir
	// Dirents holds the entries of the last readdir.
	Dirents []uv.Dirent

	// Data is free for the user.
	Data any
}

// FSDir is an open directory stream (libuv's uv_dir_t). Set NEntries before Readdir: at
// most that many entries come back per call (default 32).
type FSDir struct {
	d        *uv.Dir
	NEntries int
}

// Type returns the request's operation.
func (r *FS) Type() FSType { return r.typ }

// Cleanup releases what the request holds (libuv's uv_fs_req_cleanup): paths, buffers and
// directory entries. It does not close a Dir. A nil request is ignored.
func (r *FS) Cleanup() {
	if r == nil {
		return
	}
	r.bufs, r.dirents, r.Dirents, r.Link, r.Path, r.path2 = nil, nil, nil, "", "", ""
}

// Cancel cancels the request while it is still queued on the threadpool (libuv's uv_cancel):
// its callback then runs with Err ECANCELED. A request that is running or has finished gets
// EBUSY, one never queued (or run synchronously only) EINVAL.
func (r *FS) Cancel() error {
	if r == nil {
		return uv.EINVAL
	}
	if r.work.Busy() {
		return r.work.Cancel()
	}
	if r.submitted {
		return uv.EBUSY
	}
	return uv.EINVAL
}

// SystemError returns the host's error number for a failed request (libuv's
// uv_fs_get_system_error): an errno such as ENOENT (2) on unix, 0 on success.
func (r *FS) SystemError() int {
	if e, ok := r.Err.(*uv.Error); ok {
		return int(e.Errno())
	}
	return 0
}

// ScandirNext returns the next entry of a scandir result; EOF after the last. If the scandir
// failed, it returns that error (libuv's uv_fs_scandir_next returns req->result).
func (r *FS) ScandirNext() (uv.Dirent, error) {
	if r.typ != FSScandir {
		return uv.Dirent{}, uv.EINVAL
	}
	if r.Err != nil {
		return uv.Dirent{}, r.Err
	}
	if r.next >= len(r.dirents) {
		return uv.Dirent{}, uv.EOF
	}
	d := r.dirents[r.next]
	r.next++
	return d, nil
}

func (r *FS) set(res int64, err error) {
	r.Result, r.Err = res, err
	if err != nil {
		r.Result = 0
		if e, ok := err.(*uv.Error); ok {
			r.Result = int64(e.Code())
		}
	}
}

// start runs op now (cb nil) or queues it on the threadpool's fast-I/O lane.
func (r *FS) start(l *uv.Loop, t FSType, op func(*FS), cb func(*FS)) error {
	if r.work.Busy() {
		return uv.EBUSY
	}
	r.typ, r.op, r.cb = t, op, cb
	r.Result, r.Err = 0, nil
	if cb == nil {
		op(r)
		return r.Err
	}
	if r.runFn == nil {
		r.runFn, r.doneFn = r.run, r.done
	}
	if err := r.work.Submit(l, threadpool.FastIO, r.runFn, r.doneFn); err != nil {
		return err
	}
	r.submitted = true
	return nil
}

// reject records an argument error found before the operation runs, as libuv returns it
// without queueing anything (so nothing keeps the loop alive and no callback runs).
func (r *FS) reject(t FSType, err error) error {
	if r.work.Busy() {
		return uv.EBUSY
	}
	r.typ, r.cb, r.op = t, nil, nil
	r.set(0, err)
	return err
}

func (r *FS) run() { r.op(r) }

func (r *FS) done(err error) {
	if err != nil { // cancelled before it ran
		r.set(0, err)
	}
	r.cb(r)
}

// Each function below is libuv's uv_fs_<name>: it fills req and runs or queues it.

// FSOpenFile opens path (libuv's uv_fs_open); flags are uv.FsO* values. Result is the
// descriptor.
func FSOpenFile(l *uv.Loop, req *FS, path string, flags, mode int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.flags, req.mode = path, flags, mode
	return req.start(l, FSOpen, func(r *FS) {
		fd, err := uv.FsOpen(r.Path, r.flags, r.mode)
		r.set(int64(fd), err)
	}, cb)
}

// FSCloseFile closes a descriptor.
func FSCloseFile(l *uv.Loop, req *FS, file uv.OSFd, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file = file
	return req.start(l, FSClose, func(r *FS) { r.set(0, uv.FsClose(r.file)) }, cb)
}

// FSReadFile reads into bufs at offset (-1: the current position) with one system call, as
// libuv does. Result is the byte count (possibly less than the buffers hold), 0 at end of
// file. At most 1024 buffers are filled; no buffers at all is EINVAL.
func FSReadFile(l *uv.Loop, req *FS, file uv.OSFd, bufs [][]byte, offset int64, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	if len(bufs) == 0 {
		return req.reject(FSRead, uv.EINVAL)
	}
	req.file, req.bufs, req.offset = file, bufs, offset
	return req.start(l, FSRead, func(r *FS) {
		n, err := uv.FsRead(r.file, r.bufs, r.offset)
		r.set(int64(n), err)
	}, cb)
}

// FSWriteFile writes all of bufs at offset (-1: the current position), as libuv does.
// Result is the byte count; no buffers at all is EINVAL.
func FSWriteFile(l *uv.Loop, req *FS, file uv.OSFd, bufs [][]byte, offset int64, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	if len(bufs) == 0 {
		return req.reject(FSWrite, uv.EINVAL)
	}
	req.file, req.bufs, req.offset = file, bufs, offset
	return req.start(l, FSWrite, func(r *FS) {
		n, err := uv.FsWrite(r.file, r.bufs, r.offset)
		r.set(int64(n), err)
	}, cb)
}

// FSSendfileTo copies length bytes of in from offset to out. Result is the byte count.
func FSSendfileTo(l *uv.Loop, req *FS, out, in uv.OSFd, offset int64, length int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file, req.file2, req.offset, req.length = out, in, offset, length
	return req.start(l, FSSendfile, func(r *FS) {
		n, err := uv.FsSendfile(r.file, r.file2, r.offset, r.length)
		r.set(int64(n), err)
	}, cb)
}

// FSStatPath stats path into Statbuf.
func FSStatPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = path
	return req.start(l, FSStat, func(r *FS) {
		st, err := uv.FsStat(r.Path)
		r.Statbuf = st
		r.set(0, err)
	}, cb)
}

// FSLstatPath stats path without following a final symlink.
func FSLstatPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = path
	return req.start(l, FSLstat, func(r *FS) {
		st, err := uv.FsLstat(r.Path)
		r.Statbuf = st
		r.set(0, err)
	}, cb)
}

// FSFstatFile stats an open descriptor.
func FSFstatFile(l *uv.Loop, req *FS, file uv.OSFd, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file = file
	return req.start(l, FSFstat, func(r *FS) {
		st, err := uv.FsFstat(r.file)
		r.Statbuf = st
		r.set(0, err)
	}, cb)
}

// FSStatfsPath reports on the file system holding path, into StatFs.
func FSStatfsPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = path
	return req.start(l, FSStatfs, func(r *FS) {
		st, err := uv.FsStatfs(r.Path)
		r.StatFs = st
		r.set(0, err)
	}, cb)
}

// FSFtruncateFile truncates an open file.
func FSFtruncateFile(l *uv.Loop, req *FS, file uv.OSFd, size int64, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file, req.offset = file, size
	return req.start(l, FSFtruncate, func(r *FS) { r.set(0, uv.FsFtruncate(r.file, r.offset)) }, cb)
}

// FSUtimePath sets access and modification times (a zero time leaves one unchanged).
func FSUtimePath(l *uv.Loop, req *FS, path string, atime, mtime time.Time, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.atime, req.mtime = path, atime, mtime
	return req.start(l, FSUtime, func(r *FS) { r.set(0, uv.FsUtime(r.Path, r.atime, r.mtime)) }, cb)
}

// FSFutimeFile sets the times of an open file.
func FSFutimeFile(l *uv.Loop, req *FS, file uv.OSFd, atime, mtime time.Time, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file, req.atime, req.mtime = file, atime, mtime
	return req.start(l, FSFutime, func(r *FS) { r.set(0, uv.FsFutime(r.file, r.atime, r.mtime)) }, cb)
}

// FSLutimePath sets the times of a symlink itself.
func FSLutimePath(l *uv.Loop, req *FS, path string, atime, mtime time.Time, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.atime, req.mtime = path, atime, mtime
	return req.start(l, FSLutime, func(r *FS) { r.set(0, uv.FsLutime(r.Path, r.atime, r.mtime)) }, cb)
}

// FSAccessPath checks access to path (uv.Access* modes).
func FSAccessPath(l *uv.Loop, req *FS, path string, mode int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.mode = path, mode
	return req.start(l, FSAccess, func(r *FS) { r.set(0, uv.FsAccess(r.Path, r.mode)) }, cb)
}

// FSChmodPath changes the mode of path.
func FSChmodPath(l *uv.Loop, req *FS, path string, mode int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.mode = path, mode
	return req.start(l, FSChmod, func(r *FS) { r.set(0, uv.FsChmod(r.Path, r.mode)) }, cb)
}

// FSFchmodFile changes the mode of an open file.
func FSFchmodFile(l *uv.Loop, req *FS, file uv.OSFd, mode int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file, req.mode = file, mode
	return req.start(l, FSFchmod, func(r *FS) { r.set(0, uv.FsFchmod(r.file, r.mode)) }, cb)
}

// FSChownPath changes the owner of path (-1 keeps an id).
func FSChownPath(l *uv.Loop, req *FS, path string, uid, gid int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.uid, req.gid = path, uid, gid
	return req.start(l, FSChown, func(r *FS) { r.set(0, uv.FsChown(r.Path, r.uid, r.gid)) }, cb)
}

// FSFchownFile changes the owner of an open file.
func FSFchownFile(l *uv.Loop, req *FS, file uv.OSFd, uid, gid int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file, req.uid, req.gid = file, uid, gid
	return req.start(l, FSFchown, func(r *FS) { r.set(0, uv.FsFchown(r.file, r.uid, r.gid)) }, cb)
}

// FSLchownPath changes the owner of a symlink itself.
func FSLchownPath(l *uv.Loop, req *FS, path string, uid, gid int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.uid, req.gid = path, uid, gid
	return req.start(l, FSLchown, func(r *FS) { r.set(0, uv.FsLchown(r.Path, r.uid, r.gid)) }, cb)
}

// FSFsyncFile flushes an open file to storage.
func FSFsyncFile(l *uv.Loop, req *FS, file uv.OSFd, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file = file
	return req.start(l, FSFsync, func(r *FS) { r.set(0, uv.FsFsync(r.file)) }, cb)
}

// FSFdatasyncFile flushes an open file's data to storage.
func FSFdatasyncFile(l *uv.Loop, req *FS, file uv.OSFd, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.file = file
	return req.start(l, FSFdatasync, func(r *FS) { r.set(0, uv.FsFdatasync(r.file)) }, cb)
}

// FSUnlinkPath removes a file.
func FSUnlinkPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = path
	return req.start(l, FSUnlink, func(r *FS) { r.set(0, uv.FsUnlink(r.Path)) }, cb)
}

// FSRmdirPath removes an empty directory.
func FSRmdirPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = path
	return req.start(l, FSRmdir, func(r *FS) { r.set(0, uv.FsRmdir(r.Path)) }, cb)
}

// FSMkdirPath creates a directory.
func FSMkdirPath(l *uv.Loop, req *FS, path string, mode int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.mode = path, mode
	return req.start(l, FSMkdir, func(r *FS) { r.set(0, uv.FsMkdir(r.Path, r.mode)) }, cb)
}

// FSMkdtempPath creates a unique directory from tpl (ending in "XXXXXX"); Path is the result.
func FSMkdtempPath(l *uv.Loop, req *FS, tpl string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = tpl
	return req.start(l, FSMkdtemp, func(r *FS) {
		p, err := uv.FsMkdtemp(r.Path)
		if err == nil {
			r.Path = p
		}
		r.set(0, err)
	}, cb)
}

// FSMkstempPath creates and opens a unique file from tpl; Result is its descriptor, Path
// its name.
func FSMkstempPath(l *uv.Loop, req *FS, tpl string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = tpl
	return req.start(l, FSMkstemp, func(r *FS) {
		fd, p, err := uv.FsMkstemp(r.Path)
		r.Path = p // "" on failure, as libuv clears the template
		r.set(int64(fd), err)
	}, cb)
}

// FSRenamePath renames from to to.
func FSRenamePath(l *uv.Loop, req *FS, from, to string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.path2 = from, to
	return req.start(l, FSRename, func(r *FS) { r.set(0, uv.FsRename(r.Path, r.path2)) }, cb)
}

// FSScandirPath lists a directory; Result is the number of entries, read with ScandirNext.
func FSScandirPath(l *uv.Loop, req *FS, path string, flags int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.next = path, 0
	return req.start(l, FSScandir, func(r *FS) {
		ents, err := uv.FsScandir(r.Path)
		r.dirents = ents
		r.set(int64(len(ents)), err)
	}, cb)
}

// FSOpendirPath opens a directory stream into Dir.
func FSOpendirPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.Dir = path, nil
	return req.start(l, FSOpendir, func(r *FS) {
		d, err := uv.FsOpendir(r.Path)
		if err == nil {
			r.Dir = &FSDir{d: d, NEntries: 32}
		}
		r.set(0, err)
	}, cb)
}

// FSReaddirDir reads up to dir.NEntries entries into Dirents; Result is their number, 0 at
// the end.
func FSReaddirDir(l *uv.Loop, req *FS, dir *FSDir, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	if dir == nil || dir.d == nil {
		return uv.EINVAL
	}
	req.Dir = dir
	return req.start(l, FSReaddir, func(r *FS) {
		n := r.Dir.NEntries
		if n <= 0 {
			n = 32
		}
		ents, err := r.Dir.d.Read(n)
		r.Dirents = ents
		r.set(int64(len(ents)), err)
	}, cb)
}

// FSClosedirDir closes a directory stream.
func FSClosedirDir(l *uv.Loop, req *FS, dir *FSDir, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	if dir == nil || dir.d == nil {
		return uv.EINVAL
	}
	req.Dir = dir
	return req.start(l, FSClosedir, func(r *FS) {
		err := r.Dir.d.Close()
		r.Dir.d = nil
		r.set(0, err)
	}, cb)
}

// FSLinkPath creates a hard link.
func FSLinkPath(l *uv.Loop, req *FS, from, to string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.path2 = from, to
	return req.start(l, FSLink, func(r *FS) { r.set(0, uv.FsLink(r.Path, r.path2)) }, cb)
}

// FSSymlinkPath creates a symlink at path pointing to target.
func FSSymlinkPath(l *uv.Loop, req *FS, target, path string, flags int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path, req.path2, req.flags = target, path, flags
	return req.start(l, FSSymlink, func(r *FS) { r.set(0, uv.FsSymlink(r.Path, r.path2, r.flags)) }, cb)
}

// FSReadlinkPath reads a symlink's target into Link.
func FSReadlinkPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = path
	return req.start(l, FSReadlink, func(r *FS) {
		s, err := uv.FsReadlink(r.Path)
		r.Link = s
		r.set(0, err)
	}, cb)
}

// FSRealpathPath resolves path into Link.
func FSRealpathPath(l *uv.Loop, req *FS, path string, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	req.Path = path
	return req.start(l, FSRealpath, func(r *FS) {
		s, err := uv.FsRealpath(r.Path)
		r.Link = s
		r.set(0, err)
	}, cb)
}

// FSCopyfilePath copies a file (uv.Copyfile* flags).
func FSCopyfilePath(l *uv.Loop, req *FS, from, to string, flags int, cb func(*FS)) error {
	if req == nil {
		return uv.EINVAL
	}
	if flags&^(uv.CopyfileExcl|uv.CopyfileFIClone|uv.CopyfileFICloneForce) != 0 {
		return req.reject(FSCopyfile, uv.EINVAL)
	}
	req.Path, req.path2, req.flags = from, to, flags
	return req.start(l, FSCopyfile, func(r *FS) { r.set(0, uv.FsCopyfile(r.Path, r.path2, r.flags)) }, cb)
}
