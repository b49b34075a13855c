package conformance_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// Port of libuv's test/test-fs-copyfile.c.

// touchFile is libuv's touch_file: create or truncate name and write size bytes one at a time.
func touchFile(t *testing.T, name string, size int) {
	t.Helper()
	fd := fsOpen(t, name, uv.FsOWronly|uv.FsOCreat|uv.FsOTrunc, 0o600)
	for i := range size {
		fsWrite(t, fd, int64(i), []byte("a"))
	}
	fsClose(t, fd)
}

// TestFsCopyfile copies files: bad flags, a missing source, a file onto itself, new and
// existing destinations, EXCL, truncation, larger files, asynchronously, FICLONE and
// FICLONE_FORCE, and a read-only destination.
// libuv: fs_copyfile
func TestFsCopyfile(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	src := filepath.Join(dir, "test_file_src")
	dst := filepath.Join(dir, "test_file_dst")
	// libuv copies test/fixtures/load_error.node; any small file does.
	fixture := filepath.Join(dir, "load_error.node")
	require.NoError(t, os.WriteFile(fixture, []byte("foobar\n"), 0o644))
	checks := 0
	handleResult := func(r *handles.FS) {
		t.Helper()
		require.Equal(t, handles.FSCopyfile, r.Type())
		require.NoError(t, r.Err)
		require.Zero(t, r.Result)
		s, d := fsStat(t, r.Path), fsStat(t, dst)
		require.Equal(t, s.Size, d.Size)
		require.Equal(t, s.Mode, d.Mode)
		require.Equal(t, s.UID, d.UID)
		require.Equal(t, s.GID, d.GID)
		r.Cleanup()
		checks++
	}
	unlink := func(p string) { _ = os.Remove(p) }
	var req handles.FS

	err := handles.FSCopyfilePath(nil, &req, src, dst, -1, nil)
	require.ErrorIs(t, err, uv.EINVAL, "bad flags")

	err = handles.FSCopyfilePath(nil, &req, src, dst, 0, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	require.Error(t, handles.FSStatPath(nil, &req, dst, nil), "no destination was made")

	touchFile(t, src, 12)
	require.NoError(t, handles.FSCopyfilePath(nil, &req, src, src, 0, nil), "a file onto itself")
	require.EqualValues(t, 12, fsStat(t, src).Size, "and it is not truncated")
	unlink(src)

	require.NoError(t, handles.FSCopyfilePath(nil, &req, fixture, dst, 0, nil), "a new file")
	handleResult(&req)

	unlink(dst)
	touchFile(t, src, 0)
	require.NoError(t, handles.FSCopyfilePath(nil, &req, src, dst, 0, nil), "an empty file")
	handleResult(&req)

	require.NoError(t, handles.FSCopyfilePath(nil, &req, fixture, dst, 0, nil), "over an existing file")
	handleResult(&req)

	require.NoError(t, handles.FSChmodPath(nil, &req, dst, 0o644, nil))
	err = handles.FSCopyfilePath(nil, &req, fixture, dst, uv.CopyfileExcl, nil)
	requireFSErr(t, &req, err, uv.EEXIST)
	require.FileExists(t, dst, "EXCL leaves the existing file")

	require.NoError(t, handles.FSChmodPath(nil, &req, dst, 0o644, nil))
	touchFile(t, src, 1)
	require.NoError(t, handles.FSCopyfilePath(nil, &req, src, dst, 0, nil), "truncating a larger destination")
	handleResult(&req)

	unlink(dst)
	touchFile(t, src, 4096*2)
	require.NoError(t, handles.FSCopyfilePath(nil, &req, src, dst, 0, nil), "a larger file")
	handleResult(&req)
	unlink(src)

	unlink(dst)
	require.NoError(t, handles.FSCopyfilePath(l, &req, fixture, dst, 0, handleResult))
	require.Equal(t, 5, checks)
	run(t, l, uv.RunDefault)
	require.Equal(t, 6, checks)
	require.NoError(t, handles.FSChmodPath(nil, &req, dst, 0o644, nil))

	unlink(dst)
	fail := func(*handles.FS) { t.Error("callback of a rejected copyfile") }
	require.ErrorIs(t, handles.FSCopyfilePath(l, &req, fixture, dst, -1, fail), uv.EINVAL)
	require.False(t, run(t, l, uv.RunDefault), "a rejected request does not keep the loop alive")

	unlink(dst)
	require.NoError(t, handles.FSCopyfilePath(nil, &req, fixture, dst, uv.CopyfileFIClone, nil), "FICLONE falls back to copying")
	handleResult(&req)

	unlink(dst)
	err = handles.FSCopyfilePath(nil, &req, fixture, dst, uv.CopyfileFICloneForce, nil)
	if err == nil {
		handleResult(&req)
	} else {
		require.Less(t, req.Result, int64(0))
		require.NoFileExists(t, dst, "a failed copy removes the destination")
	}

	if runtime.GOOS != "windows" {
		unlink(dst)
		touchFile(t, dst, 0)
		require.NoError(t, os.Chmod(dst, 0o444))
		err = handles.FSCopyfilePath(nil, &req, fixture, dst, 0, nil)
		if os.Getuid() == 0 { // root may write a read-only file
			require.NoError(t, err)
			require.Zero(t, req.Result)
		} else {
			requireFSErr(t, &req, err, uv.EACCES)
		}
	}
}
