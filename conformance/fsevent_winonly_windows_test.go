package conformance_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The bodies of the Windows-only fs event tests of fsevent_winonly_test.go.

func fsEventWatchDeleteDirWin(t *testing.T) {
	if fsUnderWine() {
		t.Skip("Wine 8 keeps a removed directory while it is watched and reports nothing")
	}
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_del_dir")
	fsevMkdir(t, dir)
	gotENOENT, closed := false, 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		// The rename event naming the directory comes first; libuv's test waits for ENOENT.
		if err == uv.ENOENT {
			gotENOENT = true
			require.NoError(t, h.Close(func() { closed++ }))
		}
	}, dir, 0))
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		require.NoError(t, os.Remove(dir))
		require.NoError(t, timer.Close(func() { closed++ }))
	}, 1, 0))
	run(t, l, uv.RunDefault)
	require.True(t, gotENOENT)
	require.Equal(t, 2, closed)
}

// shortName returns the 8.3 name of the last element of path, or "" if it has none.
func shortName(t *testing.T, path string) string {
	t.Helper()
	p, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	buf := make([]uint16, windows.MAX_PATH)
	n, err := windows.GetShortPathName(p, &buf[0], uint32(len(buf)))
	require.NoError(t, err)
	require.Less(t, int(n), len(buf))
	short := filepath.Base(windows.UTF16ToString(buf[:n]))
	if short == filepath.Base(path) {
		return ""
	}
	return short
}

func fsEventWatchDirShortPath(t *testing.T) {
	l := newLoop(t)
	base := fsDir(t)
	dir := filepath.Join(base, "watch_dir")
	fsevMkdir(t, dir)
	fsevCreate(t, filepath.Join(dir, "file1"))

	// libuv guesses the name NTFS gives ("watch_~1") and skips if it does not address the
	// directory: newer Windows makes no 8.3 names by default. Asking the system for the short
	// name also covers systems that form them otherwise (Wine: "WATC~GB0").
	short := shortName(t, dir)
	if short == "" {
		t.Skip("Was not able to address files with 8.3 short name.")
	}
	short = filepath.Join(base, short)
	_, err := uv.FsStat(short)
	require.NoError(t, err, "stat by the short name")

	cbCalled, timerCalled, closed := 0, 0, 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		cbCalled++
		require.NoError(t, err)
		require.Equal(t, handles.Change, events)
		require.Equal(t, "file1", name)
		require.NoError(t, h.Stop())
		require.NoError(t, h.Close(func() { closed++ }))
	}, short, 0))
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(*handles.Timer) {
		timerCalled++
		fsevTouch(t, filepath.Join(dir, "file1"))
	}, 1, 0))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, cbCalled)
	require.Equal(t, 1, timerCalled)
	require.Equal(t, 1, closed)
}

func fsEventWatchFileRootDir(t *testing.T) {
	l := newLoop(t)
	drive := os.Getenv("SystemDrive")
	require.NotEmpty(t, drive)
	path := `\\?\` + drive[:1] + `:\bootsect.bak`
	h := fsevNew(t, l)
	err := h.Start(fsevFail(t), path, 0)
	if err == uv.ENOENT {
		// libuv skips here; bootsect.bak exists on some installations only. A file of this
		// test's own in the root does as well where this user may create one (under Wine,
		// or as an administrator).
		f, cerr := os.CreateTemp(drive+`\`, "uv-conformance-*.tmp")
		if cerr != nil {
			t.Skipf("bootsect.bak doesn't exist in system root, and no file can be made there: %v", cerr)
		}
		name := f.Name()
		require.NoError(t, f.Close())
		t.Cleanup(func() { os.Remove(name) })
		path = `\\?\` + name
		err = h.Start(fsevFail(t), path, 0)
	}
	require.NoError(t, err, "watch %s", path)
	p, err := h.Path()
	require.NoError(t, err)
	require.Equal(t, path, p)
	require.NoError(t, h.Close(nil))
	run(t, l, uv.RunDefault)
}
