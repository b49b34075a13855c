package net_test

// The shape of bench/'s net_echo on one loop: many connections, each with one fixed-size
// message in flight, echoed by a net.Server. Once warm, an echoed message allocates nothing
// on either end.

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/net"
)

// echoFleet is conns client Sockets of an echo server on one loop; send starts one message
// on every client, and echoed counts the messages whose whole echo is back.
type echoFleet struct {
	srv     *net.Server
	clients []*net.Socket
	msg     []byte
	echoed  int
}

func newEchoFleet(t testing.TB, l *uv.Loop, conns, size int) *echoFleet {
	f := &echoFleet{msg: make([]byte, size)}
	for i := range f.msg {
		f.msg[i] = byte('a' + i%26)
	}
	var err error
	f.srv, err = net.NewServer(net.ServerOptions{Loop: l, NoDelay: true}, func(c *net.Socket) {
		c.OnData(func(b []byte) { c.Write(b) })
	})
	require.NoError(t, err)
	listening := false
	require.NoError(t, f.srv.ListenHost(0, "127.0.0.1", func() { listening = true }))
	runUntil(t, l, func() bool { return listening })
	connected := 0
	for i := 0; i < conns; i++ {
		c, err := net.NewSocket(net.SocketOptions{Loop: l, NoDelay: true})
		require.NoError(t, err)
		got := 0
		c.OnData(func(b []byte) {
			if got += len(b); got >= size {
				got -= size
				f.echoed++
			}
		})
		require.NoError(t, c.Connect(f.srv.Address().Port, "127.0.0.1", func() { connected++ }))
		f.clients = append(f.clients, c)
	}
	runUntil(t, l, func() bool { return connected == conns && f.srv.Connections() == conns })
	return f
}

// round sends one message on every client and runs the loop until all are echoed.
func (f *echoFleet) round(t testing.TB, l *uv.Loop) {
	want := f.echoed + len(f.clients)
	for _, c := range f.clients {
		if !c.Write(f.msg) {
			t.Fatal("write returned false")
		}
	}
	runUntil(t, l, func() bool { return f.echoed == want })
}

func (f *echoFleet) close(t testing.TB, l *uv.Loop) {
	for _, c := range f.clients {
		c.End(nil)
	}
	f.srv.Close(nil)
	run(t, l)
}

// 64 connections echoing 128-byte messages allocate nothing per message.
func TestEchoFleetAllocs(t *testing.T) {
	skipRace(t)
	l := testLoop(t)
	f := newEchoFleet(t, l, 64, 128)
	f.round(t, l)
	avg := testing.AllocsPerRun(200, func() { f.round(t, l) })
	require.Zero(t, avg, "allocations per round of 64 echoed messages")
	f.close(t, l)
}

// BenchmarkEchoFleet is net_echo's shape: 64 connections, one 128-byte message in flight on
// each; one op is one echoed message.
func BenchmarkEchoFleet(b *testing.B) {
	l := testLoop(b)
	f := newEchoFleet(b, l, 64, 128)
	f.round(b, l)
	b.SetBytes(128)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 64 {
		f.round(b, l)
	}
	b.StopTimer()
	f.close(b, l)
}
