package handles_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

func TestFSWriteReadStatAsyncAndSync(t *testing.T) {
	l := mustLoop(t)
	path := filepath.Join(t.TempDir(), "f")
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
