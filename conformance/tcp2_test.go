package conformance_test

import (
	"errors"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// Ports of libuv's TCP tests (second half). libuv's tests use a fixed TEST_PORT and, for some,
// an echo server in a helper process; here every server listens on a loopback port the kernel
// picks, and the echo server runs in-process on the test's loop (tcp2Echo). Addresses libuv
// binds to the wildcard (0.0.0.0, ::) are bound to loopback instead.

var tcp2Loopback = netip.MustParseAddrPort("127.0.0.1:0")

// tcp2New creates a TCP handle on l.
func tcp2New(t testing.TB, l *uv.Loop) *handles.TCP {
	t.Helper()
	h, err := handles.NewTCP(l)
	require.NoError(t, err)
	return h
}

// tcp2Server creates a TCP server listening on a loopback port with the given backlog and
// connection callback, and returns it with its address.
func tcp2Server(t testing.TB, l *uv.Loop, backlog int, cb func(*handles.Stream, error)) (*handles.TCP, netip.AddrPort) {
	t.Helper()
	s := tcp2New(t, l)
	require.NoError(t, s.Bind(tcp2Loopback, 0))
	require.NoError(t, s.Listen(backlog, cb))
	addr, err := s.Sockname()
	require.NoError(t, err)
	return s, addr
}

// tcp2ClosedPort returns a loopback address no server listens on.
func tcp2ClosedPort(t testing.TB) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	require.NoError(t, ln.Close())
	return addr
}

// tcp2CanIPv6 reports whether ::1 can be bound here (libuv's can_ipv6).
func tcp2CanIPv6() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// tcp2CloseAndRun closes h with a close callback, checks that the callback does not run inside
// Close but in the following run (libuv test-ref.c's do_close).
func tcp2CloseAndRun(t *testing.T, l *uv.Loop, h *uv.Handle) {
	t.Helper()
	closed := 0
	require.NoError(t, h.Close(func() { closed++ }))
	require.Zero(t, closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
}

// tcp2Alloc returns an allocator that hands out a fresh buffer of n bytes (n <= 0: the
// suggested size) and counts its calls in *calls when calls is not nil.
func tcp2Alloc(n int, calls *int) func(*handles.Stream, int) []byte {
	return func(_ *handles.Stream, suggested int) []byte {
		if calls != nil {
			*calls++
		}
		if n <= 0 {
			n = suggested
		}
		return make([]byte, n)
	}
}

// tcp2Echo is the in-process equivalent of libuv's test echo server (test/echo-server.c),
// on the test's loop. It echoes what it reads and obeys libuv's commands in the data: "Q"
// closes the listening server, "QS" closes the connection, "QSS" echoes and then shuts the
// connection down, "QSH" closes it with a reset. At EOF it shuts down and closes. Its
// handles are unreferenced so that, as with libuv's helper process, only the client side
// keeps the loop alive; they are closed when the test's loop is. Unlike libuv's helper, it
// tolerates read and write errors (a client that closes early), since its failures would
// otherwise fail tests that do not look at it.
type tcp2Echo struct {
	t      testing.TB
	server *handles.TCP
	addr   netip.AddrPort
	closed bool
}

type tcp2EchoWrite struct {
	req handles.WriteReq
	buf []byte
}

func tcp2StartEcho(t testing.TB, l *uv.Loop) *tcp2Echo {
	t.Helper()
	e := &tcp2Echo{t: t}
	e.server, e.addr = tcp2Server(t, l, handles.DefaultBacklog, e.onConnection)
	e.server.Unref()
	return e
}

func (e *tcp2Echo) onConnection(server *handles.Stream, err error) {
	if !assert.NoError(e.t, err) {
		return
	}
	c, err := handles.NewTCP(server.Loop())
	if !assert.NoError(e.t, err) {
		return
	}
	c.Unref()
	if !assert.NoError(e.t, server.Accept(&c.Stream)) {
		c.Close(nil)
		return
	}
	assert.NoError(e.t, c.ReadStart(tcp2Alloc(0, nil), e.onRead))
}

func (e *tcp2Echo) closeServer() {
	if !e.closed {
		e.closed = true
		e.server.Close(nil)
	}
}

func (e *tcp2Echo) onRead(s *handles.Stream, buf []byte, err error) {
	if err != nil {
		if err == uv.EOF && s.IsWritable() {
			var req handles.ShutdownReq
			if s.Shutdown(&req, func(r *handles.ShutdownReq, _ error) { r.Stream().Close(nil) }) == nil {
				return
			}
		}
		if !s.IsClosing() {
			s.Close(nil)
		}
		return
	}
	if len(buf) == 0 {
		return
	}
	shutdown := false
scan:
	for i := 0; i < len(buf); i++ {
		if buf[i] != 'Q' {
			continue
		}
		if i+1 < len(buf) && buf[i+1] == 'S' {
			switch {
			case i+2 < len(buf) && buf[i+2] == 'H':
				assert.NoError(e.t, s.Owner().(*handles.TCP).CloseReset(nil))
				return
			case i+2 < len(buf) && buf[i+2] == 'S':
				shutdown = true
				break scan
			default:
				s.Close(nil)
				return
			}
		}
		e.closeServer()
	}
	w := &tcp2EchoWrite{buf: buf}
	if s.Write(&w.req, [][]byte{w.buf}, nil) != nil {
		return
	}
	if shutdown {
		s.Shutdown(new(handles.ShutdownReq), nil)
	}
}

// TestTCPClose checks that write callbacks queued before Close run, with their request's
// stream, before the close callback.
// libuv: tcp_close
func TestTCPClose(t *testing.T) {
	const numWrites = 32
	l := newLoop(t)
	// libuv's echo server is not used: it does not handle ECONNRESET.
	server, addr := tcp2Server(t, l, 128, func(_ *handles.Stream, err error) { require.NoError(t, err) })
	server.Unref()

	client := tcp2New(t, l)
	reqs := make([]handles.WriteReq, numWrites)
	writes, closes := 0, 0
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(*handles.ConnectReq, error) {
		for i := range reqs {
			require.NoError(t, client.Write(&reqs[i], [][]byte{[]byte("PING")}, func(r *handles.WriteReq, _ error) {
				require.Zero(t, closes, "write callback after the close callback")
				require.Same(t, &client.Stream, r.Stream())
				writes++
			}))
		}
		require.NoError(t, client.Close(func() { closes++ }))
	}))
	require.Zero(t, writes)
	require.Zero(t, closes)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, numWrites, writes)
	require.Equal(t, 1, closes)
}

// tcp2CloseReset is test-tcp-close-reset.c: a client writes 4 x "PING" to a server; the
// client (clientClose) or the accepted connection (after 16 bytes) then closes with a reset.
// shutdownFirst 1 shuts the stream down first, which makes CloseReset fail with EINVAL;
// shutdownFirst 2 shuts the socket down behind the stream's back (shutdown(2)) first.
type tcp2CloseReset struct {
	t             *testing.T
	l             *uv.Loop
	clientClose   bool
	shutdownFirst int

	server, client, accepted *handles.TCP
	creq                     handles.ConnectReq
	sreq                     handles.ShutdownReq
	wreqs                    [4]handles.WriteReq
	readSize                 int
	writes, closes, shuts    int
}

func (c *tcp2CloseReset) run() {
	t := c.t
	c.l = newLoop(t)
	c.server, _ = tcp2Server(t, c.l, 128, c.onConnection)
	addr, err := c.server.Sockname()
	require.NoError(t, err)
	c.client = tcp2New(t, c.l)
	require.NoError(t, c.client.Connect(&c.creq, addr, c.onConnect))
	require.Zero(t, c.writes)
	require.Zero(t, c.closes)
	require.Zero(t, c.shuts)
	require.False(t, run(t, c.l, uv.RunDefault))
	require.Equal(t, 4, c.writes)
}

func (c *tcp2CloseReset) target() *handles.TCP {
	if c.clientClose {
		return c.client
	}
	return c.accepted
}

func (c *tcp2CloseReset) doClose(h *handles.TCP) {
	t := c.t
	closeCb := func() {
		require.Same(t, c.target(), h)
		c.closes++
	}
	switch c.shutdownFirst {
	case 1:
		require.NoError(t, h.Shutdown(&c.sreq, func(r *handles.ShutdownReq, _ error) {
			require.Same(t, &c.target().Stream, r.Stream())
			c.shuts++
		}))
		require.ErrorIs(t, h.CloseReset(closeCb), uv.EINVAL)
	case 2:
		fd, err := h.Fileno()
		require.NoError(t, err)
		require.NotEqual(t, uv.OSFd(uv.InvalidSock), fd)
		require.NoError(t, syscall.Shutdown(fd, syscall.SHUT_RDWR))
		require.NoError(t, h.CloseReset(closeCb))
	default:
		require.NoError(t, h.CloseReset(closeCb))
		require.ErrorIs(t, h.Shutdown(&c.sreq, func(*handles.ShutdownReq, error) { c.shuts++ }), uv.ENOTCONN)
	}
	require.NoError(t, c.server.Close(nil))
}

func (c *tcp2CloseReset) onConnect(r *handles.ConnectReq, err error) {
	t := c.t
	require.Same(t, &c.creq, r)
	require.NoError(t, err)
	require.NoError(t, c.client.ReadStart(tcp2Alloc(1024, nil), func(s *handles.Stream, _ []byte, err error) {
		require.Same(t, &c.client.Stream, s)
		if err == uv.EOF {
			s.Close(nil)
		}
	}))
	for i := range c.wreqs {
		require.NoError(t, c.client.Write(&c.wreqs[i], [][]byte{[]byte("PING")}, func(r *handles.WriteReq, _ error) {
			require.Zero(t, c.closes, "write callback after the close callback")
			require.Same(t, &c.client.Stream, r.Stream())
			c.writes++
		}))
	}
	if c.clientClose {
		c.doClose(c.client)
	}
}

func (c *tcp2CloseReset) onConnection(server *handles.Stream, err error) {
	t := c.t
	require.NoError(t, err)
	c.accepted = tcp2New(t, c.l)
	require.NoError(t, server.Accept(&c.accepted.Stream))
	require.NoError(t, c.accepted.ReadStart(tcp2Alloc(1024, nil), func(s *handles.Stream, buf []byte, err error) {
		require.Same(t, &c.accepted.Stream, s)
		if err != nil {
			s.Close(nil)
			return
		}
		c.readSize += len(buf)
		if c.readSize == 16 && !c.clientClose {
			c.doClose(c.accepted)
		}
	}))
}

// TestTCPCloseResetClient checks CloseReset on the client right after queueing writes: the
// writes complete before the close callback, and Shutdown afterwards is ENOTCONN.
// libuv: tcp_close_reset_client
func TestTCPCloseResetClient(t *testing.T) {
	c := &tcp2CloseReset{t: t, clientClose: true}
	c.run()
	require.Equal(t, 1, c.closes)
	require.Zero(t, c.shuts)
}

// TestTCPCloseResetClientAfterShutdown checks that CloseReset is EINVAL while a shutdown is
// pending on the client.
// libuv: tcp_close_reset_client_after_shutdown
func TestTCPCloseResetClientAfterShutdown(t *testing.T) {
	c := &tcp2CloseReset{t: t, clientClose: true, shutdownFirst: 1}
	c.run()
	require.Zero(t, c.closes)
	require.Equal(t, 1, c.shuts)
}

// TestTCPCloseResetAccepted checks CloseReset on an accepted connection.
// libuv: tcp_close_reset_accepted
func TestTCPCloseResetAccepted(t *testing.T) {
	c := &tcp2CloseReset{t: t}
	c.run()
	require.Equal(t, 1, c.closes)
	require.Zero(t, c.shuts)
}

// TestTCPCloseResetAcceptedAfterShutdown checks that CloseReset is EINVAL while a shutdown is
// pending on an accepted connection.
// libuv: tcp_close_reset_accepted_after_shutdown
func TestTCPCloseResetAcceptedAfterShutdown(t *testing.T) {
	c := &tcp2CloseReset{t: t, shutdownFirst: 1}
	c.run()
	require.Zero(t, c.closes)
	require.Equal(t, 1, c.shuts)
}

// TestTCPCloseResetAcceptedAfterSocketShutdown checks that CloseReset still works after the
// socket was shut down with shutdown(2) directly.
// libuv: tcp_close_reset_accepted_after_socket_shutdown
func TestTCPCloseResetAcceptedAfterSocketShutdown(t *testing.T) {
	c := &tcp2CloseReset{t: t, shutdownFirst: 2}
	c.run()
	require.Equal(t, 1, c.closes)
	require.Zero(t, c.shuts)
}

// TestTCPCreateEarly checks InitEx with a family: the socket exists at once (a descriptor and
// an IPv4 local address before any bind), and Bind binds it.
// libuv: tcp_create_early
func TestTCPCreateEarly(t *testing.T) {
	l := newLoop(t)
	var client handles.TCP
	require.NoError(t, client.InitEx(l, uv.DomainInet))
	fd, err := client.Fileno()
	require.NoError(t, err)
	require.NotEqual(t, uv.OSFd(uv.InvalidSock), fd)
	name, err := client.Sockname()
	if runtime.GOOS == "windows" {
		// As libuv's test notes, Windows has no local address before the bind.
		require.ErrorIs(t, err, uv.EINVAL)
	} else {
		require.NoError(t, err)
		require.True(t, name.Addr().Is4(), "sockname %v", name)
	}

	addr := netip.MustParseAddrPort("127.0.0.1:0")
	require.NoError(t, client.Bind(addr, 0))
	name, err = client.Sockname()
	require.NoError(t, err)
	require.Equal(t, addr.Addr(), name.Addr())

	require.NoError(t, client.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestTCPCreateEarlyBadBind checks that binding an IPv6 socket made by InitEx to an IPv4
// address is EINVAL.
// libuv: tcp_create_early_bad_bind
func TestTCPCreateEarlyBadBind(t *testing.T) {
	if !tcp2CanIPv6() {
		t.Skip("IPv6 not supported")
	}
	l := newLoop(t)
	var client handles.TCP
	require.NoError(t, client.InitEx(l, uv.DomainInet6))
	fd, err := client.Fileno()
	require.NoError(t, err)
	require.NotEqual(t, uv.OSFd(uv.InvalidSock), fd)
	name, err := client.Sockname()
	if runtime.GOOS == "windows" {
		// As libuv's test notes, Windows has no local address before the bind, and refuses
		// an IPv4 address for an IPv6 socket as a bad pointer (WSAEFAULT; Wine says
		// WSAEINVAL).
		require.ErrorIs(t, err, uv.EINVAL)
		err = client.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0)
		require.True(t, errors.Is(err, uv.EFAULT) || errors.Is(err, uv.EINVAL), "bind: %v", err)
	} else {
		require.NoError(t, err)
		require.True(t, name.Addr().Is6() && !name.Addr().Is4In6(), "sockname %v", name)
		require.ErrorIs(t, client.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0), uv.EINVAL)
	}

	require.NoError(t, client.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestTCPCreateEarlyBadDomain checks that InitEx rejects unknown address families.
// libuv: tcp_create_early_bad_domain
func TestTCPCreateEarlyBadDomain(t *testing.T) {
	l := newLoop(t)
	var client handles.TCP
	require.ErrorIs(t, client.InitEx(l, uv.Domain(47)), uv.EINVAL)
	require.ErrorIs(t, client.InitEx(l, uv.Domain(1024)), uv.EINVAL)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestTCPCreateEarlyAccept checks that accepting into a handle that already has a socket
// (made by InitEx) is EBUSY.
// libuv: tcp_create_early_accept
func TestTCPCreateEarlyAccept(t *testing.T) {
	l := newLoop(t)
	accepts, connects := 0, 0
	_, addr := tcp2Server(t, l, 128, func(server *handles.Stream, err error) {
		require.NoError(t, err)
		var h handles.TCP
		require.NoError(t, h.InitEx(server.Loop(), uv.DomainInet))
		require.ErrorIs(t, server.Accept(&h.Stream), uv.EBUSY)
		require.NoError(t, server.Close(nil))
		require.NoError(t, h.Close(nil))
		accepts++
	})
	client := tcp2New(t, l)
	var req handles.ConnectReq
	require.NoError(t, client.Connect(&req, addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.NoError(t, r.Stream().Close(nil))
		connects++
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, accepts)
	require.Equal(t, 1, connects)
}

// tcp2KeepAliveEx is libuv 1.52's uv_tcp_keepalive_ex (idle delay, probe interval, probe
// count), which handles.TCP does not have yet.
type tcp2KeepAliveEx interface {
	KeepAliveEx(on bool, idle, intvl, cnt int) error
}

// TestTCPFlags checks NoDelay and KeepAlive on a socket made by InitEx, including EINVAL for
// a keep-alive delay of 0.
// libuv: tcp_flags
func TestTCPFlags(t *testing.T) {
	l := newLoop(t)
	var h handles.TCP
	require.NoError(t, h.InitEx(l, uv.DomainInet))
	require.NoError(t, h.NoDelay(true))
	require.NoError(t, h.KeepAlive(true, 60))
	require.NoError(t, h.KeepAlive(false, 0))
	require.ErrorIs(t, h.KeepAlive(true, 0), uv.EINVAL)

	if k, ok := any(&h).(tcp2KeepAliveEx); ok {
		require.NoError(t, k.KeepAliveEx(true, 60, 60, 60))
		require.NoError(t, k.KeepAliveEx(false, 0, 0, 0))
		require.ErrorIs(t, k.KeepAliveEx(true, 0, 10, 10), uv.EINVAL)
		require.ErrorIs(t, k.KeepAliveEx(true, 10, 0, 10), uv.EINVAL)
		require.ErrorIs(t, k.KeepAliveEx(true, 10, 10, 0), uv.EINVAL)
	} else {
		t.Log("handles.TCP has no KeepAliveEx (libuv's uv_tcp_keepalive_ex): not checked")
	}

	require.NoError(t, h.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
}

// TestTCPWriteToHalfOpenConnection checks that a write to a peer that has closed succeeds,
// and that the reader then sees EOF or ECONNRESET.
// libuv: tcp_write_to_half_open_connection
func TestTCPWriteToHalfOpenConnection(t *testing.T) {
	l := newLoop(t)
	var server *handles.TCP
	peer, client := tcp2New(t, l), tcp2New(t, l)
	var wreq handles.WriteReq
	writes, reads := 0, 0
	var addr netip.AddrPort
	server, addr = tcp2Server(t, l, 1, func(s *handles.Stream, err error) {
		require.Same(t, &server.Stream, s)
		require.NoError(t, err)
		require.NoError(t, s.Accept(&peer.Stream))
		require.NoError(t, peer.ReadStart(tcp2Alloc(1024, nil), func(_ *handles.Stream, _ []byte, err error) {
			if err != nil {
				t.Logf("read error: %v", err)
				require.True(t, err == uv.ECONNRESET || err == uv.EOF, "read error %v", err)
				server.Close(nil)
				peer.Close(nil)
			}
			reads++
		}))
		require.NoError(t, peer.Write(&wreq, [][]byte{[]byte("hello\n")}, func(_ *handles.WriteReq, err error) {
			require.NoError(t, err)
			writes++
		}))
	})
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		client.Close(nil)
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Positive(t, writes)
	require.Positive(t, reads)
}

// TestTCPUnexpectedRead checks that data arriving on a connection nobody reads does not make
// the loop spin. libuv's 1 s timer is 100 ms here: a spinning loop would still run
// thousands of iterations.
// libuv: tcp_unexpected_read
func TestTCPUnexpectedRead(t *testing.T) {
	l := newLoop(t)
	check, err := handles.NewCheck(l)
	require.NoError(t, err)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	client, peer := tcp2New(t, l), tcp2New(t, l)
	var server *handles.TCP
	ticks := 0
	require.NoError(t, check.Start(func(*handles.Check) { ticks++ }))
	require.NoError(t, timer.Start(func(*handles.Timer) {
		check.Close(nil)
		timer.Close(nil)
		server.Close(nil)
		client.Close(nil)
		peer.Close(nil)
	}, 100, 0))
	var wreq handles.WriteReq
	var addr netip.AddrPort
	server, addr = tcp2Server(t, l, 1, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&peer.Stream))
		require.NoError(t, peer.ReadStart(func(*handles.Stream, int) []byte {
			t.Error("alloc callback must not run")
			return nil
		}, func(*handles.Stream, []byte, error) { t.Error("read callback must not run") }))
		require.NoError(t, peer.Write(&wreq, [][]byte{[]byte("PING")}, func(r *handles.WriteReq, err error) {
			require.Same(t, &peer.Stream, r.Stream())
			require.NoError(t, err)
		}))
	})
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &client.Stream, r.Stream())
		require.NoError(t, err)
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.LessOrEqual(t, ticks, 20)
}

// TestTCPReadStop checks that a stream whose reading is stopped before anything arrives
// never calls its allocator or read callback, though the echo server answers.
// libuv: tcp_read_stop
func TestTCPReadStop(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	h := tcp2New(t, l)
	var wreq handles.WriteReq
	var creq handles.ConnectReq
	writes := 0
	require.NoError(t, h.Connect(&creq, echo.addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.NoError(t, timer.Start(func(*handles.Timer) {
			require.NoError(t, h.Write(&wreq, [][]byte{[]byte("PING")}, func(*handles.WriteReq, error) {
				writes++
				timer.Close(nil)
				h.Close(nil)
			}))
			require.NoError(t, h.ReadStop())
		}, 50, 0))
		require.NoError(t, h.ReadStart(func(*handles.Stream, int) []byte {
			t.Error("alloc callback must not run")
			return nil
		}, func(*handles.Stream, []byte, error) { t.Error("read callback must not run") }))
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, writes)
}

// TestTCPReadStopStart checks that a read callback can stop reading, write, and restart
// reading with another callback, which then gets the error of the closed peer.
// libuv: tcp_read_stop_start
func TestTCPReadStopStart(t *testing.T) {
	l := newLoop(t)
	var server *handles.TCP
	conn, client := tcp2New(t, l), tcp2New(t, l)
	reads := 0
	slab := make([]byte, 65536)
	alloc := func(*handles.Stream, int) []byte { return slab }
	write := func(s *handles.Stream, closeAfter bool) {
		req := new(handles.WriteReq)
		require.NoError(t, s.Write(req, [][]byte{[]byte("1234578\x00")}, func(r *handles.WriteReq, err error) {
			require.NoError(t, err)
			if closeAfter {
				r.Stream().Close(nil)
			}
		}))
	}
	read2 := func(s *handles.Stream, buf []byte, err error) {
		require.Error(t, err, "read %d bytes, want an error", len(buf))
		s.Close(nil)
		server.Close(nil)
		reads++
	}
	read1 := func(s *handles.Stream, _ []byte, err error) {
		require.NoError(t, err)
		// A write to the half-open connection (on Windows it makes the next ReadStart fail).
		write(s, false)
		require.NoError(t, s.ReadStop())
		require.NoError(t, s.ReadStart(alloc, read2))
		reads++
	}
	var addr netip.AddrPort
	server, addr = tcp2Server(t, l, 10, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&conn.Stream))
		require.NoError(t, conn.ReadStart(alloc, read1))
	})
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		write(&client.Stream, true)
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.GreaterOrEqual(t, reads, 2)
}

// TestTCPReuseport checks TCPReusePort: two loops on two goroutines listen on the same port,
// and the kernel shares the connections of a third loop between them. libuv makes 10
// connections; 20 here make it unlikely (2 in a million) that one listener gets them all.
// libuv: tcp_reuseport
func TestTCPReuseport(t *testing.T) {
	switch runtime.GOOS {
	case "linux", "freebsd", "dragonfly", "illumos", "solaris":
	default:
		// As libuv's test: where the system does not balance connections, the flag is ENOTSUP.
		l := newLoop(t)
		require.ErrorIs(t, tcp2New(t, l).Bind(tcp2Loopback, handles.TCPReusePort), uv.ENOTSUP)
		return
	}
	const clients = 20
	var accepted atomic.Int32
	mainLoop := newLoop(t)

	type listener struct {
		loop     *uv.Loop
		server   *handles.TCP
		timer    *handles.Timer
		accepted int
	}
	var ls [2]*listener
	addr := tcp2Loopback
	for i := range ls {
		ln := &listener{loop: newLoop(t)}
		ln.server = tcp2New(t, ln.loop)
		require.NoError(t, ln.server.Bind(addr, handles.TCPReusePort))
		require.NoError(t, ln.server.Listen(128, func(s *handles.Stream, err error) {
			// On the listener's goroutine: assert, not require.
			if !assert.NoError(t, err) {
				return
			}
			c, err := handles.NewTCP(s.Loop())
			if !assert.NoError(t, err) {
				return
			}
			assert.NoError(t, s.Accept(&c.Stream))
			c.Close(nil)
			ln.accepted++
			accepted.Add(1)
		}))
		if i == 0 {
			a, err := ln.server.Sockname()
			require.NoError(t, err)
			addr = a
		}
		var err error
		ln.timer, err = handles.NewTimer(ln.loop)
		require.NoError(t, err)
		require.NoError(t, ln.timer.Start(func(tm *handles.Timer) {
			if accepted.Load() == clients {
				tm.Close(nil)
				ln.server.Close(nil)
			}
		}, 0, 10))
		ls[i] = ln
	}

	var wg sync.WaitGroup
	for _, ln := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ln.loop.Run(uv.RunDefault)
			assert.NoError(t, err)
		}()
	}

	connected := 0
	conns := make([]handles.TCP, clients)
	reqs := make([]handles.ConnectReq, clients)
	for i := range conns {
		require.NoError(t, conns[i].Init(mainLoop))
		require.NoError(t, conns[i].Connect(&reqs[i], addr, func(r *handles.ConnectReq, err error) {
			require.NoError(t, err)
			require.Same(t, mainLoop, r.Stream().Loop())
			connected++
			r.Stream().Close(nil)
		}))
	}
	run(t, mainLoop, uv.RunDefault)
	wg.Wait()

	require.EqualValues(t, clients, accepted.Load())
	require.Equal(t, clients, connected)
	require.Positive(t, ls[0].accepted)
	require.Positive(t, ls[1].accepted)
	require.Equal(t, connected, ls[0].accepted+ls[1].accepted)
}

// TestTCPRST checks that a reset from the peer reaches the read callback as ECONNRESET, after
// a single allocation.
// libuv: tcp_rst
func TestTCPRST(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var creq handles.ConnectReq
	allocs, connects, closes := 0, 0, 0
	require.NoError(t, h.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.Same(t, &creq, r)
		// Read, so that the reset is seen by a read.
		require.NoError(t, h.ReadStart(tcp2Alloc(0, &allocs), func(s *handles.Stream, buf []byte, err error) {
			require.Same(t, &h.Stream, s)
			require.ErrorIs(t, err, uv.ECONNRESET, "read %q", buf)
			require.NoError(t, s.Close(func() { closes++ }))
		}))
		// "QSH" makes the echo server close with a reset.
		n, err := h.TryWrite([][]byte{[]byte("QSH")})
		require.NoError(t, err)
		require.Equal(t, 3, n)
		connects++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, allocs)
	require.Equal(t, 1, connects)
	require.Equal(t, 1, closes)
}

// TestTCPBind6ErrorAddrinuse checks that a second IPv6 bind to a port in use succeeds but its
// Listen reports EADDRINUSE (libuv binds "::"; ::1 here).
// libuv: tcp_bind6_error_addrinuse
func TestTCPBind6ErrorAddrinuse(t *testing.T) {
	if !tcp2CanIPv6() {
		t.Skip("IPv6 not supported")
	}
	l := newLoop(t)
	s1, s2 := tcp2New(t, l), tcp2New(t, l)
	require.NoError(t, s1.Bind(netip.MustParseAddrPort("[::1]:0"), 0))
	addr, err := s1.Sockname()
	require.NoError(t, err)
	require.NoError(t, s2.Bind(addr, 0))
	never := func(*handles.Stream, error) { t.Error("connection callback must not run") }
	require.NoError(t, s1.Listen(128, never))
	require.ErrorIs(t, s2.Listen(128, never), uv.EADDRINUSE)
	closes := 0
	require.NoError(t, s1.Close(func() { closes++ }))
	require.NoError(t, s2.Close(func() { closes++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closes)
}

// TestTCPBind6ErrorAddrnotavail checks EADDRNOTAVAIL for an IPv6 address the host does not
// have.
// libuv: tcp_bind6_error_addrnotavail
func TestTCPBind6ErrorAddrnotavail(t *testing.T) {
	if !tcp2CanIPv6() {
		t.Skip("IPv6 not supported")
	}
	l := newLoop(t)
	s := tcp2New(t, l)
	require.ErrorIs(t, s.Bind(netip.MustParseAddrPort("[4:4:4:4:4:4:4:4]:0"), 0), uv.EADDRNOTAVAIL)
	closes := 0
	require.NoError(t, s.Close(func() { closes++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closes)
}

// TestTCPBind6ErrorFault checks that a malformed address is EINVAL. libuv passes garbage
// bytes as a sockaddr_in6; the Go equivalent is an invalid netip.AddrPort.
// libuv: tcp_bind6_error_fault
func TestTCPBind6ErrorFault(t *testing.T) {
	if !tcp2CanIPv6() {
		t.Skip("IPv6 not supported")
	}
	l := newLoop(t)
	s := tcp2New(t, l)
	require.ErrorIs(t, s.Bind(netip.AddrPort{}, 0), uv.EINVAL)
	closes := 0
	require.NoError(t, s.Close(func() { closes++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closes)
}

// TestTCPBind6ErrorInval checks that binding a bound IPv6 socket again is EINVAL.
// libuv: tcp_bind6_error_inval
func TestTCPBind6ErrorInval(t *testing.T) {
	if !tcp2CanIPv6() {
		t.Skip("IPv6 not supported")
	}
	l := newLoop(t)
	s := tcp2New(t, l)
	require.NoError(t, s.Bind(netip.MustParseAddrPort("[::1]:0"), 0))
	require.ErrorIs(t, s.Bind(netip.MustParseAddrPort("[::1]:0"), 0), uv.EINVAL)
	closes := 0
	require.NoError(t, s.Close(func() { closes++ }))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closes)
}

// TestTCPBind6LocalhostOk checks that ::1 can be bound.
// libuv: tcp_bind6_localhost_ok
func TestTCPBind6LocalhostOk(t *testing.T) {
	if !tcp2CanIPv6() {
		t.Skip("IPv6 not supported")
	}
	l := newLoop(t)
	s := tcp2New(t, l)
	require.NoError(t, s.Bind(netip.MustParseAddrPort("[::1]:0"), 0))
}

// tcp2ConnectionFail binds a client to a loopback port (libuv binds 0.0.0.0) and connects it to
// a closed port; cb gets the connect outcome.
func tcp2ConnectionFail(t *testing.T, l *uv.Loop, cb func(h *handles.TCP, r *handles.ConnectReq, err error)) {
	h := tcp2New(t, l)
	require.NoError(t, h.Bind(tcp2Loopback, 0))
	var req handles.ConnectReq
	require.NoError(t, h.Connect(&req, tcp2ClosedPort(t), func(r *handles.ConnectReq, err error) { cb(h, r, err) }))
	run(t, l, uv.RunDefault)
}

// TestConnectionFail checks that a refused connect reports ECONNREFUSED to its callback,
// which can close the handle.
// libuv: connection_fail
func TestConnectionFail(t *testing.T) {
	l := newLoop(t)
	connects, closes := 0, 0
	tcp2ConnectionFail(t, l, func(h *handles.TCP, r *handles.ConnectReq, err error) {
		require.Same(t, &h.Stream, r.Stream())
		require.ErrorIs(t, err, uv.ECONNREFUSED)
		connects++
		require.Zero(t, closes)
		require.NoError(t, r.Stream().Close(func() { closes++ }))
	})
	require.Equal(t, 1, connects)
	require.Equal(t, 1, closes)
}

// TestConnectionFailDoesntAutoClose checks that a failed connect does not close the handle:
// 100 ms later it is still open, and the user closes it.
// libuv: connection_fail_doesnt_auto_close
func TestConnectionFailDoesntAutoClose(t *testing.T) {
	l := newLoop(t)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	connects, closes, timerCalls, timerCloses := 0, 0, 0, 0
	tcp2ConnectionFail(t, l, func(h *handles.TCP, _ *handles.ConnectReq, err error) {
		require.ErrorIs(t, err, uv.ECONNREFUSED)
		connects++
		require.NoError(t, timer.Start(func(tm *handles.Timer) {
			timerCalls++
			// The connect callback ran, but the handle was not closed for the user.
			require.Zero(t, closes)
			require.Equal(t, 1, connects)
			require.False(t, h.IsClosing())
			require.NoError(t, h.Close(func() { closes++ }))
			require.NoError(t, tm.Close(func() { timerCloses++ }))
		}, 100, 0))
		require.Zero(t, closes)
	})
	require.Equal(t, 1, connects)
	require.Equal(t, 1, closes)
	require.Equal(t, 1, timerCalls)
	require.Equal(t, 1, timerCloses)
}

// TestShutdownCloseTCP checks that closing a stream with a pending shutdown completes the
// shutdown (with success or ECANCELED) and then closes it.
// libuv: shutdown_close_tcp
func TestShutdownCloseTCP(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var creq handles.ConnectReq
	var sreq handles.ShutdownReq
	connects, shuts, closes := 0, 0, 0
	require.NoError(t, h.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		s := r.Stream()
		require.NoError(t, s.Shutdown(&sreq, func(r *handles.ShutdownReq, err error) {
			require.Same(t, &sreq, r)
			if err != nil {
				require.ErrorIs(t, err, uv.ECANCELED)
			}
			shuts++
		}))
		require.False(t, s.IsClosing())
		require.NoError(t, s.Close(func() { closes++ }))
		require.True(t, s.IsClosing())
		connects++
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, connects)
	require.Equal(t, 1, shuts)
	require.Equal(t, 1, closes)
}

// TestShutdownEOF checks that a shut-down stream still reads until the peer's EOF, and stays
// open after it until the user closes it. libuv's nil-stream and nil-allocator ReadStart
// checks do not apply: a nil allocator means the loop's shared buffer here.
// libuv: shutdown_eof
func TestShutdownEOF(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	h := tcp2New(t, l)
	var (
		creq                       handles.ConnectReq
		wreq                       handles.WriteReq
		sreq                       handles.ShutdownReq
		gotQ, gotEOF               bool
		connects, shuts, tcpCloses int
		timerCalls, timerCloses    int
	)
	read := func(s *handles.Stream, buf []byte, err error) {
		require.Same(t, &h.Stream, s)
		if err == nil && len(buf) == 0 {
			return
		}
		if !gotQ {
			require.NoError(t, err)
			require.Equal(t, "Q", string(buf))
			require.False(t, gotEOF)
			gotQ = true
			return
		}
		require.ErrorIs(t, err, uv.EOF)
		gotEOF = true
	}
	require.NoError(t, timer.Start(func(tm *handles.Timer) {
		require.NoError(t, tm.Close(func() { timerCloses++ }))
		// The stream was not closed for the user at EOF.
		require.Zero(t, tcpCloses)
		require.NoError(t, h.Close(func() {
			require.Equal(t, 1, connects)
			require.True(t, gotQ)
			require.True(t, gotEOF)
			require.Equal(t, 1, timerCalls)
			tcpCloses++
		}))
		timerCalls++
	}, 100, 0))
	require.NoError(t, h.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.Same(t, &creq, r)
		require.NoError(t, h.ReadStart(tcp2Alloc(0, nil), read))
		require.ErrorIs(t, h.ReadStart(tcp2Alloc(0, nil), read), uv.EALREADY)
		require.ErrorIs(t, h.ReadStart(tcp2Alloc(0, nil), nil), uv.EINVAL)
		// "Q" closes the echo server's listener; this connection stays.
		require.NoError(t, h.Write(&wreq, [][]byte{[]byte("Q")}, nil))
		require.NoError(t, h.Shutdown(&sreq, func(r *handles.ShutdownReq, _ error) {
			require.Same(t, &sreq, r)
			require.Equal(t, 1, connects)
			require.False(t, gotEOF)
			require.Zero(t, tcpCloses)
			require.Zero(t, timerCloses)
			require.Zero(t, timerCalls)
			shuts++
		}))
		connects++
		require.Zero(t, shuts)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	require.Equal(t, 1, shuts)
	require.True(t, gotEOF)
	require.True(t, gotQ)
	require.Equal(t, 1, tcpCloses)
	require.Equal(t, 1, timerCloses)
	require.Equal(t, 1, timerCalls)
}

// TestShutdownSimultaneous checks a shutdown started by the reader while the peer shuts down
// too: the data arrives, then EOF.
// libuv: shutdown_simultaneous
func TestShutdownSimultaneous(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var (
		creq                    handles.ConnectReq
		sreq                    handles.ShutdownReq
		gotQ, gotEOF            bool
		connects, shuts, closes int
	)
	read := func(s *handles.Stream, buf []byte, err error) {
		require.Same(t, &h.Stream, s)
		if err == nil && len(buf) == 0 {
			return
		}
		if !gotQ {
			require.NoError(t, err)
			require.False(t, gotEOF)
			require.Equal(t, "QQSS", string(buf))
			gotQ = true
			// Shut our end down while the server shuts its end down.
			require.NoError(t, s.Shutdown(&sreq, func(r *handles.ShutdownReq, _ error) {
				require.Same(t, &sreq, r)
				require.Equal(t, 1, connects)
				require.Zero(t, closes)
			}))
			shuts++
			return
		}
		require.ErrorIs(t, err, uv.EOF)
		gotEOF = true
	}
	require.NoError(t, h.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.Same(t, &creq, r)
		require.NoError(t, h.ReadStart(tcp2Alloc(0, nil), read))
		require.ErrorIs(t, h.ReadStart(tcp2Alloc(0, nil), read), uv.EALREADY)
		require.ErrorIs(t, h.ReadStart(tcp2Alloc(0, nil), nil), uv.EINVAL)
		// "Q" closes the echo server's listener, "QSS" makes it shut this connection down
		// after echoing.
		n, err := h.TryWrite([][]byte{[]byte("QQSS")})
		require.NoError(t, err)
		require.Equal(t, 4, n)
		connects++
		require.Zero(t, shuts)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connects)
	require.Equal(t, 1, shuts)
	require.True(t, gotEOF)
	require.True(t, gotQ)
}

// TestShutdownTwice checks that a second Shutdown while one is pending fails, and only the
// first request's callback runs.
// libuv: shutdown_twice
func TestShutdownTwice(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var creq handles.ConnectReq
	var req1, req2 handles.ShutdownReq
	shuts := 0
	cb := func(r *handles.ShutdownReq, err error) {
		require.Same(t, &req1, r)
		require.NoError(t, err)
		shuts++
		r.Stream().Close(nil)
	}
	require.NoError(t, h.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.NoError(t, r.Stream().Shutdown(&req1, cb))
		require.Error(t, r.Stream().Shutdown(&req2, cb))
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, shuts)
}

// TestGetsocknameTCP checks Sockname and Peername on a listener (Peername: ENOTCONN), on a
// connecting client (its port is known before the connect completes), on an accepted
// connection and on the connected client. libuv's server binds 0.0.0.0; 127.0.0.1 here.
// libuv: getsockname_tcp
func TestGetsocknameTCP(t *testing.T) {
	l := newLoop(t)
	loopback := netip.MustParseAddr("127.0.0.1")
	socknames, peernames := 0, 0
	connectPort := uint16(0)
	var server *handles.TCP
	var serverAddr netip.AddrPort
	server, serverAddr = tcp2Server(t, l, 128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		h := tcp2New(t, l)
		h.Data = s
		require.NoError(t, s.Accept(&h.Stream))

		name, err := h.Sockname()
		require.NoError(t, err)
		require.Equal(t, serverAddr, name, "accepted socket")
		socknames++

		peer, err := h.Peername()
		require.NoError(t, err)
		require.Equal(t, netip.AddrPortFrom(loopback, connectPort), peer, "accepted socket's peer")
		peernames++

		require.NoError(t, h.ReadStart(tcp2Alloc(0, nil), func(s *handles.Stream, _ []byte, _ error) {
			var req handles.ShutdownReq
			require.NoError(t, s.Shutdown(&req, func(r *handles.ShutdownReq, _ error) {
				r.Stream().Close(func() { server.Close(nil) })
			}))
		}))
	})
	require.Equal(t, loopback, serverAddr.Addr(), "server socket")
	require.NotZero(t, serverAddr.Port())
	socknames++
	_, err := server.Peername()
	require.ErrorIs(t, err, uv.ENOTCONN)
	peernames++

	client := tcp2New(t, l)
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, serverAddr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		name, err := client.Sockname()
		require.NoError(t, err)
		require.Equal(t, loopback, name.Addr(), "connected socket")
		socknames++

		peer, err := client.Peername()
		require.NoError(t, err)
		require.Equal(t, serverAddr, peer, "connected socket's peer")
		peernames++

		client.Close(nil)
	}))
	// The local port is known as soon as the connect has started.
	name, err := client.Sockname()
	require.NoError(t, err)
	require.True(t, name.Addr().Is4())
	connectPort = name.Port()
	require.NotZero(t, connectPort)

	run(t, l, uv.RunDefault)
	require.Equal(t, 3, socknames)
	require.Equal(t, 3, peernames)
}

// tcp2SimultaneousAccepts is test-ipc.c's listen_*_simultaneous_accepts. libuv checks the
// number of AcceptEx requests its Windows backend keeps pending (32 or 1), which uv-go does
// not expose and which unix has no equivalent of; what is portable is that the setting is
// accepted before Listen and that the server then accepts.
func tcp2SimultaneousAccepts(t *testing.T, enable bool) {
	l := newLoop(t)
	server := tcp2New(t, l)
	require.NoError(t, server.Bind(tcp2Loopback, 0))
	require.NoError(t, server.SimultaneousAccepts(enable))
	accepts, connects := 0, 0
	require.NoError(t, server.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		c := tcp2New(t, l)
		require.NoError(t, s.Accept(&c.Stream))
		c.Close(nil)
		s.Close(nil)
		accepts++
	}))
	addr, err := server.Sockname()
	require.NoError(t, err)
	client := tcp2New(t, l)
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		r.Stream().Close(nil)
		connects++
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, accepts)
	require.Equal(t, 1, connects)
}

// TestListenWithSimultaneousAccepts: see tcp2SimultaneousAccepts.
// libuv: listen_with_simultaneous_accepts
func TestListenWithSimultaneousAccepts(t *testing.T) {
	tcp2SimultaneousAccepts(t, true)
}

// TestListenNoSimultaneousAccepts: see tcp2SimultaneousAccepts.
// libuv: listen_no_simultaneous_accepts
func TestListenNoSimultaneousAccepts(t *testing.T) {
	tcp2SimultaneousAccepts(t, false)
}

// TestNotWritableAfterShutdown checks that a stream is not writable once Shutdown was called.
// libuv: not_writable_after_shutdown
func TestNotWritableAfterShutdown(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var creq handles.ConnectReq
	var sreq handles.ShutdownReq
	shuts := 0
	require.NoError(t, h.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.NoError(t, r.Stream().Shutdown(&sreq, func(r *handles.ShutdownReq, _ error) {
			shuts++
			r.Stream().Close(nil)
		}))
		require.False(t, r.Stream().IsWritable())
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, shuts)
}

// TestNotReadableNorWritableOnReadError checks that a read error (a reset) makes the stream
// neither readable nor writable.
// libuv: not_readable_nor_writable_on_read_error
func TestNotReadableNorWritableOnReadError(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var creq handles.ConnectReq
	var wreq handles.WriteReq
	connects, reads, writes, closes := 0, 0, 0, 0
	require.NoError(t, h.Connect(&creq, echo.addr, func(_ *handles.ConnectReq, err error) {
		connects++
		require.NoError(t, err)
		require.NoError(t, h.ReadStart(tcp2Alloc(64, nil), func(s *handles.Stream, _ []byte, err error) {
			reads++
			require.Error(t, err)
			require.NotErrorIs(t, err, uv.EOF)
			require.False(t, s.IsWritable())
			require.False(t, s.IsReadable())
			s.Close(func() { closes++ })
		}))
		// "QSH" makes the echo server close with a reset.
		require.NoError(t, h.Write(&wreq, [][]byte{[]byte("QSH")}, func(_ *handles.WriteReq, err error) {
			writes++
			require.NoError(t, err)
		}))
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, connects)
	require.Equal(t, 1, reads)
	require.Equal(t, 1, writes)
	require.Equal(t, 1, closes)
}

// TestReadableOnEOF checks that EOF stops reading but leaves the stream readable and
// writable: reading can be started again (and gets EOF again) until the stream is closed.
// libuv: readable_on_eof
func TestReadableOnEOF(t *testing.T) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var creq handles.ConnectReq
	var wreq handles.WriteReq
	connects, reads, writes, closes := 0, 0, 0, 0
	alloc := tcp2Alloc(64, nil)
	var read func(s *handles.Stream, buf []byte, err error)
	read = func(s *handles.Stream, buf []byte, err error) {
		require.ErrorIs(t, err, uv.EOF)
		require.True(t, s.IsReadable())
		require.True(t, s.IsWritable())
		reads++
		if reads == 3 {
			require.NoError(t, s.Close(func() { closes++ }))
			require.False(t, s.IsReadable())
			require.False(t, s.IsWritable())
			return
		}
		require.NoError(t, s.ReadStart(alloc, read))
	}
	require.NoError(t, h.Connect(&creq, echo.addr, func(_ *handles.ConnectReq, err error) {
		connects++
		require.NoError(t, err)
		// As libuv does, feed the read callback an EOF by hand first.
		read(&h.Stream, nil, uv.EOF)
		// "QS" makes the echo server close the connection.
		require.NoError(t, h.Write(&wreq, [][]byte{[]byte("QS")}, func(_ *handles.WriteReq, err error) {
			writes++
			require.NoError(t, err)
		}))
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, connects)
	require.Equal(t, 3, reads)
	require.Equal(t, 1, writes)
	require.Equal(t, 1, closes)
}

// TestTCPRef checks that an unreferenced TCP handle without a socket does not keep the loop
// alive.
// libuv: tcp_ref
func TestTCPRef(t *testing.T) {
	l := newLoop(t)
	h := tcp2New(t, l)
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	tcp2CloseAndRun(t, l, &h.Handle)
}

// TestTCPRef2 checks that an unreferenced listening handle does not keep the loop alive.
// libuv listens on an unbound handle (the kernel binds it to all interfaces); it is bound to
// loopback first here.
// libuv: tcp_ref2
func TestTCPRef2(t *testing.T) {
	l := newLoop(t)
	h := tcp2New(t, l)
	require.NoError(t, h.Bind(tcp2Loopback, 0))
	require.NoError(t, h.Listen(128, func(*handles.Stream, error) { t.Error("connection callback must not run") }))
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	tcp2CloseAndRun(t, l, &h.Handle)
}

// TestTCPRef2b checks that closing an unreferenced listening handle still runs its close
// callback.
// libuv: tcp_ref2b
func TestTCPRef2b(t *testing.T) {
	l := newLoop(t)
	h := tcp2New(t, l)
	require.NoError(t, h.Bind(tcp2Loopback, 0))
	require.NoError(t, h.Listen(128, func(*handles.Stream, error) { t.Error("connection callback must not run") }))
	h.Unref()
	closes := 0
	require.NoError(t, h.Close(func() { closes++ }))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, closes)
}

// tcp2RefConnect connects an unreferenced handle to the echo server; the loop must stay alive
// for the connect request and whatever requests onConnect starts, then return.
func tcp2RefConnect(t *testing.T, onConnect func(s *handles.Stream)) (*uv.Loop, *handles.TCP) {
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	h := tcp2New(t, l)
	var creq handles.ConnectReq
	require.NoError(t, h.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		onConnect(r.Stream())
	}))
	h.Unref()
	run(t, l, uv.RunDefault)
	return l, h
}

// TestTCPRef3 checks that an unreferenced handle's connect and shutdown requests keep the
// loop alive until they complete.
// libuv: tcp_ref3
func TestTCPRef3(t *testing.T) {
	var sreq handles.ShutdownReq
	connects, shuts := 0, 0
	l, h := tcp2RefConnect(t, func(s *handles.Stream) {
		require.NoError(t, s.Shutdown(&sreq, func(r *handles.ShutdownReq, _ error) {
			require.Same(t, &sreq, r)
			shuts++
		}))
		connects++
	})
	require.Equal(t, 1, connects)
	require.Equal(t, 1, shuts)
	tcp2CloseAndRun(t, l, &h.Handle)
}

// TestTCPRef4 checks that an unreferenced handle's connect, write and shutdown requests keep
// the loop alive until they complete.
// libuv: tcp_ref4
func TestTCPRef4(t *testing.T) {
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	buf := make([]byte, 32767)
	connects, writes, shuts := 0, 0, 0
	l, h := tcp2RefConnect(t, func(s *handles.Stream) {
		require.NoError(t, s.Write(&wreq, [][]byte{buf}, func(r *handles.WriteReq, _ error) {
			require.Same(t, &wreq, r)
			require.NoError(t, r.Stream().Shutdown(&sreq, func(r *handles.ShutdownReq, _ error) {
				require.Same(t, &sreq, r)
				shuts++
			}))
			writes++
		}))
		connects++
	})
	require.Equal(t, 1, connects)
	require.Equal(t, 1, writes)
	require.Equal(t, 1, shuts)
	tcp2CloseAndRun(t, l, &h.Handle)
}

// TestCallbackStack checks that no callback runs inside the call that caused it: connect,
// write, timer, read, shutdown and close callbacks all run from the loop, never nested in
// Connect, Write, ReadStart, Shutdown or Close. libuv waits 500 ms before reading so that the
// echo is surely buffered; 50 ms is plenty with the echo server on the same loop.
// libuv: callback_stack
func TestCallbackStack(t *testing.T) {
	message := []byte("Failure is for the weak. Everyone dies alone.\x00")
	l := newLoop(t)
	echo := tcp2StartEcho(t, l)
	client := tcp2New(t, l)
	var (
		creq                                    handles.ConnectReq
		wreq                                    handles.WriteReq
		sreq                                    handles.ShutdownReq
		timer                                   handles.Timer
		nested                                  int
		connects, writes, timers, shuts, closes int
		received                                int
	)
	fresh := func(what string) { require.Zero(t, nested, "%s must be called from a fresh stack", what) }
	closeCb := func() { fresh("close callback"); closes++ }
	read := func(s *handles.Stream, buf []byte, err error) {
		fresh("read callback")
		if err == nil && len(buf) == 0 {
			return
		}
		if err != nil {
			require.ErrorIs(t, err, uv.EOF)
			nested++
			require.NoError(t, s.Close(closeCb))
			nested--
			return
		}
		received += len(buf)
		// All the data is back: a shutdown could complete at once, but must not call back
		// from inside Shutdown.
		if received == len(message) {
			nested++
			require.NoError(t, s.Shutdown(&sreq, func(_ *handles.ShutdownReq, err error) {
				require.NoError(t, err)
				fresh("shutdown callback")
				shuts++
			}))
			nested--
		}
	}
	nested++
	require.NoError(t, client.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		fresh("connect callback")
		nested++
		require.NoError(t, r.Stream().Write(&wreq, [][]byte{message}, func(_ *handles.WriteReq, err error) {
			require.NoError(t, err)
			fresh("write callback")
			// Wait, then read: the echo is then already buffered, the strongest temptation
			// to call the read callback from inside ReadStart.
			nested++
			require.NoError(t, timer.Init(l))
			require.NoError(t, timer.Start(func(tm *handles.Timer) {
				fresh("timer callback")
				nested++
				require.NoError(t, client.ReadStart(tcp2Alloc(0, nil), read))
				nested--
				timers++
				require.NoError(t, tm.Close(closeCb))
			}, 50, 0))
			nested--
			writes++
		}))
		nested--
		connects++
	}))
	nested--
	run(t, l, uv.RunDefault)
	require.Zero(t, nested)
	require.Equal(t, 1, connects)
	require.Equal(t, 1, writes)
	require.Equal(t, 1, timers)
	require.Equal(t, len(message), received)
	require.Equal(t, 1, shuts)
	require.Equal(t, 2, closes)
}
