package net_test

import (
	"bytes"
	"errors"
	"io"
	gonet "net"
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/net"
)

func ipv6Available() bool {
	ln, err := gonet.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// The default host is "::", dual-stack: IPv4 clients connect too, and show as mapped
// addresses, as in Node.
func TestListenDefaultDualStack(t *testing.T) {
	if !ipv6Available() {
		t.Skip("no IPv6 on this host")
	}
	l := testLoop(t)
	var srv *net.Server
	var remote, family string
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		remote, family = c.RemoteAddress(), c.RemoteFamily()
		c.End([]byte("bye"))
		srv.Close(nil)
	})
	require.NoError(t, err)
	var ev []string
	srv.OnListening(func() { ev = append(ev, "listening") })
	srv.OnClose(func() { ev = append(ev, "close") })
	got := make(chan string, 1)
	require.NoError(t, srv.Listen(0, func() {
		ev = append(ev, "cb")
		a := srv.Address()
		assert.Equal(t, "::", a.Address)
		assert.Equal(t, "IPv6", a.Family)
		assert.NotZero(t, a.Port)
		assert.True(t, srv.Listening())
		go func() {
			c, err := gonet.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(a.Port))
			if err != nil {
				got <- err.Error()
				return
			}
			defer c.Close()
			b, _ := io.ReadAll(c)
			got <- string(b)
		}()
	}))
	require.True(t, srv.Listening(), "as in Node, listening at once; the callback comes on the next tick")
	require.Equal(t, []string(nil), ev)
	run(t, l)
	require.Equal(t, "bye", <-got)
	require.Equal(t, "::ffff:127.0.0.1", remote)
	require.Equal(t, "IPv6", family)
	require.Equal(t, []string{"listening", "cb", "close"}, ev)
	require.Equal(t, net.Addr{}, srv.Address())
}

// A busy port: Node's message on the error callback, no listening callback, and the server
// can listen again elsewhere.
func TestListenBusyPort(t *testing.T) {
	network, addr, want := "tcp", "[::]:0", ":::"
	if !ipv6Available() {
		network, addr, want = "tcp4", "0.0.0.0:0", "0.0.0.0:"
	}
	busy, err := gonet.Listen(network, addr)
	require.NoError(t, err)
	defer busy.Close()
	port := busy.Addr().(*gonet.TCPAddr).Port

	l := testLoop(t)
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, nil)
	require.NoError(t, err)
	var got error
	listened := false
	srv.OnError(func(err error) { got = err })
	require.NoError(t, srv.Listen(port, func() { listened = true }))
	require.Nil(t, got, "reported on the next tick")
	run(t, l)
	require.False(t, listened)
	require.EqualError(t, got, "listen EADDRINUSE: address already in use "+want+strconv.Itoa(port))
	require.ErrorIs(t, got, uv.EADDRINUSE)
	var ne *net.Error
	require.True(t, errors.As(got, &ne))
	require.Equal(t, "EADDRINUSE", ne.Code)
	require.Equal(t, "listen", ne.Syscall)
	require.Equal(t, port, ne.Port)
	require.False(t, srv.Listening())

	// An explicit host, and our own server holding the port.
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", nil))
	run2 := false
	srv.OnListening(func() { run2 = true })
	runUntil(t, l, func() bool { return run2 })
	other, err := net.NewServer(net.ServerOptions{Loop: l}, nil)
	require.NoError(t, err)
	got = nil
	other.OnError(func(err error) { got = err; srv.Close(nil) })
	port = srv.Address().Port
	require.NoError(t, other.ListenHost(port, "127.0.0.1", nil))
	run(t, l)
	require.EqualError(t, got, "listen EADDRINUSE: address already in use 127.0.0.1:"+strconv.Itoa(port))
}

func TestListenArguments(t *testing.T) {
	l := testLoop(t)
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, nil)
	require.NoError(t, err)
	require.EqualError(t, srv.Listen(-1, nil), "Port should be >= 0 and < 65536. Received -1.")
	require.EqualError(t, srv.Listen(65536, nil), "Port should be >= 0 and < 65536. Received 65536.")
	require.NoError(t, srv.ListenBacklog(0, "127.0.0.1", 5, nil))
	require.ErrorIs(t, srv.Listen(0, nil), net.ErrServerAlreadyListen)
	var closeErr error = io.EOF
	srv.Close(func(err error) { closeErr = err })
	run(t, l)
	require.NoError(t, closeErr)

	// Close on a server that is not listening: ERR_SERVER_NOT_RUNNING, and close runs.
	closed := false
	srv.OnClose(func() { closed = true })
	srv.Close(func(err error) { closeErr = err })
	run(t, l)
	require.ErrorIs(t, closeErr, net.ErrServerNotRunning)
	require.EqualError(t, closeErr, "Server is not running.")
	require.True(t, closed)
}

// A host name is looked up; an unknown one fails on the error callback.
func TestListenHostName(t *testing.T) {
	l := testLoop(t)
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, nil)
	require.NoError(t, err)
	var addr net.Addr
	require.NoError(t, srv.ListenHost(0, "localhost", func() {
		addr = srv.Address()
		srv.Close(nil)
	}))
	run(t, l)
	require.True(t, addr.Address == "127.0.0.1" || addr.Address == "::1", addr.Address)

	var got error
	srv.OnError(func(err error) { got = err })
	require.NoError(t, srv.ListenHost(0, "no-such-host.invalid", func() { t.Error("listening") }))
	run(t, l)
	require.EqualError(t, got, "getaddrinfo ENOTFOUND no-such-host.invalid")
}

// Close while connections are open: new connections are refused at once, the open ones go
// on, and the callback runs after the last one closed.
func TestCloseWhileConnectionsOpen(t *testing.T) {
	l := testLoop(t)
	release := make(chan struct{})
	dialErr := make(chan error, 1)
	replies := make(chan string, 2)
	var ev []string
	var srv *net.Server
	conns, lastPort := 0, 0
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		conns++
		id := strconv.Itoa(conns)
		c.OnData(func(b []byte) { c.Write(b) })
		c.OnClose(func(bool) { ev = append(ev, "close "+id) })
		if conns < 2 {
			return
		}
		srv.Close(func(err error) {
			assert.NoError(t, err)
			ev = append(ev, "server closed")
		})
		ev = append(ev, "close called")
		port := srv.AddrPort().Port()
		assert.Zero(t, port, "not listening any more")
		go func() {
			_, err := gonet.Dial("tcp", "127.0.0.1:"+strconv.Itoa(lastPort))
			dialErr <- err
			close(release)
		}()
	})
	require.NoError(t, err)
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
		lastPort = srv.Address().Port
		for i := 0; i < 2; i++ {
			go func() {
				c, err := gonet.Dial("tcp", "127.0.0.1:"+strconv.Itoa(lastPort))
				if err != nil {
					replies <- err.Error()
					return
				}
				defer c.Close()
				<-release
				c.Write([]byte("still served"))
				c.(*gonet.TCPConn).CloseWrite()
				b, _ := io.ReadAll(c)
				replies <- string(b)
			}()
		}
	}))
	run(t, l)
	err = <-dialErr
	require.True(t, netErrIs(err, uv.ECONNREFUSED), "dialling the closed server: %v", err)
	require.Equal(t, "still served", <-replies)
	require.Equal(t, "still served", <-replies)
	require.Len(t, ev, 4)
	require.Equal(t, "close called", ev[0])
	require.ElementsMatch(t, []string{"close 1", "close 2"}, ev[1:3])
	require.Equal(t, "server closed", ev[3])
}

// MaxConnections: connections beyond it are closed at once and reported by OnDrop.
func TestMaxConnections(t *testing.T) {
	l := testLoop(t)
	release := make(chan struct{})
	results := make(chan string, 2)
	conns, drops := 0, 0
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, nil) // OnConnection below
	require.NoError(t, err)
	srv.MaxConnections = 1
	srv.OnDrop(func(local, remote netip.AddrPort) {
		drops++
		assert.True(t, remote.Addr().IsLoopback())
		close(release)
	})
	dial := func(addr string, wait bool) {
		c, err := gonet.Dial("tcp", addr)
		if err != nil {
			results <- err.Error()
			return
		}
		defer c.Close()
		if wait {
			<-release
		}
		c.Write([]byte("hi"))
		c.(*gonet.TCPConn).CloseWrite()
		b, err := io.ReadAll(c)
		if err != nil {
			results <- "reset"
			return
		}
		results <- "got " + string(b)
	}
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
		go dial(srv.AddrPort().String(), true)
	}))
	srv.OnConnection(func(c *net.Socket) {
		conns++
		c.OnData(func(b []byte) { c.Write(b) })
		c.OnClose(func(bool) { srv.Close(nil) })
		go dial(srv.AddrPort().String(), false) // beyond MaxConnections
	})
	run(t, l)
	r1, r2 := <-results, <-results
	require.ElementsMatch(t, []string{"got hi", dropResult(r1, r2)}, []string{r1, r2})
	require.Equal(t, 1, conns)
	require.Equal(t, 1, drops)
}

// dropResult returns whichever result is the dropped client's (empty read or reset).
func dropResult(a, b string) string {
	if a == "got hi" {
		return b
	}
	return a
}

// Half-open connections: with AllowHalfOpen the socket can still write after the peer's
// end; without it, it ends itself after the end callback, and a later write fails with
// EPIPE "This socket has been ended by the other party".
func TestHalfOpen(t *testing.T) {
	for _, half := range []bool{true, false} {
		t.Run("AllowHalfOpen="+strconv.FormatBool(half), func(t *testing.T) {
			l := testLoop(t)
			var ev []string
			var werr error
			var srv *net.Server
			srv, err := net.NewServer(net.ServerOptions{Loop: l, AllowHalfOpen: half}, func(c *net.Socket) {
				var got bytes.Buffer
				c.OnData(func(b []byte) { got.Write(b) })
				c.OnEnd(func() {
					ev = append(ev, "end "+got.String())
					assert.True(t, c.IsWritable(), "still writable in the end callback")
					c.Write([]byte("pong"))
					if half {
						c.End([]byte(" and bye"))
					}
				})
				c.OnFinish(func() {
					ev = append(ev, "finish")
					if !half {
						assert.Equal(t, "closed", c.ReadyState())
						assert.False(t, c.Write([]byte("too late")))
					}
				})
				c.OnError(func(err error) { werr = err; ev = append(ev, "error") })
				c.OnClose(func(hadError bool) {
					ev = append(ev, "close "+strconv.FormatBool(hadError))
					srv.Close(nil)
				})
			})
			require.NoError(t, err)
			reply := make(chan string, 1)
			require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
				addr := srv.AddrPort().String()
				go func() {
					c, err := gonet.Dial("tcp", addr)
					if err != nil {
						reply <- err.Error()
						return
					}
					defer c.Close()
					c.Write([]byte("ping"))
					c.(*gonet.TCPConn).CloseWrite()
					b, _ := io.ReadAll(c)
					reply <- string(b)
				}()
			}))
			run(t, l)
			if half {
				require.Equal(t, "pong and bye", <-reply)
				require.Equal(t, []string{"end ping", "finish", "close false"}, ev)
				return
			}
			require.Equal(t, "pong", <-reply)
			require.Equal(t, []string{"end ping", "finish", "error", "close true"}, ev)
			require.EqualError(t, werr, "This socket has been ended by the other party")
			require.ErrorIs(t, werr, uv.EPIPE)
		})
	}
}

// Pausing stops reading from the kernel: while paused nothing arrives and our buffer stays
// bounded, however much the peer sends; Resume delivers the rest.
func TestPauseBoundsMemory(t *testing.T) {
	l := testLoop(t)
	const total = 8 << 20
	sent := make(chan error, 1)
	var srv *net.Server
	var conn *net.Socket
	n := 0
	pausedOnce := false
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		conn = c
		c.OnData(func(b []byte) {
			n += len(b)
			if n >= 256<<10 && !pausedOnce {
				pausedOnce = true
				c.Pause()
			}
		})
		c.OnEnd(func() { srv.Close(nil) })
	})
	require.NoError(t, err)
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
		addr := srv.AddrPort().String()
		go func() {
			c, err := gonet.Dial("tcp", addr)
			if err != nil {
				sent <- err
				return
			}
			defer c.Close()
			_, err = c.Write(make([]byte, total))
			sent <- err
		}()
	}))
	runUntil(t, l, func() bool { return conn != nil && conn.IsPaused() })
	paused := n
	for i := 0; i < 200; i++ {
		_, err := l.Run(uv.RunNoWait)
		require.NoError(t, err)
	}
	require.Equal(t, paused, n, "no data while paused")
	require.LessOrEqual(t, conn.ReadableLength(), conn.ReadableHighWaterMark()+64<<10)
	conn.Resume()
	run(t, l)
	require.NoError(t, <-sent)
	require.Equal(t, total, n)
	require.EqualValues(t, total, conn.BytesRead())
}

// Pipe between sockets honours backpressure both ways: a consumer slower than the producer
// pauses the source socket, which stops reading from the kernel, and everything arrives.
func TestPipeSocketToSocket(t *testing.T) {
	l := testLoop(t)
	const total = 4 << 20
	// sink: a Go server that reads slowly, in small pieces.
	got := make(chan int, 1)
	sinkPort := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		buf := make([]byte, 1024)
		n := 0
		for {
			k, err := c.Read(buf)
			n += k
			if err != nil {
				got <- n
				return
			}
		}
	})
	var srv *net.Server
	maxBuffered := 0
	var src *net.Socket
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		src = c
		out, err := net.NewSocket(net.SocketOptions{Loop: l})
		require.NoError(t, err)
		require.NoError(t, out.Connect(sinkPort, "127.0.0.1", nil))
		c.Pipe(out)
		c.OnData(func([]byte) {
			maxBuffered = max(maxBuffered, c.ReadableLength(), out.WritableLength())
		})
		c.OnEnd(func() { srv.Close(nil) })
	})
	require.NoError(t, err)
	sent := make(chan error, 1)
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
		addr := srv.AddrPort().String()
		go func() {
			c, err := gonet.Dial("tcp", addr)
			if err != nil {
				sent <- err
				return
			}
			defer c.Close()
			_, err = c.Write(make([]byte, total))
			sent <- err
		}()
	}))
	run(t, l)
	require.NoError(t, <-sent)
	require.Equal(t, total, <-got)
	require.EqualValues(t, total, src.BytesRead())
	require.LessOrEqual(t, maxBuffered, 2*(16<<10)+64<<10)
}

// The default-loop forms, as in Node: net.CreateServer, server.Listen, net.Connect.
func TestDefaultLoop(t *testing.T) {
	loop, err := uv.DefaultLoop()
	require.NoError(t, err)
	var srv *net.Server
	var got string
	srv = net.CreateServer(func(c *net.Socket) {
		c.End([]byte("from the default loop"))
		srv.Close(nil)
	})
	require.Same(t, loop, srv.Loop())
	require.NoError(t, srv.Listen(0, func() {
		c, err := net.Connect(srv.Address().Port, "127.0.0.1", nil)
		require.NoError(t, err)
		require.Same(t, loop, c.Loop())
		c.OnData(func(b []byte) { got += string(b) })
	}))
	_, err = loop.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, "from the default loop", got)
	require.NoError(t, loop.Close())
}

// An unreferenced server does not keep the loop alive.
func TestServerUnref(t *testing.T) {
	l := testLoop(t)
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, nil)
	require.NoError(t, err)
	srv.Unref()
	listened := false
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() { listened = true }))
	run(t, l) // returns: nothing keeps the loop alive
	require.True(t, listened)
	require.True(t, srv.Listening())
	srv.Ref()
	srv.Close(nil)
	run(t, l)
	require.False(t, srv.Listening())
}

// Close while the host name is looked up: the server never listens.
func TestCloseDuringLookup(t *testing.T) {
	l := testLoop(t)
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, nil)
	require.NoError(t, err)
	require.NoError(t, srv.ListenHost(0, "localhost", func() { t.Error("listening after Close") }))
	require.ErrorIs(t, srv.Listen(0, nil), net.ErrServerAlreadyListen)
	var closeErr error = io.EOF
	srv.Close(func(err error) { closeErr = err })
	run(t, l)
	require.ErrorIs(t, closeErr, net.ErrServerNotRunning)
	require.False(t, srv.Listening())
}
