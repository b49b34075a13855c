//go:build unix

package uv

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// ProcessWatcher with real children: a pidfd on Linux, EVFILT_PROC on the kqueue systems.

func spawnSh(t *testing.T, script string, stdio ...OSFd) (pid int, exitFd OSFd) {
	t.Helper()
	pid, exitFd, err := SpawnProcess(&SpawnOptions{File: "/bin/sh", Args: []string{"sh", "-c", script},
		Stdio: stdio})
	require.NoError(t, err)
	if exitFd != InvalidSock {
		t.Cleanup(func() { unix.Close(exitFd) })
	}
	return pid, exitFd
}

func TestProcessWatcherReportsExit(t *testing.T) {
	for _, c := range []struct {
		script string
		want   ProcessExit
	}{
		{"exit 3", ProcessExit{Status: 3}},
		{"kill -KILL $$", ProcessExit{Signal: 9}},
	} {
		t.Run(c.script, func(t *testing.T) {
			l, err := NewLoop()
			require.NoError(t, err)
			defer l.Close()
			pid, exitFd := spawnSh(t, c.script)
			var w ProcessWatcher
			var got []ProcessExit
			l.RegisterRequest() // keeps the loop alive until the exit
			require.NoError(t, w.Start(l, pid, exitFd, func(st ProcessExit, err error) {
				assert.NoError(t, err)
				assert.False(t, w.Active(), "stopped before the callback")
				got = append(got, st)
				l.UnregisterRequest()
			}))
			assert.True(t, w.Active())
			assert.Equal(t, pid, w.Pid())
			_, err = l.Run(RunDefault)
			require.NoError(t, err)
			assert.Equal(t, []ProcessExit{c.want}, got)
			_, _, err = ReapProcess(pid)
			assert.Error(t, err, "reaped by the watcher (ECHILD now)")
		})
	}
}

func TestProcessWatcherStop(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	in, child, err := StdioPipe()
	require.NoError(t, err)
	defer unix.Close(in)
	pid, exitFd := spawnSh(t, "read x; exit 0", child)
	unix.Close(child)
	var w ProcessWatcher
	require.NoError(t, w.Start(l, pid, exitFd, func(ProcessExit, error) { t.Error("stopped watcher called") }))
	w.Stop()
	w.Stop()
	assert.False(t, w.Active())
	_, err = unix.Write(in, []byte("go\n"))
	require.NoError(t, err)
	var ws unix.WaitStatus
	for {
		_, err = unix.Wait4(pid, &ws, 0, nil) // the child is gone, and left to us
		if err != unix.EINTR {
			break
		}
	}
	require.NoError(t, err)
	_, err = l.Run(RunNoWait)
	require.NoError(t, err)
}

func TestProcessWatcherStartErrors(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	var w ProcessWatcher
	cb := func(ProcessExit, error) {}
	assert.Equal(t, EINVAL, w.Start(nil, 1, InvalidSock, cb))
	assert.Equal(t, EINVAL, w.Start(l, 0, InvalidSock, cb))
	assert.Equal(t, EINVAL, w.Start(l, 1, InvalidSock, nil))

	pid, exitFd := spawnSh(t, "exit 0")
	require.NoError(t, w.Start(l, pid, exitFd, cb))
	assert.Equal(t, EINVAL, w.Start(l, pid, exitFd, cb), "already started")
	w.Stop()
	var ws unix.WaitStatus
	for {
		if _, err = unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
			break
		}
	}
}
