package handles_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
	"golang.org/x/sys/unix"
)

// fsevEvent is one callback of an fs event handle.
type fsevEvent struct {
	name   string
	events int
}

// fsevRun runs l until its handles are closed, with a 5 s guard timer (unreferenced) that
// stops the loop so that a missing event fails the test instead of hanging it.
func fsevRun(t *testing.T, l *uv.Loop) {
	t.Helper()
	guard, err := handles.NewTimer(l)
	require.NoError(t, err)
	fired := false
	require.NoError(t, guard.Start(func(g *handles.Timer) {
		fired = true
		g.Loop().Stop()
	}, 5000, 0))
	guard.Unref()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	if fired {
		fsevClose(t, l)
		t.Fatal("guard timer: the loop did not finish")
	}
	require.NoError(t, guard.Close(nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
}

// fsevClose closes every handle of l, runs it and closes it.
func fsevClose(t *testing.T, l *uv.Loop) {
	t.Helper()
	l.Walk(func(h *uv.Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

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
	fsevRun(t, l)
	require.Equal(t, 2, step, "events seen: %v", names)
	fsevClose(t, l)
}

// Event kinds follow libuv's inotify mapping: a file's attribute change is a change; a
// directory's (the kernel adds IN_ISDIR) is change|rename, for an entry and for the watched
// directory itself, which reports its own base name.
func TestFSEventKindsForFilesAndDirectories(t *testing.T) {
	l := mustLoop(t)
	dir := filepath.Join(t.TempDir(), "watched")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), nil, 0o644))
	h, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	var got []fsevEvent
	steps := []func(){
		func() { require.NoError(t, os.Chmod(filepath.Join(dir, "f"), 0o600)) },
		func() { require.NoError(t, os.Chmod(filepath.Join(dir, "sub"), 0o700)) },
		func() { require.NoError(t, os.Chmod(dir, 0o700)) },
		func() { require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o600)) },
	}
	want := []fsevEvent{
		{"f", handles.Change},
		{"sub", handles.Change | handles.Rename},
		{"watched", handles.Change | handles.Rename},
		{"f", handles.Change},
	}
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, ev int, err error) {
		require.NoError(t, err)
		got = append(got, fsevEvent{name, ev})
		if len(got) == len(want) {
			h.Close(nil)
			return
		}
		steps[len(got)]()
	}, dir, 0))
	steps[0]()
	fsevRun(t, l)
	require.Equal(t, want, got)
	fsevClose(t, l)
}

// Removing a watched file gives libuv's three events (the link count, the removal, the end of
// the kernel watch); the handle stays active and reports nothing more.
func TestFSEventRemovedFile(t *testing.T) {
	l := mustLoop(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	h, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	var got []fsevEvent
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, ev int, err error) {
		require.NoError(t, err)
		got = append(got, fsevEvent{name, ev})
	}, path, 0))
	require.NoError(t, os.Remove(path))
	_, err = l.Run(uv.RunOnce)
	require.NoError(t, err)
	require.Equal(t, []fsevEvent{{"f", handles.Change}, {"f", handles.Rename}, {"f", handles.Rename}}, got)
	require.True(t, h.IsActive())
	// A new file of that name is another inode: the old watch does not see it.
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
	_, err = l.Run(uv.RunNoWait)
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.NoError(t, h.Stop())
	fsevClose(t, l)
}

// Two handles on one file share the kernel watch: both see an event, and stopping one leaves
// the other watching. Each reports its own path's base name, also through a hard link (libuv
// reports the first handle's name to both).
func TestFSEventSameFileTwice(t *testing.T) {
	l := mustLoop(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	require.NoError(t, os.WriteFile(a, nil, 0o644))
	require.NoError(t, os.Link(a, b))
	ha, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	hb, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	var gotA, gotB []string
	require.NoError(t, ha.Start(func(h *handles.FSEvent, name string, ev int, err error) {
		gotA = append(gotA, name)
	}, a, 0))
	require.NoError(t, hb.Start(func(h *handles.FSEvent, name string, ev int, err error) {
		gotB = append(gotB, name)
	}, b, 0))
	require.NoError(t, os.WriteFile(a, []byte("x"), 0o644))
	_, err = l.Run(uv.RunOnce)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, gotA)
	require.Equal(t, []string{"b"}, gotB)
	require.NoError(t, ha.Stop())
	require.NoError(t, os.WriteFile(b, []byte("y"), 0o644))
	_, err = l.Run(uv.RunOnce)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, gotA)
	require.Equal(t, []string{"b", "b"}, gotB)
	fsevClose(t, l)
}

// A handle stopped and started again from another handle's callback does not get the event
// being delivered (libuv moves the watcher list aside while it calls back).
func TestFSEventRestartInOtherCallback(t *testing.T) {
	l := mustLoop(t)
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	ha, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	hb, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	calledA, calledB := 0, 0
	cbB := func(*handles.FSEvent, string, int, error) { calledB++ }
	require.NoError(t, ha.Start(func(h *handles.FSEvent, name string, ev int, err error) {
		calledA++
		require.NoError(t, hb.Stop())
		require.NoError(t, hb.Start(cbB, path, 0))
	}, path, 0))
	require.NoError(t, hb.Start(cbB, path, 0))
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
	_, err = l.Run(uv.RunOnce)
	require.NoError(t, err)
	require.Equal(t, 1, calledA)
	require.Zero(t, calledB)
	fsevClose(t, l)
}

// A recursive watcher follows a tree made at once (mkdir -p and a file inside, before the
// watch on the new directories exists: those entries are reported when the directory's
// creation is), a directory renamed inside the tree (its watches take the new name), a
// directory moved out (no more events from it) and a removed directory (reported once, by its
// parent).
func TestFSEventRecursiveTreeChanges(t *testing.T) {
	l := mustLoop(t)
	top := t.TempDir()
	root := filepath.Join(top, "root")
	require.NoError(t, os.Mkdir(root, 0o755))
	h, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	seen := map[string]int{}
	var order []string
	var wait string
	var steps []func()
	step := 0
	advance := func() {
		if step == len(steps) {
			h.Close(nil)
			return
		}
		step++
		steps[step-1]()
	}
	expect := func(name string, do func()) {
		steps = append(steps, func() {
			wait = name
			do()
		})
	}
	expect("a/b/c/f", func() {
		require.NoError(t, os.MkdirAll(filepath.Join(root, "a", "b", "c"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, "a", "b", "c", "f"), nil, 0o644))
	})
	expect("a/b/c/g", func() {
		require.NoError(t, os.WriteFile(filepath.Join(root, "a", "b", "c", "g"), nil, 0o644))
	})
	expect("z", func() { require.NoError(t, os.Rename(filepath.Join(root, "a"), filepath.Join(root, "z"))) })
	expect("z/b/c/h", func() {
		require.NoError(t, os.WriteFile(filepath.Join(root, "z", "b", "c", "h"), nil, 0o644))
	})
	expect("z/b", func() { require.NoError(t, os.Rename(filepath.Join(root, "z", "b"), filepath.Join(top, "out"))) })
	expect("z/i", func() {
		// out/c/i is outside the tree now: only z/i may be reported.
		require.NoError(t, os.WriteFile(filepath.Join(top, "out", "c", "i"), nil, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(root, "z", "i"), nil, 0o644))
	})
	expect("z/d", func() {
		require.NoError(t, os.Mkdir(filepath.Join(root, "z", "d"), 0o755))
		require.NoError(t, os.Remove(filepath.Join(root, "z", "d")))
	})
	require.NoError(t, h.Start(func(h *handles.FSEvent, name string, ev int, err error) {
		require.NoError(t, err)
		seen[name]++
		order = append(order, name)
		if name == wait && (name != "z/d" || seen[name] == 2) {
			advance()
		}
	}, root, handles.FSEventRecursive))
	advance()
	fsevRun(t, l)
	require.Equal(t, len(steps), step, "events: %v", order)
	for _, name := range []string{"a", "a/b", "a/b/c", "a/b/c/f", "a/b/c/g", "z", "z/b/c/h", "z/b", "z/i"} {
		require.NotZero(t, seen[name], "%s not reported; events: %v", name, order)
	}
	require.Equal(t, 2, seen["z/d"], "created and removed, each once: %v", order)
	require.Zero(t, seen["z/b/c/i"], "a directory moved out is not watched any more: %v", order)
	require.Zero(t, seen["a/b/c/h"], "a renamed directory reports under its new name: %v", order)
	fsevClose(t, l)
}

// Delivering an event to a file watcher allocates nothing.
func TestFSEventDispatchAllocs(t *testing.T) {
	if testutil.RaceBuild() {
		t.Skip("allocation counts are not meaningful under -race")
	}
	l := mustLoop(t)
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	fd, err := unix.Open(path, unix.O_WRONLY, 0)
	require.NoError(t, err)
	defer unix.Close(fd)
	h, err := handles.NewFSEvent(l)
	require.NoError(t, err)
	calls := 0
	require.NoError(t, h.Start(func(*handles.FSEvent, string, int, error) { calls++ }, path, 0))
	buf := []byte("x")
	allocs := testing.AllocsPerRun(100, func() {
		unix.Write(fd, buf)
		l.Run(uv.RunOnce)
	})
	require.Zero(t, allocs)
	require.Equal(t, 101, calls)
	fsevClose(t, l)
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

// A stat still in flight from before Stop does not count for the next Start (here on another
// path): the new period's first result is its own.
func TestFSPollRestartDropsStaleStat(t *testing.T) {
	l := mustLoop(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	require.NoError(t, os.WriteFile(a, []byte("a"), 0o644))
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	fail := func(*handles.FSPoll, error, *uv.Stat, *uv.Stat) { t.Error("callback of the first start") }
	require.NoError(t, h.Start(fail, a, 1))
	require.NoError(t, h.Stop())
	calls := 0
	require.NoError(t, h.Start(func(h *handles.FSPoll, err error, prev, curr *uv.Stat) {
		calls++
		require.ErrorIs(t, err, uv.ENOENT)
		require.Equal(t, uv.Stat{}, *prev, "prev must not be the stat of the other path")
		require.Equal(t, uv.Stat{}, *curr)
		h.Close(nil)
	}, b, 1))
	fsevRun(t, l)
	require.Equal(t, 1, calls)
	fsevClose(t, l)
}

// Restarting the handle from its callback starts a fresh period: what the old one saw last
// is not the new one's previous stat.
func TestFSPollRestartInCallback(t *testing.T) {
	l := mustLoop(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	calls := 0
	var cbB func(*handles.FSPoll, error, *uv.Stat, *uv.Stat)
	cbB = func(h *handles.FSPoll, err error, prev, curr *uv.Stat) {
		calls++
		require.ErrorIs(t, err, uv.ENOENT)
		require.Equal(t, uv.Stat{}, *prev)
		h.Close(nil)
	}
	require.NoError(t, h.Start(func(h *handles.FSPoll, err error, prev, curr *uv.Stat) {
		calls++
		if err != nil { // a does not exist yet
			require.ErrorIs(t, err, uv.ENOENT)
			require.NoError(t, os.WriteFile(a, []byte("a"), 0o644))
			return
		}
		require.EqualValues(t, 1, curr.Size)
		require.NoError(t, h.Stop())
		require.NoError(t, h.Start(cbB, b, 1))
	}, a, 1))
	fsevRun(t, l)
	require.Equal(t, 3, calls)
	fsevClose(t, l)
}

// A poll cycle (timer, stat on the threadpool, comparison, change callback) allocates nothing.
func TestFSPollCycleAllocs(t *testing.T) {
	if testutil.RaceBuild() {
		t.Skip("allocation counts are not meaningful under -race")
	}
	l := mustLoop(t)
	path := filepath.Join(t.TempDir(), "f")
	h, err := handles.NewFSPoll(l)
	require.NoError(t, err)
	calls := 0
	size := int64(-1)
	require.NoError(t, h.Start(func(h *handles.FSPoll, err error, prev, curr *uv.Stat) {
		calls++
		if err == nil {
			size = int64(curr.Size)
		}
	}, path, 1))
	// The file is missing: the first stat's ENOENT shows the poll has begun. Then the file
	// appears, and every write makes it one byte longer.
	for calls == 0 {
		_, err = l.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT, 0o644)
	require.NoError(t, err)
	defer unix.Close(fd)
	for size != 0 {
		_, err = l.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	buf := []byte("x")
	written := int64(0)
	calls = 0
	allocs := testing.AllocsPerRun(50, func() {
		unix.Write(fd, buf)
		written++
		for size != written {
			l.Run(uv.RunOnce)
		}
	})
	require.Zero(t, allocs)
	require.Equal(t, 51, calls)
	fsevClose(t, l)
}
