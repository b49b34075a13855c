//go:build unix

package net_test

import (
	"io"
	gonet "net"
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// A server that does not listen serves connections another handle accepted and passed over
// an IPC pipe (a cluster worker's case): the connection callback, MaxConnections and the
// wait of Close apply as to its own.
func TestAcceptFromIPCPipe(t *testing.T) {
	l := testLoop(t)
	pair, err := uv.Socketpair(uv.SockStream)
	require.NoError(t, err)
	send, err := handles.NewPipe(l, true)
	require.NoError(t, err)
	require.NoError(t, send.Open(pair[0]))
	recv, err := handles.NewPipe(l, true)
	require.NoError(t, err)
	require.NoError(t, recv.Open(pair[1]))

	var srv *net.Server
	var served []*net.Socket // held open until all three have arrived
	srv, err = net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		served = append(served, c)
	})
	require.NoError(t, err)
	srv.MaxConnections = 2
	drops := 0
	srv.OnDrop(func(local, remote netip.AddrPort) { drops++ })
	require.ErrorIs(t, srv.AcceptFrom(&recv.Stream), uv.EAGAIN, "nothing waits yet")
	other := testLoop(t)
	otherPipe, err := handles.NewPipe(other, true)
	require.NoError(t, err)
	require.ErrorIs(t, srv.AcceptFrom(&otherPipe.Stream), uv.EINVAL, "a pipe of another loop")

	// The listener passes every connection it accepts over the pipe.
	ln, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, ln.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	var wreqs [3]handles.WriteReq
	var conns [3]handles.TCP
	accepted := 0
	require.NoError(t, ln.Listen(8, func(ls *handles.Stream, err error) {
		i := accepted
		accepted++
		assert.NoError(t, conns[i].Init(l))
		assert.NoError(t, ls.Accept(&conns[i].Stream))
		assert.NoError(t, send.Write2(&wreqs[i], [][]byte{{'c'}}, &conns[i].Stream, func(*handles.WriteReq, error) {
			conns[i].Close(nil)
		}))
	}))
	require.NoError(t, recv.ReadStart(nil, func(st *handles.Stream, buf []byte, err error) {
		for recv.PendingCount() > 0 {
			assert.NoError(t, srv.AcceptFrom(st))
		}
	}))
	addr, err := ln.Sockname()
	require.NoError(t, err)
	got := make(chan string, 3)
	for range 3 {
		go func() {
			c, err := gonet.Dial("tcp", addr.String())
			if err != nil {
				got <- err.Error()
				return
			}
			defer c.Close()
			b, _ := io.ReadAll(c)
			got <- string(b)
		}()
	}
	closed := false
	runUntil(t, l, func() bool { return len(served)+drops == 3 })
	for i, c := range served {
		c.End([]byte("served " + strconv.Itoa(i+1)))
	}
	srv.Close(func(err error) {
		assert.ErrorIs(t, err, net.ErrServerNotRunning)
		closed = true
	})
	ln.Close(nil)
	send.Close(nil)
	recv.Close(nil)
	run(t, l)
	require.True(t, closed)
	require.Len(t, served, 2)
	require.Equal(t, 1, drops)
	answers := map[string]int{}
	for range 3 {
		answers[<-got]++
	}
	require.Equal(t, map[string]int{"served 1": 1, "served 2": 1, "": 1}, answers)
}
