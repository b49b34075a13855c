//go:build unix

package conformance_test

import (
	"os"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The unix halves of the misc tests of misc_test.go.

func hostSysErrors() []sysErrorCase {
	return []sysErrorCase{
		{syscall.EPERM, uv.EPERM},
		{syscall.EPIPE, uv.EPIPE},
		{syscall.EINVAL, uv.EINVAL},
	}
}

// eintrHandling: a goroutine signals the process with SIGUSR1, which a signal handle
// watches, then writes to a pipe that the test reads synchronously meanwhile.
func eintrHandling(t *testing.T) {
	l := newLoop(t)
	sig, err := handles.NewSignal(l)
	require.NoError(t, err)
	require.NoError(t, sig.Start(func(s *handles.Signal, _ int) { s.Stop() }, int(unix.SIGUSR1)))

	fds, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	t.Cleanup(func() {
		uv.FsClose(fds[0])
		uv.FsClose(fds[1])
	})
	msg := []byte("test-buffer\n\x00")
	var wg sync.WaitGroup
	wg.Go(func() {
		assert.NoError(t, unix.Kill(os.Getpid(), unix.SIGUSR1))
		for {
			n, err := unix.Write(fds[1], msg)
			if err == unix.EINTR {
				continue
			}
			assert.NoError(t, err)
			assert.Equal(t, len(msg), n)
			return
		}
	})

	buf := make([]byte, 32)
	var req handles.FS
	require.NoError(t, handles.FSReadFile(nil, &req, fds[0], [][]byte{buf}, -1, nil))
	require.EqualValues(t, len(msg), req.Result)
	require.Equal(t, msg, buf[:len(msg)])

	run(t, l, uv.RunDefault) // the signal callback stops the handle
	require.NoError(t, sig.Close(nil))
	wg.Wait()
}

// openTTYFd opens /dev/tty for reading, if the process has a terminal.
func openTTYFd(t *testing.T) (uv.OSFd, bool) {
	fd, err := unix.Open("/dev/tty", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, false
	}
	return fd, true
}

// checkPasswdHost checks the unix fields of the effective user's entry.
func checkPasswdHost(t *testing.T, pw uv.Passwd) {
	require.NotEmpty(t, pw.Shell)
	require.Equal(t, unix.Geteuid(), pw.UID)
	require.NotEqual(t, -1, pw.GID)
	if pw.UID != 0 && pw.GID != unix.Getgid() {
		require.Equal(t, unix.Getegid(), pw.GID)
	}
}

func win32SignumNumber(t *testing.T) {
	t.Skip("Windows-only: the signal numbers of the Windows C runtime")
}

// scopeID returns the scope id of an IPv6 socket address.
func scopeID(sa uv.SockAddr) uint32 {
	if sa6, ok := sa.(*unix.SockaddrInet6); ok {
		return sa6.ZoneId
	}
	return 0
}

func unixSockaddr() uv.SockAddr { return &unix.SockaddrUnix{Name: "/tmp/uv-test-sock"} }

// checkUnameHost compares with uname(2).
func checkUnameHost(t *testing.T, u uv.Utsname) {
	var buf unix.Utsname
	require.NoError(t, unix.Uname(&buf))
	require.Equal(t, unix.ByteSliceToString(buf.Sysname[:]), u.Sysname)
	require.Equal(t, unix.ByteSliceToString(buf.Release[:]), u.Release)
	require.Equal(t, unix.ByteSliceToString(buf.Version[:]), u.Version)
	require.Equal(t, unix.ByteSliceToString(buf.Machine[:]), u.Machine)
}

func argumentEscaping(t *testing.T) {
	t.Skip("Windows-only: quoting arguments into a Windows command line")
}

func environmentCreation(t *testing.T) {
	t.Skip("Windows-only: building a Windows environment block")
}
