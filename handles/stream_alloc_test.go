package handles_test

// Allocation proofs for the stream hot paths: on an established TCP connection, a read and a
// write allocate nothing in steady state. The far end is a Go net.Conn driven from the test
// goroutine, so that each measurement covers only the uv side; the loop is driven with
// RunOnce and RunNoWait. Callbacks check with assert: FailNow would unwind through Run.

import (
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
)

// allocConn connects a net.Conn to a uv TCP server on l and returns the accepted uv end.
func allocConn(t *testing.T, l *uv.Loop) (*handles.TCP, net.Conn) {
	t.Helper()
	srv, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	var conn *handles.TCP
	require.NoError(t, srv.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		assert.NoError(t, err)
		c, err := handles.NewTCP(l)
		assert.NoError(t, err)
		assert.NoError(t, s.Accept(&c.Stream))
		conn = c
	}))
	addr, err := srv.Sockname()
	require.NoError(t, err)
	peer, err := net.Dial("tcp", addr.String()) // the kernel completes it from the backlog
	require.NoError(t, err)
	for conn == nil {
		_, err := l.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	require.NoError(t, srv.Close(nil))
	t.Cleanup(func() {
		peer.Close()
		if !conn.IsClosing() {
			conn.Close(nil)
		}
		_, err := l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.NoError(t, l.Close())
	})
	return conn, peer
}

// allocRunUntil runs the loop one iteration at a time until *flag is set.
func allocRunUntil(t *testing.T, l *uv.Loop, flag *bool) {
	for !*flag {
		if _, err := l.Run(uv.RunOnce); err != nil {
			t.Fatal(err)
		}
	}
}

const allocRuns = 1000

func allocCheckReads(t *testing.T, alloc func(*handles.Stream, int) []byte) {
	testutil.SkipRace(t)
	l := mustLoop(t)
	conn, peer := allocConn(t, l)
	msg := []byte("PING")
	var got bool
	var n int
	var rerr error
	read := func(s *handles.Stream, buf []byte, err error) {
		if err != nil {
			rerr = err
			got = true
			return
		}
		if len(buf) > 0 {
			n += len(buf)
			got = true
		}
	}
	require.NoError(t, conn.ReadStart(alloc, read))
	step := func() {
		got = false
		if _, err := peer.Write(msg); err != nil {
			t.Fatal(err)
		}
		allocRunUntil(t, l, &got)
	}
	step() // warm up: the loop's read buffer, epoll's event array
	avg := testing.AllocsPerRun(allocRuns, step)
	require.NoError(t, rerr)
	require.Equal(t, (allocRuns+2)*len(msg), n, "every byte read")
	require.Zero(t, avg, "allocations per read")
}

// A read into the loop's shared buffer (nil alloc) allocates nothing.
func TestStreamReadAllocsLoopBuffer(t *testing.T) { allocCheckReads(t, nil) }

// A read into a buffer the allocator reuses allocates nothing.
func TestStreamReadAllocsReusedBuffer(t *testing.T) {
	buf := make([]byte, 64*1024)
	allocCheckReads(t, func(*handles.Stream, int) []byte { return buf })
}

// A write with a reused WriteReq and [][]byte allocates nothing, callback included.
func TestStreamWriteAllocs(t *testing.T) {
	testutil.SkipRace(t)
	l := mustLoop(t)
	conn, peer := allocConn(t, l)
	var req handles.WriteReq
	bufs := [][]byte{[]byte("PO"), []byte("NG")}
	sink := make([]byte, 4)
	var done bool
	var werr error
	writes := 0
	cb := func(r *handles.WriteReq, err error) { werr, done = err, true; writes++ }
	step := func() {
		done = false
		if err := conn.Write(&req, bufs, cb); err != nil {
			t.Fatal(err)
		}
		for !done {
			if _, err := l.Run(uv.RunNoWait); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := io.ReadFull(peer, sink); err != nil {
			t.Fatal(err)
		}
	}
	step()
	avg := testing.AllocsPerRun(allocRuns, step)
	require.NoError(t, werr)
	require.Equal(t, allocRuns+2, writes)
	require.Equal(t, "PONG", string(sink))
	require.Zero(t, conn.WriteQueueSize())
	require.Zero(t, avg, "allocations per write")
}

// TryWrite, which Node uses for every write it can finish at once, allocates nothing.
func TestStreamTryWriteAllocs(t *testing.T) {
	testutil.SkipRace(t)
	l := mustLoop(t)
	conn, peer := allocConn(t, l)
	bufs := [][]byte{[]byte("TR"), []byte("Y!")}
	sink := make([]byte, 4)
	step := func() {
		n, err := conn.TryWrite(bufs)
		if err != nil || n != 4 {
			t.Fatalf("TryWrite: %d, %v", n, err)
		}
		if _, err := io.ReadFull(peer, sink); err != nil {
			t.Fatal(err)
		}
	}
	step()
	avg := testing.AllocsPerRun(allocRuns, step)
	require.Equal(t, "TRY!", string(sink))
	require.Zero(t, avg, "allocations per TryWrite")
}

// A full echo round trip between two uv streams on one loop (write, read, echo write, read)
// allocates nothing.
func TestStreamEchoRoundTripAllocs(t *testing.T) {
	testutil.SkipRace(t)
	l := mustLoop(t)
	srv, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	var echo *handles.TCP
	var echoReq handles.WriteReq
	echoBuf := make([]byte, 64*1024)
	echoBufs := make([][]byte, 1)
	require.NoError(t, srv.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		assert.NoError(t, err)
		echo, err = handles.NewTCP(l)
		assert.NoError(t, err)
		assert.NoError(t, s.Accept(&echo.Stream))
		assert.NoError(t, echo.ReadStart(func(*handles.Stream, int) []byte { return echoBuf },
			func(st *handles.Stream, buf []byte, err error) {
				if err != nil || len(buf) == 0 {
					return
				}
				echoBufs[0] = buf
				assert.NoError(t, st.Write(&echoReq, echoBufs, nil))
			}))
	}))
	addr, err := srv.Sockname()
	require.NoError(t, err)
	cli, err := handles.NewTCP(l)
	require.NoError(t, err)
	var creq handles.ConnectReq
	connected := false
	require.NoError(t, cli.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		assert.NoError(t, err)
		connected = true
	}))
	allocRunUntil(t, l, &connected)
	for echo == nil {
		_, err := l.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	var req handles.WriteReq
	bufs := [][]byte{[]byte("PING")}
	var got bool
	n := 0
	require.NoError(t, cli.ReadStart(nil, func(_ *handles.Stream, buf []byte, err error) {
		if err != nil {
			t.Error(err)
			got = true
			return
		}
		n += len(buf)
		if n >= 4 {
			n -= 4
			got = true
		}
	}))
	rounds := 0
	step := func() {
		got = false
		if err := cli.Write(&req, bufs, nil); err != nil {
			t.Fatal(err)
		}
		allocRunUntil(t, l, &got)
		rounds++
	}
	step()
	avg := testing.AllocsPerRun(allocRuns, step)
	require.Equal(t, allocRuns+2, rounds)
	require.Zero(t, n, "echo complete")
	cli.Close(nil)
	echo.Close(nil)
	srv.Close(nil)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	require.Zero(t, avg, "allocations per round trip")
}
