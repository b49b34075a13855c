package conformance_test

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The Windows half of the pipe tests: named pipes, \\.\pipe\name, as libuv's TEST_PIPENAME
// there.

// pipeBadName is libuv's BAD_PIPENAME on Windows: a name outside the pipe name space.
const pipeBadName = "bad-pipe"

// pipeSomaxconn is the backlog libuv's tests listen with (pipes ignore it on Windows).
const pipeSomaxconn = windows.SOMAXCONN

var pipeSerial atomic.Int64

// pipeTestName returns a pipe name of the test's own, unique to this process.
func pipeTestName(t testing.TB) string {
	return `\\.\pipe\uv-test-` + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(pipeSerial.Add(1), 10)
}

// pipeNeedIPC skips a test that sends pipe handles: only TCP handles travel over IPC pipes on
// Windows (libuv runs ipc_send_recv_pipe and ipc_send_recv_pipe_inprocess on unix only).
func pipeNeedIPC(t *testing.T) {
	t.Helper()
	if strings.Contains(t.Name(), "SendRecvPipe") {
		t.Skip("only TCP handles travel over IPC pipes on Windows (libuv runs this test on unix only)")
	}
}

// ipcNeedBindTwice does nothing on Windows: the second bind's error travels with the socket.
func ipcNeedBindTwice(t *testing.T) {}

func pipeGetsocknameLongPath(t *testing.T) {
	t.Skip("long unix paths not supported on this platform (no SOCK_MAXADDRLEN; libuv skips it on Windows)")
}

// pipeGetsocknameBlocking: see TestPipeGetsocknameBlocking. libuv sleeps 100 ms after each
// read start for the read to block; so does this port.
func pipeGetsocknameBlocking(t *testing.T) {
	var readh, writeh windows.Handle
	require.NoError(t, windows.CreatePipe(&readh, &writeh, nil, 65536))
	defer windows.CloseHandle(writeh)
	l := newLoop(t)
	var p handles.Pipe
	require.NoError(t, p.Init(l, false))
	require.NoError(t, p.Open(uv.OSFd(readh)))
	noRead := func(_ *handles.Stream, buf []byte, err error) {
		t.Errorf("read callback: %d bytes, error %v", len(buf), err)
	}
	require.NoError(t, p.ReadStart(nil, noRead))
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, p.ReadStop())
	name1, err := p.Sockname()
	require.NoError(t, err)
	require.Empty(t, name1, "an anonymous pipe")

	require.NoError(t, p.ReadStart(nil, noRead))
	time.Sleep(100 * time.Millisecond)
	name2, err := p.Sockname()
	require.NoError(t, err)
	require.Empty(t, name2, "an anonymous pipe, being read")
	require.NoError(t, p.ReadStop())
	require.Equal(t, name1, name2)

	closed := 0
	require.NoError(t, p.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// pipeSetChmod is libuv's test on Windows: each mode is an entry for Everyone in the pipe's
// DACL, which the test cannot see from outside; the calls succeed.
func pipeSetChmod(t *testing.T) {
	l := newLoop(t)
	p := pipeInit(t, l, false)
	require.NoError(t, p.Bind(pipeTestName(t)))
	require.NoError(t, p.Chmod(handles.Readable))
	require.NoError(t, p.Chmod(handles.Writable))
	require.NoError(t, p.Chmod(handles.Readable|handles.Writable))
	var nilPipe *handles.Pipe
	require.ErrorIs(t, nilPipe.Chmod(handles.Readable|handles.Writable), uv.EBADF)
	require.ErrorIs(t, p.Chmod(12345678), uv.EINVAL)
	require.NoError(t, p.Close(nil))
	require.ErrorIs(t, p.Chmod(handles.Readable|handles.Writable), uv.EBADF)
}

// pipeSetNonBlocking is libuv's test on Windows: pipes have no TryWrite there (EAGAIN), so
// each 4 KiB goes by a Write in blocking mode whose callback one RunOnce runs; 640 KiB in all
// while another goroutine drains the pipe.
func pipeSetNonBlocking(t *testing.T) {
	const nwrites = 10 << 16
	l := newLoop(t)
	p := pipeInit(t, l, false)
	fds, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	t.Cleanup(func() { windows.CloseHandle(windows.Handle(fds[0])) })
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
			var n uint32
			err := windows.ReadFile(windows.Handle(fds[0]), buf, &n, nil)
			if err == windows.ERROR_BROKEN_PIPE {
				return
			}
			if !assert.NoError(t, err) || n == 0 {
				return
			}
		}
	}()

	data := [][]byte{[]byte(strings.Repeat(".", 4096))}
	var req handles.WriteReq
	for written := 0; written < nwrites; {
		_, err := p.TryWrite(data)
		require.ErrorIs(t, err, uv.EAGAIN)
		done := false
		require.NoError(t, p.Write(&req, data, func(_ *handles.WriteReq, err error) {
			require.NoError(t, err)
			done = true
		}))
		run(t, l, uv.RunOnce)
		require.True(t, done, "the write's callback ran")
		written += 4096
	}
	require.NoError(t, p.Close(nil))
	run(t, l, uv.RunDefault)
}

func pipeSendmsg(t *testing.T) {
	t.Skip("unix-only: descriptors passed with sendmsg (libuv runs pipe_sendmsg on unix only)")
}

func pipeCloseStdoutReadStdin(t *testing.T) {
	t.Skip("unix-only: libuv runs pipe_close_stdout_read_stdin on unix only (a forked child reading its stdin)")
}
