package handles_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
	"github.com/uv-go/uv/threadpool"
)

func TestFSWriteReadStatAsyncAndSync(t *testing.T) {
	l := mustLoop(t)
	path := filepath.Join(tempDir(t), "f")
	var req handles.FS
	// Synchronous: nil callback.
	require.NoError(t, handles.FSOpenFile(l, &req, path, uv.FsOCreat|uv.FsORdwr, 0o644, nil))
	fd := uv.OSFd(req.Result)
	require.NoError(t, handles.FSWriteFile(l, &req, fd, [][]byte{[]byte("hello "), []byte("world")}, 0, nil))
	require.EqualValues(t, 11, req.Result)

	// Asynchronous: callbacks on the loop, in order.
	var got []string
	buf := make([]byte, 32)
	require.NoError(t, handles.FSReadFile(l, &req, fd, [][]byte{buf}, 0, func(r *handles.FS) {
		require.NoError(t, r.Err)
		got = append(got, string(buf[:r.Result]))
		require.NoError(t, handles.FSFstatFile(l, r, fd, func(r *handles.FS) {
			require.NoError(t, r.Err)
			require.EqualValues(t, 11, r.Statbuf.Size)
			got = append(got, "stat")
			require.NoError(t, handles.FSCloseFile(l, r, fd, func(r *handles.FS) { got = append(got, "closed") }))
		}))
	}))
	require.True(t, l.Alive(), "a queued fs request keeps the loop alive")
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, []string{"hello world", "stat", "closed"}, got)

	err = handles.FSStatPath(l, &req, filepath.Join(path, "missing\x00"), nil)
	require.ErrorIs(t, err, uv.EINVAL, "a NUL byte in a path")
	err = handles.FSStatPath(l, &req, path+".missing", nil)
	require.ErrorIs(t, err, uv.ENOENT)
	require.Less(t, req.Result, int64(0))
	require.NoError(t, l.Close())
}

// openFds counts the process's open descriptors (Linux: /proc/self/fd), or -1 where that
// cannot be read.
func openFds(t *testing.T) int {
	t.Helper()
	if runtime.GOOS == "windows" {
		return -1 // under Wine, /proc/self/fd lists Wine's own descriptors, which come and go
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// goroutines counts the goroutines that are not threadpool workers (those live for the
// process, started on demand).
func goroutines() int {
	return runtime.NumGoroutine() - threadpool.Default().Stats().Workers
}

// fsOp is one bad call: start runs it on req (synchronously when cb is nil).
type fsOp struct {
	name   string
	want   *uv.Error
	reject bool // refused before queueing, also with a callback (libuv checks it up front)
	start  func(l *uv.Loop, req *handles.FS, cb func(*handles.FS)) error
}

// TestFSBadInput runs every operation with bad input (missing files, bad descriptors, NUL
// bytes in paths, bad templates and flags, wrong file types), synchronously and through the
// loop: each fails with libuv's error code, in the returned error, in Err and as the negative
// Result, and none leaks a descriptor or a goroutine.
func TestFSBadInput(t *testing.T) {
	dir := tempDir(t)
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("data"), 0o644))
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	missing := filepath.Join(dir, "missing")
	inMissing := filepath.Join(missing, "x")
	nul := filepath.Join(dir, "nul\x00byte")
	const badFd = uv.OSFd(1 << 20)
	var zero time.Time
	buf := [][]byte{make([]byte, 8)}

	pathOps := func(p string, want *uv.Error) []fsOp {
		return []fsOp{
			{"open", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSOpenFile(l, r, p, uv.FsORdonly, 0, cb)
			}},
			{"stat", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSStatPath(l, r, p, cb) }},
			{"lstat", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSLstatPath(l, r, p, cb) }},
			{"statfs", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSStatfsPath(l, r, p, cb) }},
			{"access", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSAccessPath(l, r, p, uv.AccessExists, cb)
			}},
			{"chmod", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSChmodPath(l, r, p, 0o644, cb)
			}},
			{"chown", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSChownPath(l, r, p, -1, -1, cb)
			}},
			{"lchown", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSLchownPath(l, r, p, -1, -1, cb)
			}},
			{"utime", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSUtimePath(l, r, p, uv.UtimeNow, uv.UtimeNow, cb)
			}},
			{"lutime", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSLutimePath(l, r, p, uv.UtimeNow, uv.UtimeNow, cb)
			}},
			{"unlink", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSUnlinkPath(l, r, p, cb) }},
			{"rmdir", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSRmdirPath(l, r, p, cb) }},
			{"readlink", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSReadlinkPath(l, r, p, cb)
			}},
			{"realpath", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSRealpathPath(l, r, p, cb)
			}},
			{"scandir", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSScandirPath(l, r, p, 0, cb)
			}},
			{"opendir", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSOpendirPath(l, r, p, cb) }},
			{"rename", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSRenamePath(l, r, p, filepath.Join(dir, "renamed"), cb)
			}},
			{"link", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSLinkPath(l, r, p, filepath.Join(dir, "linked"), cb)
			}},
			{"copyfile", want, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSCopyfilePath(l, r, p, filepath.Join(dir, "copied"), 0, cb)
			}},
		}
	}
	var ops []fsOp
	ops = append(ops, pathOps(missing, uv.ENOENT)...)
	ops = append(ops, pathOps(nul, uv.EINVAL)...)
	ops = append(ops,
		fsOp{"mkdir in a missing dir", uv.ENOENT, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSMkdirPath(l, r, inMissing, 0o755, cb)
		}},
		fsOp{"mkdir existing", uv.EEXIST, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSMkdirPath(l, r, sub, 0o755, cb)
		}},
		fsOp{"mkdtemp in a missing dir", uv.ENOENT, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSMkdtempPath(l, r, inMissing+"XXXXXX", cb)
		}},
		fsOp{"mkdtemp bad template", uv.EINVAL, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSMkdtempPath(l, r, filepath.Join(dir, "tXXXXX"), cb)
		}},
		fsOp{"mkstemp in a missing dir", uv.ENOENT, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSMkstempPath(l, r, inMissing+"XXXXXX", cb)
		}},
		fsOp{"mkstemp bad template", uv.EINVAL, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSMkstempPath(l, r, filepath.Join(dir, "t"), cb)
		}},
		fsOp{"symlink in a missing dir", uv.ENOENT, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSSymlinkPath(l, r, file, inMissing, 0, cb)
		}},
		fsOp{"symlink NUL", uv.EINVAL, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSSymlinkPath(l, r, file, nul, 0, cb)
		}},
		fsOp{"rmdir of a file", notDirErr(), false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSRmdirPath(l, r, file, cb)
		}},
		fsOp{"unlink of a dir", unlinkDirErr(), false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSUnlinkPath(l, r, sub, cb)
		}},
		fsOp{"scandir of a file", uv.ENOTDIR, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSScandirPath(l, r, file, 0, cb)
		}},
		fsOp{"readlink of a file", uv.EINVAL, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSReadlinkPath(l, r, file, cb)
		}},
		fsOp{"realpath through a file", notDirErr(), false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSRealpathPath(l, r, file+"/x", cb)
		}},
		fsOp{"copyfile EXCL onto a file", uv.EEXIST, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSCopyfilePath(l, r, file, file, uv.CopyfileExcl, cb)
		}},
		fsOp{"copyfile bad flags", uv.EINVAL, true, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSCopyfilePath(l, r, file, filepath.Join(dir, "copied"), 8, cb)
		}},
		fsOp{"read no buffers", uv.EINVAL, true, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSReadFile(l, r, 0, nil, -1, cb)
		}},
		fsOp{"write no buffers", uv.EINVAL, true, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
			return handles.FSWriteFile(l, r, 1, nil, -1, cb)
		}},
	)
	for _, fd := range []uv.OSFd{^uv.OSFd(0), badFd} { // ^0 is -1 on unix
		ops = append(ops,
			fsOp{"close bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSCloseFile(l, r, fd, cb) }},
			fsOp{"read bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSReadFile(l, r, fd, buf, -1, cb)
			}},
			fsOp{"pread bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSReadFile(l, r, fd, buf, 0, cb)
			}},
			fsOp{"write bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSWriteFile(l, r, fd, buf, -1, cb)
			}},
			fsOp{"write nothing to a bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSWriteFile(l, r, fd, [][]byte{nil}, -1, cb)
			}},
			fsOp{"fstat bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSFstatFile(l, r, fd, cb) }},
			fsOp{"fsync bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error { return handles.FSFsyncFile(l, r, fd, cb) }},
			fsOp{"fdatasync bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSFdatasyncFile(l, r, fd, cb)
			}},
			fsOp{"ftruncate bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSFtruncateFile(l, r, fd, 0, cb)
			}},
			fsOp{"fchmod bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSFchmodFile(l, r, fd, 0o644, cb)
			}},
			fsOp{"fchown bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSFchownFile(l, r, fd, -1, -1, cb)
			}},
			fsOp{"futime bad fd", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSFutimeFile(l, r, fd, zero, uv.UtimeNow, cb)
			}},
			fsOp{"sendfile bad fds", uv.EBADF, false, func(l *uv.Loop, r *handles.FS, cb func(*handles.FS)) error {
				return handles.FSSendfileTo(l, r, fd, fd, 0, 10, cb)
			}},
		)
	}

	if runtime.GOOS == "windows" {
		// libuv's chown family does nothing and succeeds on Windows, which has no numeric
		// owners, whatever the path or handle (uv-go still refuses INVALID_HANDLE_VALUE, the
		// first bad descriptor).
		kept := ops[:0]
		fchowns := 0
		for _, op := range ops {
			if op.name == "fchown bad fd" {
				fchowns++
			}
			switch {
			case (op.name == "chown" || op.name == "lchown") && op.want == uv.ENOENT:
			case op.name == "fchown bad fd" && fchowns > 1:
			case op.name == "symlink in a missing dir" && !symlinksWork(dir):
			default:
				kept = append(kept, op)
			}
		}
		ops = kept
	}

	// Warm the pool up so that worker goroutines started on demand do not count as leaks.
	{
		l := mustLoop(t)
		reqs := make([]handles.FS, 16)
		for i := range reqs {
			require.NoError(t, handles.FSStatPath(l, &reqs[i], dir, func(*handles.FS) {}))
		}
		_, err := l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.NoError(t, l.Close())
	}
	fds, gs := openFds(t), goroutines()

	check := func(what string, r *handles.FS, err error, want *uv.Error) {
		t.Helper()
		require.ErrorIs(t, err, want, what)
		require.Equal(t, want, r.Err, what)
		require.EqualValues(t, want.Code(), r.Result, what)
	}
	l := mustLoop(t)
	reqs := make([]handles.FS, len(ops))
	calls := 0
	for i, op := range ops {
		var req handles.FS
		check(op.name+" (sync)", &req, op.start(nil, &req, nil), op.want)
		if op.reject {
			require.ErrorIs(t, op.start(l, &reqs[i], func(*handles.FS) { t.Errorf("%s: callback of a rejected request", op.name) }), op.want)
			continue
		}
		require.NoError(t, op.start(l, &reqs[i], func(r *handles.FS) {
			calls++
			check(op.name+" (async)", r, r.Err, op.want)
		}), op.name)
	}
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	want := 0
	for _, op := range ops {
		if !op.reject {
			want++
		}
	}
	require.Equal(t, want, calls)
	require.NoError(t, l.Close())

	if fds >= 0 {
		require.Equal(t, fds, openFds(t), "descriptors leaked")
	}
	require.Equal(t, gs, goroutines(), "goroutines leaked")
}

// TestFSPermissionErrors checks EACCES from opening an unreadable file, statting inside an
// unsearchable directory and creating in a read-only one. Root bypasses these permission
// checks, so the test is skipped when run as root.
func TestFSPermissionErrors(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps permissions in ACLs, which the mode bits given to os.WriteFile, os.Mkdir and os.Chmod do not set")
	}
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission checks do not apply")
	}
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("x"), 0o000))
	closed := filepath.Join(dir, "closed")
	require.NoError(t, os.Mkdir(closed, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(closed, "f"), nil, 0o644))
	require.NoError(t, os.Chmod(closed, 0o000))
	readonly := filepath.Join(dir, "readonly")
	require.NoError(t, os.Mkdir(readonly, 0o555))
	t.Cleanup(func() { os.Chmod(closed, 0o755); os.Chmod(readonly, 0o755) })
	fds := openFds(t)

	var req handles.FS
	require.ErrorIs(t, handles.FSOpenFile(nil, &req, secret, uv.FsORdonly, 0, nil), uv.EACCES)
	require.EqualValues(t, uv.EACCES.Code(), req.Result)
	require.ErrorIs(t, handles.FSStatPath(nil, &req, filepath.Join(closed, "f"), nil), uv.EACCES)
	require.ErrorIs(t, handles.FSScandirPath(nil, &req, closed, 0, nil), uv.EACCES)
	require.ErrorIs(t, handles.FSMkdirPath(nil, &req, filepath.Join(readonly, "d"), 0o755, nil), uv.EACCES)
	require.ErrorIs(t, handles.FSMkstempPath(nil, &req, filepath.Join(readonly, "tXXXXXX"), nil), uv.EACCES)
	require.Empty(t, req.Path)
	require.ErrorIs(t, handles.FSCopyfilePath(nil, &req, secret, filepath.Join(dir, "copy"), 0, nil), uv.EACCES)
	require.ErrorIs(t, handles.FSAccessPath(nil, &req, secret, uv.AccessRead, nil), uv.EACCES)

	l := mustLoop(t)
	calls := 0
	require.NoError(t, handles.FSOpenFile(l, &req, secret, uv.FsORdonly, 0, func(r *handles.FS) {
		calls++
		require.ErrorIs(t, r.Err, uv.EACCES)
	}))
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 1, calls)
	require.NoError(t, l.Close())
	if fds >= 0 {
		require.Equal(t, fds, openFds(t), "descriptors leaked")
	}
}

// TestFSClosedLoopAndCancel checks requests on a closed loop (EINVAL, no callback;
// synchronous calls do not use the loop) and cancelling: a request never queued gets
// EINVAL, one that has finished EBUSY, as libuv's uv_cancel does.
func TestFSClosedLoopAndCancel(t *testing.T) {
	dir := tempDir(t)
	l := mustLoop(t)
	require.NoError(t, l.Close())
	fail := func(*handles.FS) { t.Error("callback on a closed loop") }

	var req handles.FS
	require.ErrorIs(t, handles.FSStatPath(l, &req, dir, fail), uv.EINVAL)
	require.ErrorIs(t, req.Cancel(), uv.EINVAL, "never queued")
	require.NoError(t, handles.FSStatPath(l, &req, dir, nil), "a synchronous call needs no loop")
	require.ErrorIs(t, req.Cancel(), uv.EINVAL, "run synchronously only")
	var rnd handles.Random
	require.ErrorIs(t, handles.GetRandom(l, &rnd, make([]byte, 4), 0, func(*handles.Random, error, []byte) {
		t.Error("random callback on a closed loop")
	}), uv.EINVAL)
	require.ErrorIs(t, rnd.Cancel(), uv.EINVAL)
	var w handles.Work
	require.ErrorIs(t, handles.QueueWork(l, &w, func(*handles.Work) {}, nil), uv.EINVAL)

	l = mustLoop(t)
	defer func() { require.NoError(t, l.Close()) }()
	require.NoError(t, handles.FSStatPath(l, &req, dir, func(r *handles.FS) {
		require.NoError(t, r.Err)
		require.ErrorIs(t, r.Cancel(), uv.EBUSY, "cancel from its own callback")
	}))
	require.NoError(t, handles.GetRandom(l, &rnd, make([]byte, 4), 0, func(r *handles.Random, err error, _ []byte) {
		require.NoError(t, err)
	}))
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.ErrorIs(t, req.Cancel(), uv.EBUSY, "cancel after it finished")
	require.ErrorIs(t, rnd.Cancel(), uv.EBUSY)
	require.NoError(t, handles.QueueWork(l, &w, func(*handles.Work) {}, nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.ErrorIs(t, w.Cancel(), uv.EBUSY, "cancel finished work")
}

// TestRandomSyncAndLimits fills buffers synchronously and checks GetRandom's argument
// errors. (E2BIG needs a buffer over 2 GiB, which the test does not allocate.)
func TestRandomSyncAndLimits(t *testing.T) {
	buf := make([]byte, 64)
	require.NoError(t, handles.GetRandom(nil, nil, buf, 0, nil))
	require.NotEqual(t, make([]byte, 64), buf)
	require.NoError(t, handles.GetRandom(nil, nil, nil, 0, nil), "an empty buffer")
	require.ErrorIs(t, handles.GetRandom(nil, nil, buf, 1, nil), uv.EINVAL)
	require.ErrorIs(t, handles.GetRandom(mustLoopClosed(t), nil, buf, 0, func(*handles.Random, error, []byte) {}), uv.EINVAL, "a nil request with a callback")
}

func mustLoopClosed(t *testing.T) *uv.Loop {
	l := mustLoop(t)
	require.NoError(t, l.Close())
	return l
}

// notDirErr is the error of a directory operation on a file (rmdir, a path through a file):
// ENOTDIR, but ENOENT on Windows, which has no ENOTDIR (libuv's choice).
func notDirErr() *uv.Error {
	if runtime.GOOS == "windows" {
		return uv.ENOENT
	}
	return uv.ENOTDIR
}

// symlinksWork reports whether the system makes symbolic links in dir: Windows refuses
// without the privilege or developer mode, and Wine 8's CreateSymbolicLinkW succeeds without
// making anything.
func symlinksWork(dir string) bool {
	p := filepath.Join(dir, "symlink-probe")
	if uv.FsSymlink("target", p, 0) != nil {
		return false
	}
	_, err := uv.FsLstat(p)
	uv.FsUnlink(p)
	return err == nil
}

// tempDir is t.TempDir made safe for Wine's missing FileDispositionInformationEx (see
// testutil.TempDir).
var tempDir = testutil.TempDir

// unlinkDirErr is unlink(2)'s error for a directory: EISDIR on Linux, POSIX's EPERM elsewhere.
func unlinkDirErr() *uv.Error {
	if runtime.GOOS == "linux" {
		return uv.EISDIR
	}
	return uv.EPERM
}
