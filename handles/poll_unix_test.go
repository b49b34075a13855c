//go:build unix

package handles_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

func TestPollRejectsBadInput(t *testing.T) {
	l := mustLoop(t)
	_, err := handles.NewPoll(l, -1)
	require.ErrorIs(t, err, uv.EINVAL)
	require.NoError(t, l.Close())
}

// A second poll handle on a watched fd gets EEXIST, and neither its failed Start nor its
// Close may take the first handle's registration away from the kernel.
func TestPollDuplicateLeavesOwnerWatching(t *testing.T) {
	l := mustLoop(t)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])

	first, err := handles.NewPoll(l, fds[0])
	require.NoError(t, err)
	second, err := handles.NewPoll(l, fds[0])
	require.NoError(t, err)
	got := 0
	require.NoError(t, first.Start(handles.Readable, func(p *handles.Poll, st error, ev int) {
		got++
		var buf [8]byte
		unix.Read(p.Fd(), buf[:])
		p.Close(nil)
	}))
	_, err = l.Run(uv.RunNoWait) // the registration reaches the kernel
	require.NoError(t, err)

	require.ErrorIs(t, second.Start(handles.Readable, func(*handles.Poll, error, int) {}), uv.EEXIST)
	require.NoError(t, second.Close(nil))
	_, err = unix.Write(fds[1], []byte("x"))
	require.NoError(t, err)
	guard, _ := handles.NewTimer(l)
	guard.Start(func(t *handles.Timer) { l.Stop() }, 2000, 0)
	guard.Unref()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 1, got, "the first handle still sees its fd")
	guard.Close(nil)
	l.Run(uv.RunDefault)
	require.NoError(t, l.Close())
}
