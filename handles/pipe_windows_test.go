package handles_test

import (
	"net/netip"
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

// pipeNeedIPC skips the unix test of handle passing: it opens a socket pair as IPC pipes and
// sends a pipe, and on Windows pipes are named pipes and only TCP handles travel, as in
// libuv (TestPipeIPCPassesTCP is the Windows one).
func pipeNeedIPC(t *testing.T) {
	t.Skip("Windows: IPC pipes are named pipes, never socket pairs, and carry TCP handles only (as libuv)")
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

// An IPC pipe must read and write, as libuv's uv_pipe_open requires: an end of PipePair,
// which goes one way, is refused with EINVAL.
func TestPipeIPCOpenOneWay(t *testing.T) {
	l := pipeLoop(t)
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(t, err)
	p, _ := handles.NewPipe(l, true)
	require.ErrorIs(t, p.Open(fds[0]), uv.EINVAL)
	require.NoError(t, uv.CloseSocket(uv.OSSock(fds[0])))
	require.NoError(t, uv.CloseSocket(uv.OSSock(fds[1])))
}

// An IPC pipe, connected by name, carries a listening TCP handle and a connection with its
// data; the other end (an IPC pipe accepted from a server) takes them with Accept, and they
// work there: the server accepts, the connection reads what its peer wrote. A pipe handle
// does not travel (ENOTSUP), and a pipe that is not IPC sends no handle (EINVAL), as libuv.
func TestPipeIPCPassesTCP(t *testing.T) {
	l := pipeLoop(t)
	path := pipePath(t, "ipc")
	srv, _ := handles.NewPipe(l, false)
	require.NoError(t, srv.Bind(path))
	var b *handles.Pipe
	require.NoError(t, srv.Listen(1, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		b, _ = handles.NewPipe(l, true)
		require.NoError(t, s.Accept(&b.Stream))
		srv.Close(nil)
	}))
	a, _ := handles.NewPipe(l, true)
	var creq handles.ConnectReq
	require.NoError(t, a.Connect(&creq, path, func(_ *handles.ConnectReq, err error) { require.NoError(t, err) }))
	pipeRun(t, l)
	require.NotNil(t, b)

	// What is sent: a bound TCP server (made to listen by the send), and one end of a
	// connection whose other end has written "hi".
	ln, _ := handles.NewTCP(l)
	require.NoError(t, ln.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	lnAddr, err := ln.Sockname()
	require.NoError(t, err)
	fds, err := uv.Socketpair(uv.SockStream)
	require.NoError(t, err)
	conn, _ := handles.NewTCP(l)
	require.NoError(t, conn.Open(fds[0]))
	peer, _ := handles.NewTCP(l)
	require.NoError(t, peer.Open(fds[1]))
	var pw handles.WriteReq
	require.NoError(t, peer.Write(&pw, [][]byte{[]byte("hi")}, nil))

	var w [2]handles.WriteReq
	sent := 0
	wcb := func(_ *handles.WriteReq, err error) {
		require.NoError(t, err)
		if sent++; sent == 2 {
			ln.Close(nil)
			conn.Close(nil)
		}
	}
	other, _ := handles.NewPipe(l, false)
	require.NoError(t, other.Bind(pipePath(t, "other")))
	require.ErrorIs(t, a.Write2(&w[0], [][]byte{[]byte("P")}, &other.Stream, wcb), uv.ENOTSUP)
	other.Close(nil)
	plain, _ := handles.NewPipe(l, false)
	require.ErrorIs(t, plain.Write2(&w[0], [][]byte{[]byte("x")}, &ln.Stream, wcb), uv.EBADF, "no handle yet")
	require.NoError(t, a.Write2(&w[0], [][]byte{[]byte("S")}, &ln.Stream, wcb))
	require.NoError(t, a.Write2(&w[1], [][]byte{[]byte("C")}, &conn.Stream, wcb))

	var gotSrv, gotConn *handles.TCP
	var data []byte
	var types []uv.HandleType
	require.NoError(t, b.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		require.NoError(t, err)
		if len(buf) == 0 {
			return
		}
		data = append(data, buf...)
		require.Equal(t, 1, b.PendingCount(), "the handle is there with its data")
		types = append(types, b.PendingType())
		tcp, _ := handles.NewTCP(l)
		require.NoError(t, s.Accept(&tcp.Stream))
		require.Zero(t, b.PendingCount())
		if gotSrv == nil {
			gotSrv = tcp
			return
		}
		gotConn = tcp
		s.Close(nil)
		a.Close(nil)
	}))
	pipeRun(t, l)
	require.Equal(t, "SC", string(data))
	require.Equal(t, []uv.HandleType{uv.TypeTCP, uv.TypeTCP}, types)
	require.Equal(t, 2, sent)

	addr, err := gotSrv.Sockname()
	require.NoError(t, err)
	require.Equal(t, lnAddr, addr, "the received server is the sent one")
	accepted := 0
	require.NoError(t, gotSrv.Listen(1, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		c, _ := handles.NewTCP(l)
		require.NoError(t, s.Accept(&c.Stream))
		accepted++
		c.Close(nil)
		gotSrv.Close(nil)
	}))
	client, _ := handles.NewTCP(l)
	var cr handles.ConnectReq
	require.NoError(t, client.Connect(&cr, lnAddr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		client.Close(nil)
	}))
	var got []byte
	require.NoError(t, gotConn.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		require.NoError(t, err)
		if got = append(got, buf...); len(got) == 2 {
			gotConn.Close(nil)
			peer.Close(nil)
		}
	}))
	pipeRun(t, l)
	require.Equal(t, 1, accepted)
	require.Equal(t, "hi", string(got))
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
