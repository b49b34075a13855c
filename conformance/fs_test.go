package conformance_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
)

// Ports of libuv's test/test-fs.c. libuv's tests work on fixed names in the current
// directory; these work on the same names in a fresh t.TempDir, so paths are absolute and
// symlink targets stay relative to the link's directory, as in libuv.

// testBuf and testBuf2 are libuv's test_buf and test_buf2 with the C string's NUL, so the
// sizes (13 and 15) are libuv's sizeof.
var (
	testBuf  = []byte("test-buffer\n\x00")
	testBuf2 = []byte("second-buffer\n\x00")
)

// fsDir returns a fresh directory for a file-system test, removed when the test ends:
// testutil.TempDir, which under Wine removes it entry by entry.
var fsDir = testutil.TempDir

// cstr is b up to its first NUL, as C's string functions see a buffer.
func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}

// requireFSErr checks that a request failed with want, both in the returned error (when
// given) and in the request, whose Result carries the negative code as libuv's req->result.
func requireFSErr(t testing.TB, req *handles.FS, err error, want *uv.Error) {
	t.Helper()
	if err != nil || req.Err == nil {
		require.ErrorIs(t, err, want)
	}
	require.ErrorIs(t, req.Err, want)
	require.EqualValues(t, want.Code(), req.Result)
}

// fsOpen opens path synchronously and returns the descriptor.
func fsOpen(t testing.TB, path string, flags, mode int) uv.OSFd {
	t.Helper()
	var req handles.FS
	require.NoError(t, handles.FSOpenFile(nil, &req, path, flags, mode, nil))
	require.GreaterOrEqual(t, req.Result, int64(0))
	return uv.OSFd(req.Result)
}

// fsClose closes fd synchronously.
func fsClose(t testing.TB, fd uv.OSFd) {
	t.Helper()
	var req handles.FS
	require.NoError(t, handles.FSCloseFile(nil, &req, fd, nil))
	require.Zero(t, req.Result)
}

// fsWrite writes bufs synchronously and returns the byte count.
func fsWrite(t testing.TB, fd uv.OSFd, off int64, bufs ...[]byte) int {
	t.Helper()
	var req handles.FS
	require.NoError(t, handles.FSWriteFile(nil, &req, fd, bufs, off, nil))
	require.GreaterOrEqual(t, req.Result, int64(0))
	return int(req.Result)
}

// fsRead reads into bufs synchronously and returns the byte count.
func fsRead(t testing.TB, fd uv.OSFd, off int64, bufs ...[]byte) int {
	t.Helper()
	var req handles.FS
	require.NoError(t, handles.FSReadFile(nil, &req, fd, bufs, off, nil))
	require.GreaterOrEqual(t, req.Result, int64(0))
	return int(req.Result)
}

// fsStat stats path synchronously.
func fsStat(t testing.TB, path string) uv.Stat {
	t.Helper()
	var req handles.FS
	require.NoError(t, handles.FSStatPath(nil, &req, path, nil))
	require.Zero(t, req.Result)
	return req.Statbuf
}

// fsCreate creates path with contents (mode 0600).
func fsCreate(t testing.TB, path string, contents ...[]byte) {
	t.Helper()
	fd := fsOpen(t, path, uv.FsOWronly|uv.FsOCreat|uv.FsOTrunc, 0o600)
	if len(contents) > 0 {
		fsWrite(t, fd, -1, contents...)
	}
	fsClose(t, fd)
}

// checkPermission is libuv's check_permission: the permission bits of path are mode. On
// Windows, where chmod can only set or clear the read-only attribute (0444 or 0666), it
// checks as libuv does there that the bits share something with mode.
func checkPermission(t testing.TB, path string, mode uint64) {
	t.Helper()
	if runtime.GOOS == "windows" {
		require.NotZero(t, fsStat(t, path).Mode&0o777&mode, "mode %o", fsStat(t, path).Mode)
		return
	}
	require.Equal(t, mode, fsStat(t, path).Mode&0o777)
}

// fsSymlink creates a symlink synchronously and checks it exists, skipping the test where
// the system makes none: Wine 8's CreateSymbolicLinkW succeeds without creating anything, and
// Windows without the privilege or developer mode refuses with EPERM (libuv's tests pass
// then, too).
func fsSymlink(t testing.TB, target, path string, flags int) {
	t.Helper()
	var req handles.FS
	err := handles.FSSymlinkPath(nil, &req, target, path, flags, nil)
	if runtime.GOOS == "windows" && err == uv.EPERM {
		t.Skip("creating symbolic links needs the privilege or developer mode")
	}
	require.NoError(t, err)
	require.Zero(t, req.Result)
	if _, err := uv.FsLstat(path); err == uv.ENOENT && runtime.GOOS == "windows" {
		t.Skip("this system's CreateSymbolicLinkW makes no link (Wine 8 stubs it)")
	}
}

// TestFsFileNoent checks that opening a missing file fails with ENOENT, synchronously and in
// the callback.
// libuv: fs_file_noent
func TestFsFileNoent(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	path := filepath.Join(dir, "does_not_exist")
	var req handles.FS
	err := handles.FSOpenFile(nil, &req, path, uv.FsORdonly, 0, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	req.Cleanup()

	calls := 0
	require.NoError(t, handles.FSOpenFile(l, &req, path, uv.FsORdonly, 0, func(r *handles.FS) {
		require.Equal(t, handles.FSOpen, r.Type())
		requireFSErr(t, r, nil, uv.ENOENT)
		calls++
		r.Cleanup()
	}))
	require.Zero(t, calls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestFsFileNametoolong checks that a 65536-byte name fails with ENAMETOOLONG.
// libuv: fs_file_nametoolong
func TestFsFileNametoolong(t *testing.T) {
	fsDir(t)
	l := newLoop(t)
	name := strings.Repeat("a", 65536)
	var req handles.FS
	err := handles.FSOpenFile(nil, &req, name, uv.FsORdonly, 0, nil)
	requireFSErr(t, &req, err, uv.ENAMETOOLONG)
	req.Cleanup()

	calls := 0
	require.NoError(t, handles.FSOpenFile(l, &req, name, uv.FsORdonly, 0, func(r *handles.FS) {
		require.Equal(t, handles.FSOpen, r.Type())
		requireFSErr(t, r, nil, uv.ENAMETOOLONG)
		calls++
	}))
	require.Zero(t, calls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestFsFileLoop checks that opening a symlink to itself fails with ELOOP.
// libuv: fs_file_loop
func TestFsFileLoop(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	link := filepath.Join(dir, "test_symlink")
	var req handles.FS
	fsSymlink(t, link, link, 0)

	err := handles.FSOpenFile(nil, &req, link, uv.FsORdonly, 0, nil)
	requireFSErr(t, &req, err, uv.ELOOP)
	req.Cleanup()

	calls := 0
	require.NoError(t, handles.FSOpenFile(l, &req, link, uv.FsORdonly, 0, func(r *handles.FS) {
		require.Equal(t, handles.FSOpen, r.Type())
		requireFSErr(t, r, nil, uv.ELOOP)
		calls++
	}))
	require.Zero(t, calls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestFsFileAsync chains open, write, fdatasync, fsync, close, rename, read, ftruncate and
// unlink through callbacks, as libuv's fs_file_async does.
// libuv: fs_file_async
func TestFsFileAsync(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	file2 := filepath.Join(dir, "test_file2")

	var openReq, readReq, writeReq, closeReq, ftruncReq, fsyncReq, fdatasyncReq, renameReq, unlinkReq handles.FS
	var create, write, fsyncs, fdatasyncs, closes, opens, reads, ftruncs, renames, unlinks int
	buf := make([]byte, 32)
	fd := func() uv.OSFd { return uv.OSFd(openReq.Result) }

	var closeCb func(r *handles.FS)
	unlinkCb := func(r *handles.FS) {
		require.Same(t, &unlinkReq, r)
		require.Equal(t, handles.FSUnlink, r.Type())
		require.NoError(t, r.Err)
		unlinks++
		r.Cleanup()
	}
	closeCb = func(r *handles.FS) {
		require.Same(t, &closeReq, r)
		require.Equal(t, handles.FSClose, r.Type())
		require.NoError(t, r.Err)
		require.Zero(t, r.Result)
		closes++
		r.Cleanup()
		if closes == 3 {
			require.NoError(t, handles.FSUnlinkPath(l, &unlinkReq, file2, unlinkCb))
		}
	}
	ftruncCb := func(r *handles.FS) {
		require.Same(t, &ftruncReq, r)
		require.Equal(t, handles.FSFtruncate, r.Type())
		require.NoError(t, r.Err)
		ftruncs++
		r.Cleanup()
		require.NoError(t, handles.FSCloseFile(l, &closeReq, fd(), closeCb))
	}
	readCb := func(r *handles.FS) {
		require.Same(t, &readReq, r)
		require.Equal(t, handles.FSRead, r.Type())
		require.NoError(t, r.Err)
		require.GreaterOrEqual(t, r.Result, int64(0))
		reads++
		r.Cleanup()
		if reads == 1 {
			require.Equal(t, cstr(testBuf), cstr(buf))
			require.NoError(t, handles.FSFtruncateFile(l, &ftruncReq, fd(), 7, ftruncCb))
		} else {
			require.Equal(t, "test-bu", cstr(buf))
			require.NoError(t, handles.FSCloseFile(l, &closeReq, fd(), closeCb))
		}
	}
	openCb := func(r *handles.FS) {
		require.Same(t, &openReq, r)
		require.Equal(t, handles.FSOpen, r.Type())
		require.NoError(t, r.Err)
		require.GreaterOrEqual(t, r.Result, int64(0))
		opens++
		require.Equal(t, file2, r.Path)
		r.Cleanup()
		clear(buf)
		require.NoError(t, handles.FSReadFile(l, &readReq, fd(), [][]byte{buf}, -1, readCb))
	}
	fsyncCb := func(r *handles.FS) {
		require.Same(t, &fsyncReq, r)
		require.Equal(t, handles.FSFsync, r.Type())
		require.NoError(t, r.Err)
		fsyncs++
		r.Cleanup()
		require.NoError(t, handles.FSCloseFile(l, &closeReq, fd(), closeCb))
	}
	fdatasyncCb := func(r *handles.FS) {
		require.Same(t, &fdatasyncReq, r)
		require.Equal(t, handles.FSFdatasync, r.Type())
		require.NoError(t, r.Err)
		fdatasyncs++
		r.Cleanup()
		require.NoError(t, handles.FSFsyncFile(l, &fsyncReq, fd(), fsyncCb))
	}
	writeCb := func(r *handles.FS) {
		require.Same(t, &writeReq, r)
		require.Equal(t, handles.FSWrite, r.Type())
		require.NoError(t, r.Err)
		require.GreaterOrEqual(t, r.Result, int64(0))
		write++
		r.Cleanup()
		require.NoError(t, handles.FSFdatasyncFile(l, &fdatasyncReq, fd(), fdatasyncCb))
	}
	createCb := func(r *handles.FS) {
		require.Same(t, &openReq, r)
		require.Equal(t, handles.FSOpen, r.Type())
		require.NoError(t, r.Err)
		require.GreaterOrEqual(t, r.Result, int64(0))
		create++
		r.Cleanup()
		require.NoError(t, handles.FSWriteFile(l, &writeReq, fd(), [][]byte{testBuf}, -1, writeCb))
	}
	renameCb := func(r *handles.FS) {
		require.Same(t, &renameReq, r)
		require.Equal(t, handles.FSRename, r.Type())
		require.NoError(t, r.Err)
		renames++
		r.Cleanup()
	}

	require.NoError(t, handles.FSOpenFile(l, &openReq, file, uv.FsOWronly|uv.FsOCreat, 0o600, createCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, []int{1, 1, 1, 1, 1}, []int{create, write, fsyncs, fdatasyncs, closes})

	require.NoError(t, handles.FSRenamePath(l, &renameReq, file, file2, renameCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, []int{1, 1, 1, 1}, []int{create, write, closes, renames})

	require.NoError(t, handles.FSOpenFile(l, &openReq, file2, uv.FsORdwr, 0, openCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, []int{1, 1, 2, 1, 1, 1, 1}, []int{opens, reads, closes, renames, create, write, ftruncs})

	require.NoError(t, handles.FSOpenFile(l, &openReq, file2, uv.FsORdonly, 0, openCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, []int{2, 2, 3, 1, 1, 1, 1, 1}, []int{opens, reads, closes, renames, unlinks, create, write, ftruncs})
	_, err := os.Stat(file2)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestFsFileSync runs fs_file_async's sequence with synchronous calls.
// libuv: fs_file_sync
func TestFsFileSync(t *testing.T) {
	dir := fsDir(t)
	file := filepath.Join(dir, "test_file")
	file2 := filepath.Join(dir, "test_file2")
	var req handles.FS

	fd := fsOpen(t, file, uv.FsOWronly|uv.FsOCreat, 0o600)
	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))
	fsClose(t, fd)

	fd = fsOpen(t, file, uv.FsORdwr, 0)
	buf := make([]byte, 32)
	fsRead(t, fd, -1, buf)
	require.Equal(t, cstr(testBuf), cstr(buf))
	require.NoError(t, handles.FSFtruncateFile(nil, &req, fd, 7, nil))
	require.Zero(t, req.Result)
	fsClose(t, fd)

	require.NoError(t, handles.FSRenamePath(nil, &req, file, file2, nil))
	require.Zero(t, req.Result)

	fd = fsOpen(t, file2, uv.FsORdonly, 0)
	clear(buf)
	fsRead(t, fd, -1, buf)
	require.Equal(t, "test-bu", cstr(buf))
	fsClose(t, fd)

	require.NoError(t, handles.FSUnlinkPath(nil, &req, file2, nil))
	require.Zero(t, req.Result)
	_, err := os.Stat(file2)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestFsPosixDelete checks rmdir on a non-empty directory and on a file, and that a
// directory can be removed while a file it held is still open.
// libuv: fs_posix_delete
func TestFsPosixDelete(t *testing.T) {
	base := fsDir(t)
	dir := filepath.Join(base, "test_dir")
	file := filepath.Join(dir, "file")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, dir, 0o755, nil))
	fd := fsOpen(t, file, uv.FsOWronly|uv.FsOCreat, 0o600)

	err := handles.FSRmdirPath(nil, &req, dir, nil)
	require.True(t, errorIsOneOf(err, uv.ENOTEMPTY, uv.EEXIST), "rmdir of a non-empty directory: %v", err)
	require.Equal(t, req.Err, err)

	err = handles.FSRmdirPath(nil, &req, file, nil)
	require.True(t, errorIsOneOf(err, uv.ENOTDIR, uv.ENOENT), "rmdir of a file: %v", err)
	require.Equal(t, req.Err, err)

	require.NoError(t, handles.FSUnlinkPath(nil, &req, file, nil))
	err = handles.FSRmdirPath(nil, &req, dir, nil)
	if runtime.GOOS == "windows" && err == uv.ENOTEMPTY {
		// Without POSIX deletion (FAT, Windows before 10 1607, Wine) a removed file keeps its
		// name until its last handle closes: then the directory is empty.
		fsClose(t, fd)
		require.NoError(t, handles.FSRmdirPath(nil, &req, dir, nil), "rmdir once the file is closed")
		return
	}
	require.NoError(t, err, "rmdir with a file still open")
	fsClose(t, fd)
}

// errorIsOneOf reports whether err is one of the codes.
func errorIsOneOf(err error, codes ...*uv.Error) bool {
	for _, c := range codes {
		if err == c {
			return true
		}
	}
	return false
}

// TestFsFileWriteNullBuffer checks that writing one empty buffer writes nothing and succeeds.
// libuv: fs_file_write_null_buffer
func TestFsFileWriteNullBuffer(t *testing.T) {
	dir := fsDir(t)
	fd := fsOpen(t, filepath.Join(dir, "test_file"), uv.FsOWronly|uv.FsOCreat, 0o600)
	var req handles.FS
	require.NoError(t, handles.FSWriteFile(nil, &req, fd, [][]byte{nil}, -1, nil))
	require.Zero(t, req.Result)
	fsClose(t, fd)
}

// TestFsAsyncDir checks mkdir, scandir, stat, lstat, unlink and rmdir through callbacks and
// scandir synchronously.
// libuv: fs_async_dir
func TestFsAsyncDir(t *testing.T) {
	base := fsDir(t)
	l := newLoop(t)
	dir := filepath.Join(base, "test_dir")

	var mkdirReq handles.FS
	mkdirs := 0
	require.NoError(t, handles.FSMkdirPath(l, &mkdirReq, dir, 0o755, func(r *handles.FS) {
		require.Same(t, &mkdirReq, r)
		require.Equal(t, handles.FSMkdir, r.Type())
		require.NoError(t, r.Err)
		require.Equal(t, dir, r.Path)
		mkdirs++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, mkdirs)

	fsCreate(t, filepath.Join(dir, "file1"))
	fsCreate(t, filepath.Join(dir, "file2"))

	checkEntries := func(r *handles.FS) {
		n := 0
		for {
			d, err := r.ScandirNext()
			if err == uv.EOF {
				break
			}
			require.NoError(t, err)
			require.Contains(t, []string{"file1", "file2"}, d.Name)
			require.Contains(t, []uv.DirentType{uv.DirentFile, uv.DirentUnknown}, d.Type)
			n++
		}
		require.Equal(t, 2, n)
	}
	var scandirReq handles.FS
	scandirs := 0
	require.NoError(t, handles.FSScandirPath(l, &scandirReq, dir, 0, func(r *handles.FS) {
		require.Same(t, &scandirReq, r)
		require.Equal(t, handles.FSScandir, r.Type())
		require.EqualValues(t, 2, r.Result)
		checkEntries(r)
		require.Equal(t, dir, r.Path)
		scandirs++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, scandirs)

	require.NoError(t, handles.FSScandirPath(nil, &scandirReq, dir, 0, nil))
	require.EqualValues(t, 2, scandirReq.Result)
	checkEntries(&scandirReq)
	scandirReq.Cleanup()

	var statReq handles.FS
	stats := 0
	statCb := func(r *handles.FS) {
		require.Same(t, &statReq, r)
		require.Contains(t, []handles.FSType{handles.FSStat, handles.FSLstat}, r.Type())
		require.NoError(t, r.Err)
		require.NotZero(t, r.Statbuf.Mode&0o40000, "a directory")
		stats++
		r.Cleanup()
	}
	for _, p := range []string{dir, dir + "/"} {
		require.NoError(t, handles.FSStatPath(l, &statReq, p, statCb))
		run(t, l, uv.RunDefault)
		require.NoError(t, handles.FSLstatPath(l, &statReq, p, statCb))
		run(t, l, uv.RunDefault)
	}
	require.Equal(t, 4, stats)

	var unlinkReq handles.FS
	unlinks := 0
	unlinkCb := func(r *handles.FS) {
		require.Same(t, &unlinkReq, r)
		require.Equal(t, handles.FSUnlink, r.Type())
		require.NoError(t, r.Err)
		unlinks++
		r.Cleanup()
	}
	require.NoError(t, handles.FSUnlinkPath(l, &unlinkReq, filepath.Join(dir, "file1"), unlinkCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, unlinks)
	require.NoError(t, handles.FSUnlinkPath(l, &unlinkReq, filepath.Join(dir, "file2"), unlinkCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, unlinks)

	var rmdirReq handles.FS
	rmdirs := 0
	require.NoError(t, handles.FSRmdirPath(l, &rmdirReq, dir, func(r *handles.FS) {
		require.Same(t, &rmdirReq, r)
		require.Equal(t, handles.FSRmdir, r.Type())
		require.NoError(t, r.Err)
		require.Equal(t, dir, r.Path)
		rmdirs++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, rmdirs)
}

// testSendfile is libuv's test_sendfile: it copies a file from offset 1 with sendfile on the
// threadpool and checks the result.
func testSendfile(t *testing.T, contents []byte, want int64) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	file2 := filepath.Join(dir, "test_file2")
	require.NoError(t, os.WriteFile(file, contents, 0o600))

	in := fsOpen(t, file, uv.FsORdwr, 0)
	out := fsOpen(t, file2, uv.FsOWronly|uv.FsOCreat, 0o600)
	var req handles.FS
	calls := 0
	require.NoError(t, handles.FSSendfileTo(l, &req, out, in, 1, 131072, func(r *handles.FS) {
		require.Same(t, &req, r)
		require.Equal(t, handles.FSSendfile, r.Type())
		require.NoError(t, r.Err)
		require.Equal(t, want, r.Result)
		calls++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
	fsClose(t, in)
	fsClose(t, out)

	s1, s2 := fsStat(t, file), fsStat(t, file2)
	require.EqualValues(t, want, s2.Size)
	if want > 0 {
		require.Equal(t, s2.Size+1, s1.Size)
		fd := fsOpen(t, file2, uv.FsORdwr, 0)
		b := make([]byte, 1)
		fsRead(t, fd, -1, b)
		require.Equal(t, byte('e'), b[0], "the 'e' of begin")
		fsClose(t, fd)
	} else {
		require.Equal(t, s1.Size, s2.Size)
	}
}

// TestFsAsyncSendfile copies a sparse 65546-byte file from offset 1.
// libuv: fs_async_sendfile
func TestFsAsyncSendfile(t *testing.T) {
	contents := make([]byte, 6+65536+4)
	copy(contents, "begin\n")
	copy(contents[6+65536:], "end\n")
	testSendfile(t, contents, 65545)
}

// TestFsAsyncSendfileNodata copies from an empty file: 0 bytes.
// libuv: fs_async_sendfile_nodata
func TestFsAsyncSendfileNodata(t *testing.T) {
	testSendfile(t, nil, 0)
}

// checkMkdtemp is libuv's check_mkdtemp_result.
func checkMkdtemp(t *testing.T, r *handles.FS, dir string) {
	t.Helper()
	require.Equal(t, handles.FSMkdtemp, r.Type())
	require.NoError(t, r.Err)
	require.Zero(t, r.Result)
	require.Equal(t, dir, filepath.Dir(r.Path))
	name := filepath.Base(r.Path)
	require.Len(t, name, 15)
	require.True(t, strings.HasPrefix(name, "test_dir_"))
	require.NotEqual(t, "XXXXXX", name[9:])
	checkPermission(t, r.Path, 0o700)
	require.NotZero(t, fsStat(t, r.Path).Mode&0o40000, "a directory")
}

// TestFsMkdtemp creates temporary directories asynchronously and synchronously.
// libuv: fs_mkdtemp
func TestFsMkdtemp(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	tpl := filepath.Join(dir, "test_dir_XXXXXX")
	var req1, req2 handles.FS
	calls := 0
	require.NoError(t, handles.FSMkdtempPath(l, &req1, tpl, func(r *handles.FS) {
		require.Same(t, &req1, r)
		checkMkdtemp(t, r, dir)
		calls++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)

	require.NoError(t, handles.FSMkdtempPath(nil, &req2, tpl, nil))
	checkMkdtemp(t, &req2, dir)
	require.NotEqual(t, req1.Path, req2.Path)
}

// checkMkstemp is libuv's check_mkstemp_result.
func checkMkstemp(t *testing.T, r *handles.FS, dir string) {
	t.Helper()
	require.Equal(t, handles.FSMkstemp, r.Type())
	require.NoError(t, r.Err)
	require.GreaterOrEqual(t, r.Result, int64(0))
	require.Equal(t, dir, filepath.Dir(r.Path))
	name := filepath.Base(r.Path)
	require.Len(t, name, 16)
	require.True(t, strings.HasPrefix(name, "test_file_"))
	require.NotEqual(t, "XXXXXX", name[10:])
	checkPermission(t, r.Path, 0o600)
	require.NotZero(t, fsStat(t, r.Path).Mode&0o100000, "a regular file")
}

// TestFsMkstemp creates temporary files asynchronously and synchronously, checks that a bad
// template fails with EINVAL and an empty path, and that the files are usable.
// libuv: fs_mkstemp
func TestFsMkstemp(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	tpl := filepath.Join(dir, "test_file_XXXXXX")
	var req1, req2, req3 handles.FS
	calls := 0
	require.NoError(t, handles.FSMkstempPath(l, &req1, tpl, func(r *handles.FS) {
		require.Same(t, &req1, r)
		checkMkstemp(t, r, dir)
		calls++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)

	require.NoError(t, handles.FSMkstempPath(nil, &req2, tpl, nil))
	checkMkstemp(t, &req2, dir)
	require.NotEqual(t, req1.Path, req2.Path)

	err := handles.FSMkstempPath(nil, &req3, filepath.Join(dir, "test_file"), nil)
	requireFSErr(t, &req3, err, uv.EINVAL)
	require.Empty(t, req3.Path)

	fd1 := uv.OSFd(req1.Result)
	require.Equal(t, len(testBuf), fsWrite(t, fd1, -1, testBuf))
	fsClose(t, fd1)
	fsClose(t, uv.OSFd(req2.Result))

	fd := fsOpen(t, req1.Path, uv.FsORdonly, 0)
	buf := make([]byte, 32)
	fsRead(t, fd, -1, buf)
	require.Equal(t, cstr(testBuf), cstr(buf))
	fsClose(t, fd)
}

// TestFsFstatStdio checks that the standard input, output and error can be fstat'ed
// (descriptors 0, 1 and 2 on unix, the standard handles on Windows). On Windows a console is
// a character device and a pipe a FIFO, with nothing else to tell, as libuv checks.
// libuv: fs_fstat_stdio
func TestFsFstatStdio(t *testing.T) {
	for i, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
		var req handles.FS
		require.NoError(t, handles.FSFstatFile(nil, &req, uv.OSFd(f.Fd()), nil), "fd %d", i)
		require.Zero(t, req.Result)
		if runtime.GOOS == "windows" {
			switch st := req.Statbuf; st.Mode {
			case 0o020000: // a console
				require.EqualValues(t, 1, st.Nlink)
				require.EqualValues(t, 0x50<<16, st.Rdev, "FILE_DEVICE_CONSOLE")
			case 0o010000: // a pipe
				require.EqualValues(t, 1, st.Nlink)
				require.EqualValues(t, 0x11<<16, st.Rdev, "FILE_DEVICE_NAMED_PIPE")
			}
		}
	}
}

// TestFsFstatStDev checks that a file and a symlink to it stat to the same device.
// libuv: fs_fstat_st_dev
func TestFsFstatStDev(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "tmp_st_dev")
	link := filepath.Join(dir, "tmp_st_dev_link")
	fsClose(t, fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600))
	var req, linkReq handles.FS
	fsSymlink(t, file, link, 0)
	require.NoError(t, handles.FSStatPath(l, &req, file, nil))
	require.NoError(t, handles.FSStatPath(l, &linkReq, link, nil))
	require.Equal(t, req.Statbuf.Dev, linkReq.Statbuf.Dev)
}

// TestFsFstat compares fstat's result, field by field, with the host's own (fstat(2) on unix,
// GetFileInformationByHandle on Windows), and runs it asynchronously.
// libuv: fs_fstat
func TestFsFstat(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	l := newLoop(t)
	fd := fsOpen(t, path, uv.FsORdwr|uv.FsOCreat, 0o600)

	var req handles.FS
	require.NoError(t, handles.FSFstatFile(nil, &req, fd, nil))
	require.Zero(t, req.Result)
	fstatBirthCheck(t, fd, req.Statbuf)

	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))
	req.Statbuf = uv.Stat{Size: 0xaaaaaaaa, Mode: 0xaaaaaaaa}
	require.NoError(t, handles.FSFstatFile(nil, &req, fd, nil))
	require.Zero(t, req.Result)
	require.EqualValues(t, len(testBuf), req.Statbuf.Size)
	fstatHostCheck(t, fd, req.Statbuf)

	calls := 0
	require.NoError(t, handles.FSFstatFile(l, &req, fd, func(r *handles.FS) {
		require.Equal(t, handles.FSFstat, r.Type())
		require.NoError(t, r.Err)
		require.EqualValues(t, len(testBuf), r.Statbuf.Size)
		calls++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)

	fsClose(t, fd)
	require.False(t, run(t, l, uv.RunDefault), "no extra reference is left on the loop")
}

// TestFsChown changes owners to themselves with chown, fchown and lchown, and checks that
// giving a file to root fails with EPERM unless running as root. On Windows the chown family
// does nothing and succeeds, as in libuv.
// libuv: fs_chown
func TestFsChown(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	link := filepath.Join(dir, "test_file_link")
	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600)
	var req handles.FS

	require.NoError(t, handles.FSChownPath(nil, &req, file, -1, -1, nil))
	require.Zero(t, req.Result)
	require.NoError(t, handles.FSFchownFile(nil, &req, fd, -1, -1, nil))
	require.Zero(t, req.Result)

	chowns, fchowns, lchowns := 0, 0, 0
	require.NoError(t, handles.FSChownPath(l, &req, file, -1, -1, func(r *handles.FS) {
		require.Equal(t, handles.FSChown, r.Type())
		require.NoError(t, r.Err)
		chowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, chowns)

	chowns = 0
	require.NoError(t, handles.FSChownPath(l, &req, file, 0, 0, func(r *handles.FS) {
		require.Equal(t, handles.FSChown, r.Type())
		if runtime.GOOS == "windows" || os.Geteuid() == 0 {
			require.NoError(t, r.Err, "root may give files to root; Windows does nothing")
		} else {
			requireFSErr(t, r, nil, uv.EPERM)
		}
		chowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, chowns)

	require.NoError(t, handles.FSFchownFile(l, &req, fd, -1, -1, func(r *handles.FS) {
		require.Equal(t, handles.FSFchown, r.Type())
		require.NoError(t, r.Err)
		fchowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, fchowns)

	require.NoError(t, handles.FSLinkPath(nil, &req, file, link, nil))
	require.NoError(t, handles.FSLchownPath(nil, &req, link, -1, -1, nil))
	require.Zero(t, req.Result)
	require.NoError(t, handles.FSLchownPath(l, &req, link, -1, -1, func(r *handles.FS) {
		require.Equal(t, handles.FSLchown, r.Type())
		require.NoError(t, r.Err)
		lchowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, lchowns)

	fsClose(t, fd)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsFilePosAfterOpWithOffset checks that a write and a read at an offset leave the file
// position where it was.
// libuv: fs_file_pos_after_op_with_offset
func TestFsFilePosAfterOpWithOffset(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	l := newLoop(t)
	var req handles.FS
	require.NoError(t, handles.FSOpenFile(l, &req, path, uv.FsORdwr|uv.FsOCreat, 0o600, nil))
	require.Greater(t, req.Result, int64(0))
	fd := uv.OSFd(req.Result)
	defer fsClose(t, fd)

	require.Equal(t, len(testBuf), fsWrite(t, fd, 0, testBuf))
	require.Zero(t, seekCur(t, fd))
	buf := make([]byte, 32)
	require.Equal(t, len(testBuf), fsRead(t, fd, 0, buf))
	require.Equal(t, cstr(testBuf), cstr(buf))
	require.Zero(t, seekCur(t, fd))
}

// TestFsAccess checks access on a missing file, an existing one and a directory.
// libuv: fs_access
func TestFsAccess(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	var req handles.FS
	calls := 0
	accessCb := func(r *handles.FS) {
		require.Equal(t, handles.FSAccess, r.Type())
		calls++
		r.Cleanup()
	}

	err := handles.FSAccessPath(nil, &req, file, uv.AccessExists, nil)
	require.Error(t, err)
	require.Less(t, req.Result, int64(0))
	require.NoError(t, handles.FSAccessPath(l, &req, file, uv.AccessExists, accessCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
	require.ErrorIs(t, req.Err, uv.ENOENT)
	calls = 0

	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600)
	require.NoError(t, handles.FSAccessPath(nil, &req, file, uv.AccessExists, nil))
	require.Zero(t, req.Result)
	require.NoError(t, handles.FSAccessPath(l, &req, file, uv.AccessExists, accessCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
	require.NoError(t, req.Err)
	fsClose(t, fd)

	sub := filepath.Join(dir, "test_dir")
	require.NoError(t, handles.FSMkdirPath(nil, &req, sub, 0o777, nil))
	require.NoError(t, handles.FSAccessPath(nil, &req, sub, uv.AccessWrite, nil))
	require.Zero(t, req.Result)

	// Nothing is left referenced: the loop ends at once.
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsChmod changes modes with chmod and fchmod, synchronously and asynchronously.
// libuv: fs_chmod
func TestFsChmod(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600)
	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))

	var req handles.FS
	require.NoError(t, handles.FSChmodPath(nil, &req, file, 0o200, nil))
	require.Zero(t, req.Result)
	checkPermission(t, file, 0o200)

	require.NoError(t, handles.FSChmodPath(nil, &req, file, 0o400, nil))
	checkPermission(t, file, 0o400)

	require.NoError(t, handles.FSFchmodFile(nil, &req, fd, 0o600, nil))
	require.Zero(t, req.Result)
	checkPermission(t, file, 0o600)

	chmods, fchmods := 0, 0
	chmodCb := func(r *handles.FS) {
		require.Equal(t, handles.FSChmod, r.Type())
		require.NoError(t, r.Err)
		chmods++
		r.Cleanup()
		checkPermission(t, file, r.Data.(uint64))
	}
	req.Data = uint64(0o200)
	require.NoError(t, handles.FSChmodPath(l, &req, file, 0o200, chmodCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, chmods)
	chmods = 0

	req.Data = uint64(0o400)
	require.NoError(t, handles.FSChmodPath(l, &req, file, 0o400, chmodCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, chmods)

	req.Data = uint64(0o600)
	require.NoError(t, handles.FSFchmodFile(l, &req, fd, 0o600, func(r *handles.FS) {
		require.Equal(t, handles.FSFchmod, r.Type())
		require.NoError(t, r.Err)
		fchmods++
		r.Cleanup()
		checkPermission(t, file, r.Data.(uint64))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, fchmods)

	require.NoError(t, handles.FSCloseFile(l, &req, fd, nil))
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsUnlinkReadonly checks that a read-only file can be unlinked.
// libuv: fs_unlink_readonly
func TestFsUnlinkReadonly(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600)
	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))
	var req handles.FS
	require.NoError(t, handles.FSCloseFile(l, &req, fd, nil))

	require.NoError(t, handles.FSChmodPath(nil, &req, file, 0o400, nil))
	checkPermission(t, file, 0o400)
	require.NoError(t, handles.FSUnlinkPath(nil, &req, file, nil))
	require.Zero(t, req.Result)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsLink creates hard links synchronously and asynchronously and reads through them.
// libuv: fs_link
func TestFsLink(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	link1 := filepath.Join(dir, "test_file_link")
	link2 := filepath.Join(dir, "test_file_link2")
	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600)
	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))
	var req handles.FS
	require.NoError(t, handles.FSCloseFile(l, &req, fd, nil))

	require.NoError(t, handles.FSLinkPath(nil, &req, file, link1, nil))
	require.Zero(t, req.Result)
	readBack := func(p string) {
		fd := fsOpen(t, p, uv.FsORdwr, 0)
		buf := make([]byte, 32)
		fsRead(t, fd, 0, buf)
		require.Equal(t, cstr(testBuf), cstr(buf))
		fsClose(t, fd)
	}
	readBack(link1)

	calls := 0
	require.NoError(t, handles.FSLinkPath(l, &req, file, link2, func(r *handles.FS) {
		require.Equal(t, handles.FSLink, r.Type())
		require.NoError(t, r.Err)
		calls++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
	readBack(link2)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsReadlink checks readlink on a missing path (ENOENT) and on a regular file (EINVAL).
// libuv: fs_readlink
func TestFsReadlink(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	missing := filepath.Join(dir, "no_such_file")
	var req handles.FS
	calls := 0
	require.NoError(t, handles.FSReadlinkPath(l, &req, missing, func(*handles.FS) { calls++ }))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
	require.Empty(t, req.Link)
	requireFSErr(t, &req, nil, uv.ENOENT)
	req.Cleanup()

	err := handles.FSReadlinkPath(nil, &req, missing, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	require.Empty(t, req.Link)

	file := filepath.Join(dir, "test_file")
	fsCreate(t, file)
	err = handles.FSReadlinkPath(nil, &req, file, nil)
	requireFSErr(t, &req, err, uv.EINVAL)
}

// TestFsRealpath checks realpath on a missing path: ENOENT, synchronously and in the
// callback.
// libuv: fs_realpath
func TestFsRealpath(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	missing := filepath.Join(dir, "no_such_file")
	var req handles.FS
	calls := 0
	require.NoError(t, handles.FSRealpathPath(l, &req, missing, func(*handles.FS) { calls++ }))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
	require.Empty(t, req.Link)
	requireFSErr(t, &req, nil, uv.ENOENT)
	req.Cleanup()

	err := handles.FSRealpathPath(nil, &req, missing, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	require.Empty(t, req.Link)
}

// realDir is dir with its own symlinks resolved (t.TempDir may sit under a symlink), the
// prefix realpath results start with.
func realDir(t *testing.T, dir string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	return r
}

// TestFsSymlink creates symlinks (to a file and to a symlink) synchronously and
// asynchronously, reads through them and resolves them with readlink and realpath.
// libuv: fs_symlink
func TestFsSymlink(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	fd := fsOpen(t, p("test_file"), uv.FsORdwr|uv.FsOCreat, 0o600)
	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))
	var req handles.FS
	require.NoError(t, handles.FSCloseFile(l, &req, fd, nil))

	readBack := func(name string) {
		fd := fsOpen(t, p(name), uv.FsORdwr, 0)
		buf := make([]byte, 32)
		fsRead(t, fd, 0, buf)
		require.Equal(t, cstr(testBuf), cstr(buf))
		fsClose(t, fd)
	}

	fsSymlink(t, "test_file", p("test_file_symlink"), 0)
	readBack("test_file_symlink")

	require.NoError(t, handles.FSSymlinkPath(nil, &req, "test_file_symlink", p("test_file_symlink_symlink"), 0, nil))
	require.NoError(t, handles.FSReadlinkPath(nil, &req, p("test_file_symlink_symlink"), nil))
	require.Equal(t, "test_file_symlink", req.Link)
	require.NoError(t, handles.FSRealpathPath(nil, &req, p("test_file_symlink_symlink"), nil))
	require.Equal(t, filepath.Join(realDir(t, dir), "test_file"), req.Link)

	symlinks := 0
	require.NoError(t, handles.FSSymlinkPath(l, &req, "test_file", p("test_file_symlink2"), 0, func(r *handles.FS) {
		require.Equal(t, handles.FSSymlink, r.Type())
		require.NoError(t, r.Err)
		symlinks++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, symlinks)
	readBack("test_file_symlink2")

	require.NoError(t, handles.FSSymlinkPath(nil, &req, "test_file_symlink2", p("test_file_symlink2_symlink"), 0, nil))
	readlinks := 0
	require.NoError(t, handles.FSReadlinkPath(l, &req, p("test_file_symlink2_symlink"), func(r *handles.FS) {
		require.Equal(t, handles.FSReadlink, r.Type())
		require.NoError(t, r.Err)
		require.Equal(t, "test_file_symlink2", r.Link)
		readlinks++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, readlinks)

	realpaths := 0
	require.NoError(t, handles.FSRealpathPath(l, &req, p("test_file"), func(r *handles.FS) {
		require.Equal(t, handles.FSRealpath, r.Type())
		require.NoError(t, r.Err)
		require.Equal(t, filepath.Join(realDir(t, dir), "test_file"), r.Link)
		realpaths++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, realpaths)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsSymlinkDir links to a directory (with the directory flag, which only Windows uses)
// and checks stat, lstat, readlink, realpath and scandir through the link.
// libuv: fs_symlink_dir
func TestFsSymlinkDir(t *testing.T) {
	base := fsDir(t)
	newLoop(t)
	dir := filepath.Join(base, "test_dir")
	link := filepath.Join(base, "test_dir_symlink")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, dir, 0o777, nil))

	fsSymlink(t, "test_dir", link, uv.SymlinkDir)

	require.NoError(t, handles.FSStatPath(nil, &req, link, nil))
	require.NotZero(t, req.Statbuf.Mode&0o40000, "stat follows the link to the directory")
	require.NoError(t, handles.FSLstatPath(nil, &req, link, nil))
	require.EqualValues(t, 0o120000, req.Statbuf.Mode&0o170000, "lstat sees the link")
	require.EqualValues(t, len("test_dir"), req.Statbuf.Size)

	require.NoError(t, handles.FSReadlinkPath(nil, &req, link, nil))
	require.Equal(t, "test_dir", req.Link)
	require.NoError(t, handles.FSRealpathPath(nil, &req, link, nil))
	require.Equal(t, filepath.Join(realDir(t, base), "test_dir"), req.Link)

	fsCreate(t, filepath.Join(dir, "file1"))
	fsCreate(t, filepath.Join(dir, "file2"))
	scan := func(p string) {
		var sreq handles.FS
		require.NoError(t, handles.FSScandirPath(nil, &sreq, p, 0, nil))
		require.EqualValues(t, 2, sreq.Result)
		for {
			d, err := sreq.ScandirNext()
			if err == uv.EOF {
				break
			}
			require.NoError(t, err)
			require.Contains(t, []string{"file1", "file2"}, d.Name)
			require.Contains(t, []uv.DirentType{uv.DirentFile, uv.DirentUnknown}, d.Type)
		}
		sreq.Cleanup()
	}
	scan(link)

	require.NoError(t, handles.FSUnlinkPath(nil, &req, link, nil), "unlink removes the link")
	err := handles.FSScandirPath(nil, &req, link, 0, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	scan(dir)
}

// fsTime is libuv's double timestamps as Go times: sec plus a fraction of frac/100.
func fsTime(sec int64, hundredths int64) time.Time {
	return time.Unix(sec, hundredths*10_000_000)
}

// checkUtime is libuv's check_utime: the times path (or the link itself, with lutime) reports
// match what was set, to the second where the file system stores whole seconds; uv.UtimeNow
// means "recently". libuv does not compare the atime of a symlink exactly: reading the link
// may update it.
func checkUtime(t *testing.T, path string, atime, mtime time.Time, lutime bool) {
	t.Helper()
	var req handles.FS
	if lutime {
		require.NoError(t, handles.FSLstatPath(nil, &req, path, nil))
	} else {
		require.NoError(t, handles.FSStatPath(nil, &req, path, nil))
	}
	check := func(what string, got uv.Timespec, want time.Time, exact bool) {
		t.Helper()
		if want.Equal(uv.UtimeNow) {
			require.Greater(t, got.Sec, int64(1739710000), "%s set to now", what)
			return
		}
		if got.Nsec == 0 { // a file system with whole seconds may round either way
			trunc := want.Unix()
			if want.Nanosecond() != 0 && trunc < 0 {
				trunc++ // C's (long) truncates towards zero
			}
			if want.Unix() >= 0 || want.Nanosecond() == 0 {
				require.Equal(t, trunc, got.Sec, what)
			}
			require.GreaterOrEqual(t, got.Sec, trunc-1, what)
			require.LessOrEqual(t, got.Sec, trunc, what)
			return
		}
		require.GreaterOrEqual(t, got.Nsec, int64(0), what)
		if exact {
			require.Equal(t, want.Unix(), got.Sec, what)
			require.EqualValues(t, want.Nanosecond(), got.Nsec, what)
			require.True(t, got.Time().Equal(want), what)
		}
	}
	check("atime", req.Statbuf.Atim, atime, !lutime)
	check("mtime", req.Statbuf.Mtim, mtime, true)
}

// utimeFn is one of FSUtimePath, FSFutimeFile and FSLutimePath bound to its target.
type utimeFn func(l *uv.Loop, req *handles.FS, atime, mtime time.Time, cb func(*handles.FS)) error

// testUtimes is the body fs_utime, fs_futime and fs_lutime share: exact times, OMIT, NOW,
// then an asynchronous call checked in its callback.
func testUtimes(t *testing.T, l *uv.Loop, set utimeFn, typ handles.FSType, path string, lutime bool, async time.Time) {
	atime := fsTime(400497753, 25) // 1982-09-10 11:22:33.25
	mtime := atime
	var req handles.FS
	require.NoError(t, set(nil, &req, atime, mtime, nil))
	require.Zero(t, req.Result)
	checkUtime(t, path, atime, mtime, lutime)

	require.NoError(t, set(nil, &req, uv.UtimeOmit, uv.UtimeOmit, nil))
	checkUtime(t, path, atime, mtime, lutime)

	require.NoError(t, set(nil, &req, uv.UtimeNow, uv.UtimeOmit, nil))
	checkUtime(t, path, uv.UtimeNow, mtime, lutime)

	require.NoError(t, set(nil, &req, atime, mtime, nil))
	checkUtime(t, path, atime, mtime, lutime)

	require.NoError(t, set(nil, &req, uv.UtimeOmit, uv.UtimeNow, nil))
	checkUtime(t, path, atime, uv.UtimeNow, lutime)

	calls := 0
	require.NoError(t, set(l, &req, async, async, func(r *handles.FS) {
		require.Same(t, &req, r)
		require.NoError(t, r.Err)
		require.Equal(t, typ, r.Type())
		checkUtime(t, path, async, async, lutime)
		calls++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestFsUtime sets times on a path: exact, omitted, now.
// libuv: fs_utime
func TestFsUtime(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	path := filepath.Join(dir, "test_file")
	fsCreate(t, path)
	set := func(l *uv.Loop, req *handles.FS, a, m time.Time, cb func(*handles.FS)) error {
		return handles.FSUtimePath(l, req, path, a, m, cb)
	}
	testUtimes(t, l, set, handles.FSUtime, path, false, fsTime(1291404900, 25)) // 2010-12-03 20:35:00.25
}

// TestFsUtimeRound sets a time before 1970 with a fraction of a second.
// libuv: fs_utime_round
func TestFsUtimeRound(t *testing.T) {
	dir := fsDir(t)
	path := filepath.Join(dir, "test_file")
	fsCreate(t, path)
	ts := time.Unix(-14245441, 750_000_000) // -14245440.25: 1969-07-20T02:56:00.25Z
	var req handles.FS
	err := handles.FSUtimePath(nil, &req, path, ts, ts, nil)
	if err != nil && runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "freebsd" {
		require.ErrorIs(t, err, uv.EINVAL)
		t.Skip("this system rejects times before 1970")
	}
	require.NoError(t, err)
	require.Zero(t, req.Result)
	checkUtime(t, path, ts, ts, false)
}

// TestFsFutime sets times on an open file: exact, omitted, now.
// libuv: fs_futime
func TestFsFutime(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	path := filepath.Join(dir, "test_file")
	fsCreate(t, path)
	fd := fsOpen(t, path, uv.FsORdwr, 0)
	defer fsClose(t, fd)
	set := func(l *uv.Loop, req *handles.FS, a, m time.Time, cb func(*handles.FS)) error {
		return handles.FSFutimeFile(l, req, fd, a, m, cb)
	}
	testUtimes(t, l, set, handles.FSFutime, path, false, time.Unix(1291404900, 0)) // 2010-12-03 20:35:00
}

// TestFsLutime sets times on a symlink itself: exact, omitted, now.
// libuv: fs_lutime
func TestFsLutime(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	path := filepath.Join(dir, "test_file")
	link := filepath.Join(dir, "test_file_symlink")
	fsCreate(t, path)
	fsSymlink(t, path, link, 0)
	set := func(l *uv.Loop, req *handles.FS, a, m time.Time, cb func(*handles.FS)) error {
		return handles.FSLutimePath(l, req, link, a, m, cb)
	}
	testUtimes(t, l, set, handles.FSLutime, link, true, time.Unix(1291404900, 0))
}

// TestFsStatMissingPath checks that stat of a missing path fails with ENOENT.
// libuv: fs_stat_missing_path
func TestFsStatMissingPath(t *testing.T) {
	dir := fsDir(t)
	newLoop(t)
	var req handles.FS
	err := handles.FSStatPath(nil, &req, filepath.Join(dir, "non_existent_file"), nil)
	requireFSErr(t, &req, err, uv.ENOENT)
}

// TestFsScandirEmptyDir checks scandir of an empty directory: no entries, ScandirNext EOF.
// libuv: fs_scandir_empty_dir
func TestFsScandirEmptyDir(t *testing.T) {
	dir := filepath.Join(fsDir(t), "empty_dir") + "/"
	l := newLoop(t)
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, dir, 0o777, nil))

	// A request left with results from an earlier use must come back clean.
	require.NoError(t, handles.FSScandirPath(nil, &req, filepath.Dir(filepath.Dir(dir)), 0, nil))
	require.NoError(t, handles.FSScandirPath(nil, &req, dir, 0, nil))
	require.Zero(t, req.Result)
	_, err := req.ScandirNext()
	require.ErrorIs(t, err, uv.EOF)
	req.Cleanup()

	var scandirReq handles.FS
	calls := 0
	require.NoError(t, handles.FSScandirPath(l, &scandirReq, dir, 0, func(r *handles.FS) {
		require.Same(t, &scandirReq, r)
		require.Equal(t, handles.FSScandir, r.Type())
		require.NoError(t, r.Err)
		require.Zero(t, r.Result)
		_, err := r.ScandirNext()
		require.ErrorIs(t, err, uv.EOF)
		calls++
		r.Cleanup()
	}))
	require.Zero(t, calls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
	require.NoError(t, handles.FSRmdirPath(nil, &req, dir, nil))
}

// TestFsScandirNonExistentDir checks scandir of a missing directory: ENOENT, also from
// ScandirNext.
// libuv: fs_scandir_non_existent_dir
func TestFsScandirNonExistentDir(t *testing.T) {
	dir := filepath.Join(fsDir(t), "non_existent_dir") + "/"
	l := newLoop(t)
	var req handles.FS
	err := handles.FSScandirPath(nil, &req, dir, 0, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	_, err = req.ScandirNext()
	require.ErrorIs(t, err, uv.ENOENT)
	req.Cleanup()

	var scandirReq handles.FS
	calls := 0
	require.NoError(t, handles.FSScandirPath(l, &scandirReq, dir, 0, func(r *handles.FS) {
		require.Same(t, &scandirReq, r)
		require.Equal(t, handles.FSScandir, r.Type())
		requireFSErr(t, r, nil, uv.ENOENT)
		_, err := r.ScandirNext()
		require.ErrorIs(t, err, uv.ENOENT)
		calls++
		r.Cleanup()
	}))
	require.Zero(t, calls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestFsScandirFile checks scandir of a regular file: ENOTDIR.
// libuv: fs_scandir_file
func TestFsScandirFile(t *testing.T) {
	path := filepath.Join(fsDir(t), "empty_file")
	fsCreate(t, path)
	l := newLoop(t)
	var req handles.FS
	err := handles.FSScandirPath(nil, &req, path, 0, nil)
	requireFSErr(t, &req, err, uv.ENOTDIR)
	req.Cleanup()

	calls := 0
	require.NoError(t, handles.FSScandirPath(l, &req, path, 0, func(r *handles.FS) {
		require.Same(t, &req, r)
		require.Equal(t, handles.FSScandir, r.Type())
		requireFSErr(t, r, nil, uv.ENOTDIR)
		calls++
		r.Cleanup()
	}))
	require.Zero(t, calls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestFsScandirEarlyExit stops reading scandir results early: Cleanup releases the rest.
// libuv: fs_scandir_early_exit
func TestFsScandirEarlyExit(t *testing.T) {
	fixtures := fsDir(t)
	oneFile := filepath.Join(fixtures, "one_file")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, oneFile, 0o755, nil))
	fsCreate(t, filepath.Join(oneFile, "empty_file"))
	fsCreate(t, filepath.Join(fixtures, "empty_file"))

	for _, dir := range []string{oneFile, fixtures} {
		require.NoError(t, handles.FSScandirPath(nil, &req, dir, 0, nil))
		require.Greater(t, req.Result, int64(0))
		_, err := req.ScandirNext()
		require.NoError(t, err)
		req.Cleanup()
	}
}

// TestFsOpenDir opens a directory read-only, synchronously and asynchronously.
// libuv: fs_open_dir
func TestFsOpenDir(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	var req handles.FS
	require.NoError(t, handles.FSOpenFile(nil, &req, dir, uv.FsORdonly, 0, nil))
	require.GreaterOrEqual(t, req.Result, int64(0))
	fsClose(t, uv.OSFd(req.Result))

	calls := 0
	require.NoError(t, handles.FSOpenFile(l, &req, dir, uv.FsORdonly, 0, func(r *handles.FS) {
		require.Equal(t, handles.FSOpen, r.Type())
		require.NoError(t, r.Err)
		require.GreaterOrEqual(t, r.Result, int64(0))
		require.Equal(t, dir, r.Path)
		calls++
		fsClose(t, uv.OSFd(r.Result))
		r.Cleanup()
	}))
	require.Zero(t, calls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestFsFileOpenAppend appends to a file opened with O_APPEND.
// libuv: fs_file_open_append
func TestFsFileOpenAppend(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	fd := fsOpen(t, path, uv.FsOWronly|uv.FsOCreat, 0o600)
	fsWrite(t, fd, -1, testBuf)
	fsClose(t, fd)

	fd = fsOpen(t, path, uv.FsORdwr|uv.FsOAppend, 0)
	fsWrite(t, fd, -1, testBuf)
	fsClose(t, fd)

	fd = fsOpen(t, path, uv.FsORdonly, 0o400)
	buf := make([]byte, 32)
	require.Equal(t, 26, fsRead(t, fd, -1, buf))
	require.Equal(t, "test-buffer\n\x00test-buffer\n\x00", string(buf[:26]))
	fsClose(t, fd)
}

// TestFsRenameToExistingFile renames over an existing file.
// libuv: fs_rename_to_existing_file
func TestFsRenameToExistingFile(t *testing.T) {
	dir := fsDir(t)
	file := filepath.Join(dir, "test_file")
	file2 := filepath.Join(dir, "test_file2")
	fsCreate(t, file, testBuf)
	fsCreate(t, file2)
	var req handles.FS
	require.NoError(t, handles.FSRenamePath(nil, &req, file, file2, nil))
	require.Zero(t, req.Result)

	fd := fsOpen(t, file2, uv.FsORdonly, 0)
	buf := make([]byte, 32)
	fsRead(t, fd, -1, buf)
	require.Equal(t, cstr(testBuf), cstr(buf))
	fsClose(t, fd)
}

// loremIpsum stands in for libuv's fixture test/fixtures/lorem_ipsum.txt: 446 bytes.
var loremIpsum = func() []byte {
	const s = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor " +
		"incididunt ut labore et dolore magna aliqua. "
	b := bytes.Repeat([]byte(s), 4)[:445]
	return append(b, '\n')
}()

// TestFsReadBufs reads into several buffers at an offset, and checks that no buffers is
// EINVAL.
// libuv: fs_read_bufs
func TestFsReadBufs(t *testing.T) {
	path := filepath.Join(fsDir(t), "lorem_ipsum.txt")
	require.NoError(t, os.WriteFile(path, loremIpsum, 0o600))
	fd := fsOpen(t, path, uv.FsORdonly, 0)
	var req handles.FS
	for _, bufs := range [][][]byte{nil, {}} {
		err := handles.FSReadFile(nil, &req, fd, bufs, 0, nil)
		require.ErrorIs(t, err, uv.EINVAL)
	}

	scratch := make([]byte, 768)
	bufs := [][]byte{scratch[0:256], scratch[256:512], scratch[512:640], scratch[640:768]}
	require.NoError(t, handles.FSReadFile(nil, &req, fd, bufs[0:2], 0, nil))
	require.EqualValues(t, 446, req.Result)
	require.NoError(t, handles.FSReadFile(nil, &req, fd, bufs[2:4], 256, nil))
	require.EqualValues(t, 446-256, req.Result)
	require.Equal(t, bufs[1][0:128], bufs[2])
	require.Equal(t, bufs[1][128:190], bufs[3][:190-128])
	fsClose(t, fd)
}

// TestFsReadFileEof reads to the end of a file and then reads 0 bytes at the end.
// libuv: fs_read_file_eof
func TestFsReadFileEof(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	fsCreate(t, path, testBuf)
	fd := fsOpen(t, path, uv.FsORdonly, 0)
	buf := make([]byte, 32)
	n := fsRead(t, fd, -1, buf)
	require.Equal(t, cstr(testBuf), cstr(buf))
	require.Zero(t, fsRead(t, fd, int64(n), buf))
	fsClose(t, fd)
}

// TestFsWriteMultipleBufs writes two buffers at once and reads them back into two, at the
// current position and at offsets.
// libuv: fs_write_multiple_bufs
func TestFsWriteMultipleBufs(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	fd := fsOpen(t, path, uv.FsOWronly|uv.FsOCreat, 0o600)
	fsWrite(t, fd, 0, testBuf, testBuf2)
	fsClose(t, fd)

	fd = fsOpen(t, path, uv.FsORdonly, 0)
	defer fsClose(t, fd)
	buf, buf2 := make([]byte, 32), make([]byte, 32)
	require.Equal(t, len(testBuf)+len(testBuf2), fsRead(t, fd, -1, buf[:len(testBuf)], buf2[:len(testBuf2)]))
	require.Equal(t, cstr(testBuf), cstr(buf))
	require.Equal(t, cstr(testBuf2), cstr(buf2))
	require.Zero(t, fsRead(t, fd, -1, buf))

	clear(buf)
	clear(buf2)
	require.Equal(t, len(testBuf)+len(testBuf2), fsRead(t, fd, 0, buf[:len(testBuf)], buf2[:len(testBuf2)]))
	require.Equal(t, cstr(testBuf), cstr(buf))
	require.Equal(t, cstr(testBuf2), cstr(buf2))
	require.Zero(t, fsRead(t, fd, int64(len(testBuf)+len(testBuf2)), buf))
}

// iovMax is the buffer count one read fills at most (IOV_MAX on the systems uv-go runs on).
const iovMax = 1024

// TestFsWriteAlotofBufs writes 54321 buffers at once (all are written) and reads them back
// into as many (one read fills IOV_MAX of them).
// libuv: fs_write_alotof_bufs
func TestFsWriteAlotofBufs(t *testing.T) {
	const iovcount = 54321
	path := filepath.Join(fsDir(t), "test_file")
	fd := fsOpen(t, path, uv.FsORdwr|uv.FsOCreat, 0o600)
	iovs := make([][]byte, iovcount)
	for i := range iovs {
		iovs[i] = testBuf
	}
	require.Equal(t, len(testBuf)*iovcount, fsWrite(t, fd, -1, iovs...))
	fsClose(t, fd)

	buffer := make([]byte, len(testBuf)*iovcount)
	for i := range iovs {
		iovs[i] = buffer[i*len(testBuf) : (i+1)*len(testBuf)]
	}
	fd = fsOpen(t, path, uv.FsORdonly, 0)
	defer fsClose(t, fd)
	require.Equal(t, len(testBuf)*iovMax, fsRead(t, fd, -1, iovs...))
	for i := range iovMax {
		require.Equal(t, testBuf, iovs[i], "buffer %d", i)
	}
	require.Zero(t, fsRead(t, fd, int64(len(testBuf)*iovcount), make([]byte, 32)))
}

// TestFsWriteAlotofBufsWithOffset is fs_write_alotof_bufs at an offset after a filler.
// libuv: fs_write_alotof_bufs_with_offset
func TestFsWriteAlotofBufsWithOffset(t *testing.T) {
	const iovcount = 54321
	const filler = "0123456789"
	path := filepath.Join(fsDir(t), "test_file")
	fd := fsOpen(t, path, uv.FsORdwr|uv.FsOCreat, 0o600)
	defer fsClose(t, fd)
	offset := int64(fsWrite(t, fd, -1, []byte(filler)))
	require.EqualValues(t, len(filler), offset)

	iovs := make([][]byte, iovcount)
	for i := range iovs {
		iovs[i] = testBuf
	}
	written := fsWrite(t, fd, offset, iovs...)
	require.Equal(t, len(testBuf)*iovcount, written)

	buffer := make([]byte, len(testBuf)*iovcount)
	for i := range iovs {
		iovs[i] = buffer[i*len(testBuf) : (i+1)*len(testBuf)]
	}
	require.Equal(t, len(testBuf)*iovMax, fsRead(t, fd, offset, iovs...))
	for i := range iovMax {
		require.Equal(t, testBuf, iovs[i], "buffer %d", i)
	}
	require.EqualValues(t, offset+int64(written), fsStat(t, path).Size)
	require.Zero(t, fsRead(t, fd, offset+int64(written), make([]byte, 32)))
}

// TestFsReadDir checks that reading a directory descriptor fails with EISDIR (some BSDs may
// read it instead).
// libuv: fs_read_dir
func TestFsReadDir(t *testing.T) {
	dir := filepath.Join(fsDir(t), "test_dir")
	l := newLoop(t)
	var mkdirReq handles.FS
	mkdirs := 0
	require.NoError(t, handles.FSMkdirPath(l, &mkdirReq, dir, 0o755, func(r *handles.FS) {
		require.NoError(t, r.Err)
		require.Equal(t, dir, r.Path)
		mkdirs++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, mkdirs)

	var req handles.FS
	require.NoError(t, handles.FSOpenFile(l, &req, dir, uv.FsORdonly|uv.FsODirectory, 0o600, nil))
	fd := uv.OSFd(req.Result)
	err := handles.FSReadFile(nil, &req, fd, [][]byte{make([]byte, 2)}, 0, nil)
	switch runtime.GOOS {
	case "freebsd", "openbsd", "netbsd", "dragonfly", "aix", "solaris", "illumos":
		if err != nil {
			require.ErrorIs(t, err, uv.EISDIR)
		}
	default:
		requireFSErr(t, &req, err, uv.EISDIR)
	}
	fsClose(t, fd)
}

// TestFsReadWriteNullArguments checks that reads and writes without buffers fail with
// EINVAL at once: nothing is queued, no callback runs, and the loop is not kept alive.
// libuv: fs_read_write_null_arguments
func TestFsReadWriteNullArguments(t *testing.T) {
	fsDir(t)
	var readReq, writeReq handles.FS
	require.ErrorIs(t, handles.FSReadFile(nil, &readReq, 0, nil, -1, nil), uv.EINVAL)
	require.ErrorIs(t, handles.FSWriteFile(nil, &writeReq, 0, nil, -1, nil), uv.EINVAL)
	require.Empty(t, writeReq.Path)
	require.ErrorIs(t, handles.FSReadFile(nil, &readReq, 0, [][]byte{}, -1, nil), uv.EINVAL)
	require.ErrorIs(t, handles.FSWriteFile(nil, &writeReq, 0, [][]byte{}, -1, nil), uv.EINVAL)

	l := newLoop(t)
	fail := func(*handles.FS) { t.Error("callback of a rejected request") }
	for _, bufs := range [][][]byte{nil, {}} {
		require.ErrorIs(t, handles.FSReadFile(l, &readReq, 0, bufs, -1, fail), uv.EINVAL)
		require.False(t, run(t, l, uv.RunDefault))
		require.ErrorIs(t, handles.FSWriteFile(l, &writeReq, 0, bufs, -1, fail), uv.EINVAL)
		require.False(t, run(t, l, uv.RunDefault))
	}
	require.Zero(t, l.ActiveRequests())
}

// testFilePosCommon is libuv's fs_file_pos_common: reads at an offset leave the position,
// writes at the current position move it.
func testFilePosCommon(t *testing.T, fd uv.OSFd) {
	require.Equal(t, 3, fsWrite(t, fd, -1, []byte("abc")))
	b := make([]byte, 1)
	require.Equal(t, 1, fsRead(t, fd, 1, b), "read with offset")
	require.Equal(t, byte('b'), b[0])
	require.Zero(t, fsRead(t, fd, -1, make([]byte, 32)), "still at the end")
	require.Equal(t, 1, fsWrite(t, fd, -1, []byte("d")))
	require.Zero(t, fsRead(t, fd, -1, make([]byte, 32)))
}

// fsFilePosCloseCheck closes fd and checks the file holds contents.
func fsFilePosCloseCheck(t *testing.T, fd uv.OSFd, path, contents string) {
	fsClose(t, fd)
	fd = fsOpen(t, path, uv.FsORdonly, 0)
	buf := make([]byte, 32)
	require.Equal(t, len(contents), fsRead(t, fd, -1, buf))
	require.Equal(t, contents, string(buf[:len(contents)]))
	fsClose(t, fd)
}

// TestFsFilePosWrite checks that a write at an offset does not move the position. libuv runs
// it on Windows only, where positions are emulated; the behaviour is POSIX's.
// libuv: fs_file_pos_write
func TestFsFilePosWrite(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	fd := fsOpen(t, path, uv.FsOTrunc|uv.FsOCreat|uv.FsORdwr, 0o600)
	require.Greater(t, fd, uv.OSFd(0))
	testFilePosCommon(t, fd)
	require.Equal(t, 1, fsWrite(t, fd, 1, []byte("e")))
	require.Zero(t, fsRead(t, fd, -1, make([]byte, 32)))
	fsFilePosCloseCheck(t, fd, path, "aecd")
}

// TestFsFilePosAppend checks that on an O_APPEND file a write at an offset appends and does
// not move the position. libuv runs it on Windows only, where a handle opened for appending
// writes at the end whatever the offset; Linux's pwrite appends on O_APPEND files the same
// way.
// libuv: fs_file_pos_append
func TestFsFilePosAppend(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("pwrite on an O_APPEND file appends only on Linux (and Windows)")
	}
	fd := fsOpen(t, path, uv.FsOAppend|uv.FsOCreat|uv.FsORdwr, 0o600)
	require.Greater(t, fd, uv.OSFd(0))
	testFilePosCommon(t, fd)
	require.Equal(t, 1, fsWrite(t, fd, 1, []byte("e")))
	b := make([]byte, 32)
	require.Equal(t, 1, fsRead(t, fd, -1, b))
	require.Equal(t, byte('e'), b[0])
	fsFilePosCloseCheck(t, fd, path, "abcde")
}

// TestFsNullReq checks that every operation rejects a nil request with EINVAL, and that
// cleaning up a nil request does nothing.
// libuv: fs_null_req
func TestFsNullReq(t *testing.T) {
	fsDir(t)
	var zero time.Time
	errs := []error{
		handles.FSOpenFile(nil, nil, "", 0, 0, nil),
		handles.FSCloseFile(nil, nil, 0, nil),
		handles.FSReadFile(nil, nil, 0, nil, -1, nil),
		handles.FSWriteFile(nil, nil, 0, nil, -1, nil),
		handles.FSUnlinkPath(nil, nil, "", nil),
		handles.FSMkdirPath(nil, nil, "", 0, nil),
		handles.FSMkdtempPath(nil, nil, "", nil),
		handles.FSMkstempPath(nil, nil, "", nil),
		handles.FSRmdirPath(nil, nil, "", nil),
		handles.FSScandirPath(nil, nil, "", 0, nil),
		handles.FSLinkPath(nil, nil, "", "", nil),
		handles.FSSymlinkPath(nil, nil, "", "", 0, nil),
		handles.FSReadlinkPath(nil, nil, "", nil),
		handles.FSRealpathPath(nil, nil, "", nil),
		handles.FSChownPath(nil, nil, "", 0, 0, nil),
		handles.FSFchownFile(nil, nil, 0, 0, 0, nil),
		handles.FSStatPath(nil, nil, "", nil),
		handles.FSLstatPath(nil, nil, "", nil),
		handles.FSFstatFile(nil, nil, 0, nil),
		handles.FSRenamePath(nil, nil, "", "", nil),
		handles.FSFsyncFile(nil, nil, 0, nil),
		handles.FSFdatasyncFile(nil, nil, 0, nil),
		handles.FSFtruncateFile(nil, nil, 0, 0, nil),
		handles.FSCopyfilePath(nil, nil, "", "", 0, nil),
		handles.FSSendfileTo(nil, nil, 0, 0, 0, 0, nil),
		handles.FSAccessPath(nil, nil, "", 0, nil),
		handles.FSChmodPath(nil, nil, "", 0, nil),
		handles.FSFchmodFile(nil, nil, 0, 0, nil),
		handles.FSUtimePath(nil, nil, "", zero, zero, nil),
		handles.FSFutimeFile(nil, nil, 0, zero, zero, nil),
		handles.FSStatfsPath(nil, nil, "", nil),
	}
	for i, err := range errs {
		require.ErrorIs(t, err, uv.EINVAL, "call %d", i)
	}
	var req *handles.FS
	req.Cleanup() // a no-op
}

// checkStatfs is libuv's statfs_cb checks on a result.
func checkStatfs(t *testing.T, r *handles.FS) {
	t.Helper()
	require.Equal(t, handles.FSStatfs, r.Type())
	require.NoError(t, r.Err)
	require.Zero(t, r.Result)
	s := r.StatFs
	switch runtime.GOOS {
	case "windows", "solaris", "illumos", "aix", "openbsd", "netbsd":
		require.Zero(t, s.Type)
	default:
		require.Greater(t, s.Type, uint64(0))
	}
	require.Greater(t, s.Bsize, uint64(0))
	require.Greater(t, s.Frsize, uint64(0))
	require.Greater(t, s.Blocks, uint64(0))
	require.LessOrEqual(t, s.Bfree, s.Blocks)
	require.LessOrEqual(t, s.Bavail, s.Bfree)
	require.LessOrEqual(t, s.Ffree, s.Files)
}

// TestFsStatfs reports on the file system of a directory and of a file, synchronously and
// asynchronously.
// libuv: fs_statfs
func TestFsStatfs(t *testing.T) {
	dir := fsDir(t)
	file := filepath.Join(dir, "test_file")
	fsCreate(t, file)
	l := newLoop(t)
	var req, req1 handles.FS
	require.NoError(t, handles.FSStatfsPath(nil, &req, dir, nil))
	checkStatfs(t, &req)
	require.NoError(t, handles.FSStatfsPath(nil, &req, file, nil))
	checkStatfs(t, &req)

	calls := 0
	cb := func(r *handles.FS) {
		checkStatfs(t, r)
		calls++
		r.Cleanup()
	}
	require.NoError(t, handles.FSStatfsPath(l, &req, dir, cb))
	require.NoError(t, handles.FSStatfsPath(l, &req1, file, cb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, calls)
}

// TestFsGetSystemError checks that a failed request reports the host's errno.
// libuv: fs_get_system_error
func TestFsGetSystemError(t *testing.T) {
	dir := fsDir(t)
	var req handles.FS
	require.Error(t, handles.FSStatfsPath(nil, &req, filepath.Join(dir, "non_existing_file"), nil))
	require.Equal(t, int(uv.ENOENT.Errno()), req.SystemError())
	require.NotZero(t, req.SystemError())
}

// TestFsStatBatchMultiple queues 300 stats at once on one loop.
// libuv: fs_stat_batch_multiple
func TestFsStatBatchMultiple(t *testing.T) {
	dir := filepath.Join(fsDir(t), "test_dir")
	l := newLoop(t)
	var mkdirReq handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &mkdirReq, dir, 0o755, nil))
	reqs := make([]handles.FS, 300)
	calls := 0
	for i := range reqs {
		require.NoError(t, handles.FSStatPath(l, &reqs[i], dir, func(r *handles.FS) {
			require.Contains(t, []handles.FSType{handles.FSStat, handles.FSLstat}, r.Type())
			require.NoError(t, r.Err)
			require.Zero(t, r.Result)
			calls++
			r.Cleanup()
		}))
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, len(reqs), calls)
}
