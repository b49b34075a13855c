package conformance_test

import (
	"bytes"
	"errors"
	"net/netip"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The first half of libuv's TCP tests. Where libuv's tests talk to its echo server helper
// (test/echo-server.c, run in another process on TEST_PORT), these start tcp1Echo, an
// equivalent server on the test's own loop and on a port the system picks. Its listening
// handle is unreferenced, so it keeps the loop alive no longer than the test's own handles and
// the echo connections they still feed. Raw sockets come from uv.OpenSocket and the standard
// syscall package, whose functions take a uv.OSSock on every OS.

// tcp1Echo is the in-process echo server: it echoes every byte back, shuts a connection down
// when its peer does, and closes it once the shutdown completes.
type tcp1Echo struct {
	t        testing.TB
	l        *uv.Loop
	srv      *handles.TCP
	addr     netip.AddrPort
	accepted int
}

// tcp1StartEcho starts an echo server on ip (a loopback address) at a free port.
func tcp1StartEcho(t testing.TB, l *uv.Loop, ip string) *tcp1Echo {
	t.Helper()
	e := &tcp1Echo{t: t, l: l}
	srv, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.AddrPortFrom(netip.MustParseAddr(ip), 0), 0))
	require.NoError(t, srv.Listen(handles.DefaultBacklog, e.onConnection))
	srv.Unref()
	e.srv = srv
	e.addr, err = srv.Sockname()
	require.NoError(t, err)
	return e
}

func (e *tcp1Echo) onConnection(server *handles.Stream, err error) {
	require.NoError(e.t, err)
	c, err := handles.NewTCP(e.l)
	require.NoError(e.t, err)
	require.NoError(e.t, server.Accept(&c.Stream))
	e.accepted++
	require.NoError(e.t, c.ReadStart(tcp1EchoAlloc, e.onRead))
}

// tcp1EchoAlloc gives every read its own buffer: the echo write keeps it until it is written.
func tcp1EchoAlloc(_ *handles.Stream, suggested int) []byte { return make([]byte, suggested) }

func (e *tcp1Echo) onRead(s *handles.Stream, buf []byte, err error) {
	if err != nil {
		// libuv's echo server expects EOF; a peer that reset the connection (a test that
		// closed early) just gets the connection closed.
		if errors.Is(err, uv.EOF) && s.IsWritable() &&
			s.Shutdown(new(handles.ShutdownReq), tcp1EchoShutdownDone) == nil {
			return
		}
		s.Close(nil)
		return
	}
	if len(buf) == 0 {
		return
	}
	require.NoError(e.t, s.Write(new(handles.WriteReq), [][]byte{buf}, nil))
}

func tcp1EchoShutdownDone(req *handles.ShutdownReq, _ error) { req.Stream().Close(nil) }

// tcp1Socks holds raw sockets a test opened; those still held when the test ends are closed.
type tcp1Socks struct {
	t    testing.TB
	open map[uv.OSSock]bool
}

func tcp1NewSocks(t testing.TB) *tcp1Socks {
	s := &tcp1Socks{t: t, open: map[uv.OSSock]bool{}}
	t.Cleanup(func() {
		for fd := range s.open {
			uv.CloseSocket(fd)
		}
	})
	return s
}

// socket opens a TCP socket with SO_REUSEADDR set, as libuv's create_tcp_socket does.
func (s *tcp1Socks) socket(d uv.Domain) uv.OSSock {
	s.t.Helper()
	fd, err := uv.OpenSocket(d, uv.SockStream)
	require.NoError(s.t, err)
	s.open[fd] = true
	require.NoError(s.t, syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1))
	return fd
}

// give hands fd over to a handle (TCP.Open), which closes it from then on.
func (s *tcp1Socks) give(fd uv.OSSock) uv.OSSock {
	delete(s.open, fd)
	return fd
}

// close closes fd now.
func (s *tcp1Socks) close(fd uv.OSSock) {
	s.t.Helper()
	require.True(s.t, s.open[fd], "socket %v is not held", fd)
	delete(s.open, fd)
	require.NoError(s.t, uv.CloseSocket(fd))
}

// tcp1Sockaddr converts ap to the syscall package's socket address.
func tcp1Sockaddr(ap netip.AddrPort) syscall.Sockaddr {
	if ap.Addr().Is4() {
		return &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// tcp1SockName returns the address fd is bound to.
func tcp1SockName(t testing.TB, fd uv.OSSock) netip.AddrPort {
	t.Helper()
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *syscall.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
	}
	t.Fatalf("unexpected socket address %T", sa)
	return netip.AddrPort{}
}

// tcp1BoundSocket opens a socket bound to ip at a port the system picks.
func tcp1BoundSocket(t testing.TB, socks *tcp1Socks, ip string) (uv.OSSock, netip.AddrPort) {
	t.Helper()
	a := netip.MustParseAddr(ip)
	d := uv.DomainInet
	if a.Is6() {
		d = uv.DomainInet6
	}
	fd := socks.socket(d)
	require.NoError(t, syscall.Bind(fd, tcp1Sockaddr(netip.AddrPortFrom(a, 0))))
	return fd, tcp1SockName(t, fd)
}

// tcp1ClosedPort returns an address on ip where nothing listens: a port the system picked
// and released again.
func tcp1ClosedPort(t testing.TB, ip string) netip.AddrPort {
	t.Helper()
	socks := tcp1NewSocks(t)
	fd, addr := tcp1BoundSocket(t, socks, ip)
	socks.close(fd)
	return addr
}

// tcp1CanIPv6 reports whether a TCP socket can be bound to ::1 (libuv's can_ipv6).
func tcp1CanIPv6() bool {
	fd, err := uv.OpenSocket(uv.DomainInet6, uv.SockStream)
	if err != nil {
		return false
	}
	defer uv.CloseSocket(fd)
	return syscall.Bind(fd, &syscall.SockaddrInet6{Addr: netip.IPv6Loopback().As16()}) == nil
}

func tcp1SkipWithoutIPv6(t testing.TB) {
	t.Helper()
	if !tcp1CanIPv6() {
		t.Skip("IPv6 not supported")
	}
}

// tcp1StuckAddr returns a loopback address where a new connect stays in progress: a listener
// whose accept queue is full and which never accepts. Linux drops the SYN of a connection its
// full queue cannot take, and the client tries again only after a second. It is the loopback
// stand-in for the unroutable addresses (8.8.8.8:9999, 1.2.3.4) libuv's tests connect to.
// Loopback handshakes complete within connect(2), so the queue is full once a connect is
// found still pending when the call returns.
func tcp1StuckAddr(t testing.TB, socks *tcp1Socks) netip.AddrPort {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux, which drops SYNs that a full accept queue cannot take")
	}
	ln, addr := tcp1BoundSocket(t, socks, "127.0.0.1")
	require.NoError(t, syscall.Listen(ln, 1))
	for range 16 {
		c := socks.socket(uv.DomainInet)
		err := syscall.Connect(c, tcp1Sockaddr(addr))
		if err != nil && !errors.Is(err, syscall.EINPROGRESS) {
			require.NoError(t, err)
		}
		if _, err := syscall.Getpeername(c); err != nil {
			socks.close(c) // its SYN was dropped: the queue is full
			return addr
		}
	}
	t.Fatal("the accept queue of a listener with backlog 1 never filled")
	return netip.AddrPort{}
}

// tcp1NewTCP creates a TCP handle on l.
func tcp1NewTCP(t testing.TB, l *uv.Loop) *handles.TCP {
	t.Helper()
	h, err := handles.NewTCP(l)
	require.NoError(t, err)
	return h
}

// tcp1NewTimer creates a timer on l.
func tcp1NewTimer(t testing.TB, l *uv.Loop) *handles.Timer {
	t.Helper()
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	return tm
}

// tcp1Fd returns the socket of a stream.
func tcp1Fd(t testing.TB, s *handles.Stream) uv.OSSock {
	t.Helper()
	fd, err := s.Fileno()
	require.NoError(t, err)
	return uv.OSSock(fd)
}

// TestConnectUnspecified connects to the unspecified addresses 0.0.0.0 and ::, which the
// kernel takes as the local host: whatever the outcome, it is not EADDRNOTAVAIL.
// libuv: connect_unspecified
func TestConnectUnspecified(t *testing.T) {
	l := newLoop(t)
	calls := 0
	cb := func(_ *handles.ConnectReq, err error) {
		calls++
		assert.NotErrorIs(t, err, uv.EADDRNOTAVAIL)
	}
	port := tcp1ClosedPort(t, "127.0.0.1").Port()
	sock4 := tcp1NewTCP(t, l)
	var req4 handles.ConnectReq
	require.NoError(t, sock4.Connect(&req4, netip.AddrPortFrom(netip.IPv4Unspecified(), port), cb))
	want := 1
	if tcp1CanIPv6() {
		port6 := tcp1ClosedPort(t, "::1").Port()
		sock6 := tcp1NewTCP(t, l)
		var req6 handles.ConnectReq
		require.NoError(t, sock6.Connect(&req6, netip.AddrPortFrom(netip.IPv6Unspecified(), port6), cb))
		want = 2
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, want, calls)
}

// TestTCPAllocCbFail gives the server's reads an empty buffer: the read callback gets ENOBUFS
// and an empty buffer.
// libuv: tcp_alloc_cb_fail
func TestTCPAllocCbFail(t *testing.T) {
	l := newLoop(t)
	server, client, incoming := tcp1NewTCP(t, l), tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	connectCalls, connectionCalls, closeCalls := 0, 0, 0
	onClose := func() { closeCalls++ }

	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&incoming.Stream))
		require.NoError(t, incoming.ReadStart(
			func(*handles.Stream, int) []byte { return nil },
			func(_ *handles.Stream, buf []byte, err error) {
				require.ErrorIs(t, err, uv.ENOBUFS)
				require.Empty(t, buf)
				incoming.Close(onClose)
				client.Close(onClose)
				server.Close(onClose)
			}))
		connectionCalls++
	}))
	addr, err := server.Sockname()
	require.NoError(t, err)

	hello := []byte("HELLO!\x00")
	var wreq handles.WriteReq
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		connectCalls++
		require.NoError(t, r.Stream().Write(&wreq, [][]byte{hello}, func(_ *handles.WriteReq, err error) {
			assert.NoError(t, err)
		}))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, connectionCalls)
	require.Equal(t, 3, closeCalls)
}

// tcp1NumPings is how many pings each ping-pong test exchanges, as in libuv.
const tcp1NumPings = 1000

var (
	tcp1Ping    = []byte("PING\n")
	tcp1PingVec = [][]byte{tcp1Ping[0:1], tcp1Ping[1:2], tcp1Ping[2:3], tcp1Ping[3:4], tcp1Ping[4:5]}
)

// tcp1Pinger is one side of libuv's ping-pong test: it writes a ping (as one buffer or one
// buffer per byte), checks the answer byte by byte, and closes after tcp1NumPings answers.
type tcp1Pinger struct {
	t         *testing.T
	tcp       handles.TCP
	req       handles.ConnectReq
	vectored  bool
	pong      string
	state     int
	pongs     int
	connects  int
	completed int
}

func tcp1NewPinger(t *testing.T, l *uv.Loop, vectored bool, pong string) *tcp1Pinger {
	p := &tcp1Pinger{t: t, vectored: vectored, pong: pong}
	require.NoError(t, p.tcp.Init(l))
	return p
}

func (p *tcp1Pinger) writePing() {
	bufs := [][]byte{tcp1Ping}
	if p.vectored {
		bufs = tcp1PingVec
	}
	require.NoError(p.t, p.tcp.Write(new(handles.WriteReq), bufs, func(_ *handles.WriteReq, err error) {
		require.NoError(p.t, err)
	}))
}

func (p *tcp1Pinger) onConnect(r *handles.ConnectReq, err error) {
	p.connects++
	require.NoError(p.t, err)
	s := r.Stream()
	require.True(p.t, s.IsReadable())
	require.True(p.t, s.IsWritable())
	require.False(p.t, s.IsClosing())
	p.writePing()
	require.NoError(p.t, s.ReadStart(nil, p.onRead))
}

func (p *tcp1Pinger) onRead(s *handles.Stream, buf []byte, err error) {
	if err != nil {
		require.ErrorIs(p.t, err, uv.EOF)
		s.Close(p.onClose)
		return
	}
	for _, b := range buf {
		require.Equal(p.t, p.pong[p.state], b)
		p.state = (p.state + 1) % len(p.pong)
		if p.state != 0 {
			continue
		}
		p.pongs++
		if p.pongs < tcp1NumPings {
			p.writePing()
		} else {
			s.Close(p.onClose)
			break
		}
	}
}

func (p *tcp1Pinger) onClose() {
	require.Equal(p.t, tcp1NumPings, p.pongs)
	p.completed++
}

// tcp1PingPongTCP plays ping-pong with an echo server on ip.
func tcp1PingPongTCP(t *testing.T, ip string, vectored bool) {
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, ip)
	p := tcp1NewPinger(t, l, vectored, "PING\n")
	require.NoError(t, p.tcp.Connect(&p.req, echo.addr, p.onConnect))
	require.Zero(t, p.connects, "the connect callback must not run synchronously")
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, p.completed)
	require.Equal(t, 1, echo.accepted)
	closeLoop(t, l)
}

// tcp1PingPongSocketpair plays ping-pong over a socket pair opened as two TCP handles; the
// other end answers PONG.
func tcp1PingPongSocketpair(t *testing.T, vectored bool) {
	l := newLoop(t)
	fds, err := uv.Socketpair(uv.SockStream)
	require.NoError(t, err)
	p := tcp1NewPinger(t, l, vectored, "PONG\n")
	ponger := tcp1NewTCP(t, l)
	if err := p.tcp.Open(fds[1]); err != nil {
		uv.CloseSocket(fds[0])
		uv.CloseSocket(fds[1])
		require.NoError(t, err)
	}
	if err := ponger.Open(fds[0]); err != nil {
		uv.CloseSocket(fds[0])
		require.NoError(t, err)
	}
	p.writePing()
	require.NoError(t, p.tcp.ReadStart(nil, p.onRead))
	require.NoError(t, ponger.ReadStart(tcp1EchoAlloc, func(s *handles.Stream, buf []byte, err error) {
		if err != nil {
			require.ErrorIs(t, err, uv.EOF)
			s.Close(nil)
			return
		}
		for i, b := range buf {
			if b == 'I' {
				buf[i] = 'O'
			}
		}
		require.NoError(t, s.Write(new(handles.WriteReq), [][]byte{buf}, func(_ *handles.WriteReq, err error) {
			require.NoError(t, err)
		}))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, p.completed)
	closeLoop(t, l)
}

// TestTCPPingPong exchanges 1000 pings with one buffer per write, over IPv4 with the echo
// server and then over a socket pair.
// libuv: tcp_ping_pong
func TestTCPPingPong(t *testing.T) {
	tcp1PingPongTCP(t, "127.0.0.1", false)
	tcp1PingPongSocketpair(t, false)
}

// TestTCPPingPongVec is TestTCPPingPong with one buffer per byte.
// libuv: tcp_ping_pong_vec
func TestTCPPingPongVec(t *testing.T) {
	tcp1PingPongTCP(t, "127.0.0.1", true)
	tcp1PingPongSocketpair(t, true)
}

// TestTCP6PingPong exchanges 1000 pings with the echo server over IPv6.
// libuv: tcp6_ping_pong
func TestTCP6PingPong(t *testing.T) {
	tcp1SkipWithoutIPv6(t)
	tcp1PingPongTCP(t, "::1", false)
}

// TestTCP6PingPongVec is TestTCP6PingPong with one buffer per byte.
// libuv: tcp6_ping_pong_vec
func TestTCP6PingPongVec(t *testing.T) {
	tcp1SkipWithoutIPv6(t)
	tcp1PingPongTCP(t, "::1", true)
}

// TestDelayedAccept accepts each of two connections only from a timer started by the
// connection callback; the clients connect at once (the kernel completes the handshake) and
// see EOF when the accepted handles close.
// libuv: delayed_accept
func TestDelayedAccept(t *testing.T) {
	l := newLoop(t)
	connectionCalls, acceptCalls, closeCalls, connectCalls := 0, 0, 0, 0
	onClose := func() { closeCalls++ }

	server := tcp1NewTCP(t, l)
	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		tm := tcp1NewTimer(t, l)
		// libuv waits 1 s; 100 ms keeps the test fast and the accept as late.
		require.NoError(t, tm.Start(func(tm *handles.Timer) {
			accepted := tcp1NewTCP(t, l)
			require.NoError(t, s.Accept(&accepted.Stream))
			acceptCalls++
			accepted.Close(onClose)
			if acceptCalls == 2 {
				s.Close(onClose)
			}
			tm.Close(onClose)
		}, 100, 0))
		connectionCalls++
	}))
	addr, err := server.Sockname()
	require.NoError(t, err)

	for range 2 {
		client := tcp1NewTCP(t, l)
		require.NoError(t, client.Connect(new(handles.ConnectReq), addr, func(r *handles.ConnectReq, err error) {
			require.NoError(t, err)
			require.NoError(t, r.Stream().ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
				if err == nil {
					require.Empty(t, buf, "the server sends nothing")
					return
				}
				require.ErrorIs(t, err, uv.EOF)
				s.Close(onClose)
			}))
			connectCalls++
		}))
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, connectionCalls)
	require.Equal(t, 2, acceptCalls)
	require.Equal(t, 2, connectCalls)
	require.Equal(t, 7, closeCalls)
}

// TestMultipleListen calls Listen twice on one server; both succeed and it still takes a
// connection.
// libuv: multiple_listen
func TestMultipleListen(t *testing.T) {
	l := newLoop(t)
	connectionCalls, closeCalls, connectCalls := 0, 0, 0
	onClose := func() { closeCalls++ }
	server, client := tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	onConnection := func(_ *handles.Stream, err error) {
		require.NoError(t, err)
		server.Close(onClose)
		connectionCalls++
	}
	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, server.Listen(128, onConnection))
	require.NoError(t, server.Listen(128, onConnection))
	addr, err := server.Sockname()
	require.NoError(t, err)

	require.NoError(t, client.Connect(new(handles.ConnectReq), addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		client.Close(onClose)
		connectCalls++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectionCalls)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 2, closeCalls)
}

// TestTCPWriteAfterConnect writes while a connect that will be refused is in progress: the
// connect fails with ECONNREFUSED and the write is cancelled.
// libuv: tcp_write_after_connect
func TestTCPWriteAfterConnect(t *testing.T) {
	l := newLoop(t)
	addr := tcp1ClosedPort(t, "127.0.0.1")
	client := tcp1NewTCP(t, l)
	connectCalls, writeCalls := 0, 0
	var creq handles.ConnectReq
	var wreq handles.WriteReq
	require.NoError(t, client.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		require.ErrorIs(t, err, uv.ECONNREFUSED)
		connectCalls++
	}))
	require.NoError(t, client.Write(&wreq, [][]byte{[]byte("HELL")}, func(r *handles.WriteReq, err error) {
		require.ErrorIs(t, err, uv.ECANCELED)
		writeCalls++
		r.Stream().Close(nil)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, writeCalls)
}

// TestTCPWritealot writes three requests of many buffers to the echo server, shuts down on
// drain and reads everything back. libuv sends 3 x 4096 x 10024 bytes (123 MB); this sends
// 3 x 2048 x 512 bytes (3 MiB each way), keeping more buffers per request than one writev
// takes (1024) and checking the bytes that come back too.
// libuv: tcp_writealot
func TestTCPWritealot(t *testing.T) {
	const (
		writes         = 3
		chunksPerWrite = 2048
		chunkSize      = 512
		total          = writes * chunksPerWrite * chunkSize
	)
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, "127.0.0.1")
	send := make([]byte, total)
	for i := range send {
		send[i] = byte(i*7 + i/251)
	}
	received := make([]byte, 0, total)
	shutdownCalls, connectCalls, writeCalls, closeCalls, bytesSentDone := 0, 0, 0, 0, 0

	client := tcp1NewTCP(t, l)
	var creq handles.ConnectReq
	var sreq handles.ShutdownReq
	wreqs := make([]handles.WriteReq, writes)
	require.NoError(t, client.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		s := r.Stream()
		connectCalls++
		sent := 0
		for i := range writes {
			bufs := make([][]byte, chunksPerWrite)
			for j := range bufs {
				bufs[j] = send[sent : sent+chunkSize]
				sent += chunkSize
			}
			require.NoError(t, s.Write(&wreqs[i], bufs, func(_ *handles.WriteReq, err error) {
				require.NoError(t, err)
				bytesSentDone += chunksPerWrite * chunkSize
				writeCalls++
			}))
		}
		require.Equal(t, total, sent)
		require.NoError(t, s.Shutdown(&sreq, func(r *handles.ShutdownReq, err error) {
			require.Same(t, &sreq, r)
			require.NoError(t, err)
			require.Zero(t, r.Stream().WriteQueueSize())
			shutdownCalls++
			require.Equal(t, writes, writeCalls)
		}))
		require.NoError(t, s.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
			if err != nil {
				require.ErrorIs(t, err, uv.EOF)
				s.Close(func() { closeCalls++ })
				return
			}
			received = append(received, buf...)
		}))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, shutdownCalls)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, writes, writeCalls)
	require.Equal(t, 1, closeCalls)
	require.Equal(t, total, bytesSentDone)
	require.Equal(t, total, len(received))
	require.True(t, bytes.Equal(send, received), "the echoed bytes differ from those sent")
}

// TestTCPWriteFail rejects writes without buffers (or absurdly many), then closes a connected
// socket behind the handle's back: the next write fails in its callback.
// libuv: tcp_write_fail
func TestTCPWriteFail(t *testing.T) {
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, "127.0.0.1")
	client := tcp1NewTCP(t, l)
	connectCalls, writeCalls, closeCalls := 0, 0, 0
	var wreq handles.WriteReq
	writeCb := func(r *handles.WriteReq, err error) {
		require.Error(t, err)
		writeCalls++
		r.Stream().Close(func() { closeCalls++ })
	}

	// libuv rejects nbufs < 1 and a negative count turned into a huge unsigned one (more than
	// 1024*1024 buffers) with EINVAL, before it looks at the socket.
	assert.ErrorIs(t, client.Write(&wreq, [][]byte{}, writeCb), uv.EINVAL)
	assert.ErrorIs(t, client.Write(&wreq, make([][]byte, 1024*1024+1), writeCb), uv.EINVAL)

	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		connectCalls++
		require.NoError(t, uv.CloseSocket(tcp1Fd(t, r.Stream()))) // the hard way
		require.NoError(t, r.Stream().Write(&wreq, [][]byte{[]byte("hello\n")}, writeCb))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, writeCalls)
	require.Equal(t, 1, closeCalls)
}

// TestTCPTryWrite writes with TryWrite until some bytes go, and checks that an empty TryWrite
// writes nothing; the server reads exactly the bytes written.
// libuv: tcp_try_write
func TestTCPTryWrite(t *testing.T) {
	l := newLoop(t)
	server, client, incoming := tcp1NewTCP(t, l), tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	connectCalls, closeCalls, connectionCalls, bytesRead, bytesWritten := 0, 0, 0, 0, 0
	onClose := func() { closeCalls++ }

	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	readBuf := make([]byte, 1024)
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&incoming.Stream))
		connectionCalls++
		require.NoError(t, incoming.ReadStart(
			func(*handles.Stream, int) []byte { return readBuf },
			func(s *handles.Stream, buf []byte, err error) {
				if err != nil {
					s.Close(onClose)
					server.Close(onClose)
					return
				}
				bytesRead += len(buf)
			}))
	}))
	addr, err := server.Sockname()
	require.NoError(t, err)

	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		connectCalls++
		for {
			n, err := client.TryWrite([][]byte{[]byte("PING")})
			if err != nil {
				require.ErrorIs(t, err, uv.EAGAIN)
				continue
			}
			require.Positive(t, n)
			bytesWritten += n
			break
		}
		for i := 0; ; i++ {
			n, err := client.TryWrite([][]byte{{}})
			if err == nil && n == 0 {
				break
			}
			require.Less(t, i, 1000, "an empty TryWrite never returned 0")
		}
		client.Close(onClose)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 3, closeCalls)
	require.Equal(t, 1, connectionCalls)
	require.Equal(t, bytesWritten, bytesRead)
	require.Positive(t, bytesWritten)
}

// TestTCPWriteInARow queues a write larger than the socket buffers, then a one-byte write
// behind it: the queue grows by one byte, and both callbacks run with the queue empty.
// libuv: tcp_write_in_a_row
func TestTCPWriteInARow(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("not applicable on Windows, as libuv skips it: every write is an overlapped send of its own, so the big write's callback runs while the small write is still queued")
	}
	l := newLoop(t)
	server, client, incoming := tcp1NewTCP(t, l), tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	connectCalls, closeCalls, connectionCalls, writeCalls := 0, 0, 0, 0
	onClose := func() { closeCalls++ }
	data := make([]byte, 10*1024*1024) // larger than the send and receive buffers together
	var bigWrite, smallWrite handles.WriteReq

	writeCb := func(*handles.WriteReq, error) {
		// The small write finishes right after the big one.
		require.Zero(t, client.WriteQueueSize())
		writeCalls++
		if writeCalls == 2 {
			client.Close(onClose)
			incoming.Close(onClose)
			server.Close(onClose)
		}
	}
	readBuf := make([]byte, 1024)
	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		connectionCalls++
		require.NoError(t, s.Accept(&incoming.Stream))
		require.NoError(t, incoming.ReadStart(
			func(*handles.Stream, int) []byte { return readBuf },
			func(*handles.Stream, []byte, error) {}))
	}))
	addr, err := server.Sockname()
	require.NoError(t, err)

	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		connectCalls++
		require.NoError(t, client.Write(&bigWrite, [][]byte{data}, writeCb))
		size0 := client.WriteQueueSize()
		require.Positive(t, size0, "the big write must get stuck")
		require.NoError(t, client.Write(&smallWrite, [][]byte{[]byte("A")}, writeCb))
		require.Equal(t, size0+1, client.WriteQueueSize())
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 3, closeCalls)
	require.Equal(t, 1, connectionCalls)
	require.Equal(t, 2, writeCalls)
}

// TestTCPTryWriteError closes the server side of a connection, then try-writes on the client
// until the kernel reports the broken connection; nothing gets queued meanwhile.
// libuv: tcp_try_write_error
func TestTCPTryWriteError(t *testing.T) {
	l := newLoop(t)
	server, client, incoming := tcp1NewTCP(t, l), tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	connectCalls, closeCalls, connectionCalls := 0, 0, 0
	onClose := func() { closeCalls++ }

	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&incoming.Stream))
		connectionCalls++
		incoming.Close(func() {
			closeCalls++
			var err error
			for n := 1; n > 0; {
				n, err = client.TryWrite([][]byte{[]byte("meow")})
			}
			require.Error(t, err)
			require.Truef(t, errors.Is(err, uv.EPIPE) || errors.Is(err, uv.ECONNABORTED) ||
				errors.Is(err, uv.ECONNRESET), "TryWrite error %v", err)
			require.Zero(t, client.WriteQueueSize())
		})
		s.Close(onClose)
	}))
	addr, err := server.Sockname()
	require.NoError(t, err)

	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		connectCalls++
	}))
	run(t, l, uv.RunDefault)
	client.Close(onClose)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 3, closeCalls)
	require.Equal(t, 1, connectionCalls)
}

// TestTCPWriteQueueOrder queues 10000 writes of 1 KiB to a peer that never reads, then
// closes: the writes that went out succeeded, the rest are cancelled, and every request gets
// exactly one callback.
// libuv: tcp_write_queue_order
func TestTCPWriteQueueOrder(t *testing.T) {
	const reqCount = 10000
	l := newLoop(t)
	server, client, incoming := tcp1NewTCP(t, l), tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	connectCalls, closeCalls, connectionCalls := 0, 0, 0
	writeOK, writeCancelled, writeFailed := 0, 0, 0
	onClose := func() { closeCalls++ }

	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&incoming.Stream))
		tm := tcp1NewTimer(t, l)
		// libuv waits 1 s; the loopback buffers fill long before 100 ms.
		require.NoError(t, tm.Start(func(*handles.Timer) {
			client.Close(onClose)
			server.Close(onClose)
			incoming.Close(onClose)
		}, 100, 0))
		connectionCalls++
	}))
	addr, err := server.Sockname()
	require.NoError(t, err)

	base := make([]byte, 1024)
	reqs := make([]handles.WriteReq, reqCount)
	writeCb := func(_ *handles.WriteReq, err error) {
		switch {
		case err == nil:
			writeOK++
		case errors.Is(err, uv.ECANCELED):
			writeCancelled++
		default:
			writeFailed++
		}
	}
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		connectCalls++
		for i := range reqs {
			require.NoError(t, r.Stream().Write(&reqs[i], [][]byte{base}, writeCb))
		}
	}))
	// uv_send_buffer_size(&client, 16 KiB): the handle only reads the size, so set it on
	// the socket directly.
	require.NoError(t, syscall.SetsockoptInt(tcp1Fd(t, &client.Stream), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 16*1024))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, connectionCalls)
	require.Positive(t, writeOK)
	require.Positive(t, writeCancelled)
	require.Equal(t, reqCount, writeOK+writeFailed+writeCancelled)
	require.Equal(t, 3, closeCalls)
}

// tcp1OpenClient holds the counters of the tcp_open tests.
type tcp1OpenClient struct {
	shutdownCalls, shutdownRequested, connectCalls, writeCalls, closeCalls int
}

// readPing is the tcp_open read callback: the echo server sends PING back, then EOF.
func (c *tcp1OpenClient) readPing(t *testing.T) func(*handles.Stream, []byte, error) {
	return func(s *handles.Stream, buf []byte, err error) {
		if err != nil {
			require.ErrorIs(t, err, uv.EOF)
			s.Close(func() { c.closeCalls++ })
			return
		}
		if len(buf) > 0 {
			require.Equal(t, "PING", string(buf))
		}
	}
}

// slab is tcp_open's read buffer.
func tcp1Slab() func(*handles.Stream, int) []byte {
	slab := make([]byte, 65536)
	return func(_ *handles.Stream, suggested int) []byte { return slab }
}

// TestTCPOpen adopts an unconnected socket with Open and connects it; opening the same
// socket in a second handle fails with EEXIST.
// libuv: tcp_open
func TestTCPOpen(t *testing.T) {
	socks := tcp1NewSocks(t)
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, "127.0.0.1")
	sock := socks.socket(uv.DomainInet)
	var c tcp1OpenClient
	client := tcp1NewTCP(t, l)
	require.NoError(t, client.Open(socks.give(sock)))

	var creq handles.ConnectReq
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	require.NoError(t, client.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		s := r.Stream()
		c.connectCalls++
		require.NoError(t, s.Write(&wreq, [][]byte{[]byte("PING")}, func(_ *handles.WriteReq, err error) {
			require.NoError(t, err)
			c.writeCalls++
		}))
		require.NoError(t, s.Shutdown(&sreq, func(r *handles.ShutdownReq, err error) {
			require.Same(t, &sreq, r)
			require.NoError(t, err)
			c.shutdownCalls++
		}))
		require.NoError(t, s.ReadStart(tcp1Slab(), c.readPing(t)))
	}))

	// The loop already watches sock for client.
	client2 := tcp1NewTCP(t, l)
	require.ErrorIs(t, client2.Open(sock), uv.EEXIST)
	client2.Close(nil)

	run(t, l, uv.RunDefault)
	require.Equal(t, 1, c.shutdownCalls)
	require.Equal(t, 1, c.connectCalls)
	require.Equal(t, 1, c.writeCalls)
	require.Equal(t, 1, c.closeCalls)
}

// TestTCPOpenTwice opens a second socket in a handle that already has one: EBUSY.
// libuv: tcp_open_twice
func TestTCPOpenTwice(t *testing.T) {
	socks := tcp1NewSocks(t)
	l := newLoop(t)
	sock1, sock2 := socks.socket(uv.DomainInet), socks.socket(uv.DomainInet)
	client := tcp1NewTCP(t, l)
	require.NoError(t, client.Open(socks.give(sock1)))
	require.ErrorIs(t, client.Open(sock2), uv.EBUSY)
	socks.close(sock2)
	client.Close(nil)
	run(t, l, uv.RunDefault)
}

// TestTCPOpenBound adopts a bound socket and listens on it.
// libuv: tcp_open_bound
func TestTCPOpenBound(t *testing.T) {
	socks := tcp1NewSocks(t)
	l := newLoop(t)
	sock, _ := tcp1BoundSocket(t, socks, "127.0.0.1")
	server := tcp1NewTCP(t, l)
	require.NoError(t, server.Open(socks.give(sock)))
	require.NoError(t, server.Listen(128, nil))
}

// TestTCPOpenConnected adopts a socket connected with a blocking connect(2) and writes, shuts
// down and reads on it at once.
// libuv: tcp_open_connected
func TestTCPOpenConnected(t *testing.T) {
	socks := tcp1NewSocks(t)
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, "127.0.0.1")
	sock := socks.socket(uv.DomainInet)
	require.NoError(t, syscall.SetNonblock(sock, false))
	require.NoError(t, syscall.Connect(sock, tcp1Sockaddr(echo.addr)))

	var c tcp1OpenClient
	client := tcp1NewTCP(t, l)
	require.NoError(t, client.Open(socks.give(sock)))
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	require.NoError(t, client.Write(&wreq, [][]byte{[]byte("PING")}, func(_ *handles.WriteReq, err error) {
		require.NoError(t, err)
		c.writeCalls++
	}))
	require.NoError(t, client.Shutdown(&sreq, func(r *handles.ShutdownReq, err error) {
		require.Same(t, &sreq, r)
		require.NoError(t, err)
		c.shutdownCalls++
	}))
	require.NoError(t, client.ReadStart(tcp1Slab(), c.readPing(t)))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, c.shutdownCalls)
	require.Equal(t, 1, c.writeCalls)
	require.Equal(t, 1, c.closeCalls)
}

// TestTCPWriteReady keeps writing one byte from each write callback, reusing the request,
// until a timer shuts the stream down; the echo comes back as P bytes, then EOF.
// libuv: tcp_write_ready
func TestTCPWriteReady(t *testing.T) {
	socks := tcp1NewSocks(t)
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, "127.0.0.1")
	sock := socks.socket(uv.DomainInet)
	var c tcp1OpenClient
	client := tcp1NewTCP(t, l)
	require.NoError(t, client.Open(socks.give(sock)))

	var creq handles.ConnectReq
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	p := [][]byte{[]byte("P")}
	// A write made in a write callback completes in a later pending phase: libuv runs the
	// pending queue once before and up to 8 times after each poll, so at most 9 of these
	// callbacks run per loop iteration, and the shutdown timer gets its turn.
	var iteration uint64
	perIteration := 0
	var write1 func(r *handles.WriteReq, err error)
	write1 = func(r *handles.WriteReq, err error) {
		if n := l.Metrics().LoopCount; n != iteration {
			iteration, perIteration = n, 0
		}
		perIteration++
		require.LessOrEqual(t, perIteration, 9, "write callbacks in one loop iteration")
		if err != nil {
			require.Positive(t, c.shutdownCalls)
			return
		}
		if c.shutdownRequested > 0 {
			return
		}
		require.NoError(t, r.Stream().Write(&wreq, p, write1))
		c.writeCalls++
	}
	require.NoError(t, client.Connect(&creq, echo.addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &creq, r)
		require.NoError(t, err)
		c.connectCalls++
		tm := tcp1NewTimer(t, l)
		// libuv shuts down after 2 s of writing; 100 ms is plenty of writes.
		require.NoError(t, tm.Start(func(*handles.Timer) {
			require.NoError(t, client.Shutdown(&sreq, func(r *handles.ShutdownReq, err error) {
				require.Same(t, &sreq, r)
				require.NoError(t, err)
				c.shutdownCalls++
			}))
			c.shutdownRequested++
		}, 100, 0))
		require.NoError(t, r.Stream().Write(&wreq, p, write1))
		require.NoError(t, r.Stream().ReadStart(tcp1Slab(), func(s *handles.Stream, buf []byte, err error) {
			if err != nil {
				require.ErrorIs(t, err, uv.EOF)
				s.Close(func() { c.closeCalls++ })
				return
			}
			for _, b := range buf {
				require.Equal(t, byte('P'), b)
			}
		}))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, c.shutdownCalls)
	require.Equal(t, 1, c.shutdownRequested)
	require.Equal(t, 1, c.connectCalls)
	require.Positive(t, c.writeCalls)
	require.Equal(t, 1, c.closeCalls)
}

// TestTCPShutdownAfterWrite writes and shuts down from a timer while reading; the write and
// the shutdown succeed.
// libuv: tcp_shutdown_after_write
func TestTCPShutdownAfterWrite(t *testing.T) {
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, "127.0.0.1")
	connectCalls, writeCalls, shutdownCalls, connClosed, timerClosed := 0, 0, 0, 0, 0
	conn := tcp1NewTCP(t, l)
	tm := tcp1NewTimer(t, l)
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	slab := make([]byte, 64)

	require.NoError(t, tm.Start(func(h *handles.Timer) {
		h.Close(func() { timerClosed++ })
		require.NoError(t, conn.Write(&wreq, [][]byte{[]byte("TEST")}, func(_ *handles.WriteReq, err error) {
			require.NoError(t, err)
			writeCalls++
		}))
		require.NoError(t, conn.Shutdown(&sreq, func(_ *handles.ShutdownReq, err error) {
			require.NoError(t, err)
			shutdownCalls++
			conn.Close(func() { connClosed++ })
		}))
	}, 125, 0))

	var creq handles.ConnectReq
	require.NoError(t, conn.Connect(&creq, echo.addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		connectCalls++
		require.NoError(t, conn.ReadStart(
			func(*handles.Stream, int) []byte { return slab },
			func(*handles.Stream, []byte, error) {}))
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, writeCalls)
	require.Equal(t, 1, shutdownCalls)
	require.Equal(t, 1, connClosed)
	require.Equal(t, 1, timerClosed)
}

// TestTCPConnectErrorAfterWrite writes before a connect (EBADF: no socket yet) and during a
// connect that fails: both the connect and the queued write fail in their callbacks.
// libuv: tcp_connect_error_after_write
func TestTCPConnectErrorAfterWrite(t *testing.T) {
	l := newLoop(t)
	addr := tcp1ClosedPort(t, "127.0.0.1")
	connectCalls, writeCalls, closeCalls := 0, 0, 0
	conn := tcp1NewTCP(t, l)
	var wreq handles.WriteReq
	var creq handles.ConnectReq
	buf := [][]byte{[]byte("TEST")}
	writeCb := func(_ *handles.WriteReq, err error) {
		require.Error(t, err)
		writeCalls++
	}
	require.ErrorIs(t, conn.Write(&wreq, buf, writeCb), uv.EBADF)
	require.NoError(t, conn.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.Error(t, err)
		connectCalls++
		r.Stream().Close(func() { closeCalls++ })
	}))
	require.NoError(t, conn.Write(&wreq, buf, writeCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, writeCalls)
	require.Equal(t, 1, closeCalls)
}

// TestTCPBindErrorAddrinuseConnect binds to an address a listener holds: Bind succeeds, and
// the EADDRINUSE it deferred comes from Sockname and the connect callback.
// libuv: tcp_bind_error_addrinuse_connect
func TestTCPBindErrorAddrinuseConnect(t *testing.T) {
	l := newLoop(t)
	echo := tcp1StartEcho(t, l, "127.0.0.1")
	connectCalls, closeCalls := 0, 0
	conn := tcp1NewTCP(t, l)
	require.NoError(t, conn.Bind(echo.addr, 0))
	var req handles.ConnectReq
	other := netip.AddrPortFrom(echo.addr.Addr(), echo.addr.Port()+1)
	require.NoError(t, conn.Connect(&req, other, func(r *handles.ConnectReq, err error) {
		require.ErrorIs(t, err, uv.EADDRINUSE)
		r.Stream().Close(func() { closeCalls++ })
		connectCalls++
	}))
	_, err := conn.Sockname()
	assert.ErrorIs(t, err, uv.EADDRINUSE)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, closeCalls)
}

// TestTCPBindErrorAddrinuseListen binds two servers to one address (SO_REUSEADDR lets both
// bind); the second Listen fails with EADDRINUSE. libuv binds 0.0.0.0; this binds 127.0.0.1.
// libuv: tcp_bind_error_addrinuse_listen
func TestTCPBindErrorAddrinuseListen(t *testing.T) {
	l := newLoop(t)
	closeCalls := 0
	onClose := func() { closeCalls++ }
	server1, server2 := tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	require.NoError(t, server1.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	addr, err := server1.Sockname()
	require.NoError(t, err)
	require.NoError(t, server2.Bind(addr, 0))
	assert.NoError(t, server1.Listen(128, nil))
	assert.ErrorIs(t, server2.Listen(128, nil), uv.EADDRINUSE)
	server1.Close(onClose)
	server2.Close(onClose)
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closeCalls)
}

// TestTCPBindErrorAddrnotavail1 binds to the loopback broadcast address: Linux allows it,
// other systems say EADDRNOTAVAIL.
// libuv: tcp_bind_error_addrnotavail_1
func TestTCPBindErrorAddrnotavail1(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	err := server.Bind(netip.MustParseAddrPort("127.255.255.255:0"), 0)
	if err != nil {
		require.ErrorIs(t, err, uv.EADDRNOTAVAIL)
	}
	closeCalls := 0
	server.Close(func() { closeCalls++ })
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closeCalls)
}

// TestTCPBindErrorAddrnotavail2 binds to an address no local interface has: EADDRNOTAVAIL.
// libuv uses 4.4.4.4; this uses 192.0.2.1 (TEST-NET-1, RFC 5737), which no host may use.
// Binding sends nothing.
// libuv: tcp_bind_error_addrnotavail_2
func TestTCPBindErrorAddrnotavail2(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	require.ErrorIs(t, server.Bind(netip.MustParseAddrPort("192.0.2.1:0"), 0), uv.EADDRNOTAVAIL)
	closeCalls := 0
	server.Close(func() { closeCalls++ })
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closeCalls)
}

// TestTCPBindErrorFault binds to an address that is no address. libuv passes a garbage
// sockaddr; Go's counterpart is the zero netip.AddrPort: EINVAL.
// libuv: tcp_bind_error_fault
func TestTCPBindErrorFault(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	require.ErrorIs(t, server.Bind(netip.AddrPort{}, 0), uv.EINVAL)
	closeCalls := 0
	server.Close(func() { closeCalls++ })
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closeCalls)
}

// TestTCPBindErrorInval binds a bound handle again: EINVAL.
// libuv: tcp_bind_error_inval
func TestTCPBindErrorInval(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.ErrorIs(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0), uv.EINVAL)
	closeCalls := 0
	server.Close(func() { closeCalls++ })
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closeCalls)
}

// TestTCPBindLocalhostOk binds to 127.0.0.1.
// libuv: tcp_bind_localhost_ok
func TestTCPBindLocalhostOk(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
}

// TestTCPBindInvalidFlags binds an IPv4 address with TCPIPv6Only: EINVAL.
// libuv: tcp_bind_invalid_flags
func TestTCPBindInvalidFlags(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	require.ErrorIs(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), handles.TCPIPv6Only), uv.EINVAL)
}

// TestTCPBindWritableFlags checks that a listening server is neither readable nor writable:
// Write gives EPIPE, Shutdown and ReadStart ENOTCONN. libuv binds 0.0.0.0; this binds
// 127.0.0.1.
// libuv: tcp_bind_writable_flags
func TestTCPBindWritableFlags(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	assert.NoError(t, server.Listen(128, nil))
	require.False(t, server.IsWritable())
	require.False(t, server.IsReadable())

	var wreq handles.WriteReq
	require.ErrorIs(t, server.Write(&wreq, [][]byte{[]byte("PING")}, nil), uv.EPIPE)
	var sreq handles.ShutdownReq
	require.ErrorIs(t, server.Shutdown(&sreq, nil), uv.ENOTCONN)
	err := server.ReadStart(
		func(*handles.Stream, int) []byte { t.Error("alloc must not run"); return nil },
		func(*handles.Stream, []byte, error) { t.Error("read must not run") })
	require.ErrorIs(t, err, uv.ENOTCONN)

	closeCalls := 0
	server.Close(func() { closeCalls++ })
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closeCalls)
}

// TestTCPBindOrListenErrorAfterClose binds and listens on a closing handle: EINVAL.
// libuv: tcp_bind_or_listen_error_after_close
func TestTCPBindOrListenErrorAfterClose(t *testing.T) {
	l := newLoop(t)
	tcp := tcp1NewTCP(t, l)
	tcp.Close(nil)
	require.ErrorIs(t, tcp.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0), uv.EINVAL)
	require.ErrorIs(t, tcp.Listen(5, nil), uv.EINVAL)
	run(t, l, uv.RunDefault)
}

// TestTCPListenWithoutBind listens on a handle without a socket: one is created and bound
// implicitly.
// libuv: tcp_listen_without_bind
func TestTCPListenWithoutBind(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	require.NoError(t, server.Listen(128, nil))
}

// TestTCPConnectErrorFault connects to an address that is no address (libuv: a garbage
// sockaddr; Go: the zero netip.AddrPort): EINVAL, and the callback never runs.
// libuv: tcp_connect_error_fault
func TestTCPConnectErrorFault(t *testing.T) {
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	connectCalls, closeCalls := 0, 0
	var req handles.ConnectReq
	err := server.Connect(&req, netip.AddrPort{}, func(*handles.ConnectReq, error) { connectCalls++ })
	require.ErrorIs(t, err, uv.EINVAL)
	server.Close(func() { closeCalls++ })
	run(t, l, uv.RunDefault)
	require.Zero(t, connectCalls)
	require.Equal(t, 1, closeCalls)
}

// TestTCPConnect6ErrorFault connects to an IPv6 address that cannot be made into a socket
// address. libuv passes a garbage sockaddr_in6; the nearest Go value is an IPv6 address whose
// zone names no interface: EINVAL, and the callback never runs.
// libuv: tcp_connect6_error_fault
func TestTCPConnect6ErrorFault(t *testing.T) {
	tcp1SkipWithoutIPv6(t)
	l := newLoop(t)
	server := tcp1NewTCP(t, l)
	connectCalls, closeCalls := 0, 0
	var req handles.ConnectReq
	addr := netip.AddrPortFrom(netip.MustParseAddr("::1%no-such-interface"), 1)
	err := server.Connect(&req, addr, func(*handles.ConnectReq, error) { connectCalls++ })
	require.ErrorIs(t, err, uv.EINVAL)
	server.Close(func() { closeCalls++ })
	run(t, l, uv.RunDefault)
	require.Zero(t, connectCalls)
	require.Equal(t, 1, closeCalls)
}

// TestTCPConnectTimeout checks that a connect that never completes does not hang the loop:
// a timer closes the handle after 50 ms and the connect is cancelled. libuv connects to
// 8.8.8.8:9999; this connects to a loopback listener whose accept queue is full, which drops
// the SYN just as an unreachable host would.
// libuv: tcp_connect_timeout
func TestTCPConnectTimeout(t *testing.T) {
	socks := tcp1NewSocks(t)
	addr := tcp1StuckAddr(t, socks)
	l := newLoop(t)
	connectCalls, closeCalls := 0, 0
	conn := tcp1NewTCP(t, l)
	tm := tcp1NewTimer(t, l)
	var req handles.ConnectReq
	onClose := func() { closeCalls++ }
	require.NoError(t, tm.Start(func(*handles.Timer) {
		conn.Close(onClose)
		tm.Close(onClose)
	}, 50, 0))
	require.NoError(t, conn.Connect(&req, addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &req, r)
		require.ErrorIs(t, err, uv.ECANCELED)
		connectCalls++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 2, closeCalls)
}

// tcp1LocalConnectTimeout connects to a loopback port where nothing listens: the connect
// fails at once, long before the timer that closes the handle.
func tcp1LocalConnectTimeout(t *testing.T, ip string) {
	addr := tcp1ClosedPort(t, ip)
	l := newLoop(t)
	connectCalls, closeCalls := 0, 0
	conn := tcp1NewTCP(t, l)
	tm := tcp1NewTimer(t, l)
	var req handles.ConnectReq
	onClose := func() { closeCalls++ }
	// libuv gives the connect 1 s; a refused loopback connect fails within microseconds.
	require.NoError(t, tm.Start(func(*handles.Timer) {
		conn.Close(onClose)
		tm.Close(onClose)
	}, 100, 0))
	require.NoError(t, conn.Connect(&req, addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &req, r)
		require.NotErrorIs(t, err, uv.ECANCELED)
		connectCalls++
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 2, closeCalls)
}

// TestTCPLocalConnectTimeout: see tcp1LocalConnectTimeout, over IPv4.
// libuv: tcp_local_connect_timeout
func TestTCPLocalConnectTimeout(t *testing.T) {
	tcp1LocalConnectTimeout(t, "127.0.0.1")
}

// TestTCP6LocalConnectTimeout: see tcp1LocalConnectTimeout, over IPv6.
// libuv: tcp6_local_connect_timeout
func TestTCP6LocalConnectTimeout(t *testing.T) {
	tcp1SkipWithoutIPv6(t)
	tcp1LocalConnectTimeout(t, "::1")
}

// TestTCPCloseWhileConnecting closes a handle 1 ms into a connect that cannot complete: the
// connect callback gets ECANCELED and a far-off timer is stopped from it. libuv connects to
// 1.2.3.4; this connects to a loopback listener whose accept queue is full.
// libuv: tcp_close_while_connecting
func TestTCPCloseWhileConnecting(t *testing.T) {
	socks := tcp1NewSocks(t)
	addr := tcp1StuckAddr(t, socks)
	l := newLoop(t)
	connectCalls, timer1Calls, closeCalls := 0, 0, 0
	onClose := func() { closeCalls++ }
	tcp := tcp1NewTCP(t, l)
	timer1, timer2 := tcp1NewTimer(t, l), tcp1NewTimer(t, l)
	var req handles.ConnectReq
	require.NoError(t, tcp.Connect(&req, addr, func(_ *handles.ConnectReq, err error) {
		require.ErrorIs(t, err, uv.ECANCELED)
		require.NoError(t, timer2.Stop())
		connectCalls++
	}))
	require.NoError(t, timer1.Start(func(h *handles.Timer) {
		h.Close(onClose)
		tcp.Close(onClose)
		timer1Calls++
	}, 1, 0))
	require.NoError(t, timer2.Start(timerMustNotFire(t), 86400*1000, 0))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, connectCalls)
	require.Equal(t, 1, timer1Calls)
	require.Equal(t, 2, closeCalls)
}

// TestTCPCloseAfterReadTimeout closes a client that is reading and got nothing: the server
// side reads EOF. The server is unreferenced, as in libuv.
// libuv: tcp_close_after_read_timeout
func TestTCPCloseAfterReadTimeout(t *testing.T) {
	l := newLoop(t)
	readCalls, closeCalls := 0, 0
	server, client, connection := tcp1NewTCP(t, l), tcp1NewTCP(t, l), tcp1NewTCP(t, l)
	tm := tcp1NewTimer(t, l)
	onClose := func() { closeCalls++ }
	slab := make([]byte, 8)
	alloc := func(*handles.Stream, int) []byte { return slab }

	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, server.Listen(128, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&connection.Stream))
		require.NoError(t, connection.ReadStart(alloc, func(s *handles.Stream, _ []byte, err error) {
			require.ErrorIs(t, err, uv.EOF)
			readCalls++
			s.Close(onClose)
		}))
	}))
	server.Unref()
	addr, err := server.Sockname()
	require.NoError(t, err)

	var req handles.ConnectReq
	require.NoError(t, client.Connect(&req, addr, func(*handles.ConnectReq, error) {
		require.NoError(t, client.ReadStart(alloc, func(_ *handles.Stream, buf []byte, err error) {
			require.Error(t, err, "the client must read nothing")
			readCalls++
		}))
		// libuv waits 1 s for data that never comes; 100 ms tells as much.
		require.NoError(t, tm.Start(func(h *handles.Timer) {
			require.Zero(t, readCalls)
			require.NoError(t, client.ReadStop())
			client.Close(onClose)
			h.Close(onClose)
		}, 100, 0))
	}))
	require.Zero(t, readCalls)
	require.Zero(t, closeCalls)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, readCalls)
	require.Equal(t, 3, closeCalls)
}
