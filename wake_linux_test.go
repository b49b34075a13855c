package uv_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// backendReadable polls the loop's epoll descriptor without blocking.
func backendReadable(t *testing.T, l *uv.Loop) bool {
	t.Helper()
	for {
		p := []unix.PollFd{{Fd: int32(l.BackendFd()), Events: unix.POLLIN}}
		n, err := unix.Poll(p, 0)
		if err == unix.EINTR {
			continue
		}
		require.NoError(t, err)
		return n == 1
	}
}

// TestSendWhileAwakeWakesBackendFd checks what an embedding loop relies on: a Send made while
// the loop runs a callback (so it wrote nothing to the wakeup descriptor, the loop being
// awake) still makes BackendFd readable once Run returns, and the next iteration runs the
// async callback and leaves the descriptor quiet again.
func TestSendWhileAwakeWakesBackendFd(t *testing.T) {
	l := newTestLoop(t)
	fired := 0
	async, err := handles.NewAsync(l, func(*handles.Async) { fired++ })
	require.NoError(t, err)
	check, err := handles.NewCheck(l)
	require.NoError(t, err)
	require.NoError(t, check.Start(func(c *handles.Check) {
		sent := make(chan error)
		go func() { sent <- async.Send() }()
		require.NoError(t, <-sent)
		c.Stop()
	}))
	_, err = l.Run(uv.RunNoWait)
	require.NoError(t, err)
	require.Zero(t, fired, "the Send came after the poll")
	require.True(t, backendReadable(t, l), "the pending Send must show on BackendFd")

	_, err = l.Run(uv.RunNoWait)
	require.NoError(t, err)
	require.Equal(t, 1, fired)
	require.False(t, backendReadable(t, l), "nothing is pending any more")
}

// TestIdlePollsStayQuiet runs many non-blocking iterations with nothing but an idle handle
// and an async handle, sending between some of them, and checks that every Send runs its
// callback in the next iteration and that BackendFd is quiet after each.
func TestIdlePollsStayQuiet(t *testing.T) {
	l := newTestLoop(t)
	fired := 0
	async, err := handles.NewAsync(l, func(*handles.Async) { fired++ })
	require.NoError(t, err)
	idle, err := handles.NewIdle(l)
	require.NoError(t, err)
	require.NoError(t, idle.Start(func(*handles.Idle) {}))
	for i := range 200 {
		if i%3 == 0 {
			require.NoError(t, async.Send()) // the loop is not running: this writes
		}
		_, err = l.Run(uv.RunNoWait)
		require.NoError(t, err)
		require.Equal(t, i/3+1, fired)
		require.False(t, backendReadable(t, l))
	}
}
