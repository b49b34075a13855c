package handles_test

import (
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

var pipeSerial atomic.Int64

// pipePath returns a pipe name of its own for the test: \\.\pipe\ and a name unique to this
// process and call.
func pipePath(t *testing.T, name string) string {
	return `\\.\pipe\uv-go-test-` + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(pipeSerial.Add(1), 10) + "-" + name
}

// pipeUnbindable returns a name that cannot be bound: not in the pipe name space.
func pipeUnbindable(string) string { return `C:\no\such\dir\pipe` }

// pipeNeedIPC skips a test of handle passing: pipes do not pass handles on Windows yet.
func pipeNeedIPC(t *testing.T) {
	t.Skip("IPC pipes are not supported on Windows yet (libuv's WSADuplicateSocket protocol; ENOTSUP)")
}

// Chmod gives everyone access to a bound pipe (an entry in its DACL).
func TestPipeChmod(t *testing.T) {
	l := pipeLoop(t)
	path := pipePath(t, "c")
	p, _ := handles.NewPipe(l, false)
	require.ErrorIs(t, p.Chmod(handles.Readable), uv.EBADF)
	require.NoError(t, p.Bind(path))
	require.ErrorIs(t, p.Chmod(4), uv.EINVAL)
	require.NoError(t, p.Chmod(handles.Readable))
	require.NoError(t, p.Chmod(handles.Readable|handles.Writable))
	var nilPipe *handles.Pipe
	require.ErrorIs(t, nilPipe.Chmod(handles.Readable), uv.EBADF)
}

// An IPC pipe cannot take a handle on Windows: ENOTSUP.
func TestPipeIPCNotSupported(t *testing.T) {
	l := pipeLoop(t)
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(t, err)
	p, _ := handles.NewPipe(l, true)
	require.ErrorIs(t, p.Open(fds[0]), uv.ENOTSUP)
	require.NoError(t, uv.CloseSocket(uv.OSSock(fds[0])))
	require.NoError(t, uv.CloseSocket(uv.OSSock(fds[1])))
	var req handles.ConnectReq
	require.ErrorIs(t, p.Connect(&req, pipePath(t, "x"), func(*handles.ConnectReq, error) {}), uv.ENOTSUP)
}

// TCP.Open and UDP.Open refuse a pipe handle with ENOTSOCK, as libuv's uv_tcp_open and
// uv_udp_open do on Windows (they read the socket's protocol info first), and leave the handle
// to a Pipe.
func TestSocketOpenRefusesPipe(t *testing.T) {
	l := pipeLoop(t)
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(t, err)
	tcp, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.ErrorIs(t, tcp.Open(uv.OSSock(fds[0])), uv.ENOTSOCK)
	udp, err := handles.NewUDP(l)
	require.NoError(t, err)
	require.ErrorIs(t, udp.Open(uv.OSSock(fds[1])), uv.ENOTSOCK)

	r, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, r.Open(fds[0]), "the refused handle is still free")
	w, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, w.Open(fds[1]))
}
