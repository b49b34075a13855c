//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The kqueue backend's kernel half, on a real kernel. These tests only build on the Linux
// development machine (go test -c); they run on macOS and BSD hosts.

func TestKeventConversion(t *testing.T) {
	filters := []int8{kfRead, kfWrite, kfVnode, kfProc}
	if kqHaveExcept {
		filters = append(filters, kfExcept)
	}
	if kqUserFilter != kqNoFilter-1 {
		filters = append(filters, kfUser)
	}
	for _, f := range filters {
		in := kev{ident: 42, filter: f, flags: kAdd | kOneshot, fflags: noteAttrib, data: 7}
		var k unix.Kevent_t
		toKevent(&k, &in)
		assert.Equal(t, kqFilters[f], int(k.Filter), "filter %d", f)
		var out kev
		fromKevent(&out, &k)
		if f == kfExcept {
			assert.Equal(t, uint32(kqNoteOOB), out.fflags)
			out.fflags = in.fflags
		}
		assert.Equal(t, in, out, "filter %d", f)
	}
	var k unix.Kevent_t
	unix.SetKevent(&k, 3, unix.EVFILT_TIMER, 0)
	var out kev
	fromKevent(&out, &k)
	assert.Equal(t, kfNone, out.filter, "a filter the backend does not use")
}

func TestKqueueReadableAndDisconnect(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer unix.Close(fds[0])
	var got []int
	var w IOWatcher
	require.NoError(t, w.Init(l, fds[0], func(ev int) {
		got = append(got, ev)
		var buf [16]byte
		unix.Read(fds[0], buf[:])
		if ev&EventDisconnect != 0 {
			w.Close()
		}
	}))
	require.NoError(t, w.Start(EventReadable|EventDisconnect))
	_, err = unix.Write(fds[1], []byte("x"))
	require.NoError(t, err)
	l.RegisterRequest()
	_, err = l.Run(RunOnce)
	require.NoError(t, err)
	require.Equal(t, []int{EventReadable}, got)
	unix.Close(fds[1])
	_, err = l.Run(RunOnce)
	require.NoError(t, err)
	require.Equal(t, []int{EventReadable, EventReadable | EventDisconnect}, got)
	l.UnregisterRequest()
}

func TestKqueueRegularFileRefused(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	f, err := os.CreateTemp(t.TempDir(), "f")
	require.NoError(t, err)
	defer f.Close()
	var w IOWatcher
	assert.Equal(t, EINVAL, w.Init(l, int(f.Fd()), func(int) {}))
}

func TestKqueueWakeup(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	var a AsyncWatcher
	runs := 0
	require.NoError(t, a.Init(l, func() {
		runs++
		l.UnregisterRequest()
	}))
	l.RegisterRequest()
	go a.Send()
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
	assert.Equal(t, 1, runs)
	a.Close()
}

func TestKqueueFSWatcher(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	path := filepath.Join(t.TempDir(), "watched")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	var w FSWatcher
	var got []int
	require.NoError(t, w.Start(l, path, false, func(name string, events int) {
		assert.Equal(t, "watched", name)
		got = append(got, events)
		w.Stop()
		l.UnregisterRequest()
	}))
	l.RegisterRequest()
	require.NoError(t, os.WriteFile(path, []byte("more"), 0o644))
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
	assert.Equal(t, []int{FSEventChange}, got)
	assert.False(t, w.Active())
}
