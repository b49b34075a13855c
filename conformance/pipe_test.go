package conformance_test

import (
	"errors"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The pipe tests. libuv's TEST_PIPENAME is a fixed name; here each test binds a name of its
// own (pipeTestName): on unix a path in a fresh directory under the system temp directory,
// kept short for sun_path's 108 bytes, on Windows a \\.\pipe\ name. What only applies to
// one of them (unix paths and descriptors, Windows pipe names) is in pipe_unix_test.go and
// pipe_windows_test.go. libuv's
// pipe_echo_server helper process becomes pipeEchoServer, an echo server on its own loop in
// a goroutine; its thread helper (ipc_send_recv_*_inprocess) becomes a goroutine too.

// newPipe initialises a pipe on l.
func pipeInit(t testing.TB, l *uv.Loop, ipc bool) *handles.Pipe {
	t.Helper()
	p, err := handles.NewPipe(l, ipc)
	require.NoError(t, err)
	return p
}

// pipeEchoServer runs libuv's pipe_echo_server on name: a loop of its own, in a goroutine,
// echoing what each connection sends and shutting the connection down at EOF. It is stopped
// and its loop closed when the test ends.
func pipeEchoServer(t *testing.T, name string) {
	t.Helper()
	ready := make(chan error, 1)
	done := make(chan struct{})
	var stop *handles.Async
	go func() {
		defer close(done)
		l, err := uv.NewLoop()
		if err != nil {
			ready <- err
			return
		}
		srv, err := handles.NewPipe(l, false)
		if err == nil {
			err = srv.Bind(name)
		}
		if err == nil {
			err = srv.Listen(handles.DefaultBacklog, pipeEchoConnection)
		}
		if err == nil {
			stop, err = handles.NewAsync(l, func(a *handles.Async) {
				a.Loop().Walk(func(h *uv.Handle) {
					if !h.IsClosing() {
						h.Close(nil)
					}
				})
			})
		}
		ready <- err
		if err == nil {
			_, err = l.Run(uv.RunDefault)
			assert.NoError(t, err)
		} else {
			l.Walk(func(h *uv.Handle) { h.Close(nil) })
			l.Run(uv.RunDefault)
		}
		assert.NoError(t, l.Close())
	}()
	require.NoError(t, <-ready)
	t.Cleanup(func() {
		stop.Send()
		<-done
	})
}

func pipeEchoConnection(server *handles.Stream, err error) {
	if err != nil {
		return
	}
	c, err := handles.NewPipe(server.Loop(), false)
	if err != nil {
		return
	}
	if server.Accept(&c.Stream) != nil {
		c.Close(nil)
		return
	}
	c.ReadStart(func(*handles.Stream, int) []byte { return make([]byte, 64*1024) }, pipeEchoRead)
}

func pipeEchoRead(s *handles.Stream, buf []byte, err error) {
	if err != nil {
		if errors.Is(err, uv.EOF) && s.IsWritable() {
			if s.Shutdown(new(handles.ShutdownReq), func(r *handles.ShutdownReq, _ error) {
				r.Stream().Close(nil)
			}) == nil {
				return
			}
		}
		s.Close(nil)
		return
	}
	if len(buf) > 0 {
		s.Write(new(handles.WriteReq), [][]byte{buf}, nil)
	}
}

// pipeWatchdog fails the test and stops l if l still runs after 10 s, so that a peer loop
// that failed ends the test instead of hanging it. Its timer is unreferenced.
func pipeWatchdog(t *testing.T, l *uv.Loop) {
	t.Helper()
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(*handles.Timer) {
		t.Error("loop still running after 10 s")
		l.Stop()
	}, 10000, 0))
	tm.Unref()
}

// TestPipeBindErrorAddrinuse checks that binding a second pipe to a bound name fails with
// EADDRINUSE, and that the pipe without a socket then cannot listen (EINVAL).
// libuv: pipe_bind_error_addrinuse
func TestPipeBindErrorAddrinuse(t *testing.T) {
	l := newLoop(t)
	name := pipeTestName(t)
	server1 := pipeInit(t, l, false)
	require.NoError(t, server1.Bind(name))
	server2 := pipeInit(t, l, false)
	require.ErrorIs(t, server2.Bind(name), uv.EADDRINUSE)

	never := func(*handles.Stream, error) { t.Error("connection callback must not run") }
	require.NoError(t, server1.Listen(pipeSomaxconn, never))
	require.ErrorIs(t, server2.Listen(pipeSomaxconn, never), uv.EINVAL)

	closed := 0
	require.NoError(t, server1.Close(func() { closed++ }))
	require.NoError(t, server2.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closed)
}

// TestPipeBindErrorAddrnotavail checks that binding to a path in a directory that does not
// exist fails with EACCES (libuv turns ENOENT into EACCES, as on Windows).
// libuv: pipe_bind_error_addrnotavail
func TestPipeBindErrorAddrnotavail(t *testing.T) {
	l := newLoop(t)
	server := pipeInit(t, l, false)
	require.ErrorIs(t, server.Bind(pipeBadName), uv.EACCES)
	closed := 0
	require.NoError(t, server.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// TestPipeBindErrorInval checks that binding a bound pipe again fails with EINVAL.
// libuv: pipe_bind_error_inval
func TestPipeBindErrorInval(t *testing.T) {
	l := newLoop(t)
	server := pipeInit(t, l, false)
	require.NoError(t, server.Bind(pipeTestName(t)))
	require.ErrorIs(t, server.Bind(pipeTestName(t)), uv.EINVAL)
	closed := 0
	require.NoError(t, server.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// TestPipeListenWithoutBind checks that an unbound pipe cannot listen (EINVAL).
// libuv: pipe_listen_without_bind
func TestPipeListenWithoutBind(t *testing.T) {
	l := newLoop(t)
	server := pipeInit(t, l, false)
	require.ErrorIs(t, server.Listen(pipeSomaxconn, func(*handles.Stream, error) {
		t.Error("connection callback must not run")
	}), uv.EINVAL)
	closed := 0
	require.NoError(t, server.Close(func() { closed++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// TestPipeBindOrListenErrorAfterClose checks that a closing pipe can neither bind nor
// listen (EINVAL).
// libuv: pipe_bind_or_listen_error_after_close
func TestPipeBindOrListenErrorAfterClose(t *testing.T) {
	l := newLoop(t)
	server := pipeInit(t, l, false)
	require.NoError(t, server.Close(nil))
	require.ErrorIs(t, server.Bind(pipeTestName(t)), uv.EINVAL)
	require.ErrorIs(t, server.Listen(pipeSomaxconn, func(*handles.Stream, error) {
		t.Error("connection callback must not run")
	}), uv.EINVAL)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestPipeOverlongPath checks that, with PipeNoTruncate, a name longer than a socket address
// holds is refused by Bind2 and Connect2 (EINVAL, no callback), and that Connect gives the
// empty name's EINVAL to its callback on the loop.
// libuv: pipe_overlong_path
func TestPipeOverlongPath(t *testing.T) {
	l := newLoop(t)
	p := pipeInit(t, l, false)
	path := strings.Repeat("@", 512)
	require.ErrorIs(t, p.Bind2(path, handles.PipeNoTruncate), uv.EINVAL)
	var req handles.ConnectReq
	require.ErrorIs(t, p.Connect2(&req, path, handles.PipeNoTruncate, func(*handles.ConnectReq, error) {
		t.Error("connect callback must not run")
	}), uv.EINVAL)
	run(t, l, uv.RunDefault)

	connects, closed := 0, 0
	require.NoError(t, p.Connect(&req, "", func(r *handles.ConnectReq, err error) {
		require.ErrorIs(t, err, uv.EINVAL)
		connects++
		r.Stream().Close(func() { closed++ })
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	require.Equal(t, 1, closed)
}

// TestPipeConnectBadName checks that connecting to a path where nothing is bound reports
// ENOENT to the connect callback.
// libuv: pipe_connect_bad_name
func TestPipeConnectBadName(t *testing.T) {
	l := newLoop(t)
	client := pipeInit(t, l, false)
	var req handles.ConnectReq
	connects, closed := 0, 0
	require.NoError(t, client.Connect(&req, pipeBadName, func(r *handles.ConnectReq, err error) {
		require.ErrorIs(t, err, uv.ENOENT)
		r.Stream().Close(func() { closed++ })
		connects++
	}))
	require.Zero(t, connects, "the connect callback runs on the loop")
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
	require.Equal(t, 1, connects)
}

// TestPipeConnectToFile checks that connecting to a regular file fails on the callback with
// ENOTSOCK, EACCES or ECONNREFUSED (Linux's answer).
// libuv: pipe_connect_to_file
func TestPipeConnectToFile(t *testing.T) {
	l := newLoop(t)
	f, err := os.CreateTemp("", "empty_file") // libuv's test/fixtures/empty_file
	require.NoError(t, err)
	path := f.Name()
	require.NoError(t, f.Close())
	t.Cleanup(func() { os.Remove(path) })
	client := pipeInit(t, l, false)
	var req handles.ConnectReq
	connects, closed := 0, 0
	require.NoError(t, client.Connect(&req, path, func(r *handles.ConnectReq, err error) {
		if !errors.Is(err, uv.ENOTSOCK) && !errors.Is(err, uv.EACCES) {
			require.ErrorIs(t, err, uv.ECONNREFUSED)
		}
		r.Stream().Close(func() { closed++ })
		connects++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
	require.Equal(t, 1, connects)
}

// TestPipeConnectOnPrepare checks that a connect started from a prepare callback reports
// its error (ENOENT) on the loop.
// libuv: pipe_connect_on_prepare
func TestPipeConnectOnPrepare(t *testing.T) {
	l := newLoop(t)
	pipe := pipeInit(t, l, false)
	prep, err := handles.NewPrepare(l)
	require.NoError(t, err)
	var req handles.ConnectReq
	connects, closed := 0, 0
	closeCb := func() { closed++ }
	require.NoError(t, prep.Start(func(p *handles.Prepare) {
		require.NoError(t, pipe.Connect(&req, pipeBadName, func(_ *handles.ConnectReq, err error) {
			require.ErrorIs(t, err, uv.ENOENT)
			connects++
			prep.Close(closeCb)
			pipe.Close(closeCb)
		}))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closed)
	require.Equal(t, 1, connects)
}

// TestPipeServerClose checks that a client and the server it connected to can both be
// closed from the connect callback.
// libuv: pipe_server_close
func TestPipeServerClose(t *testing.T) {
	l := newLoop(t)
	name := pipeTestName(t)
	server := pipeInit(t, l, false)
	require.NoError(t, server.Bind(name))
	require.NoError(t, server.Listen(0, func(_ *handles.Stream, err error) {
		require.NoError(t, err) // may run, depending on whether accept or connect is first
	}))
	client := pipeInit(t, l, false)
	var req handles.ConnectReq
	connects, closed := 0, 0
	closeCb := func() { closed++ }
	require.NoError(t, client.Connect(&req, name, func(r *handles.ConnectReq, err error) {
		require.Same(t, &req, r)
		require.NoError(t, err)
		connects++
		client.Close(closeCb)
		server.Close(closeCb)
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, connects)
	require.Equal(t, 2, closed)
}

// TestPipeConnectMultiple checks that ten clients connect to one server, which accepts
// them all.
// libuv: pipe_connect_multiple
func TestPipeConnectMultiple(t *testing.T) {
	const numClients = 10
	l := newLoop(t)
	name := pipeTestName(t)
	server := pipeInit(t, l, false)
	require.NoError(t, server.Bind(name))
	connections, connects := 0, 0
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		conn := pipeInit(t, s.Loop(), false)
		require.NoError(t, s.Accept(&conn.Stream))
		if connections++; connections == numClients && connects == numClients {
			s.Loop().Stop()
		}
	}))
	reqs := make([]handles.ConnectReq, numClients)
	for i := range reqs {
		client := pipeInit(t, l, false)
		require.NoError(t, client.Connect(&reqs[i], name, func(r *handles.ConnectReq, err error) {
			require.NoError(t, err)
			if connects++; connects == numClients && connections == numClients {
				r.Stream().Loop().Stop()
			}
		}))
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, numClients, connections)
	require.Equal(t, numClients, connects)
}

// TestPipeConnectCloseMultiple checks that clients closed right after starting their
// connects get ECANCELED, while the server still accepts the ten connections.
// libuv: pipe_connect_close_multiple
func TestPipeConnectCloseMultiple(t *testing.T) {
	const numClients = 10
	l := newLoop(t)
	name := pipeTestName(t)
	server := pipeInit(t, l, false)
	require.NoError(t, server.Bind(name))
	connections, connects := 0, 0
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		conn := pipeInit(t, s.Loop(), false)
		require.NoError(t, s.Accept(&conn.Stream))
		conn.Close(nil)
		if connections++; connections == numClients && connects == numClients {
			server.Close(nil)
		}
	}))
	reqs := make([]handles.ConnectReq, numClients)
	clients := make([]*handles.Pipe, numClients)
	for i := range reqs {
		clients[i] = pipeInit(t, l, false)
		require.NoError(t, clients[i].Connect(&reqs[i], name, func(_ *handles.ConnectReq, err error) {
			require.ErrorIs(t, err, uv.ECANCELED)
			if connects++; connects == numClients && connections == numClients {
				server.Close(nil)
			}
		}))
	}
	for _, c := range clients {
		require.NoError(t, c.Close(nil))
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, numClients, connections)
	require.Equal(t, numClients, connects)
}

// pipeCheckClientNames is libuv's pipe_client_connect_cb check: the client's peer is the
// server's name (an abstract one whole, with its NUL bytes), its own name is empty.
func pipeCheckClientNames(t *testing.T, client *handles.Pipe, name string) {
	t.Helper()
	peer, err := client.Peername()
	require.NoError(t, err)
	if peer != "" && peer[0] == 0 {
		require.Equal(t, name, peer, "abstract name with its trailing NUL")
	} else {
		require.NotEqual(t, byte(0), peer[len(peer)-1])
		require.Equal(t, name, peer)
	}
	local, err := client.Sockname()
	require.NoError(t, err)
	require.Empty(t, local)
}

// TestPipeGetsockname checks Sockname and Peername of a server and a client: EBADF without a
// socket, the bound name (a longer string cut to the name's length binds the name only),
// ENOTCONN for a server's peer, "" for a client's own name. libuv's checks of its C buffer
// sizes (EINVAL for NULL, ENOBUFS for a short buffer) have no Go counterpart: the names are
// returned as strings.
// libuv: pipe_getsockname
func TestPipeGetsockname(t *testing.T) {
	l := newLoop(t)
	name := pipeTestName(t)
	namebuf := name + "-oob"
	server := pipeInit(t, l, false)
	require.ErrorIs(t, server.Bind2("bad\x00path", 0), uv.EINVAL)
	_, err := server.Sockname()
	require.ErrorIs(t, err, uv.EBADF)
	_, err = server.Peername()
	require.ErrorIs(t, err, uv.EBADF)

	require.NoError(t, server.Bind2(namebuf[:len(name)], 0))
	got, err := server.Sockname()
	require.NoError(t, err)
	require.Equal(t, name, got)
	_, err = server.Peername()
	require.ErrorIs(t, err, uv.ENOTCONN)
	require.NoError(t, server.Listen(0, func(_ *handles.Stream, err error) { require.NoError(t, err) }))

	client := pipeInit(t, l, false)
	_, err = client.Sockname()
	require.ErrorIs(t, err, uv.EBADF)
	_, err = client.Peername()
	require.ErrorIs(t, err, uv.EBADF)

	var req handles.ConnectReq
	connects, closed := 0, 0
	closeCb := func() { closed++ }
	require.NoError(t, client.Connect2(&req, namebuf[:len(name)], 0, func(r *handles.ConnectReq, err error) {
		require.Same(t, &req, r)
		require.NoError(t, err)
		pipeCheckClientNames(t, client, name)
		connects++
		client.Close(closeCb)
		server.Close(closeCb)
	}))
	local, err := client.Sockname()
	require.NoError(t, err)
	require.Empty(t, local)
	peer, err := client.Peername()
	require.NoError(t, err)
	require.Equal(t, name, peer)

	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	require.Equal(t, 2, closed)
}

// TestPipeGetsocknameAbstract checks, on Linux, that an abstract name with a NUL byte at
// the end comes back whole from Sockname and from the client's Peername; elsewhere such a
// name is EINVAL for Bind2 and Connect2.
// libuv: pipe_getsockname_abstract
func TestPipeGetsocknameAbstract(t *testing.T) {
	l := newLoop(t)
	name := "\x00" + pipeTestName(t) + "\x00"
	server := pipeInit(t, l, false)
	client := pipeInit(t, l, false)
	var req handles.ConnectReq
	closed := 0
	closeCb := func() { closed++ }
	if runtime.GOOS != "linux" {
		require.ErrorIs(t, server.Bind2(name, 0), uv.EINVAL)
		server.Close(closeCb)
		require.ErrorIs(t, client.Connect2(&req, name, 0, func(*handles.ConnectReq, error) {
			t.Error("connect callback must not run")
		}), uv.EINVAL)
		client.Close(closeCb)
		run(t, l, uv.RunDefault)
		require.Equal(t, 2, closed)
		return
	}
	require.NoError(t, server.Bind2(name, 0))
	got, err := server.Sockname()
	require.NoError(t, err)
	require.Equal(t, name, got)
	require.NoError(t, server.Listen(0, func(_ *handles.Stream, err error) { require.NoError(t, err) }))
	connects := 0
	require.NoError(t, client.Connect2(&req, name, 0, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		pipeCheckClientNames(t, client, name)
		connects++
		client.Close(closeCb)
		server.Close(closeCb)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	require.Equal(t, 2, closed)
}

// pipeCheckAutobindName checks the shape of a Linux autobind name: a NUL byte and five
// lower-case hex digits.
func pipeCheckAutobindName(t *testing.T, name string) {
	t.Helper()
	require.Len(t, name, 6)
	require.Equal(t, byte(0), name[0])
	for _, c := range []byte(name[1:]) {
		require.True(t, c >= '0' && c <= '9' || c >= 'a' && c <= 'f', "autobind name %q", name)
	}
}

// TestPipeGetsocknameAutobind checks, on Linux, that binding to the empty name picks a
// unique abstract name, which clients can connect to; elsewhere the empty name is EINVAL.
// libuv's check that a 5-byte buffer is too short (ENOBUFS) has no Go counterpart.
// libuv: pipe_getsockname_autobind
func TestPipeGetsocknameAutobind(t *testing.T) {
	l := newLoop(t)
	server := pipeInit(t, l, false)
	closed := 0
	closeCb := func() { closed++ }
	if runtime.GOOS != "linux" {
		require.ErrorIs(t, server.Bind2("", 0), uv.EINVAL)
		server.Close(closeCb)
		run(t, l, uv.RunDefault)
		require.Equal(t, 1, closed)
		return
	}
	require.NoError(t, server.Bind2("", 0))
	name, err := server.Sockname()
	require.NoError(t, err)
	pipeCheckAutobindName(t, name)
	require.NoError(t, server.Listen(0, func(_ *handles.Stream, err error) { require.NoError(t, err) }))
	client := pipeInit(t, l, false)
	var req handles.ConnectReq
	connects := 0
	require.NoError(t, client.Connect2(&req, name, 0, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		peer, err := client.Peername()
		require.NoError(t, err)
		pipeCheckAutobindName(t, peer)
		require.Equal(t, name, peer)
		connects++
		client.Close(closeCb)
		server.Close(closeCb)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	require.Equal(t, 2, closed)
}

// TestPipeGetsocknameBlocking asks an anonymous Windows pipe for its name while it is not
// read and while a blocking read (on a goroutine, as the pipe is not overlapped) is under
// way: the empty name both times, and no read callback. Windows-only, as in libuv, whose test
// is empty on unix.
// libuv: pipe_getsockname_blocking
func TestPipeGetsocknameBlocking(t *testing.T) { pipeGetsocknameBlocking(t) }

// TestPipeGetsocknameLongPath checks binding and connecting to a path longer than sun_path,
// which systems with SOCK_MAXADDRLEN (macOS, the BSDs) accept. Linux has no such thing and
// libuv skips the test there.
// libuv: pipe_getsockname_long_path
func TestPipeGetsocknameLongPath(t *testing.T) { pipeGetsocknameLongPath(t) }

// TestPipePendingInstances checks that PendingInstances, a Windows setting, is accepted
// before and after Bind and changes nothing.
// libuv: pipe_pending_instances
func TestPipePendingInstances(t *testing.T) {
	l := newLoop(t)
	p := pipeInit(t, l, false)
	p.PendingInstances(8)
	require.NoError(t, p.Bind(pipeTestName(t)))
	p.PendingInstances(16)
	require.NoError(t, p.Listen(128, func(*handles.Stream, error) {
		t.Error("connection callback must not run")
	}))
	require.NoError(t, p.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
}

// TestPipeSetChmod checks Chmod on a bound pipe: Readable, Writable and both give the path
// those permissions for everyone; a nil pipe and a closed one are EBADF, an unknown mode
// EINVAL.
// libuv: pipe_set_chmod
func TestPipeSetChmod(t *testing.T) { pipeSetChmod(t) }

// TestPipeSetNonBlocking checks that a pipe end put in blocking mode takes every TryWrite
// whole (4 KiB at a time, 10 MiB in all) while another goroutine drains the pipe.
// libuv: pipe_set_non_blocking
func TestPipeSetNonBlocking(t *testing.T) { pipeSetNonBlocking(t) }

// TestPipeSendmsg checks that four descriptors sent with one sendmsg over a socket pair
// reach an IPC pipe on the other end as four pending pipe handles, taken with Accept.
// libuv: pipe_sendmsg
func TestPipeSendmsg(t *testing.T) { pipeSendmsg(t) }

// TestPipeCloseStdoutReadStdin checks that reading a pipe whose write end is closed ends
// with EOF within one RunNoWait, so that the read callback can close the pipe and the loop
// is left with nothing to do. libuv forks a child that reads the pipe as its stdin; here the
// same process reads the pipe end directly.
// libuv: pipe_close_stdout_read_stdin
func TestPipeCloseStdoutReadStdin(t *testing.T) { pipeCloseStdoutReadStdin(t) }

// The ping-pong tests (libuv's test-ping-pong.c, pipe variants).

const pipeNumPings = 1000

type pipePinger struct {
	t          *testing.T
	vectored   bool
	pongs      int
	state      int
	pong       string
	completed  *int
	other      *handles.Pipe // pipe2 variant: the other end, closed after this one
	connectCbs int
}

const pipePing = "PING\n"

func (p *pipePinger) writePing(s *handles.Stream) {
	var bufs [][]byte
	if p.vectored {
		for i := range len(pipePing) {
			bufs = append(bufs, []byte(pipePing[i:i+1]))
		}
	} else {
		bufs = [][]byte{[]byte(pipePing)}
	}
	require.NoError(p.t, s.Write(new(handles.WriteReq), bufs, func(_ *handles.WriteReq, err error) {
		require.NoError(p.t, err)
	}))
}

func (p *pipePinger) onClose() {
	require.Equal(p.t, pipeNumPings, p.pongs)
	if p.other != nil {
		p.other.Close(nil)
	}
	*p.completed++
}

func (p *pipePinger) readCb(writeTo *handles.Stream) func(*handles.Stream, []byte, error) {
	return func(s *handles.Stream, buf []byte, err error) {
		if err != nil {
			require.ErrorIs(p.t, err, uv.EOF)
			s.Close(p.onClose)
			return
		}
		for _, c := range buf {
			require.Equal(p.t, p.pong[p.state], c)
			p.state = (p.state + 1) % len(p.pong)
			if p.state != 0 {
				continue
			}
			p.pongs++
			if p.pongs < pipeNumPings {
				p.writePing(writeTo)
			} else {
				s.Close(p.onClose)
				break
			}
		}
	}
}

func pipeAlloc(*handles.Stream, int) []byte { return make([]byte, 64*1024) }

// pipePingPong runs libuv's pipe_pinger_new against the echo server, then pipe2_pinger_new
// over an anonymous pipe whose read end counts the pings its write end sends.
func pipePingPong(t *testing.T, vectored bool) {
	l := newLoop(t)
	name := pipeTestName(t)
	pipeEchoServer(t, name)
	pipeWatchdog(t, l)

	completed := 0
	pinger := &pipePinger{t: t, vectored: vectored, pong: pipePing, completed: &completed}
	client := pipeInit(t, l, false)
	var req handles.ConnectReq
	require.NoError(t, client.Connect(&req, name, func(r *handles.ConnectReq, err error) {
		pinger.connectCbs++
		require.NoError(t, err)
		s := r.Stream()
		require.True(t, s.IsReadable())
		require.True(t, s.IsWritable())
		require.False(t, s.IsClosing())
		pinger.writePing(s)
		require.NoError(t, s.ReadStart(pipeAlloc, pinger.readCb(s)))
	}))
	require.Zero(t, pinger.connectCbs, "synchronous connect callbacks are not allowed")
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, completed)

	completed = 0
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(t, err)
	for _, fd := range fds {
		typ, err := uv.SockTypeOf(fd)
		require.NoError(t, err)
		require.Equal(t, uv.TypeNamedPipe, typ)
	}
	ponger := pipeInit(t, l, false)
	require.NoError(t, ponger.Open(fds[0]))
	writer := pipeInit(t, l, false)
	require.NoError(t, writer.Open(fds[1]))
	pinger2 := &pipePinger{t: t, vectored: vectored, pong: pipePing, completed: &completed, other: writer}
	pinger2.writePing(&writer.Stream)
	require.NoError(t, ponger.ReadStart(pipeAlloc, pinger2.readCb(&writer.Stream)))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, completed)
}

// TestPipePingPong plays 1000 ping-pongs with an echo server over a named pipe, then sends
// 1000 pings through an anonymous pipe.
// libuv: pipe_ping_pong
func TestPipePingPong(t *testing.T) { pipePingPong(t, false) }

// TestPipePingPongVec is TestPipePingPong with each ping written as five one-byte buffers.
// libuv: pipe_ping_pong_vec
func TestPipePingPongVec(t *testing.T) { pipePingPong(t, true) }

// TestShutdownClosePipe checks that a shutdown followed at once by Close still gets its
// callback (with nil or ECANCELED).
// libuv: shutdown_close_pipe
func TestShutdownClosePipe(t *testing.T) {
	l := newLoop(t)
	name := pipeTestName(t)
	pipeEchoServer(t, name)
	h := pipeInit(t, l, false)
	var creq handles.ConnectReq
	var sreq handles.ShutdownReq
	connects, shutdowns, closed := 0, 0, 0
	require.NoError(t, h.Connect(&creq, name, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		s := r.Stream()
		require.NoError(t, s.Shutdown(&sreq, func(sr *handles.ShutdownReq, err error) {
			require.Same(t, &sreq, sr)
			if err != nil {
				require.ErrorIs(t, err, uv.ECANCELED)
			}
			shutdowns++
		}))
		require.False(t, s.IsClosing())
		s.Close(func() { closed++ })
		require.True(t, s.IsClosing())
		connects++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	require.Equal(t, 1, shutdowns)
	require.Equal(t, 1, closed)
}

// TestPipeRef checks that an unreferenced, inactive pipe does not keep the loop alive.
// libuv: pipe_ref
func TestPipeRef(t *testing.T) {
	l := newLoop(t)
	h := pipeInit(t, l, false)
	h.Unref()
	run(t, l, uv.RunDefault)
	refCloseAndRun(t, l, &h.Handle)
}

// TestPipeRef2 checks the same after a Listen that fails (the pipe is not bound).
// libuv: pipe_ref2
func TestPipeRef2(t *testing.T) {
	l := newLoop(t)
	h := pipeInit(t, l, false)
	h.Listen(128, func(*handles.Stream, error) { t.Error("connection callback must not run") })
	h.Unref()
	run(t, l, uv.RunDefault)
	refCloseAndRun(t, l, &h.Handle)
}

// pipeRefConnect connects an unreferenced pipe to the echo server; then runs and checks
// that the loop lives while the requests are in flight, and ends when they are done.
func pipeRefConnect(t *testing.T, write bool) {
	l := newLoop(t)
	name := pipeTestName(t)
	pipeEchoServer(t, name)
	h := pipeInit(t, l, false)
	var creq handles.ConnectReq
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	buffer := make([]byte, 32767)
	connects, writes, shutdowns := 0, 0, 0
	shutdownCb := func(r *handles.ShutdownReq, _ error) {
		require.Same(t, &sreq, r)
		shutdowns++
	}
	require.NoError(t, h.Connect(&creq, name, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		if write {
			require.NoError(t, r.Stream().Write(&wreq, [][]byte{buffer}, func(w *handles.WriteReq, _ error) {
				require.Same(t, &wreq, w)
				require.NoError(t, w.Stream().Shutdown(&sreq, shutdownCb))
				writes++
			}))
		} else {
			require.NoError(t, r.Stream().Shutdown(&sreq, shutdownCb))
		}
		connects++
	}))
	h.Unref()
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	if write {
		require.Equal(t, 1, writes)
	}
	require.Equal(t, 1, shutdowns)
	refCloseAndRun(t, l, &h.Handle)
}

// TestPipeRef3 checks that an unreferenced pipe's connect and shutdown requests keep the
// loop alive until they complete.
// libuv: pipe_ref3
func TestPipeRef3(t *testing.T) { pipeRefConnect(t, false) }

// TestPipeRef4 is TestPipeRef3 with a 32 KiB write before the shutdown.
// libuv: pipe_ref4
func TestPipeRef4(t *testing.T) { pipeRefConnect(t, true) }

// The in-process IPC tests (libuv's test-ipc-send-recv.c with a thread): the main loop
// connects an IPC pipe to a helper loop in a goroutine and sends it two handles with
// Write2; the helper accepts each and sends it back; the main loop accepts the two
// returned handles, checking their type.

type pipeIPCSendRecv struct {
	t        *testing.T
	expected uv.HandleType
	channel  *handles.Pipe
	creq     handles.ConnectReq
	wreq     [2]handles.WriteReq
	send     [2]*handles.Stream
	recvs    int
	recv     []*handles.Stream
}

func (c *pipeIPCSendRecv) recvCb(s *handles.Stream, buf []byte, err error) {
	t := c.t
	for {
		c.recvs++
		if errors.Is(err, uv.EOF) {
			require.Equal(t, 2, c.recvs, "EOF only at the last read")
		} else {
			require.NoError(t, err)
			require.Positive(t, c.channel.PendingCount())
			pending := c.channel.PendingType()
			require.Equal(t, c.expected, pending)
			recv := pipeIPCAccept(t, s, pending)
			require.NotNil(t, recv)
			c.recv = append(c.recv, recv)
		}
		if c.channel.PendingCount() == 0 {
			break
		}
	}
	if c.recvs == 2 {
		c.channel.Close(nil)
	}
}

// pipeIPCAccept accepts the pending handle of type pending from the IPC pipe s. It reports
// failures with assert, as the helper goroutine may not stop the test, and returns nil then.
func pipeIPCAccept(t *testing.T, s *handles.Stream, pending uv.HandleType) *handles.Stream {
	var recv *handles.Stream
	switch pending {
	case uv.TypeNamedPipe:
		p, err := handles.NewPipe(s.Loop(), false)
		if !assert.NoError(t, err) {
			return nil
		}
		recv = &p.Stream
	case uv.TypeTCP:
		tcp, err := handles.NewTCP(s.Loop())
		if !assert.NoError(t, err) {
			return nil
		}
		recv = &tcp.Stream
	default:
		assert.Fail(t, "unexpected pending type", "%v", pending)
		return nil
	}
	if !assert.NoError(t, s.Accept(recv)) {
		return nil
	}
	return recv
}

func (c *pipeIPCSendRecv) connectCb(r *handles.ConnectReq, err error) {
	t := c.t
	require.Same(t, &c.creq, r)
	require.NoError(t, err)
	dot := [][]byte{[]byte(".")}
	require.NoError(t, c.channel.Write2(&c.wreq[0], dot, c.send[0], nil))
	// Two writes in a row (libuv issue 505 on Windows).
	require.NoError(t, c.channel.Write2(&c.wreq[1], dot, c.send[1], nil))
	require.NoError(t, c.channel.ReadStart(func(*handles.Stream, int) []byte { return make([]byte, 8) }, c.recvCb))
}

// pipeIPCHelper is libuv's ipc_send_recv_helper_threadproc: on its own loop, it listens on
// name, takes the first connection as an IPC channel, and sends back each handle it
// receives. ready gets the listen outcome and an async handle that stops the helper (for a
// test that fails half-way); done closes when its loop is closed.
func pipeIPCHelper(t *testing.T, name string, ready chan<- pipeIPCHelperStart, done chan<- struct{}) {
	defer close(done)
	l, err := uv.NewLoop()
	if err != nil {
		ready <- pipeIPCHelperStart{err: err}
		return
	}
	defer func() { assert.NoError(t, l.Close()) }()
	stop, err := handles.NewAsync(l, func(a *handles.Async) {
		a.Loop().Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
	})
	if err != nil {
		ready <- pipeIPCHelperStart{err: err}
		return
	}
	stop.Unref() // the helper's loop ends when its handles are closed
	listen, _ := handles.NewPipe(l, false)
	channel, _ := handles.NewPipe(l, true)
	var wreqs [2]handles.WriteReq
	var recvs []*handles.Stream
	reads, writes := 0, 0
	write2Cb := func(_ *handles.WriteReq, err error) {
		assert.NoError(t, err)
		if writes++; writes == 2 {
			for _, r := range recvs {
				r.Close(nil)
			}
			channel.Close(nil)
			listen.Close(nil)
		}
	}
	readCb := func(s *handles.Stream, buf []byte, err error) {
		if errors.Is(err, uv.EOF) || errors.Is(err, uv.ECONNABORTED) {
			return
		}
		if !assert.NoError(t, err) {
			return
		}
		for channel.PendingCount() > 0 && reads < 2 {
			pending := channel.PendingType()
			if !assert.True(t, pending == uv.TypeNamedPipe || pending == uv.TypeTCP, "pending type %v", pending) {
				return
			}
			recv := pipeIPCAccept(t, s, pending)
			if recv == nil {
				return
			}
			recvs = append(recvs, recv)
			assert.NoError(t, channel.Write2(&wreqs[reads], [][]byte{[]byte(".")}, recv, write2Cb))
			reads++
		}
	}
	err = listen.Bind(name)
	if err == nil {
		err = listen.Listen(pipeSomaxconn, func(s *handles.Stream, err error) {
			assert.NoError(t, err)
			assert.NoError(t, s.Accept(&channel.Stream))
			assert.True(t, channel.IsReadable())
			assert.True(t, channel.IsWritable())
			assert.False(t, channel.IsClosing())
			assert.NoError(t, channel.ReadStart(func(*handles.Stream, int) []byte { return make([]byte, 8) }, readCb))
		})
	}
	ready <- pipeIPCHelperStart{err: err, stop: stop}
	if err != nil {
		listen.Close(nil)
		channel.Close(nil)
	}
	_, err = l.Run(uv.RunDefault)
	assert.NoError(t, err)
	if !stop.IsClosing() {
		stop.Close(nil)
		l.Run(uv.RunDefault)
	}
}

type pipeIPCHelperStart struct {
	err  error
	stop *handles.Async
}

// pipeIPCSendRecvInprocess runs the exchange for the two handles in send, of type expected.
func pipeIPCSendRecvInprocess(t *testing.T, l *uv.Loop, expected uv.HandleType, send [2]*handles.Stream) {
	name := pipeTestName(t)
	ready := make(chan pipeIPCHelperStart, 1)
	done := make(chan struct{})
	go pipeIPCHelper(t, name, ready, done)
	start := <-ready
	if start.stop != nil {
		defer func() {
			start.stop.Send() // ends the helper if this side failed half-way
			<-done
		}()
	}
	require.NoError(t, start.err)

	pipeWatchdog(t, l)
	c := &pipeIPCSendRecv{t: t, expected: expected, send: send}
	c.channel = pipeInit(t, l, true)
	require.NoError(t, c.channel.Connect(&c.creq, name, c.connectCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, c.recvs)
}

// TestIPCSendRecvPipeInprocess sends two bound pipes over an IPC pipe to a goroutine's loop
// and receives them back, as pipes.
// libuv: ipc_send_recv_pipe_inprocess
func TestIPCSendRecvPipeInprocess(t *testing.T) {
	pipeNeedIPC(t)
	l := newLoop(t)
	var send [2]*handles.Stream
	for i := range send {
		p := pipeInit(t, l, true)
		require.NoError(t, p.Bind(pipeTestName(t)))
		send[i] = &p.Stream
	}
	pipeIPCSendRecvInprocess(t, l, uv.TypeNamedPipe, send)
}

// TestIPCSendRecvTCPInprocess sends two TCP handles bound to one loopback address over an
// IPC pipe to a goroutine's loop and receives them back, as TCP handles.
// libuv: ipc_send_recv_tcp_inprocess
func TestIPCSendRecvTCPInprocess(t *testing.T) {
	pipeNeedIPC(t)
	l := newLoop(t)
	first, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, first.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	addr, err := first.Sockname()
	require.NoError(t, err)
	second, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, second.Bind(addr, 0))
	pipeIPCSendRecvInprocess(t, l, uv.TypeTCP, [2]*handles.Stream{&first.Stream, &second.Stream})
}
