//go:build linux || windows

package conformance_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// These are libuv's test-fs-event.c tests on inotify and on Windows (ReadDirectoryChangesW).
// libuv spaces its file operations with 100 ms timers to keep the kernel from merging events;
// here the next operation is done from the callback that saw the previous one, or after a
// 1 ms timer where nothing is expected to be seen (the kernel queues the event before the
// write or unlink that causes it returns, so the loop reads it in the poll phase that follows
// the timer that made it).

// fsevNew creates an fs event handle on l.
func fsevNew(t *testing.T, l *uv.Loop) *handles.FSEvent {
	t.Helper()
	h, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	return h
}

// fsevTimer creates a timer handle on l.
func fsevTimer(t *testing.T, l *uv.Loop) *handles.Timer {
	t.Helper()
	h, err := handles.NewTimer(l)
	require.NoError(t, err)
	return h
}

// fsevMkdir creates a directory (libuv's create_dir).
func fsevMkdir(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.Mkdir(path, 0o755))
}

// fsevCreate creates an empty file, opened write-only and closed (libuv's create_file).
func fsevCreate(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// fsevTouch writes four bytes to an existing file (libuv's touch_file).
func fsevTouch(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte("foo\x00"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// fsevFail is a callback that must never run (libuv's fail_cb).
func fsevFail(t *testing.T) func(*handles.FSEvent, string, int, error) {
	return func(_ *handles.FSEvent, name string, events int, err error) {
		t.Errorf("fs event callback must not run: %q events %d err %v", name, events, err)
	}
}

// TestFsEventWatchDir watches a directory while 16 files are created in it and then removed:
// every creation and every removal gives one callback, with the file's name and a rename
// event.
// libuv: fs_event_watch_dir
func TestFsEventWatchDir(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	const files = 16
	created, removed, cbCalled, closed := 0, 0, 0, 0
	expect := "" // the name of the file of the last operation
	next := func() {
		if created < files {
			expect = fmt.Sprintf("fsevent-%d", created)
			fsevCreate(t, filepath.Join(dir, expect))
			created++
			return
		}
		expect = fmt.Sprintf("fsevent-%d", removed)
		require.NoError(t, os.Remove(filepath.Join(dir, expect)))
		removed++
	}
	h := fsevNew(t, l)
	timer := fsevTimer(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		cbCalled++
		require.NoError(t, err)
		require.Equal(t, handles.Rename, events, "creation and removal are renames")
		require.True(t, strings.HasPrefix(name, "fsevent-"), name)
		require.Equal(t, expect, name, "one callback per operation, in order")
		if cbCalled == 2*files {
			require.NoError(t, timer.Close(func() { closed++ }))
			require.NoError(t, h.Close(func() { closed++ }))
			return
		}
		next()
	}, dir, 0))
	require.NoError(t, timer.Start(func(*handles.Timer) { next() }, 1, 0))
	run(t, l, uv.RunDefault)
	require.Equal(t, files, created)
	require.Equal(t, files, removed)
	require.Equal(t, created+removed, cbCalled)
	require.Equal(t, 2, closed)
}

// TestFsEventWatchDeleteDir removes a watched directory: one callback names the directory.
// libuv: fs_event_watch_delete_dir
func TestFsEventWatchDeleteDir(t *testing.T) {
	if fsUnderWine() {
		t.Skip("Wine keeps a removed directory while it is watched and reports nothing")
	}
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_del_dir")
	fsevMkdir(t, dir)
	cbCalled, closed := 0, 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		cbCalled++
		require.NoError(t, err)
		require.True(t, events == handles.Change || events == handles.Rename, "events %d", events)
		require.Equal(t, "watch_del_dir", name)
		require.NoError(t, h.Stop())
		require.NoError(t, h.Close(func() { closed++ }))
	}, dir, 0))
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		require.NoError(t, os.Remove(dir))
		require.NoError(t, timer.Close(func() { closed++ }))
	}, 1, 0))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, cbCalled)
	require.Equal(t, 2, closed)
}

// TestFsEventWatchDirRecursive watches a directory recursively while 16 files are created in
// a subdirectory and then removed: each gives one callback named "subdir/<file>" (with a
// backslash on Windows). libuv skips this test on Linux (its inotify backend is not
// recursive); uv-go watches subdirectories itself. A second recursive watcher on the parent directory, which libuv puts on "/", must
// see events too and closes itself in its third callback; walking the whole file system for
// "/" is out of reach of a unit test, so it watches the test's temporary directory.
// libuv: fs_event_watch_dir_recursive
func TestFsEventWatchDirRecursive(t *testing.T) {
	if fsUnderWine() {
		t.Skip("Wine's ReadDirectoryChangesW reports nothing below the first level, whatever bWatchSubtree says")
	}
	l := newLoop(t)
	root := fsDir(t)
	dir := filepath.Join(root, "watch_dir")
	fsevMkdir(t, dir)
	fsevMkdir(t, filepath.Join(dir, "subdir"))
	const files = 16
	created, removed, multiCalled, rootCalled, closed := 0, 0, 0, 0, 0
	expect := ""
	next := func() {
		if created < files {
			expect = filepath.Join("subdir", fmt.Sprintf("fsevent-%d", created))
			fsevCreate(t, filepath.Join(dir, expect))
			created++
			return
		}
		expect = filepath.Join("subdir", fmt.Sprintf("fsevent-%d", removed))
		require.NoError(t, os.Remove(filepath.Join(dir, expect)))
		removed++
	}
	h := fsevNew(t, l)
	timer := fsevTimer(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		if name == "subdir" {
			return // the subdirectory's own creation may be reported
		}
		multiCalled++
		require.NoError(t, err)
		require.True(t, events == handles.Change || events == handles.Rename, "events %d", events)
		require.True(t, strings.HasPrefix(name, "subdir"), name)
		require.Equal(t, expect, name, "one callback per operation, in order")
		if multiCalled == 2*files {
			require.Equal(t, files, removed)
			require.NoError(t, timer.Close(func() { closed++ }))
			require.NoError(t, h.Close(func() { closed++ }))
			return
		}
		next()
	}, dir, handles.FSEventRecursive))
	require.NoError(t, timer.Start(func(*handles.Timer) { next() }, 1, 0))

	rootH := fsevNew(t, l)
	require.NoError(t, rootH.Start(func(rootH *handles.FSEvent, name string, events int, err error) {
		require.NoError(t, err)
		require.Less(t, rootCalled, 3)
		rootCalled++
		require.True(t, strings.HasPrefix(name, filepath.FromSlash("watch_dir/subdir/fsevent-")), name)
		if rootCalled == 3 {
			require.NoError(t, rootH.Close(func() { closed++ }))
		}
	}, root, handles.FSEventRecursive))

	run(t, l, uv.RunDefault)
	require.Equal(t, created+removed, multiCalled)
	require.Equal(t, 3, rootCalled)
	require.Equal(t, 3, closed)
}

// TestFsEventWatchFile watches one of two files in a directory: touching the other gives no
// callback; touching the watched one gives a change event named after it.
// libuv: fs_event_watch_file
func TestFsEventWatchFile(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	file1, file2 := filepath.Join(dir, "file1"), filepath.Join(dir, "file2")
	fsevCreate(t, file1)
	fsevCreate(t, file2)
	cbCalled, timerCalled, closed := 0, 0, 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		cbCalled++
		require.NoError(t, err)
		require.Equal(t, handles.Change, events)
		require.Equal(t, "file2", name)
		require.NoError(t, h.Stop())
		require.NoError(t, h.Close(func() { closed++ }))
	}, file2, 0))
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		timerCalled++
		if timerCalled == 1 {
			fsevTouch(t, file1)
			return
		}
		fsevTouch(t, file2)
		require.NoError(t, timer.Close(func() { closed++ }))
	}, 1, 1))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, cbCalled)
	require.Equal(t, 2, timerCalled)
	require.Equal(t, 2, closed)
}

// TestFsEventWatchFileExactPath watches "file.jsx" and touches "file.js": no callback.
// libuv: fs_event_watch_file_exact_path
func TestFsEventWatchFileExactPath(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	fsevCreate(t, filepath.Join(dir, "file.js"))
	fsevCreate(t, filepath.Join(dir, "file.jsx"))
	h := fsevNew(t, l)
	require.NoError(t, h.Start(fsevFail(t), filepath.Join(dir, "file.jsx"), 0))
	timerCalled := 0
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		if timerCalled == 0 {
			fsevTouch(t, filepath.Join(dir, "file.js"))
		} else {
			require.NoError(t, timer.Close(nil))
			require.NoError(t, h.Stop())
			require.NoError(t, h.Close(nil))
		}
		timerCalled++
	}, 1, 1))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 2, timerCalled)
}

// TestFsEventWatchFileTwice starts two handles on the same file and closes both.
// libuv: fs_event_watch_file_twice
func TestFsEventWatchFileTwice(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(fsDir(t), "empty_file")
	fsevCreate(t, path)
	w0, w1 := fsevNew(t, l), fsevNew(t, l)
	require.NoError(t, w0.Start(fsevFail(t), path, 0))
	require.NoError(t, w1.Start(fsevFail(t), path, 0))
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		require.NoError(t, w0.Close(nil))
		require.NoError(t, w1.Close(nil))
		require.NoError(t, timer.Close(nil))
	}, 1, 0))
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsEventWatchFileCurrentDir watches a file by a name relative to the working directory;
// touching it gives a change event named after it. libuv touches after 1100 ms (for old
// macOS); here after 1 ms.
// libuv: fs_event_watch_file_current_dir
func TestFsEventWatchFileCurrentDir(t *testing.T) {
	t.Chdir(fsDir(t))
	l := newLoop(t)
	fsevCreate(t, "watch_file")
	cbCalled, touched, closed := 0, 0, 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		cbCalled++
		require.NoError(t, err)
		require.Equal(t, handles.Change, events)
		require.Equal(t, "watch_file", name)
		require.NoError(t, h.Close(func() { closed++ }))
	}, "watch_file", 0))
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		require.NoError(t, timer.Close(nil))
		fsevTouch(t, "watch_file")
		touched++
	}, 1, 0))
	require.Zero(t, touched)
	require.Zero(t, cbCalled)
	require.Zero(t, closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, touched)
	// libuv allows more than one callback (macOS may send two); inotify sends one, and the
	// handle is closed in it.
	require.Equal(t, 1, cbCalled)
	require.Equal(t, 1, closed)
}

// TestFsEventWatchInvalidPath starts on paths that do not exist: both fail and leave the
// handle inactive.
// libuv: fs_event_watch_invalid_path
func TestFsEventWatchInvalidPath(t *testing.T) {
	t.Chdir(fsDir(t))
	l := newLoop(t)
	h := fsevNew(t, l)
	err := h.Start(fsevFail(t), "<:;", 0)
	require.ErrorIs(t, err, uv.ENOENT)
	require.False(t, h.IsActive())
	err = h.Start(fsevFail(t), "", 0)
	require.ErrorIs(t, err, uv.ENOENT)
	require.False(t, h.IsActive())
}

// TestFsEventNoCallbackAfterClose closes a watcher and then touches its file: no callback.
// libuv: fs_event_no_callback_after_close
func TestFsEventNoCallbackAfterClose(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	file1 := filepath.Join(dir, "file1")
	fsevCreate(t, file1)
	closed := 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(fsevFail(t), file1, 0))
	require.NoError(t, h.Close(func() { closed++ }))
	fsevTouch(t, file1)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// TestFsEventNoCallbackOnClose closes a started watcher: no callback, one close callback.
// libuv: fs_event_no_callback_on_close
func TestFsEventNoCallbackOnClose(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	file1 := filepath.Join(dir, "file1")
	fsevCreate(t, file1)
	closed := 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(fsevFail(t), file1, 0))
	require.NoError(t, h.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// TestFsEventImmediateClose creates, starts (on ".") and closes a watcher inside a timer
// callback.
// libuv: fs_event_immediate_close
func TestFsEventImmediateClose(t *testing.T) {
	t.Chdir(fsDir(t))
	l := newLoop(t)
	closed := 0
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		h := fsevNew(t, timer.Loop())
		require.NoError(t, h.Start(fsevFail(t), ".", 0))
		require.NoError(t, h.Close(func() { closed++ }))
		require.NoError(t, timer.Close(func() { closed++ }))
	}, 1, 0))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closed)
}

// TestFsEventCloseWithPendingEvent closes a directory watcher while an event for it is
// queued: no callback.
// libuv: fs_event_close_with_pending_event
func TestFsEventCloseWithPendingEvent(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	fsevCreate(t, filepath.Join(dir, "file"))
	closed := 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(fsevFail(t), dir, 0))
	fsevTouch(t, filepath.Join(dir, "file"))
	require.NoError(t, h.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// TestFsEventCloseWithPendingDeleteEvent closes a file watcher while the events of the
// file's removal are queued: no callback. (libuv sleeps 1100 ms before closing, for
// Solaris's event ports; inotify has queued the events when unlink returns.)
// libuv: fs_event_close_with_pending_delete_event
func TestFsEventCloseWithPendingDeleteEvent(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	file := filepath.Join(dir, "file")
	fsevCreate(t, file)
	closed := 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(fsevFail(t), file, 0))
	require.NoError(t, os.Remove(file))
	require.NoError(t, h.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// TestFsEventCloseInCallback closes a directory watcher in its third callback while files
// keep being created: no fourth callback.
// libuv: fs_event_close_in_callback
func TestFsEventCloseInCallback(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	const files = 16
	created, cbCalled, closed := 0, 0, 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		require.NoError(t, err)
		require.Less(t, cbCalled, 3)
		cbCalled++
		if cbCalled == 3 {
			require.NoError(t, h.Close(func() { closed++ }))
		}
	}, dir, 0))
	timer := fsevTimer(t, l)
	var create func(*handles.Timer)
	create = func(timer *handles.Timer) {
		require.Less(t, created, files)
		fsevCreate(t, filepath.Join(dir, fmt.Sprintf("fsevent-%d", created)))
		created++
		if created < files {
			require.NoError(t, timer.Start(create, 1, 0))
		}
	}
	require.NoError(t, timer.Start(create, 1, 0))
	run(t, l, uv.RunDefault)
	require.NoError(t, timer.Close(func() { closed++ }))
	run(t, l, uv.RunOnce)
	require.Equal(t, files, created)
	require.Equal(t, 2, closed)
	require.Equal(t, 3, cbCalled)
}

// TestFsEventStartAndClose starts two watchers on one directory and closes both.
// libuv: fs_event_start_and_close
func TestFsEventStartAndClose(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(fsDir(t), "watch_dir")
	fsevMkdir(t, dir)
	closed := 0
	h1, h2 := fsevNew(t, l), fsevNew(t, l)
	require.NoError(t, h1.Start(fsevFail(t), dir, 0))
	require.NoError(t, h2.Start(fsevFail(t), dir, 0))
	require.NoError(t, h2.Close(func() { closed++ }))
	require.NoError(t, h1.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closed)
}

// TestFsEventGetpath checks that Path fails before Start and returns the path exactly as
// given, trailing and repeated slashes and ".." included. (libuv's ENOBUFS checks of a too
// small C buffer have no Go counterpart: Path returns a string.)
// libuv: fs_event_getpath
func TestFsEventGetpath(t *testing.T) {
	t.Chdir(fsDir(t))
	l := newLoop(t)
	fsevMkdir(t, "watch_dir")
	fsevMkdir(t, "watch_dir/subfolder")
	var h handles.FSEvent
	for _, dir := range []string{
		"watch_dir",
		"watch_dir/",
		"watch_dir///",
		"watch_dir/subfolder/..",
		"watch_dir//subfolder//..//",
	} {
		require.NoError(t, h.Init(l))
		_, err := h.Path()
		require.ErrorIs(t, err, uv.EINVAL)
		require.NoError(t, h.Start(fsevFail(t), dir, 0))
		p, err := h.Path()
		require.NoError(t, err)
		require.Equal(t, dir, p)
		require.NoError(t, h.Stop())
		closed := 0
		require.NoError(t, h.Close(func() { closed++ }))
		run(t, l, uv.RunDefault)
		require.Equal(t, 1, closed)
	}
}

// TestFsEventStopInCb stops the watcher in its callback: one callback, the loop ends, and
// closing it later calls nothing.
// libuv: fs_event_stop_in_cb
func TestFsEventStopInCb(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(fsDir(t), "fs_event_stop_in_cb.txt")
	fsevCreate(t, path)
	stopCalls, touched := 0, 0
	h := fsevNew(t, l)
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		require.NoError(t, h.Stop())
		stopCalls++
	}, path, 0))
	timer := fsevTimer(t, l)
	require.NoError(t, timer.Start(func(timer *handles.Timer) {
		require.NoError(t, timer.Close(nil))
		fsevTouch(t, path)
		touched++
	}, 1, 0))
	require.Zero(t, stopCalls)
	require.Zero(t, touched)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, stopCalls)
	require.Equal(t, 1, touched)
	require.NoError(t, h.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, stopCalls)
}

// TestFsEventRef checks that an unreferenced, started fs event handle does not keep the
// loop alive.
// libuv: fs_event_ref
func TestFsEventRef(t *testing.T) {
	t.Chdir(fsDir(t))
	l := newLoop(t)
	h := fsevNew(t, l)
	require.NoError(t, h.Start(fsevFail(t), ".", 0))
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}
