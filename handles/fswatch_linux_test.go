package handles_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The recursive flag watches subdirectories, including ones created after Start.
func TestFSEventRecursiveSeesNewSubdirectories(t *testing.T) {
	l := mustLoop(t)
	dir := t.TempDir()
	h, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	var names []string
	step := 0
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, ev int, err error) {
		require.NoError(t, err)
		names = append(names, name)
		switch {
		case name == "sub" && step == 0:
			step = 1
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "f"), []byte("x"), 0o644))
		case name == "sub/f" && step == 1:
			step = 2
			h.Close(nil)
		}
	}, dir, handles.FSEventRecursive))
	p, err := h.Path()
	require.NoError(t, err)
	require.Equal(t, dir, p)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	guard, _ := handles.NewTimer(l)
	guard.Start(func(t *handles.Timer) { t.Loop().Stop() }, 5000, 0)
	guard.Unref()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 2, step, "events seen: %v", names)
	guard.Close(nil)
	l.Run(uv.RunDefault)
	require.NoError(t, l.Close())
}

// FSPoll reports a change with the previous and current stat, and close waits for a stat
// in flight.
func TestFSPollReportsChange(t *testing.T) {
	l := mustLoop(t)
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, []byte("a"), 0o644))
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	ticks, _ := handles.NewTimer(l)
	calls := 0
	require.NoError(t, h.Start(func(h *handles.FSPoll, err error, prev, curr *uv.Stat) {
		calls++
		require.NoError(t, err)
		require.EqualValues(t, 1, prev.Size)
		require.EqualValues(t, 3, curr.Size)
		h.Close(nil)
		ticks.Close(nil)
	}, path, 5))
	// Change the file once the first stat has been taken.
	ticks.Start(func(*handles.Timer) { os.WriteFile(path, []byte("abc"), 0o644) }, 50, 0)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 1, calls)
	require.NoError(t, l.Close())
}
