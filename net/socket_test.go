package net_test

import (
	"bytes"
	"errors"
	"io"
	gonet "net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/net"
)

// goServer runs a Go net.Listen server on loopback; handle serves each connection on its own
// goroutine. It returns the port; the listener closes when the test ends.
func goServer(t *testing.T, network, addr string, handle func(c gonet.Conn)) int {
	t.Helper()
	ln, err := gonet.Listen(network, addr)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln.Addr().(*gonet.TCPAddr).Port
}

// Our Socket against a Go server: connect, write, end, read the reply, end, close.
func TestSocketWithGoServer(t *testing.T) {
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		b, err := io.ReadAll(c) // until our End
		if err != nil {
			return
		}
		c.Write(bytes.ToUpper(b))
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	var ev []string
	var got bytes.Buffer
	require.NoError(t, s.Connect(port, "127.0.0.1", func() {
		ev = append(ev, "connect")
		assert.Equal(t, "127.0.0.1", s.RemoteAddress())
		assert.Equal(t, port, s.RemotePort())
		assert.Equal(t, "IPv4", s.RemoteFamily())
		assert.Equal(t, "127.0.0.1", s.LocalAddress())
		assert.NotZero(t, s.LocalPort())
		assert.Equal(t, "readOnly", s.ReadyState(), "End was called already")
	}))
	require.True(t, s.Connecting())
	require.Equal(t, "opening", s.ReadyState())
	// Written before the connection is made: it waits for it.
	require.True(t, s.Write([]byte("hello, ")))
	require.True(t, s.WriteString("world"))
	s.End(nil)
	s.OnData(func(b []byte) { got.Write(b) })
	s.OnEnd(func() { ev = append(ev, "end") })
	s.OnFinish(func() { ev = append(ev, "finish") })
	s.OnError(func(err error) { ev = append(ev, "error "+err.Error()) })
	s.OnClose(func(hadError bool) { ev = append(ev, "close "+strconv.FormatBool(hadError)) })
	run(t, l)
	require.Equal(t, "HELLO, WORLD", got.String())
	require.Equal(t, []string{"connect", "finish", "end", "close false"}, ev)
	require.EqualValues(t, 12, s.BytesWritten())
	require.EqualValues(t, 12, s.BytesRead())
	require.Equal(t, "closed", s.ReadyState())
}

func closedPort(t *testing.T) int {
	ln, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*gonet.TCPAddr).Port
	ln.Close()
	return port
}

// A refused connection: error with Node's message, then close(hadError).
func TestConnectRefused(t *testing.T) {
	l := testLoop(t)
	port := closedPort(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	var ev []string
	var got error
	require.NoError(t, s.Connect(port, "127.0.0.1", func() { ev = append(ev, "connect") }))
	s.Write([]byte("never sent"))
	s.OnError(func(err error) { got = err; ev = append(ev, "error") })
	s.OnClose(func(hadError bool) { ev = append(ev, "close "+strconv.FormatBool(hadError)) })
	run(t, l)
	require.Equal(t, []string{"error", "close true"}, ev)
	require.ErrorIs(t, got, uv.ECONNREFUSED)
	require.EqualError(t, got, "connect ECONNREFUSED 127.0.0.1:"+strconv.Itoa(port))
	var ne *net.Error
	require.True(t, errors.As(got, &ne))
	require.Equal(t, "ECONNREFUSED", ne.Code)
	require.Equal(t, "connect", ne.Syscall)
	require.Equal(t, -111, ne.Errno)
}

// A host name is looked up and its addresses tried in order.
func TestConnectLocalhost(t *testing.T) {
	l := testLoop(t)
	var srv *net.Server
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		c.End([]byte("hi"))
		srv.Close(nil)
	})
	require.NoError(t, err)
	var got string
	require.NoError(t, srv.Listen(0, func() {
		s, err := net.NewSocket(net.SocketOptions{Loop: l})
		require.NoError(t, err)
		require.NoError(t, s.Connect(srv.Address().Port, "", nil)) // "" is localhost
		s.OnData(func(b []byte) { got += string(b) })
	}))
	run(t, l)
	require.Equal(t, "hi", got)
}

func TestConnectUnknownHost(t *testing.T) {
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	var got error
	require.NoError(t, s.Connect(80, "no-such-host.invalid", nil))
	s.OnError(func(err error) { got = err })
	run(t, l)
	require.EqualError(t, got, "getaddrinfo ENOTFOUND no-such-host.invalid")
	require.ErrorIs(t, got, uv.EAI_NONAME)
}

func TestConnectArguments(t *testing.T) {
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	err = s.Connect(70000, "127.0.0.1", nil)
	require.EqualError(t, err, "Port should be >= 0 and < 65536. Received 70000.")
	require.NoError(t, s.Connect(closedPort(t), "127.0.0.1", nil))
	require.ErrorIs(t, s.Connect(1, "127.0.0.1", nil), net.ErrSocketConnecting)
	s.Destroy(nil)
	require.ErrorIs(t, s.Connect(1, "127.0.0.1", nil), net.ErrSocketClosed)
	run(t, l)
}

// The peer resets the connection while we write: the error reaches the error callback
// (write or read ECONNRESET / EPIPE, as the kernel reports it first), then close(true).
func TestPeerResetMidWrite(t *testing.T) {
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		buf := make([]byte, 64*1024)
		io.ReadFull(c, buf) // some of our data arrived: we are mid-write
		c.(*gonet.TCPConn).SetLinger(0)
		c.Close() // RST
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	chunk := bytes.Repeat([]byte("x"), 64*1024)
	var ev []string
	var got error
	var write func()
	write = func() {
		for s.Write(chunk) {
		}
	}
	require.NoError(t, s.Connect(port, "127.0.0.1", write))
	s.OnDrain(write)
	s.OnData(func([]byte) {})
	s.OnError(func(err error) { got = err; ev = append(ev, "error") })
	s.OnClose(func(hadError bool) { ev = append(ev, "close "+strconv.FormatBool(hadError)) })
	run(t, l)
	require.Equal(t, []string{"error", "close true"}, ev)
	require.True(t, errors.Is(got, uv.ECONNRESET) || errors.Is(got, uv.EPIPE), "%v", got)
	msg := got.Error()
	require.True(t, strings.HasPrefix(msg, "write E") || strings.HasPrefix(msg, "read E"), msg)
	require.Zero(t, s.WritableLength(), "nothing stays buffered after the error")
}

// A peer that never reads: Write turns false and, however long a writer that waits for
// drain goes on, our buffer stays bounded by the highWaterMark (plus the chunk that crossed
// it); once the peer reads, everything arrives.
func TestPeerNeverReads(t *testing.T) {
	release := make(chan struct{})
	received := make(chan int, 1)
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		<-release
		n, _ := io.Copy(io.Discard, c)
		received <- int(n)
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	chunk := bytes.Repeat([]byte("y"), 16*1024)
	hwm := s.WritableHighWaterMark()
	require.Equal(t, 16*1024, hwm)
	const limit = 32 << 20 // far beyond what the kernel buffers for a peer that does not read
	written, maxBuffered, falses := 0, 0, 0
	ended := false
	write := func() {
		for written < limit {
			ok := s.Write(chunk)
			written += len(chunk)
			maxBuffered = max(maxBuffered, s.WritableLength())
			if !ok {
				falses++
				return
			}
		}
		if !ended {
			ended = true
			s.End(nil)
		}
	}
	require.NoError(t, s.Connect(port, "127.0.0.1", write))
	s.OnDrain(write)
	runUntil(t, l, func() bool { return falses > 0 })
	// The peer still does not read; the writer resumes on every drain the kernel allows.
	for i := 0; i < 200; i++ {
		_, err := l.Run(uv.RunNoWait)
		require.NoError(t, err)
	}
	require.Less(t, written, limit, "the kernel stopped taking data")
	require.Greater(t, s.WritableLength(), 0, "and our buffer holds what it did not take")
	require.LessOrEqual(t, maxBuffered, hwm+len(chunk), "buffered memory is bounded")
	close(release)
	run(t, l)
	require.True(t, ended)
	require.LessOrEqual(t, maxBuffered, hwm+len(chunk))
	require.Equal(t, limit, <-received)
	require.EqualValues(t, limit, s.BytesWritten())
}

// Idle sockets get the timeout callback (the socket is not closed by it).
func TestSocketTimeout(t *testing.T) {
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		io.Copy(io.Discard, c)
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	var ev []string
	require.NoError(t, s.Connect(port, "127.0.0.1", func() { ev = append(ev, "connect") }))
	s.SetTimeout(30, func() {
		ev = append(ev, "timeout")
		assert.Equal(t, "open", s.ReadyState())
		s.Destroy(nil)
	})
	require.Equal(t, 30, s.Timeout())
	s.OnClose(func(hadError bool) { ev = append(ev, "close "+strconv.FormatBool(hadError)) })
	start := l.Now()
	run(t, l)
	require.Equal(t, []string{"connect", "timeout", "close false"}, ev)
	require.GreaterOrEqual(t, l.Now()-start, uint64(30))
}

// Activity postpones the timeout.
func TestSocketTimeoutActivity(t *testing.T) {
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		io.Copy(c, c)
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	echoes, timeouts := 0, 0
	var lastEcho uint64
	require.NoError(t, s.Connect(port, "127.0.0.1", func() { s.Write([]byte("x")) }))
	s.SetTimeout(40, func() {
		timeouts++
		assert.Equal(t, 5, echoes, "no timeout while the echoes kept coming")
		assert.GreaterOrEqual(t, l.Now()-lastEcho, uint64(40))
		s.Destroy(nil)
	})
	s.OnData(func([]byte) {
		echoes++
		lastEcho = l.Now()
		if echoes < 5 {
			s.Write([]byte("x"))
		}
	})
	run(t, l)
	require.Equal(t, 1, timeouts)
}

func TestSocketOptions(t *testing.T) {
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		io.Copy(io.Discard, c)
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l, NoDelay: true, KeepAlive: true, KeepAliveInitialDelay: 5000})
	require.NoError(t, err)
	require.NoError(t, s.Connect(port, "127.0.0.1", func() {
		s.SetNoDelay(false)
		s.SetKeepAlive(false, 0)
		s.SetNoDelay(true)
		s.SetKeepAlive(true, 1000)
		s.Unref()
		s.Ref()
		a := s.Address()
		assert.Equal(t, "127.0.0.1", a.Address)
		assert.Equal(t, "IPv4", a.Family)
		s.End(nil)
	}))
	s.OnData(func([]byte) {})
	run(t, l)
	require.True(t, s.Closed())
}

// ResetAndDestroy closes with an RST: the peer sees ECONNRESET. The peer greets first and
// the socket resets when the greeting arrives, so that the RST reaches a connection the
// peer has accepted; the peer's read has a deadline, so that a lost RST fails the test
// instead of hanging it.
func TestResetAndDestroy(t *testing.T) {
	peerErr := make(chan error, 1)
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err := c.Write([]byte("hi"))
		if err == nil {
			_, err = io.Copy(io.Discard, c)
		}
		peerErr <- err
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	closed := false
	require.NoError(t, s.Connect(port, "127.0.0.1", nil))
	s.OnData(func([]byte) { s.ResetAndDestroy() })
	s.OnClose(func(hadError bool) { closed = !hadError })
	run(t, l)
	require.True(t, closed)
	err = <-peerErr
	if runtime.GOOS == "windows" && err == nil {
		// Wine can complete the peer's pending overlapped receive as end of file when the
		// RST comes (the socket backend's tests saw it), so io.Copy ends without an error.
		return
	}
	require.True(t, netErrIs(err, uv.ECONNRESET), "the peer's read: %v", err)
}

// Writing on a socket that was never connected fails as in Node (ERR_SOCKET_CLOSED).
func TestWriteUnconnected(t *testing.T) {
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	var ev []string
	s.OnError(func(err error) { ev = append(ev, "error "+err.Error()) })
	s.OnClose(func(hadError bool) { ev = append(ev, "close "+strconv.FormatBool(hadError)) })
	require.False(t, s.Write([]byte("x")))
	run(t, l)
	require.Equal(t, []string{"error Socket is closed", "close true"}, ev)
	require.Equal(t, "closed", s.ReadyState())
}

// Paused mode on a socket: the readable callback and Read, with the kernel read stopped
// while the buffer is full.
func TestSocketPausedModeRead(t *testing.T) {
	const total = 1 << 20
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		c.Write(bytes.Repeat([]byte("r"), total))
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	require.NoError(t, s.Connect(port, "127.0.0.1", nil))
	n, calls, maxBuffered := 0, 0, 0
	ended := false
	p := make([]byte, 4096)
	s.OnReadable(func() {
		calls++
		maxBuffered = max(maxBuffered, s.ReadableLength())
		for {
			k, err := s.Read(p)
			n += k
			if k == 0 || err != nil {
				return
			}
		}
	})
	s.OnEnd(func() { ended = true })
	run(t, l)
	require.True(t, ended)
	require.Equal(t, total, n)
	require.Greater(t, calls, 1)
	require.LessOrEqual(t, maxBuffered, s.ReadableHighWaterMark()+64<<10)
}

// "localhost" may resolve to ::1 first; a server on 127.0.0.1 only is still reached by
// trying the next address.
func TestConnectTriesEveryAddress(t *testing.T) {
	l := testLoop(t)
	var srv *net.Server
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		c.OnData(func([]byte) {})
		c.OnEnd(func() { srv.Close(nil) })
	})
	require.NoError(t, err)
	connected := false
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
		s, err := net.NewSocket(net.SocketOptions{Loop: l})
		require.NoError(t, err)
		s.OnConnect(func() {
			connected = true
			assert.Equal(t, "127.0.0.1", s.RemoteAddrPort().Addr().String())
			assert.Equal(t, "IPv4", s.LocalFamily())
			assert.False(t, s.Pending())
		})
		require.NoError(t, s.Connect(srv.Address().Port, "localhost", nil))
		require.True(t, s.Pending())
		s.End(nil) // before the connection: the shutdown waits for it
		s.OnData(func([]byte) {})
	}))
	run(t, l)
	require.True(t, connected)
}

// WriteBuf gives room to build a chunk in, inside an I/O callback under write-behind, and
// CommitWrite sends it as Write would have: counted, in order with the writes around it. A
// chunk that grew to the highWaterMark is refused, to be written the ordinary way. (Windows
// defers nothing: WriteBuf is nil there.)
func TestSocketWriteBufCommit(t *testing.T) {
	got := make(chan string, 1)
	port := goServer(t, "tcp", "127.0.0.1:0", func(c gonet.Conn) {
		defer c.Close()
		c.Write([]byte("ping"))
		b, _ := io.ReadAll(c)
		got <- string(b)
	})
	l := testLoop(t)
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	s.SetWriteBehind(true)
	require.Nil(t, s.WriteBuf(16), "not connected")
	big := strings.Repeat("z", 20000)
	require.NoError(t, s.Connect(port, "127.0.0.1", nil))
	s.OnData(func(b []byte) {
		require.True(t, s.Write([]byte("<")))
		buf := s.WriteBuf(16)
		if runtime.GOOS == "windows" {
			require.Nil(t, buf, "no write-behind on Windows: nothing is deferred")
			s.Write(bytes.ToUpper(b))
			s.Write([]byte(big))
			s.End([]byte(">"))
			return
		}
		require.NotNil(t, buf)
		require.True(t, s.CommitWrite(append(buf, bytes.ToUpper(b)...)))
		buf = append(s.WriteBuf(16), big...)
		require.False(t, s.CommitWrite(buf), "at the highWaterMark")
		s.Write([]byte(string(buf)))
		s.End([]byte(">"))
	})
	run(t, l)
	require.Equal(t, "<PING"+big+">", <-got)
	require.EqualValues(t, 6+len(big), s.BytesWritten())
}
