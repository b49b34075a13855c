package handles_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// A TCP server bound to "::" accepts IPv4 clients unless TCPIPv6Only is set.
func TestTCPDualStackBind(t *testing.T) {
	for _, v6only := range []bool{false, true} {
		l := mustLoop(t)
		srv, err := handles.NewTCP(l)
		require.NoError(t, err)
		flags := 0
		if v6only {
			flags = handles.TCPIPv6Only
		}
		if err := srv.Bind(netip.MustParseAddrPort("[::]:0"), flags); err != nil {
			t.Skipf("no IPv6 here: %v", err)
		}
		// The server closes once both ends saw the connection (or the connect failed): the
		// connect callback may run before the connection callback (on Windows the accept
		// completes on its own).
		accepted, connected := 0, false
		require.NoError(t, srv.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
			require.NoError(t, err)
			c, _ := handles.NewTCP(l)
			require.NoError(t, s.Accept(&c.Stream))
			peer, err := c.Peername()
			require.NoError(t, err)
			require.True(t, peer.Addr().Is4In6(), "an IPv4 client shows as a mapped address: %v", peer)
			accepted++
			c.Close(nil)
			if connected {
				srv.Close(nil)
			}
		}))
		addr, err := srv.Sockname()
		require.NoError(t, err)
		cli, _ := handles.NewTCP(l)
		var req handles.ConnectReq
		var got error
		require.NoError(t, cli.Connect(&req, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), addr.Port()),
			func(r *handles.ConnectReq, err error) {
				got, connected = err, true
				r.Stream().Close(nil)
				if err != nil || accepted > 0 {
					srv.Close(nil)
				}
			}))
		_, err = l.Run(uv.RunDefault)
		require.NoError(t, err)
		if v6only {
			require.ErrorIs(t, got, uv.ECONNREFUSED, "an IPv6-only server refuses IPv4 clients")
			require.Zero(t, accepted)
		} else {
			require.NoError(t, got)
			require.Equal(t, 1, accepted)
		}
		require.NoError(t, l.Close())
	}
}
