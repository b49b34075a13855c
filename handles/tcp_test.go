package handles_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// tcpServer starts an echo server on 127.0.0.1 and returns its address.
func tcpServer(t testing.TB, l *uv.Loop) (*handles.TCP, netip.AddrPort) {
	srv, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, srv.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		c, _ := handles.NewTCP(l)
		require.NoError(t, s.Accept(&c.Stream))
		reqs := make([]handles.WriteReq, 4)
		n := 0
		c.ReadStart(func(*handles.Stream, int) []byte { return make([]byte, 64*1024) }, func(st *handles.Stream, buf []byte, err error) {
			if err != nil {
				st.Close(nil)
				return
			}
			if len(buf) == 0 {
				return
			}
			req := &reqs[n%len(reqs)]
			n++
			require.NoError(t, st.Write(req, [][]byte{buf}, nil))
		})
	}))
	addr, err := srv.Sockname()
	require.NoError(t, err)
	return srv, addr
}

func TestTCPEcho(t *testing.T) {
	l := mustLoop(t)
	srv, addr := tcpServer(t, l)
	cli, _ := handles.NewTCP(l)
	var creq handles.ConnectReq
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	var got []byte
	events := []string{}
	require.NoError(t, cli.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		events = append(events, "connect")
		s := r.Stream()
		require.NoError(t, s.Write(&wreq, [][]byte{[]byte("PI"), []byte("NG")}, func(*handles.WriteReq, error) { events = append(events, "write") }))
		require.NoError(t, s.Shutdown(&sreq, func(_ *handles.ShutdownReq, err error) {
			require.NoError(t, err)
			events = append(events, "shutdown")
		}))
		require.NoError(t, s.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
			if err != nil {
				require.ErrorIs(t, err, uv.EOF)
				events = append(events, "eof")
				s.Close(nil)
				srv.Close(nil)
				return
			}
			got = append(got, buf...)
		}))
	}))
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, "PING", string(got))
	require.Equal(t, []string{"connect", "write", "shutdown", "eof"}, events)
	require.NoError(t, l.Close())
}

func TestTCPConnectRefused(t *testing.T) {
	l := mustLoop(t)
	var got error
	// A port found closed may be taken by another process before the connect (the tests of
	// other packages run meanwhile): then the connect succeeds, and another port is tried.
	for try := 0; try < 5; try++ {
		// Find a closed port: bind, read the port, close.
		probe, _ := handles.NewTCP(l)
		require.NoError(t, probe.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
		require.NoError(t, probe.Listen(1, func(*handles.Stream, error) {}))
		addr, _ := probe.Sockname()
		probe.Close(nil)
		l.Run(uv.RunDefault)

		cli, _ := handles.NewTCP(l)
		var req handles.ConnectReq
		connected := false
		require.NoError(t, cli.Connect(&req, addr, func(r *handles.ConnectReq, err error) {
			got, connected = err, true
			r.Stream().Close(nil)
		}))
		_, err := l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.True(t, connected, "the connect callback ran")
		if got != nil {
			break
		}
	}
	require.ErrorIs(t, got, uv.ECONNREFUSED)
	require.NoError(t, l.Close())
}
