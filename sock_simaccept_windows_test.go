package uv

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// A listener keeps simultaneousAccepts AcceptEx calls pending, or one with simultaneous
// accepts off (libuv's uv_tcp_simultaneous_accepts), and accepts either way.
func TestSockSimultaneousAccepts(t *testing.T) {
	for _, on := range []bool{true, false} {
		l := iocpLoop(t)
		var srv Sock
		fd, err := OpenSocket(DomainInet, SockStream)
		require.NoError(t, err)
		require.NoError(t, srv.Init(l, fd, SockStream, false))
		srv.SetSimultaneousAccepts(on)
		sa, err := SockaddrOf(netip.MustParseAddrPort("127.0.0.1:0"))
		require.NoError(t, err)
		require.NoError(t, srv.Bind(sa))
		accepted := 0
		require.NoError(t, srv.Listen(8, func() {
			if afd, err := srv.Accept(); err == nil {
				accepted++
				CloseSocket(afd)
			}
		}))
		want := simultaneousAccepts
		if !on {
			want = 1
		}
		require.Len(t, srv.acc.reqs, want)
		local, err := srv.LocalSockaddr()
		require.NoError(t, err)
		var cli Sock
		cfd, err := OpenSocket(DomainInet, SockStream)
		require.NoError(t, err)
		require.NoError(t, cli.Init(l, cfd, SockStream, false))
		require.NoError(t, cli.Connect(local, func(error) {}))
		pollUntil(t, l, func() bool { return accepted == 1 })
		cli.Close()
		srv.Close()
		pollUntil(t, l, func() bool { return inflight(l) == 0 })
	}
}

// Turning simultaneous accepts off on a listening sock takes effect as the pending accepts
// complete (libuv's uv_tcp_simultaneous_accepts): only the first request is started again, the
// others retire after the connection they took, and every connection is still accepted.
func TestSockSimultaneousAcceptsOffWhileListening(t *testing.T) {
	l := iocpLoop(t)
	var srv Sock
	fd, err := OpenSocket(DomainInet, SockStream)
	require.NoError(t, err)
	require.NoError(t, srv.Init(l, fd, SockStream, false))
	sa, err := SockaddrOf(netip.MustParseAddrPort("127.0.0.1:0"))
	require.NoError(t, err)
	require.NoError(t, srv.Bind(sa))
	accepted := 0
	served := map[*acceptReq]bool{}
	require.NoError(t, srv.Listen(8, func() {
		r := srv.acc.head
		if afd, err := srv.Accept(); err == nil {
			accepted++
			served[r] = true
			CloseSocket(afd)
		}
	}))
	require.Len(t, srv.acc.reqs, simultaneousAccepts)
	srv.SetSimultaneousAccepts(false)
	local, err := srv.LocalSockaddr()
	require.NoError(t, err)
	const conns = 40
	for i := 0; i < conns; i++ {
		var cli Sock
		cfd, err := OpenSocket(DomainInet, SockStream)
		require.NoError(t, err)
		require.NoError(t, cli.Init(l, cfd, SockStream, false))
		require.NoError(t, cli.Connect(local, func(error) {}))
		pollUntil(t, l, func() bool { return accepted == i+1 })
		cli.Close()
	}
	require.True(t, srv.acc.reqs[0].busy(), "the first accept is always started again")
	retired := 0
	for _, r := range srv.acc.reqs[1:] {
		if served[r] {
			require.False(t, r.busy(), "an accept other than the first is not started again")
			retired++
		}
	}
	require.NotZero(t, retired, "some connection came through an accept other than the first")
	srv.Close()
	pollUntil(t, l, func() bool { return inflight(l) == 0 })
}
