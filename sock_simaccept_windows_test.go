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
