package uv

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// readable polls fd for input for up to ms milliseconds.
func readable(t *testing.T, fd int, ms int) bool {
	t.Helper()
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(pfd, ms)
		if err == unix.EINTR {
			continue
		}
		require.NoError(t, err)
		return n > 0
	}
}

// TestExitNotifier takes the path of kernels without pidfds: the exit descriptor is a pipe
// that becomes readable once the child has exited, and the child is left for ReapProcess.
func TestExitNotifier(t *testing.T) {
	usePidfd = false
	defer func() { usePidfd = true }()
	in, child, err := StdioPipe()
	require.NoError(t, err)
	defer unix.Close(in)
	pid, exitFd, err := SpawnProcess(&SpawnOptions{File: "/bin/sh", Args: []string{"sh", "-c", "read x; exit 7"},
		Stdio: []OSFd{child}})
	unix.Close(child)
	require.NoError(t, err)
	defer unix.Close(exitFd)
	var st unix.Stat_t
	require.NoError(t, unix.Fstat(exitFd, &st))
	require.Equal(t, uint32(unix.S_IFIFO), st.Mode&unix.S_IFMT, "a pipe, not a pidfd")

	require.False(t, readable(t, exitFd, 20), "readable while the child runs")
	_, done, err := ReapProcess(pid)
	require.NoError(t, err)
	require.False(t, done)

	_, err = unix.Write(in, []byte("go\n"))
	require.NoError(t, err)
	require.True(t, readable(t, exitFd, 10000), "not readable after the exit")
	exit, done, err := ReapProcess(pid)
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, ProcessExit{Status: 7}, exit)
}

// TestSpawnProcessPidfd checks the usual path: a pidfd, readable once the child has exited.
func TestSpawnProcessPidfd(t *testing.T) {
	pid, exitFd, err := SpawnProcess(&SpawnOptions{File: "/bin/sh", Args: []string{"sh", "-c", "kill -KILL $$"}})
	require.NoError(t, err)
	defer unix.Close(exitFd)
	var st unix.Stat_t
	require.NoError(t, unix.Fstat(exitFd, &st))
	require.NotEqual(t, uint32(unix.S_IFIFO), st.Mode&unix.S_IFMT)
	require.True(t, readable(t, exitFd, 10000))
	exit, done, err := ReapProcess(pid)
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, ProcessExit{Signal: 9}, exit)
}
