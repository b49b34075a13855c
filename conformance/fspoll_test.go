package conformance_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// These are libuv's test-fs-poll.c tests, plus fs_poll_ref from test-ref.c.

// fspollFixture returns the path of libuv's "testfile" fixture in a fresh directory; it does
// not exist yet.
func fspollFixture(t *testing.T) string {
	t.Helper()
	return filepath.Join(fsDir(t), "testfile")
}

// fspollTouch replaces path with a file of n bytes (libuv's touch_file gives each touch a new
// size, as the poller may miss sub-second mtime changes). The file is written under another
// name and renamed into place, so a stat running on the threadpool meanwhile never sees it
// half written. (Writing in place is not enough: a write updates the file's times before its
// size, and a stat between the two sees a change of time alone, which is then reported again
// with the size.) Windows refuses to rename over a file such a stat holds open for that
// moment: there the rename is tried again.
func fspollTouch(t *testing.T, path string, n int) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(strings.Repeat("*", n)), 0o644))
	err := os.Rename(tmp, path)
	for i := 0; err != nil && runtime.GOOS == "windows" && i < 1000; i++ {
		time.Sleep(time.Millisecond)
		err = os.Rename(tmp, path)
	}
	require.NoError(t, err)
}

// fspollFail is a callback that must never run (libuv's poll_cb_fail).
func fspollFail(t *testing.T) func(*handles.FSPoll, error, *uv.Stat, *uv.Stat) {
	return func(_ *handles.FSPoll, err error, _, _ *uv.Stat) {
		t.Errorf("fs poll callback must not run (err %v)", err)
	}
}

// fspollRunUntil runs l once at a time until *closed is set (libuv's
// `while (close_cb_called == 0) uv_run(&loop, UV_RUN_ONCE)`), with a bound so that a handle
// that never closes fails the test instead of hanging it.
func fspollRunUntil(t *testing.T, l *uv.Loop, closed *int) {
	t.Helper()
	for i := 0; *closed == 0; i++ {
		require.Less(t, i, 10000, "the close callback never ran")
		run(t, l, uv.RunOnce)
	}
}

// TestFsPoll polls a missing file, creates it, changes it twice and removes it: five
// callbacks with ENOENT, then each change with the previous and current stat, then ENOENT with
// the last stat as previous. libuv polls every 100 ms and spaces the changes by 20 ms and
// 200 ms; here the poll interval is 5 ms and the changes are 10 ms apart.
// libuv: fs_poll
func TestFsPoll(t *testing.T) {
	l := newLoop(t)
	fixture := fspollFixture(t)
	var zero uv.Stat
	pollCalled, timerCalled, closed, touches := 0, 0, 0, 0
	touch := func() {
		touches++
		fspollTouch(t, fixture, touches)
	}
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	onTimer := func(*handles.Timer) {
		touch()
		timerCalled++
	}
	require.NoError(t, h.Start(func(ph *handles.FSPoll, err error, prev, curr *uv.Stat) {
		require.Same(t, h, ph)
		require.True(t, ph.IsActive())
		require.NotNil(t, prev)
		require.NotNil(t, curr)
		switch pollCalled {
		case 0:
			require.ErrorIs(t, err, uv.ENOENT)
			require.Equal(t, zero, *prev)
			require.Equal(t, zero, *curr)
			touch()
		case 1:
			require.NoError(t, err)
			require.Equal(t, zero, *prev)
			require.NotEqual(t, zero, *curr)
			require.EqualValues(t, 1, curr.Size)
			require.NoError(t, timer.Start(onTimer, 10, 0))
		case 2:
			require.NoError(t, err)
			require.NotEqual(t, zero, *prev)
			require.NotEqual(t, zero, *curr)
			require.EqualValues(t, 1, prev.Size)
			require.EqualValues(t, 2, curr.Size)
			require.NoError(t, timer.Start(onTimer, 10, 0))
		case 3:
			require.NoError(t, err)
			require.NotEqual(t, zero, *prev)
			require.NotEqual(t, zero, *curr)
			require.EqualValues(t, 2, prev.Size)
			require.EqualValues(t, 3, curr.Size)
			require.NoError(t, os.Remove(fixture))
		case 4:
			require.ErrorIs(t, err, uv.ENOENT)
			require.NotEqual(t, zero, *prev)
			require.EqualValues(t, 3, prev.Size)
			require.Equal(t, zero, *curr)
			require.NoError(t, ph.Close(func() { closed++ }))
		default:
			t.Fatalf("poll callback called %d times", pollCalled+1)
		}
		pollCalled++
	}, fixture, 5))
	run(t, l, uv.RunDefault)
	require.Equal(t, 5, pollCalled)
	require.Equal(t, 2, timerCalled)
	require.Equal(t, 1, closed)
	require.NoError(t, timer.Close(nil))
}

// TestFsPollGetpath checks that Path fails before Start and returns the polled path after.
// libuv: fs_poll_getpath
func TestFsPollGetpath(t *testing.T) {
	l := newLoop(t)
	fixture := fspollFixture(t)
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	_, err = h.Path()
	require.ErrorIs(t, err, uv.EINVAL)
	require.NoError(t, h.Start(fspollFail(t), fixture, 100))
	p, err := h.Path()
	require.NoError(t, err)
	require.Equal(t, fixture, p)
	closed := 0
	require.NoError(t, h.Close(func() { closed++ }))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, closed)
}

// TestFsPollCloseRequest closes a poll handle whose first stat is in flight: the close
// callback comes once the stat has finished, and the poll callback never runs.
// libuv: fs_poll_close_request
func TestFsPollCloseRequest(t *testing.T) {
	l := newLoop(t)
	fixture := fspollFixture(t)
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	require.NoError(t, h.Start(fspollFail(t), fixture, 100))
	closed := 0
	require.NoError(t, h.Close(func() { closed++ }))
	fspollRunUntil(t, l, &closed)
	require.Equal(t, 1, closed)
}

// TestFsPollCloseRequestMultiStartStop starts and stops a poll handle ten times, then closes
// it.
// libuv: fs_poll_close_request_multi_start_stop
func TestFsPollCloseRequestMultiStartStop(t *testing.T) {
	l := newLoop(t)
	fixture := fspollFixture(t)
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	for range 10 {
		require.NoError(t, h.Start(fspollFail(t), fixture, 100))
		require.NoError(t, h.Stop())
	}
	closed := 0
	require.NoError(t, h.Close(func() { closed++ }))
	fspollRunUntil(t, l, &closed)
	require.Equal(t, 1, closed)
}

// TestFsPollCloseRequestMultiStopStart stops and starts a poll handle ten times, then closes
// it while it is active.
// libuv: fs_poll_close_request_multi_stop_start
func TestFsPollCloseRequestMultiStopStart(t *testing.T) {
	l := newLoop(t)
	fixture := fspollFixture(t)
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	for range 10 {
		require.NoError(t, h.Stop())
		require.NoError(t, h.Start(fspollFail(t), fixture, 100))
	}
	closed := 0
	require.NoError(t, h.Close(func() { closed++ }))
	fspollRunUntil(t, l, &closed)
	require.Equal(t, 1, closed)
}

// TestFsPollCloseRequestStopWhenActive stops a poll handle while its timer is pending (after
// the first stat), runs the loop, then closes it (libuv issue 2287: this crashed).
// libuv: fs_poll_close_request_stop_when_active
func TestFsPollCloseRequestStopWhenActive(t *testing.T) {
	l := newLoop(t)
	fixture := fspollFixture(t)
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	polled := 0
	require.NoError(t, h.Start(func(*handles.FSPoll, error, *uv.Stat, *uv.Stat) { polled++ }, fixture, 100))
	run(t, l, uv.RunOnce)
	require.Equal(t, 1, polled, "the first stat (ENOENT) is reported in the first iteration")
	require.NoError(t, h.Stop())
	run(t, l, uv.RunOnce)
	closed := 0
	require.NoError(t, h.Close(func() { closed++ }))
	run(t, l, uv.RunOnce)
	require.Equal(t, 1, closed)
}

// TestFsPollRef checks that an unreferenced poll handle does not keep the loop alive: the
// run ends once the first stat is done. libuv passes a NULL callback, which uv-go does not
// accept; the port passes one that fails the test.
// libuv: fs_poll_ref
func TestFsPollRef(t *testing.T) {
	t.Chdir(fspollFixtureDir(t))
	l := newLoop(t)
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	require.NoError(t, h.Start(fspollFail(t), ".", 999))
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}

// fspollFixtureDir returns a fresh directory.
func fspollFixtureDir(t *testing.T) string {
	t.Helper()
	return filepath.Dir(fspollFixture(t))
}
