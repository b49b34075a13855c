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

func TestSpawnExitStatusAndSignal(t *testing.T) {
	l := mustLoop(t)
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()

	type exit struct {
		status int64
		sig    int
	}
	var got []exit
	onExit := func(p *handles.Process, st int64, sig int) {
		got = append(got, exit{st, sig})
		p.Close(nil)
	}
	var a, b handles.Process
	require.NoError(t, handles.Spawn(l, &a, &handles.ProcessOptions{File: "sh", Args: []string{"sh", "-c", "echo hi; exit 3"},
		Stdio: []handles.StdioContainer{{}, {Flags: handles.StdioInheritFd, Fd: uv.OSFd(f.Fd())}}, Exit: onExit}))
	require.Greater(t, a.Pid(), 0)
	require.True(t, a.IsActive())
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, handles.Spawn(l, &b, &handles.ProcessOptions{File: "sh", Args: []string{"sh", "-c", "kill -TERM $$"}, Exit: onExit}))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, []exit{{3, 0}, {0, 15}}, got)
	data, _ := os.ReadFile(out)
	require.Equal(t, "hi\n", string(data))

	var c handles.Process
	err = handles.Spawn(l, &c, &handles.ProcessOptions{File: "program-that-had-better-not-exist"})
	require.ErrorIs(t, err, uv.ENOENT)
	require.False(t, c.IsActive())
	require.NoError(t, c.Close(nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}
