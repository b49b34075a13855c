package main

import (
	"bufio"
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

var anyPort = netip.MustParseAddrPort("127.0.0.1:0")

// The demo echoes every line, in order, and the loop then runs out of work.
func TestRunDemo(t *testing.T) {
	lines := []string{"hello", "from uv-go", "", "over TCP loopback"}
	var out bytes.Buffer
	echoes, err := runDemo(anyPort, lines, &out)
	require.NoError(t, err)
	require.Equal(t, lines, echoes)
	require.Contains(t, out.String(), "server: listening on 127.0.0.1:")
	require.Contains(t, out.String(), `client: echo "from uv-go"`)
	require.Contains(t, out.String(), "client: all lines echoed; done")
}

// Lines longer than one 64 KiB read arrive in pieces and are reassembled.
func TestRunDemoLongLines(t *testing.T) {
	lines := []string{strings.Repeat("a", 200_000), "short", strings.Repeat("b", 70_000)}
	echoes, err := runDemo(anyPort, lines, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, lines, echoes)
}

// A busy address is reported, not hung on.
func TestRunDemoBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, err = runDemo(netip.MustParseAddrPort(ln.Addr().String()), []string{"x"}, &bytes.Buffer{})
	require.ErrorIs(t, err, uv.EADDRINUSE)
}

// The server alone echoes for clients on other goroutines (here Go's net package), several
// at once, and closes cleanly when told to.
func TestServer(t *testing.T) {
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var out bytes.Buffer
	srv, err := startServer(loop, anyPort, &out)
	require.NoError(t, err)
	stop, err := handles.NewAsync(loop, func(a *handles.Async) {
		a.Close(nil)
		srv.close()
	})
	require.NoError(t, err)

	const clients = 4
	results := make(chan error, clients)
	for i := range clients {
		go func() { results <- netClient(srv.addr.String(), i) }()
	}
	go func() {
		var first error
		for range clients {
			if err := <-results; err != nil && first == nil {
				first = err
			}
		}
		results <- first
		stop.Send()
	}()
	_, err = loop.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, <-results)
	require.Empty(t, srv.conns)
	require.NoError(t, loop.Close())
	require.Equal(t, clients, strings.Count(out.String(), "server: connection from 127.0.0.1:"))
}

// netClient sends lines on a Go TCP connection and checks their echoes.
func netClient(addr string, id int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for j := range 50 {
		want := strings.Repeat(string(rune('a'+id)), j*100) + "\n"
		if _, err := c.Write([]byte(want)); err != nil {
			return err
		}
		got, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if got != want {
			return &mismatch{want, got}
		}
	}
	return nil
}

type mismatch struct{ want, got string }

func (m *mismatch) Error() string { return "echo mismatch: want " + m.want + ", got " + m.got }
