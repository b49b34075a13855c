package conformance_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// Ports of libuv's test/test-fs-readdir.c: opendir, readdir and closedir. libuv's uv_dir_t
// takes a caller's dirents array and its size; here FSDir.NEntries is the size and the
// entries come back in the request's Dirents.

// TestFsReaddirEmptyDir opens, reads (nothing) and closes an empty directory, synchronously
// and through callbacks.
// libuv: fs_readdir_empty_dir
func TestFsReaddirEmptyDir(t *testing.T) {
	path := filepath.Join(fsDir(t), "empty_dir") + "/"
	l := newLoop(t)
	var mkdirReq handles.FS
	require.NoError(t, handles.FSMkdirPath(l, &mkdirReq, path, 0o777, nil))

	var opendirReq, readdirReq, closedirReq handles.FS
	require.NoError(t, handles.FSOpendirPath(l, &opendirReq, path, nil))
	require.Equal(t, handles.FSOpendir, opendirReq.Type())
	require.Zero(t, opendirReq.Result)
	require.NotNil(t, opendirReq.Dir)
	dir := opendirReq.Dir
	opendirReq.Cleanup()

	dir.NEntries = 1
	require.NoError(t, handles.FSReaddirDir(l, &readdirReq, dir, nil))
	require.Zero(t, readdirReq.Result)
	readdirReq.Cleanup()
	require.NoError(t, handles.FSClosedirDir(l, &closedirReq, dir, nil))
	require.Zero(t, closedirReq.Result)
	closedirReq.Cleanup()

	opens, closes := 0, 0
	require.NoError(t, handles.FSOpendirPath(l, &opendirReq, path, func(r *handles.FS) {
		require.Same(t, &opendirReq, r)
		require.Equal(t, handles.FSOpendir, r.Type())
		require.NoError(t, r.Err)
		require.NotNil(t, r.Dir)
		dir := r.Dir
		dir.NEntries = 1
		require.NoError(t, handles.FSReaddirDir(l, &readdirReq, dir, func(r *handles.FS) {
			require.Same(t, &readdirReq, r)
			require.Equal(t, handles.FSReaddir, r.Type())
			require.NoError(t, r.Err)
			require.Zero(t, r.Result)
			dir := r.Dir
			r.Cleanup()
			require.NoError(t, handles.FSClosedirDir(l, &closedirReq, dir, func(r *handles.FS) {
				require.Same(t, &closedirReq, r)
				require.Equal(t, handles.FSClosedir, r.Type())
				require.NoError(t, r.Err)
				closes++
				r.Cleanup()
			}))
		}))
		r.Cleanup()
		opens++
	}))
	require.Zero(t, opens)
	require.Zero(t, closes)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, opens)
	require.Equal(t, 1, closes)
	require.NoError(t, handles.FSRmdirPath(l, &mkdirReq, path, nil))
}

// TestFsReaddirNonExistingDir checks that opendir of a missing directory fails with ENOENT.
// libuv: fs_readdir_non_existing_dir
func TestFsReaddirNonExistingDir(t *testing.T) {
	path := filepath.Join(fsDir(t), "non-existing-dir") + "/"
	l := newLoop(t)
	var req handles.FS
	err := handles.FSOpendirPath(l, &req, path, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	require.Equal(t, handles.FSOpendir, req.Type())
	require.Nil(t, req.Dir)
	req.Cleanup()

	calls := 0
	require.NoError(t, handles.FSOpendirPath(l, &req, path, func(r *handles.FS) {
		require.Same(t, &req, r)
		require.Equal(t, handles.FSOpendir, r.Type())
		requireFSErr(t, r, nil, uv.ENOENT)
		require.Nil(t, r.Dir)
		calls++
		r.Cleanup()
	}))
	require.Zero(t, calls)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
}

// TestFsReaddirFile checks that opendir of a regular file fails with ENOTDIR.
// libuv: fs_readdir_file
func TestFsReaddirFile(t *testing.T) {
	path := filepath.Join(fsDir(t), "empty_file")
	fsCreate(t, path)
	l := newLoop(t)
	var req handles.FS
	err := handles.FSOpendirPath(l, &req, path, nil)
	requireFSErr(t, &req, err, uv.ENOTDIR)
	require.Nil(t, req.Dir)
	req.Cleanup()

	calls := 0
	require.NoError(t, handles.FSOpendirPath(l, &req, path, func(r *handles.FS) {
		require.Same(t, &req, r)
		require.Equal(t, handles.FSOpendir, r.Type())
		requireFSErr(t, r, nil, uv.ENOTDIR)
		require.Nil(t, r.Dir)
		calls++
		r.Cleanup()
	}))
	require.Zero(t, calls)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
}

// checkReaddirEntry checks one entry of test_dir: two files and a subdirectory, with types
// where the file system reports them.
func checkReaddirEntry(t *testing.T, d uv.Dirent) {
	t.Helper()
	require.Contains(t, []string{"file1", "file2", "test_subdir"}, d.Name)
	want := uv.DirentFile
	if d.Name == "test_subdir" {
		want = uv.DirentDir
	}
	require.Contains(t, []uv.DirentType{want, uv.DirentUnknown}, d.Type, d.Name)
}

// TestFsReaddirNonEmptyDir reads a directory of three entries one entry at a time,
// synchronously and through chained callbacks.
// libuv: fs_readdir_non_empty_dir
func TestFsReaddirNonEmptyDir(t *testing.T) {
	base := fsDir(t)
	l := newLoop(t)
	dirPath := filepath.Join(base, "test_dir")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(l, &req, dirPath, 0o755, nil))
	fsCreate(t, filepath.Join(dirPath, "file1"))
	fsCreate(t, filepath.Join(dirPath, "file2"))
	require.NoError(t, handles.FSMkdirPath(l, &req, filepath.Join(dirPath, "test_subdir"), 0o755, nil))

	var opendirReq, readdirReq, closedirReq handles.FS
	require.NoError(t, handles.FSOpendirPath(l, &opendirReq, dirPath, nil))
	require.Zero(t, opendirReq.Result)
	dir := opendirReq.Dir
	require.NotNil(t, dir)
	dir.NEntries = 1
	opendirReq.Cleanup()
	entries := 0
	for {
		require.NoError(t, handles.FSReaddirDir(l, &readdirReq, dir, nil))
		if readdirReq.Result == 0 {
			break
		}
		require.EqualValues(t, 1, readdirReq.Result)
		require.Len(t, readdirReq.Dirents, 1)
		checkReaddirEntry(t, readdirReq.Dirents[0])
		readdirReq.Cleanup()
		entries++
	}
	require.Equal(t, 3, entries)
	readdirReq.Cleanup()
	require.NoError(t, handles.FSClosedirDir(l, &closedirReq, dir, nil))
	require.Zero(t, closedirReq.Result)

	opens, reads, closes := 0, 0, 0
	var readCb func(r *handles.FS)
	readCb = func(r *handles.FS) {
		require.Same(t, &readdirReq, r)
		require.Equal(t, handles.FSReaddir, r.Type())
		require.NoError(t, r.Err)
		dir := r.Dir
		if r.Result == 0 {
			r.Cleanup()
			require.Equal(t, 3, reads)
			require.NoError(t, handles.FSClosedirDir(l, &closedirReq, dir, func(r *handles.FS) {
				require.Same(t, &closedirReq, r)
				require.NoError(t, r.Err)
				closes++
				r.Cleanup()
			}))
			return
		}
		require.EqualValues(t, 1, r.Result)
		checkReaddirEntry(t, r.Dirents[0])
		reads++
		r.Cleanup()
		dir.NEntries = 1
		require.NoError(t, handles.FSReaddirDir(l, &readdirReq, dir, readCb))
	}
	require.NoError(t, handles.FSOpendirPath(l, &opendirReq, dirPath, func(r *handles.FS) {
		require.Same(t, &opendirReq, r)
		require.Equal(t, handles.FSOpendir, r.Type())
		require.NoError(t, r.Err)
		require.NotNil(t, r.Dir)
		r.Dir.NEntries = 1
		require.NoError(t, handles.FSReaddirDir(l, &readdirReq, r.Dir, readCb))
		r.Cleanup()
		opens++
	}))
	require.Zero(t, opens)
	require.Zero(t, closes)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, opens)
	require.Equal(t, 1, closes)
}

// TestFsReaddirSymlink checks that readdir reports a symlink as a link, not as what it
// points to. libuv runs it on Windows only, where links are reparse points; on unix the
// entry type comes from the directory itself.
// libuv: fs_readdir_symlink
func TestFsReaddirSymlink(t *testing.T) {
	base := fsDir(t)
	l := newLoop(t)
	dirPath := filepath.Join(base, "test_symlink_dir")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(l, &req, dirPath, 0o755, nil))
	require.NoError(t, handles.FSMkdirPath(l, &req, filepath.Join(dirPath, "test_subdir"), 0o755, nil))
	fsSymlink(t, "test_subdir", filepath.Join(dirPath, "test_symlink"), uv.SymlinkDir)

	var opendirReq, readdirReq, closedirReq handles.FS
	links, closes := 0, 0
	require.NoError(t, handles.FSOpendirPath(l, &opendirReq, dirPath, func(r *handles.FS) {
		require.Same(t, &opendirReq, r)
		require.Equal(t, handles.FSOpendir, r.Type())
		require.NoError(t, r.Err)
		require.NotNil(t, r.Dir)
		r.Dir.NEntries = 2
		require.NoError(t, handles.FSReaddirDir(l, &readdirReq, r.Dir, func(r *handles.FS) {
			require.Same(t, &readdirReq, r)
			require.Equal(t, handles.FSReaddir, r.Type())
			require.NoError(t, r.Err)
			require.EqualValues(t, 2, r.Result)
			for _, d := range r.Dirents {
				if d.Name == "test_symlink" {
					require.Contains(t, []uv.DirentType{uv.DirentLink, uv.DirentUnknown}, d.Type)
					links++
				}
			}
			dir := r.Dir
			r.Cleanup()
			require.NoError(t, handles.FSClosedirDir(l, &closedirReq, dir, func(r *handles.FS) {
				require.NoError(t, r.Err)
				closes++
			}))
		}))
		r.Cleanup()
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, links)
	require.Equal(t, 1, closes)
}
