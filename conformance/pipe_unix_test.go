//go:build unix

package conformance_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The unix half of the pipe tests: socket paths, descriptors, sendmsg.

// pipeSomaxconn is the backlog libuv's tests listen with.
const pipeSomaxconn = unix.SOMAXCONN

// pipeNeedIPC does nothing on unix, where pipes pass handles.
func pipeNeedIPC(t *testing.T) {}

// ipcNeedBindTwice skips TestIPCListenAfterBindTwice where the second bind of one address
// fails and nothing carries its error to the receiver: macOS and the BSDs. (On Linux both
// binds succeed with SO_REUSEADDR, and the second listen fails.)
func ipcNeedBindTwice(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the second bind's error does not travel with a descriptor here (libuv runs this test on Windows only)")
	}
}

// pipeBadName is libuv's BAD_PIPENAME on unix.
const pipeBadName = "/path/to/unix/socket/that/really/should/not/be/there"

// pipeTestName returns a unique socket path, in a directory removed when the test ends.
func pipeTestName(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "uvp")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s")
}

// pipeGetsocknameBlocking: see TestPipeGetsocknameBlocking.
func pipeGetsocknameBlocking(t *testing.T) {
	t.Skip("Windows-only: an anonymous pipe read by a blocking read (libuv's test is empty on unix)")
}

// pipeGetsocknameLongPath: see TestPipeGetsocknameLongPath.
func pipeGetsocknameLongPath(t *testing.T) {
	if runtime.GOOS == "linux" {
		t.Skip("long unix paths not supported on this platform (no SOCK_MAXADDRLEN)")
	}
	l := newLoop(t)
	server := pipeInit(t, l, false)
	client := pipeInit(t, l, false)
	dir := filepath.Dir(pipeTestName(t))
	path := filepath.Join(dir, strings.Repeat("x", 253-len(dir)-1))
	require.NoError(t, server.Bind(path))
	name, err := server.Sockname()
	require.NoError(t, err)
	require.Equal(t, path, name)
	require.NoError(t, server.Listen(0, func(_ *handles.Stream, err error) { require.NoError(t, err) }))
	var req handles.ConnectReq
	require.NoError(t, client.Connect(&req, path, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		r.Stream().Close(nil)
	}))
	server.Close(nil)
	run(t, l, uv.RunDefault)
}

// pipeSetChmod checks the path's permission bits after each Chmod.
func pipeSetChmod(t *testing.T) {
	l := newLoop(t)
	name := pipeTestName(t)
	p := pipeInit(t, l, false)
	require.NoError(t, p.Bind(name))

	err := p.Chmod(handles.Readable)
	if errors.Is(err, uv.EPERM) {
		t.Skip("insufficient privileges to alter pipe fmode")
	}
	require.NoError(t, err)
	st, err := os.Stat(name)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o444), st.Mode().Perm()&0o444)

	require.NoError(t, p.Chmod(handles.Writable))
	st, err = os.Stat(name)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o222), st.Mode().Perm()&0o222)

	require.NoError(t, p.Chmod(handles.Readable|handles.Writable))
	st, err = os.Stat(name)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o666), st.Mode().Perm()&0o666)

	var nilPipe *handles.Pipe
	require.ErrorIs(t, nilPipe.Chmod(handles.Readable|handles.Writable), uv.EBADF)
	require.ErrorIs(t, p.Chmod(12345678), uv.EINVAL)
	require.NoError(t, p.Close(nil))
	require.ErrorIs(t, p.Chmod(handles.Readable|handles.Writable), uv.EBADF)
}

// pipeSetNonBlocking: on unix a blocking TryWrite takes every write whole.
func pipeSetNonBlocking(t *testing.T) {
	const nwrites = 10 << 20
	l := newLoop(t)
	p := pipeInit(t, l, false)
	fds, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fds[0]) })
	require.NoError(t, p.Open(fds[1])) // fds[1] is the pipe's now
	require.NoError(t, p.SetBlocking(true))

	var wg sync.WaitGroup
	wg.Add(1)
	defer func() { // also when a check fails: close the write end, so the reader ends
		if !p.IsClosing() {
			p.Close(nil)
			l.Run(uv.RunDefault)
		}
		wg.Wait()
	}()
	go func() {
		defer wg.Done()
		buf := make([]byte, 4096)
		for {
			n, err := unix.Read(fds[0], buf)
			if err == unix.EINTR {
				continue
			}
			assert.NoError(t, err)
			if n <= 0 {
				return
			}
		}
	}()

	data := [][]byte{[]byte(strings.Repeat(".", 4096))}
	for written := 0; written < nwrites; {
		n, err := p.TryWrite(data)
		require.NoError(t, err)
		require.Equal(t, 4096, n)
		written += n
	}
	require.NoError(t, p.Close(nil))
	run(t, l, uv.RunDefault)
}

// pipeSendmsg: see TestPipeSendmsg.
func pipeSendmsg(t *testing.T) {
	l := newLoop(t)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fds[0]) })
	var sendFds [4]int
	for i := 0; i < len(sendFds); i += 2 {
		pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		require.NoError(t, err)
		sendFds[i], sendFds[i+1] = pair[0], pair[1]
	}
	t.Cleanup(func() {
		for _, fd := range sendFds {
			unix.Close(fd)
		}
	})
	p := pipeInit(t, l, true)
	require.NoError(t, p.Open(fds[1]))
	require.NoError(t, unix.SetNonblock(fds[1], true))

	var incoming []*handles.Pipe
	closed := 0
	closeCb := func() { closed++ }
	var one [1]byte
	require.NoError(t, p.ReadStart(func(*handles.Stream, int) []byte { return one[:] }, func(s *handles.Stream, buf []byte, err error) {
		require.NoError(t, err)
		for p.PendingCount() != 0 {
			require.Equal(t, uv.TypeNamedPipe, p.PendingType())
			require.Less(t, len(incoming), len(sendFds))
			inc := pipeInit(t, l, false)
			require.NoError(t, s.Accept(&inc.Stream))
			incoming = append(incoming, inc)
		}
		if len(incoming) != len(sendFds) {
			return
		}
		require.NoError(t, p.ReadStop())
		p.Close(closeCb)
		for _, inc := range incoming {
			inc.Close(closeCb)
		}
	}))

	for {
		err = unix.Sendmsg(fds[0], []byte("X"), unix.UnixRights(sendFds[:]...), nil, 0)
		if err != unix.EINTR {
			break
		}
	}
	require.NoError(t, err)
	run(t, l, uv.RunDefault)
	require.Len(t, incoming, len(sendFds))
	require.Equal(t, len(sendFds)+1, closed)
}

// pipeCloseStdoutReadStdin: see TestPipeCloseStdoutReadStdin.
func pipeCloseStdoutReadStdin(t *testing.T) {
	l := newLoop(t)
	fds, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	require.NoError(t, unix.Close(fds[1]))
	stdin := pipeInit(t, l, false)
	require.NoError(t, stdin.Open(fds[0]))
	var buf [1024]byte
	reads := 0
	require.NoError(t, stdin.ReadStart(func(*handles.Stream, int) []byte { return buf[:] }, func(s *handles.Stream, _ []byte, err error) {
		reads++
		if err != nil {
			s.Close(nil)
		}
	}))
	require.False(t, run(t, l, uv.RunNoWait), "no event may be left after one iteration")
	require.Equal(t, 1, reads)
	require.True(t, stdin.IsClosed())
}
