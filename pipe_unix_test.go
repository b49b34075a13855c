//go:build unix

package uv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestSockTypeOf(t *testing.T) {
	check := func(fd int, want HandleType) {
		t.Helper()
		got, err := SockTypeOf(fd)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	socket := func(fam, typ int) int {
		t.Helper()
		fd, err := unix.Socket(fam, typ, 0)
		require.NoError(t, err)
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	}
	check(socket(unix.AF_INET, unix.SOCK_STREAM), TypeTCP)
	check(socket(unix.AF_INET, unix.SOCK_DGRAM), TypeUDP)
	check(socket(unix.AF_UNIX, unix.SOCK_STREAM), TypeNamedPipe)
	check(socket(unix.AF_UNIX, unix.SOCK_DGRAM), UnknownHandle)
	if fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0); err == nil {
		defer unix.Close(fd)
		check(fd, TypeTCP)
	}

	fds, err := PipePair(0, 0)
	require.NoError(t, err)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	check(fds[0], TypeNamedPipe)
	check(fds[1], TypeNamedPipe)

	f, err := os.CreateTemp(t.TempDir(), "file")
	require.NoError(t, err)
	defer f.Close()
	check(int(f.Fd()), TypeFile)

	_, err = SockTypeOf(-1)
	require.ErrorIs(t, err, EBADF)
	closed := socket(unix.AF_INET, unix.SOCK_STREAM)
	unix.Close(closed)
	_, err = SockTypeOf(closed)
	require.ErrorIs(t, err, EBADF)
}

func TestPipePairFlags(t *testing.T) {
	for _, tc := range []struct{ r, w int }{{0, 0}, {NonblockPipe, 0}, {0, NonblockPipe}, {NonblockPipe, NonblockPipe}} {
		fds, err := PipePair(tc.r, tc.w)
		require.NoError(t, err)
		for i, want := range []bool{tc.r != 0, tc.w != 0} {
			fl, err := unix.FcntlInt(uintptr(fds[i]), unix.F_GETFL, 0)
			require.NoError(t, err)
			require.Equal(t, want, fl&unix.O_NONBLOCK != 0, "end %d of %+v", i, tc)
			fd, err := unix.FcntlInt(uintptr(fds[i]), unix.F_GETFD, 0)
			require.NoError(t, err)
			require.NotZero(t, fd&unix.FD_CLOEXEC, "close-on-exec")
		}
		r, w, err := FdAccess(fds[0])
		require.NoError(t, err)
		require.True(t, r)
		require.False(t, w)
		r, w, err = FdAccess(fds[1])
		require.NoError(t, err)
		require.False(t, r)
		require.True(t, w)
		unix.Close(fds[0])
		unix.Close(fds[1])
		_, _, err = FdAccess(fds[0])
		require.ErrorIs(t, err, EBADF)
	}
}

// pipeSocket returns a unix stream socket closed when the test ends.
func pipeSocket(t *testing.T) int {
	t.Helper()
	fd, err := OpenSocket(DomainUnix, SockStream)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

func TestBindPipeNames(t *testing.T) {
	dir, err := os.MkdirTemp("", "uvp")
	require.NoError(t, err)
	defer os.RemoveAll(dir)

	fd := pipeSocket(t)
	name, err := PipeName(fd, false)
	require.NoError(t, err)
	require.Empty(t, name, "unbound")
	_, err = PipeName(fd, true)
	require.ErrorIs(t, err, ENOTCONN)

	// A path that fills sun_path, with no room for a terminating NUL.
	long := filepath.Join(dir, strings.Repeat("x", MaxPipeName-len(dir)-1))
	require.Len(t, long, MaxPipeName)
	require.NoError(t, BindPipe(fd, long))
	name, err = PipeName(fd, false)
	require.NoError(t, err)
	require.Equal(t, long, name)
	require.ErrorIs(t, BindPipe(pipeSocket(t), long+"x"), ENAMETOOLONG)

	// A path that starts with '@' is a file, also for connect.
	t.Chdir(dir)
	at := pipeSocket(t)
	require.NoError(t, BindPipe(at, "@at"))
	require.NoError(t, unix.Listen(at, 1))
	_, err = os.Stat(filepath.Join(dir, "@at"))
	require.NoError(t, err)
	sa, err := PipeConnectAddr("@at")
	require.NoError(t, err)
	c := pipeSocket(t)
	unix.SetNonblock(c, false)
	require.NoError(t, unix.Connect(c, sa))

	if !AbstractPipeNames {
		require.ErrorIs(t, BindPipe(pipeSocket(t), "\x00abstract"), EINVAL)
		require.ErrorIs(t, BindPipe(pipeSocket(t), ""), EINVAL)
		return
	}
	abs := "\x00" + dir + "\x00tail\x00"
	s := pipeSocket(t)
	require.NoError(t, BindPipe(s, abs))
	name, err = PipeName(s, false)
	require.NoError(t, err)
	require.Equal(t, abs, name, "an abstract name keeps its NUL bytes")
	require.NoError(t, unix.Listen(s, 1))
	sa, err = PipeConnectAddr(abs)
	require.NoError(t, err)
	c = pipeSocket(t)
	unix.SetNonblock(c, false)
	require.NoError(t, unix.Connect(c, sa))
	name, err = PipeName(c, true)
	require.NoError(t, err)
	require.Equal(t, abs, name)

	auto := pipeSocket(t)
	require.NoError(t, BindPipe(auto, ""))
	name, err = PipeName(auto, false)
	require.NoError(t, err)
	require.Len(t, name, 6)
	require.Equal(t, byte(0), name[0])
}
