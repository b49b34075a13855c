package uv

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// The ends of PipePair and NewStdioPipe: which way each goes, and which are overlapped.
func TestPipeEnds(t *testing.T) {
	check := func(h windows.Handle, read, write, sync bool) {
		t.Helper()
		r, w, err := FdAccess(OSFd(h))
		require.NoError(t, err)
		require.Equal(t, read, r, "readable")
		require.Equal(t, write, w, "writable")
		s, err := isSyncHandle(h)
		require.NoError(t, err)
		require.Equal(t, sync, s, "non-overlapped")
		typ, err := SockTypeOf(OSSock(h))
		require.NoError(t, err)
		require.Equal(t, TypeNamedPipe, typ)
	}
	fds, err := PipePair(NonblockPipe, 0)
	require.NoError(t, err)
	check(windows.Handle(fds[0]), true, false, false)
	check(windows.Handle(fds[1]), false, true, true)
	require.NoError(t, CloseSocket(OSSock(fds[0])))
	require.NoError(t, CloseSocket(OSSock(fds[1])))
	_, _, err = FdAccess(fds[1])
	require.ErrorIs(t, err, EBADF, "closed")

	p, c, err := NewStdioPipe(StdioChildReads)
	require.NoError(t, err)
	check(windows.Handle(p), false, true, false)
	check(windows.Handle(c), true, false, true)
	CloseSocket(p)
	CloseSocket(c)
	p, c, err = NewStdioPipe(StdioChildWrites | StdioChildOverlapped)
	require.NoError(t, err)
	check(windows.Handle(p), true, false, false)
	check(windows.Handle(c), false, true, false)
	CloseSocket(p)
	CloseSocket(c)
	p, c, err = StdioPipe()
	require.NoError(t, err)
	check(windows.Handle(p), true, true, false)
	check(windows.Handle(c), true, true, true)
	CloseSocket(p)
	CloseSocket(c)
}

// A server's name, a client's, and the name of an accepted instance as the system gives it.
func TestPipeSockNames(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	name := `\\.\pipe\uv-root-test-` + strconv.Itoa(os.Getpid())
	var srv, cli Sock
	require.NoError(t, srv.BindPipe(l, name, 2))
	require.ErrorIs(t, srv.BindPipe(l, name, 2), EINVAL, "bound already")
	got, err := srv.PipeName(false)
	require.NoError(t, err)
	require.Equal(t, name, got)
	_, err = srv.PipeName(true)
	require.ErrorIs(t, err, ENOTCONN)
	var again Sock
	require.ErrorIs(t, again.BindPipe(l, name, 0), EADDRINUSE)
	require.ErrorIs(t, again.BindPipe(l, `C:\not\a\pipe`, 0), EACCES)

	accepted := InvalidSock
	require.NoError(t, srv.Listen(0, func() {
		fd, err := srv.Accept()
		require.NoError(t, err)
		accepted = fd
	}))
	require.NoError(t, cli.InitPipe(l, false))
	require.ErrorIs(t, cli.ConnectPipe("a\x00b", func(error) {}), EINVAL)
	var connErr error = EAGAIN
	require.NoError(t, cli.ConnectPipe(name, func(err error) { connErr = err }))
	for connErr == EAGAIN || accepted == InvalidSock {
		_, err := l.Run(RunOnce)
		require.NoError(t, err)
	}
	require.NoError(t, connErr)
	got, err = cli.PipeName(true)
	require.NoError(t, err)
	require.Equal(t, name, got)
	got, err = cli.PipeName(false)
	require.NoError(t, err)
	require.Empty(t, got)

	var conn Sock
	require.NoError(t, conn.Init(l, accepted, SockStream, false))
	got, err = conn.PipeName(true)
	require.NoError(t, err)
	require.Equal(t, `\\?\pipe`+name[len(`\\.\pipe`):], got)
	conn.Close()
	cli.Close()
	srv.Close()
	conn.CancelAll()
	cli.CancelAll()
	srv.CancelAll()
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
}
