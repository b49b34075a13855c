package conformance_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The tests that talk to a child process over its stdio (libuv's test-ipc.c,
// test-ipc-send-recv.c, test-ipc-heavy-traffic-deadlock-bug.c and test-stdio-over-pipes.c).
// On Windows only TCP handles travel, as in libuv: the tests that send pipes skip there
// (pipeNeedIPC).
// The child is the test binary in a helper mode, as in libuv. Where libuv binds TEST_PORT on
// 0.0.0.0, the helpers bind a loopback port the kernel picks, and the parent learns it from
// the socket it receives.

func init() {
	childHelpers["ipc_helper_listen_before_write"] = func() int { return ipcHelper(false) }
	childHelpers["ipc_helper_listen_after_write"] = func() int { return ipcHelper(true) }
	childHelpers["ipc_helper_tcp_connection"] = ipcHelperTCPConnection
	childHelpers["ipc_helper_send_zero"] = ipcHelperSendZero
	childHelpers["ipc_helper_bind_twice"] = ipcHelperBindTwice
	childHelpers["ipc_send_recv_helper"] = ipcSendRecvHelper
	childHelpers["ipc_helper_heavy_traffic_deadlock_bug"] = ipcHelperHeavyTraffic
	childHelpers["stdio_over_pipes_helper"] = stdioOverPipesHelper
}

var loopbackAny = netip.MustParseAddrPort("127.0.0.1:0")

// childLoop makes a loop for a child helper.
func childLoop() *uv.Loop {
	l, err := uv.NewLoop()
	childCheck(err == nil, "loop: %v", err)
	return l
}

// childChannel opens this child's stdin, the parent's pipe, as a pipe handle.
func childChannel(l *uv.Loop, ipc bool) *handles.Pipe {
	channel, err := handles.NewPipe(l, ipc)
	childCheck(err == nil, "pipe: %v", err)
	childCheck(channel.Open(procStdFd(0)) == nil, "open stdin")
	childCheck(channel.IsReadable(), "channel not readable")
	childCheck(channel.IsWritable(), "channel not writable")
	childCheck(!channel.IsClosing(), "channel closing")
	return channel
}

// childRun runs l, then closes it.
func childRun(l *uv.Loop) {
	_, err := l.Run(uv.RunDefault)
	childCheck(err == nil, "run: %v", err)
}

func childClose(l *uv.Loop) {
	l.Walk(func(h *uv.Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
	l.Run(uv.RunDefault)
	childCheck(l.Close() == nil, "loop close")
}

func alloc8(*handles.Stream, int) []byte { return make([]byte, 8) }

func allocBig(*handles.Stream, int) []byte { return make([]byte, 64*1024) }

// ipcHelper is libuv's ipc_helper: it sends a bound TCP server over the channel, listening
// before or after the write; the first connection it accepts it closes and reports.
func ipcHelper(listenAfterWrite bool) int {
	l := childLoop()
	channel := childChannel(l, true)
	server, err := handles.NewTCP(l)
	childCheck(err == nil, "tcp: %v", err)
	childCheck(server.Bind(loopbackAny, 0) == nil, "bind")
	closes, accepted := 0, false
	closeCb := func() { closes++ }
	var conn handles.TCP
	var notify, wreq handles.WriteReq
	onConnection := func(s *handles.Stream, err error) {
		if accepted {
			return
		}
		childCheck(err == nil, "connection: %v", err)
		childCheck(s == &server.Stream, "connection on another server")
		childCheck(conn.Init(l) == nil, "tcp init")
		childCheck(s.Accept(&conn.Stream) == nil, "accept")
		conn.Close(closeCb)
		err = channel.Write2(&notify, [][]byte{[]byte("accepted_connection\n")}, nil, func(*handles.WriteReq, error) {
			server.Close(closeCb)
			channel.Close(closeCb)
		})
		childCheck(err == nil, "write2: %v", err)
		accepted = true
	}
	if !listenAfterWrite {
		childCheck(server.Listen(128, onConnection) == nil, "listen")
	}
	err = channel.Write2(&wreq, [][]byte{[]byte("hello\n")}, &server.Stream, nil)
	childCheck(err == nil, "write2: %v", err)
	if listenAfterWrite {
		childCheck(server.Listen(128, onConnection) == nil, "listen")
	}
	childRun(l)
	childCheck(accepted, "no connection accepted")
	childCheck(closes == 3, "%d close callbacks", closes)
	childClose(l)
	return 0
}

// ipcHelperBindTwice is libuv's ipc_helper_bind_twice: it binds two TCP servers to one
// address (the second bind keeps EADDRINUSE for its listen, or on Linux both binds succeed
// with SO_REUSEADDR) and sends both, each with "hello\n".
func ipcHelperBindTwice() int {
	l := childLoop()
	channel := childChannel(l, true)
	server, err := handles.NewTCP(l)
	childCheck(err == nil, "tcp: %v", err)
	server2, err := handles.NewTCP(l)
	childCheck(err == nil, "tcp: %v", err)
	childCheck(server.Bind(loopbackAny, 0) == nil, "bind")
	addr, err := server.Sockname()
	childCheck(err == nil, "sockname: %v", err)
	childCheck(server2.Bind(addr, 0) == nil, "second bind")
	var wreq, wreq2 handles.WriteReq
	hello := [][]byte{[]byte("hello\n")}
	childCheck(channel.Write2(&wreq, hello, &server.Stream, nil) == nil, "write2")
	childCheck(channel.Write2(&wreq2, hello, &server2.Stream, nil) == nil, "second write2")
	childRun(l)
	childClose(l)
	return 0
}

// ipcHelperTCPConnection is libuv's ipc_helper_tcp_connection: it connects to its own
// server, sends the accepted end over the channel, and answers "world\n" with "hello
// again\n" on the connecting end.
func ipcHelperTCPConnection() int {
	l := childLoop()
	channel := childChannel(l, true)
	server, err := handles.NewTCP(l)
	childCheck(err == nil, "tcp: %v", err)
	childCheck(server.Bind(loopbackAny, 0) == nil, "bind")
	closes, reads, writes := 0, 0, 0
	closeCb := func() { closes++ }
	var client handles.TCP
	var creq handles.ConnectReq
	var notify, wreq handles.WriteReq
	onWrite := func(req *handles.WriteReq, err error) {
		childCheck(req.Stream() == &client.Stream, "write on another stream")
		req.Stream().Close(closeCb)
		channel.Close(closeCb)
		server.Close(closeCb)
		writes++
	}
	onRead := func(s *handles.Stream, buf []byte, err error) {
		if errors.Is(err, uv.EOF) {
			return
		}
		childCheck(err == nil, "read: %v", err)
		if len(buf) == 0 {
			return
		}
		childCheck(string(buf) == "world\n", "read %q", buf)
		childCheck(s.Write(&wreq, [][]byte{[]byte("hello again\n")}, onWrite) == nil, "write")
		reads++
	}
	err = server.Listen(128, func(s *handles.Stream, err error) {
		childCheck(err == nil, "connection: %v", err)
		conn, err := handles.NewTCP(l)
		childCheck(err == nil, "tcp: %v", err)
		childCheck(s.Accept(&conn.Stream) == nil, "accept")
		err = channel.Write2(&notify, [][]byte{[]byte("hello\n")}, &conn.Stream, nil)
		childCheck(err == nil, "write2: %v", err)
		childCheck(conn.ReadStart(allocBig, onRead) == nil, "read start")
		conn.Close(closeCb)
	})
	childCheck(err == nil, "listen: %v", err)
	addr, err := server.Sockname()
	childCheck(err == nil, "sockname: %v", err)
	childCheck(client.Init(l) == nil, "tcp init")
	err = client.Connect(&creq, addr, func(req *handles.ConnectReq, err error) {
		childCheck(err == nil, "connect: %v", err)
		childCheck(req.Stream().ReadStart(allocBig, onRead) == nil, "read start")
	})
	childCheck(err == nil, "connect: %v", err)
	childRun(l)
	childCheck(reads == 1, "%d reads", reads)
	childCheck(writes == 1, "%d writes", writes)
	childCheck(closes == 4, "%d close callbacks", closes)
	childClose(l)
	return 0
}

// ipcHelperSendZero writes an empty buffer to the parent.
func ipcHelperSendZero() int {
	l := childLoop()
	channel := childChannel(l, false)
	writes := 0
	var req handles.WriteReq
	err := channel.Write(&req, [][]byte{{}}, func(_ *handles.WriteReq, err error) {
		childCheck(err == nil, "write: %v", err)
		writes++
	})
	childCheck(err == nil, "write: %v", err)
	childRun(l)
	childCheck(writes == 1, "%d write callbacks", writes)
	childClose(l)
	return 0
}

// ipcSendRecvHelper is libuv's ipc_send_recv_helper: it accepts each handle it receives and
// sends it back.
func ipcSendRecvHelper() int {
	l := childLoop()
	listen, err := handles.NewPipe(l, false)
	childCheck(err == nil, "pipe: %v", err)
	channel := childChannel(l, true)
	var recv [2]*handles.Stream
	var wreq [2]handles.WriteReq
	reads, writes := 0, 0
	write2Cb := func(_ *handles.WriteReq, err error) {
		childCheck(err == nil, "write2: %v", err)
		if writes++; writes == 2 {
			recv[0].Close(nil)
			recv[1].Close(nil)
			channel.Close(nil)
			listen.Close(nil)
		}
	}
	err = channel.ReadStart(alloc8, func(s *handles.Stream, buf []byte, err error) {
		if errors.Is(err, uv.EOF) || errors.Is(err, uv.ECONNABORTED) {
			return
		}
		childCheck(err == nil, "read: %v", err)
		for channel.PendingCount() > 0 {
			childCheck(reads < 2, "more than two handles")
			pending := channel.PendingType()
			childCheck(pending == uv.TypeNamedPipe || pending == uv.TypeTCP, "pending type %v", pending)
			recv[reads] = procAcceptPending(s, pending)
			childCheck(recv[reads] != nil, "accept")
			err := channel.Write2(&wreq[reads], [][]byte{[]byte(".")}, recv[reads], write2Cb)
			childCheck(err == nil, "write2: %v", err)
			reads++
		}
	})
	childCheck(err == nil, "read start: %v", err)
	childRun(l)
	childClose(l)
	return 0
}

// procAcceptPending accepts the handle of type pending waiting on the IPC pipe s.
func procAcceptPending(s *handles.Stream, pending uv.HandleType) *handles.Stream {
	var recv *handles.Stream
	switch pending {
	case uv.TypeNamedPipe:
		p, err := handles.NewPipe(s.Loop(), false)
		if err != nil {
			return nil
		}
		recv = &p.Stream
	case uv.TypeTCP:
		tcp, err := handles.NewTCP(s.Loop())
		if err != nil {
			return nil
		}
		recv = &tcp.Stream
	default:
		return nil
	}
	if s.Accept(recv) != nil {
		recv.Close(nil)
		return nil
	}
	return recv
}

// ipcTest is libuv's spawn_helper for the IPC tests: the helper with an IPC pipe as stdin,
// and this process's stdout and stderr; it must exit with status 0.
type ipcTest struct {
	t         *testing.T
	l         *uv.Loop
	channel   *handles.Pipe
	proc      handles.Process
	exitCalls int
	closes    int
}

func newIPCTest(t *testing.T, mode string) *ipcTest {
	pipeNeedIPC(t)
	it := &ipcTest{t: t, l: newLoop(t)}
	var err error
	it.channel, err = handles.NewPipe(it.l, true)
	require.NoError(t, err)
	require.True(t, it.channel.IPC())
	file, args, env := childCommand(mode)
	err = handles.Spawn(it.l, &it.proc, &handles.ProcessOptions{File: file, Args: args, Env: quickExit(env),
		Stdio: []handles.StdioContainer{createPipe(it.channel, handles.StdioReadablePipe|handles.StdioWritablePipe),
			inheritFd(procStdFd(1)), inheritFd(procStdFd(2))},
		Exit: it.exitCb})
	require.NoError(t, err)
	pid := it.proc.Pid()
	t.Cleanup(func() { reapLeftover(pid) })
	procWatchdog(t, it.l, func() { reapLeftover(pid) })
	return it
}

func (it *ipcTest) exitCb(p *handles.Process, status int64, sig int) {
	it.exitCalls++
	assert.Zero(it.t, status, "the child's checks failed (see its stderr)")
	assert.Zero(it.t, sig, "term signal")
	p.Close(nil)
}

// ipcListen is libuv's run_ipc_test with on_read: it takes the TCP server the child sends,
// listens on it too, and connects to it a hundred times until each side has accepted a
// connection.
func ipcListen(t *testing.T, mode string) {
	it := newIPCTest(t, mode)
	l := it.l
	var server *handles.TCP
	listening, localAccepted, remoteAccepted, reads := false, false, false, 0
	var wreq handles.WriteReq
	onConnection := func(s *handles.Stream, err error) {
		if localAccepted {
			return
		}
		assert.NoError(t, err)
		assert.Same(t, &server.Stream, s)
		conn, err := handles.NewTCP(l)
		require.NoError(t, err)
		assert.NoError(t, s.Accept(&conn.Stream))
		conn.Close(nil)
		s.Close(nil)
		localAccepted = true
	}
	onRead := func(s *handles.Stream, buf []byte, err error) {
		if err == nil && len(buf) == 0 {
			return
		}
		if errors.Is(err, uv.EOF) {
			return
		}
		require.NoError(t, err, "reading the channel")
		pending := it.channel.PendingType()
		if !listening {
			assert.Equal(t, 1, it.channel.PendingCount())
			assert.NotEqual(t, uv.UnknownHandle, pending)
			reads++
			require.Equal(t, uv.TypeTCP, pending)
			server, err = handles.NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, s.Accept(&server.Stream))
			require.NoError(t, server.Listen(128, onConnection))
			listening = true
			assert.Equal(t, "hello\n", string(buf))
			require.NoError(t, it.channel.Write(&wreq, [][]byte{[]byte("foobar\n")}, nil))
			addr, err := server.Sockname()
			require.NoError(t, err)
			for range 100 {
				conn, err := handles.NewTCP(l)
				require.NoError(t, err)
				req := new(handles.ConnectReq)
				require.NoError(t, conn.Connect(req, addr, func(req *handles.ConnectReq, _ error) {
					req.Stream().Close(nil)
				}))
			}
		} else if string(buf) == "accepted_connection\n" {
			assert.Zero(t, it.channel.PendingCount())
			assert.Equal(t, uv.UnknownHandle, pending)
			remoteAccepted = true
			it.channel.Close(nil)
		}
	}
	require.NoError(t, it.channel.ReadStart(allocBig, onRead))
	run(t, l, uv.RunDefault)
	require.True(t, localAccepted)
	require.True(t, remoteAccepted)
	require.Equal(t, 1, reads)
	require.Equal(t, 1, it.exitCalls)
}

// TestIPCListenBeforeWrite: the child listens on the server before sending it.
// libuv: ipc_listen_before_write
func TestIPCListenBeforeWrite(t *testing.T) { ipcListen(t, "ipc_helper_listen_before_write") }

// TestIPCListenAfterWrite: the child listens on the server after sending it.
// libuv: ipc_listen_after_write
func TestIPCListenAfterWrite(t *testing.T) { ipcListen(t, "ipc_helper_listen_after_write") }

// TestIPCListenAfterBindTwice takes the two servers the child bound to one address: the
// first listens here, the second's listen fails with EADDRINUSE, the bind error that came
// with it (on Windows in the frame, as libuv's delayed error; on Linux the two binds
// succeeded and the listen itself fails). libuv runs it on Windows only.
// libuv: ipc_listen_after_bind_twice
func TestIPCListenAfterBindTwice(t *testing.T) {
	ipcNeedBindTwice(t)
	it := newIPCTest(t, "ipc_helper_bind_twice")
	l := it.l
	reads := 0
	var server, server2 *handles.TCP
	onConnection := func(*handles.Stream, error) { t.Error("no connection is made") }
	onRead := func(s *handles.Stream, buf []byte, err error) {
		if err == nil && len(buf) == 0 || errors.Is(err, uv.EOF) {
			return
		}
		require.NoError(t, err, "reading the channel")
		require.Positive(t, it.channel.PendingCount())
		require.Equal(t, uv.TypeTCP, it.channel.PendingType())
		assert.Equal(t, "hello\n", string(buf))
		reads++
		switch reads {
		case 1:
			server, err = handles.NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, s.Accept(&server.Stream))
			require.NoError(t, server.Listen(128, onConnection))
		case 2:
			server2, err = handles.NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, s.Accept(&server2.Stream))
			require.ErrorIs(t, server2.Listen(128, onConnection), uv.EADDRINUSE)
			server.Close(nil)
			server2.Close(nil)
			require.Zero(t, it.channel.PendingCount())
			it.channel.Close(nil)
		}
	}
	require.NoError(t, it.channel.ReadStart(allocBig, onRead))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, reads)
	require.Equal(t, 1, it.exitCalls)
}

// TestIPCTCPConnection receives an accepted TCP connection from the child and talks over it
// with the child's connecting end.
// libuv: ipc_tcp_connection
func TestIPCTCPConnection(t *testing.T) {
	it := newIPCTest(t, "ipc_helper_tcp_connection")
	l := it.l
	reads, tcpWrites, tcpReads := 0, 0, 0
	var conn *handles.TCP
	var wreq handles.WriteReq
	onTCPRead := func(s *handles.Stream, buf []byte, err error) {
		if err == nil && len(buf) == 0 {
			return
		}
		require.NoError(t, err)
		assert.Equal(t, "hello again\n", string(buf))
		assert.Same(t, &conn.Stream, s)
		tcpReads++
		s.Close(nil)
		it.channel.Close(nil)
	}
	onRead := func(s *handles.Stream, buf []byte, err error) {
		if err == nil && len(buf) == 0 {
			return
		}
		if errors.Is(err, uv.EOF) {
			return
		}
		require.NoError(t, err, "reading the channel")
		assert.Equal(t, 1, it.channel.PendingCount())
		pending := it.channel.PendingType()
		assert.NotEqual(t, uv.UnknownHandle, pending)
		reads++
		require.Equal(t, uv.TypeTCP, pending)
		conn, err = handles.NewTCP(l)
		require.NoError(t, err)
		require.NoError(t, s.Accept(&conn.Stream))
		assert.Equal(t, "hello\n", string(buf))
		require.NoError(t, conn.Write(&wreq, [][]byte{[]byte("world\n")}, func(req *handles.WriteReq, err error) {
			assert.NoError(t, err)
			assert.Same(t, &conn.Stream, req.Stream())
			tcpWrites++
		}))
		require.NoError(t, conn.ReadStart(allocBig, onTCPRead))
	}
	require.NoError(t, it.channel.ReadStart(allocBig, onRead))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, reads)
	require.Equal(t, 1, tcpWrites)
	require.Equal(t, 1, tcpReads)
	require.Equal(t, 1, it.exitCalls)
}

// TestIPCSendZero has the child write an empty buffer to its IPC pipe: the reader sees no
// data, only empty reads or EOF.
// libuv: ipc_send_zero
func TestIPCSendZero(t *testing.T) {
	it := newIPCTest(t, "ipc_helper_send_zero")
	require.NoError(t, it.channel.ReadStart(allocBig, func(_ *handles.Stream, buf []byte, err error) {
		assert.True(t, (err == nil && len(buf) == 0) || errors.Is(err, uv.EOF), "read %d bytes, %v", len(buf), err)
	}))
	run(t, it.l, uv.RunDefault)
	require.Equal(t, 1, it.exitCalls)
}

// ipcSendRecv sends the two handles of send to the child, which sends them back; they must
// come back with the type expected.
func ipcSendRecv(t *testing.T, expected uv.HandleType, send func(l *uv.Loop) [2]*handles.Stream) {
	it := newIPCTest(t, "ipc_send_recv_helper")
	sends := send(it.l)
	recvs := 0
	dot := [][]byte{[]byte(".")}
	var wreq [2]handles.WriteReq
	require.NoError(t, it.channel.Write2(&wreq[0], dot, sends[0], nil))
	// Two writes in a row (libuv issue 505 on Windows).
	require.NoError(t, it.channel.Write2(&wreq[1], dot, sends[1], nil))
	require.NoError(t, it.channel.ReadStart(alloc8, func(s *handles.Stream, buf []byte, err error) {
		if err == nil && len(buf) == 0 {
			return
		}
		for {
			recvs++
			if errors.Is(err, uv.EOF) {
				assert.Equal(t, 2, recvs, "EOF only at the last read")
			} else {
				require.NoError(t, err)
				require.Positive(t, it.channel.PendingCount())
				pending := it.channel.PendingType()
				require.Equal(t, expected, pending)
				require.NotNil(t, procAcceptPending(s, pending))
			}
			if it.channel.PendingCount() == 0 {
				break
			}
		}
		if recvs == 2 {
			it.channel.Close(nil)
		}
	}))
	run(t, it.l, uv.RunDefault)
	require.Equal(t, 2, recvs)
	require.Equal(t, 1, it.exitCalls)
}

// TestIPCSendRecvPipe sends two bound pipes to the child and receives them back, as pipes.
// libuv: ipc_send_recv_pipe
func TestIPCSendRecvPipe(t *testing.T) {
	ipcSendRecv(t, uv.TypeNamedPipe, func(l *uv.Loop) (s [2]*handles.Stream) {
		for i := range s {
			p, err := handles.NewPipe(l, true)
			require.NoError(t, err)
			require.NoError(t, p.Bind(pipeTestName(t)))
			s[i] = &p.Stream
		}
		return s
	})
}

// TestIPCSendRecvTCP sends two TCP handles bound to one loopback address to the child and
// receives them back, as TCP handles.
// libuv: ipc_send_recv_tcp
func TestIPCSendRecvTCP(t *testing.T) {
	ipcSendRecv(t, uv.TypeTCP, func(l *uv.Loop) [2]*handles.Stream {
		first, err := handles.NewTCP(l)
		require.NoError(t, err)
		require.NoError(t, first.Bind(loopbackAny, 0))
		addr, err := first.Sockname()
		require.NoError(t, err)
		second, err := handles.NewTCP(l)
		require.NoError(t, err)
		require.NoError(t, second.Bind(addr, 0))
		return [2]*handles.Stream{&first.Stream, &second.Stream}
	})
}

// The heavy-traffic test: both sides queue 256 writes of three 8 KiB buffers before reading,
// then read all the other side wrote, and shut down.
const (
	heavyWrites  = 256
	heavyBuffers = 3
	heavyBufSize = 0x2000
	heavyContent = 42
	heavyXfer    = heavyWrites * heavyBuffers * heavyBufSize
)

// heavyTraffic is libuv's do_writes_and_reads on s; check reports a failed check.
func heavyTraffic(l *uv.Loop, s *handles.Stream, check func(ok bool, format string, args ...any)) {
	written, read := 0, 0
	chunk := make([]byte, heavyBufSize)
	for i := range chunk {
		chunk[i] = heavyContent
	}
	reqs := make([]handles.WriteReq, heavyWrites)
	for i := range reqs {
		err := s.Write(&reqs[i], [][]byte{chunk, chunk, chunk}, func(_ *handles.WriteReq, err error) {
			check(err == nil, "write: %v", err)
			written += heavyBuffers * heavyBufSize
		})
		check(err == nil, "write: %v", err)
	}
	var shut handles.ShutdownReq
	err := s.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		check(err == nil, "read: %v", err)
		read += len(buf)
		for _, c := range buf {
			if c != heavyContent {
				check(false, "read byte %d", c)
				break
			}
		}
		if read >= heavyXfer {
			check(s.ReadStop() == nil, "read stop")
			err := s.Shutdown(&shut, func(req *handles.ShutdownReq, err error) {
				check(err == nil || errors.Is(err, uv.ENOTCONN), "shutdown: %v", err)
				req.Stream().Close(nil)
			})
			check(err == nil, "shutdown: %v", err)
		}
	})
	check(err == nil, "read start: %v", err)
	_, err = l.Run(uv.RunDefault)
	check(err == nil, "run: %v", err)
	check(written == heavyXfer, "wrote %d bytes", written)
	check(read == heavyXfer, "read %d bytes", read)
}

func ipcHelperHeavyTraffic() int {
	l := childLoop()
	channel, err := handles.NewPipe(l, true)
	childCheck(err == nil, "pipe: %v", err)
	childCheck(channel.Open(procStdFd(0)) == nil, "open stdin")
	heavyTraffic(l, &channel.Stream, childCheck)
	childClose(l)
	return 0
}

// TestIPCHeavyTrafficDeadlockBug exchanges 6 MiB each way with the child over an IPC pipe,
// both sides writing everything before reading.
// libuv: ipc_heavy_traffic_deadlock_bug
func TestIPCHeavyTrafficDeadlockBug(t *testing.T) {
	it := newIPCTest(t, "ipc_helper_heavy_traffic_deadlock_bug")
	heavyTraffic(it.l, &it.channel.Stream, func(ok bool, format string, args ...any) {
		assert.Truef(t, ok, format, args...)
	})
	require.Equal(t, 1, it.exitCalls)
}

// stdioOverPipesHelper is libuv's stdio_over_pipes_helper: two pipe handles on each of its
// stdin and stdout; it writes "hello world\n" in seven pieces through one, reads the echo
// through the other, and does it again with the second pair.
func stdioOverPipesHelper() int {
	childCheck(uv.GuessHandle(procStdFd(0)) == uv.TypeNamedPipe, "stdin is %v", uv.GuessHandle(procStdFd(0)))
	childCheck(uv.GuessHandle(procStdFd(1)) == uv.TypeNamedPipe, "stdout is %v", uv.GuessHandle(procStdFd(1)))
	l := childLoop()
	var pipes [4]*handles.Pipe // stdin1, stdout1, stdin2, stdout2
	for i := range pipes {
		p, err := handles.NewPipe(l, false)
		childCheck(err == nil, "pipe: %v", err)
		childCheck(p.Open(procStdFd(i%2)) == nil, "open stdio %d", i%2)
		pipes[i] = p
	}
	buffers := []string{"he", "ll", "o ", "wo", "rl", "d", "\n"}
	writes, reads, closes := 0, 0, 0
	var wreqs [7]handles.WriteReq
	for j := range 2 {
		for _, p := range pipes {
			p.Unref() // the writes alone must keep the loop running
		}
		for i, b := range buffers {
			err := pipes[2*j+1].Write(&wreqs[i], [][]byte{[]byte(b)}, func(_ *handles.WriteReq, err error) {
				childCheck(err == nil, "write: %v", err)
				writes++
			})
			childCheck(err == nil, "write: %v", err)
		}
		childRun(l)
		childCheck(writes == 7*(j+1), "%d writes", writes)
		childCheck(reads == j, "%d reads", reads)
		childCheck(closes == 0, "closes")
		for _, p := range pipes {
			p.Ref()
		}
		err := pipes[2*j].ReadStart(allocBig, func(s *handles.Stream, buf []byte, err error) {
			childCheck(err == nil && len(buf) > 0, "read %d bytes, %v", len(buf), err)
			childCheck(string(buf) == "hello world\n"[:len(buf)], "read %q", buf)
			reads++
			s.ReadStop()
		})
		childCheck(err == nil, "read start: %v", err)
		childRun(l)
		childCheck(writes == 7*(j+1), "%d writes", writes)
		childCheck(reads == j+1, "%d reads", reads)
		childCheck(closes == 0, "closes")
	}
	for _, p := range pipes {
		p.Close(func() { closes++ })
	}
	childRun(l)
	childCheck(writes == 14, "%d writes", writes)
	childCheck(reads == 2, "%d reads", reads)
	childCheck(closes == 4, "%d closes", closes)
	childCheck(l.Close() == nil, "loop close")
	return 0
}

// TestStdioOverPipes echoes each line the child writes to its stdout back to its stdin.
// libuv: stdio_over_pipes
func TestStdioOverPipes(t *testing.T) { stdioOverPipes(t, 0) }

// TestStdioEmulateIOCP is TestStdioOverPipes with the pipes made with StdioNonblockPipe
// (libuv's UV_OVERLAPPED_PIPE), which matters only on Windows.
// libuv: stdio_emulate_iocp
func TestStdioEmulateIOCP(t *testing.T) { stdioOverPipes(t, handles.StdioNonblockPipe) }

func stdioOverPipes(t *testing.T, overlapped int) {
	var in, out *handles.Pipe
	st := newSpawnTest(t, "stdio_over_pipes_helper", func(st *spawnTest, p *handles.Process, status int64, sig int) {
		st.exitCalls++
		assert.Zero(t, status, "the child's checks failed (see its stderr)")
		assert.Zero(t, sig)
		p.Close(st.closeCb)
		in.Close(st.closeCb)
		out.Close(st.closeCb)
	})
	in, out = st.newPipe(), st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe|overlapped),
		createPipe(out, handles.StdioWritablePipe|overlapped), inheritFd(procStdFd(2))}
	require.NoError(t, st.spawn())
	reads, afterWrites := 0, 0
	require.NoError(t, out.ReadStart(st.onAlloc, func(s *handles.Stream, buf []byte, err error) {
		assert.True(t, len(buf) > 0 || errors.Is(err, uv.EOF), "read %d bytes, %v", len(buf), err)
		if len(buf) > 0 {
			st.used += len(buf)
			if st.used%12 == 0 {
				assert.Equal(t, "hello world\n", string(st.output[:12]))
				req := new(handles.WriteReq)
				assert.NoError(t, in.Write(req, [][]byte{st.output[:12]}, func(_ *handles.WriteReq, err error) {
					assert.NoError(t, err)
					afterWrites++
				}))
			}
		}
		reads++
	}))
	run(t, st.l, uv.RunDefault)
	require.Greater(t, reads, 1)
	require.Equal(t, 2, afterWrites)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 3, st.closeCalls)
	require.Equal(t, "hello world\nhello world\n", st.out())
}
