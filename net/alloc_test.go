package net_test

// Allocation proofs and benchmarks for the echo path: once warm, an echoed message costs no
// allocation, on either end.

import (
	"bytes"
	"io"
	gonet "net"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/net"
)

// echoPair starts an echo server and a connected client Socket on l.
func echoPair(t testing.TB, l *uv.Loop) (srv *net.Server, cli *net.Socket) {
	var err error
	srv, err = net.NewServer(net.ServerOptions{Loop: l, NoDelay: true}, func(c *net.Socket) {
		c.OnData(func(b []byte) { c.Write(b) })
	})
	require.NoError(t, err)
	listening := false
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() { listening = true }))
	runUntil(t, l, func() bool { return listening })
	cli, err = net.NewSocket(net.SocketOptions{Loop: l, NoDelay: true})
	require.NoError(t, err)
	connected := false
	require.NoError(t, cli.Connect(srv.Address().Port, "127.0.0.1", func() { connected = true }))
	runUntil(t, l, func() bool { return connected && srv.Connections() == 1 })
	return srv, cli
}

// A message echoed between two Sockets of one loop (client write, server data and write,
// client data) allocates nothing.
func TestEchoRoundTripAllocs(t *testing.T) {
	skipRace(t)
	l := testLoop(t)
	srv, cli := echoPair(t, l)
	msg := []byte("PING")
	n, rounds := 0, 0
	got := false
	cli.OnData(func(b []byte) {
		n += len(b)
		if n >= len(msg) {
			n -= len(msg)
			got = true
		}
	})
	cond := func() bool { return got }
	step := func() {
		got = false
		if !cli.Write(msg) {
			t.Fatal("write returned false")
		}
		runUntil(t, l, cond)
		rounds++
	}
	step()
	avg := testing.AllocsPerRun(1000, step)
	require.Equal(t, 1002, rounds)
	require.Zero(t, n)
	require.Zero(t, avg, "allocations per echoed message")
	cli.End(nil)
	srv.Close(nil)
	run(t, l)
}

// Our server echoing a Go client's messages allocates nothing per message. The client is
// driven from the test goroutine between loop runs (its small writes and reads do not block).
func TestEchoServerAllocs(t *testing.T) {
	skipRace(t)
	l := testLoop(t)
	var conn *net.Socket
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		conn = c
		c.OnData(func(b []byte) { c.Write(b) })
	})
	require.NoError(t, err)
	listening := false
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() { listening = true }))
	runUntil(t, l, func() bool { return listening })
	peer, err := gonet.Dial("tcp", srv.AddrPort().String())
	require.NoError(t, err)
	defer peer.Close()
	runUntil(t, l, func() bool { return conn != nil })
	msg := []byte("hello, echo")
	sink := make([]byte, len(msg))
	var before uint64
	echoed := func() bool { w := conn.BytesWritten(); return w > before && w == conn.BytesRead() }
	step := func() {
		if _, err := peer.Write(msg); err != nil {
			t.Fatal(err)
		}
		before = conn.BytesWritten()
		runUntil(t, l, echoed)
		if _, err := io.ReadFull(peer, sink); err != nil {
			t.Fatal(err)
		}
	}
	step()
	avg := testing.AllocsPerRun(1000, step)
	require.True(t, bytes.Equal(msg, sink))
	require.Zero(t, avg, "allocations per echoed message")
	peer.Close()
	srv.Close(nil)
	run(t, l)
}

// BenchmarkEchoRoundTrip is the ping-pong of libuv's tcp_pingpong benchmark: one 4-byte
// message at a time between two Sockets of one loop.
func BenchmarkEchoRoundTrip(b *testing.B) {
	l := testLoop(b)
	srv, cli := echoPair(b, l)
	msg := []byte("PING")
	n := 0
	got := false
	cli.OnData(func(p []byte) {
		n += len(p)
		if n >= len(msg) {
			n -= len(msg)
			got = true
		}
	})
	cond := func() bool { return got }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got = false
		cli.Write(msg)
		runUntil(b, l, cond)
	}
	b.StopTimer()
	cli.End(nil)
	srv.Close(nil)
	run(b, l)
}

// BenchmarkPipeThroughput pushes 64 KiB writes from a client through an echo server and
// back, with backpressure on both sockets.
func BenchmarkPipeThroughput(b *testing.B) {
	l := testLoop(b)
	srv, cli := echoPair(b, l)
	chunk := make([]byte, 64<<10)
	b.SetBytes(int64(len(chunk)))
	want := 0
	recv := 0
	cli.OnData(func(p []byte) { recv += len(p) })
	sent := 0
	var write func()
	write = func() {
		for sent < want {
			sent += len(chunk)
			if !cli.Write(chunk) {
				return
			}
		}
	}
	cli.OnDrain(write)
	cond := func() bool { return recv >= want }
	b.ReportAllocs()
	b.ResetTimer()
	want = b.N * len(chunk)
	write()
	runUntil(b, l, cond)
	b.StopTimer()
	cli.End(nil)
	srv.Close(nil)
	run(b, l)
}

// BenchmarkConnect measures the connection rate: connect, exchange one byte, close.
func BenchmarkConnect(b *testing.B) {
	l := testLoop(b)
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		c.OnData(func(p []byte) { c.End(p) })
	})
	require.NoError(b, err)
	listening := false
	require.NoError(b, srv.ListenHost(0, "127.0.0.1", func() { listening = true }))
	runUntil(b, l, func() bool { return listening })
	port := srv.Address().Port
	done := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := net.NewSocket(net.SocketOptions{Loop: l})
		if err != nil {
			b.Fatal(err)
		}
		s.Connect(port, "127.0.0.1", func() { s.Write([]byte{1}) })
		s.OnData(func([]byte) {})
		s.OnClose(func(bool) { done++ })
		want := i + 1
		runUntil(b, l, func() bool { return done == want })
	}
	b.StopTimer()
	srv.Close(nil)
	run(b, l)
}
