//go:build unix

package handles_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// pipePath returns a socket path short enough for sun_path, in a directory removed when
// the test ends.
func pipePath(t *testing.T, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "uvp")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, name)
}

// pipeUnbindable returns a name next to path that cannot be bound: in a directory that does
// not exist.
func pipeUnbindable(path string) string { return filepath.Join(path, "no", "such", "dir") }

// pipeNeedIPC does nothing on unix, where pipes pass handles.
func pipeNeedIPC(t *testing.T) {}

// Chmod changes the bound path's permissions.
func TestPipeChmod(t *testing.T) {
	l := pipeLoop(t)
	path := pipePath(t, "c.sock")
	p, _ := handles.NewPipe(l, false)
	require.ErrorIs(t, p.Chmod(handles.Readable), uv.EBADF)
	require.NoError(t, p.Bind(path))
	require.ErrorIs(t, p.Chmod(4), uv.EINVAL)
	require.NoError(t, p.Chmod(handles.Readable))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o444), st.Mode().Perm())
	require.NoError(t, p.Chmod(handles.Readable|handles.Writable))
	st, err = os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o666), st.Mode().Perm())
	var nilPipe *handles.Pipe
	require.ErrorIs(t, nilPipe.Chmod(handles.Readable), uv.EBADF)
}
