package http_test

// Allocation proofs and in-process benchmarks for the hot path: a keep-alive GET answered
// with End("Hello, World!"). The server's loop runs on the test goroutine; a Go client
// connection is driven between loop runs (its small writes and reads do not block).

import (
	"bytes"
	"io"
	gonet "net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/net"
)

// inProc is a server on a loop run by the test goroutine, and one client connection.
type inProc struct {
	loop   *uv.Loop
	srv    *http.Server
	peer   gonet.Conn
	served int
	buf    []byte
}

func newInProc(t testing.TB, handler func(*inProc) http.RequestListener) *inProc {
	t.Helper()
	l, err := uv.NewLoop()
	require.NoError(t, err)
	dog, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, dog.Start(func(*handles.Timer) {
		t.Errorf("watchdog: the test hung")
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
	}, 20_000, 0))
	dog.Unref()
	p := &inProc{loop: l, buf: make([]byte, 64<<10)}
	p.srv, err = http.NewServer(http.ServerOptions{Loop: l}, handler(p))
	require.NoError(t, err)
	listening := false
	require.NoError(t, p.srv.ListenHost(0, "127.0.0.1", func() { listening = true }))
	p.runUntil(t, func() bool { return listening })
	accepted := false
	p.srv.OnConnection(func(*net.Socket) { accepted = true })
	p.peer, err = gonet.Dial("tcp", p.srv.AddrPort().String())
	require.NoError(t, err)
	p.runUntil(t, func() bool { return accepted })
	t.Cleanup(func() {
		p.peer.Close()
		p.srv.CloseAllConnections()
		p.srv.Close(nil)
		dog.Close(nil)
		for i := 0; ; i++ {
			alive, err := l.Run(uv.RunNoWait)
			require.NoError(t, err)
			if !alive {
				break
			}
			require.Less(t, i, 10000, "the loop is still alive after closing the server")
		}
		require.NoError(t, l.Close())
	})
	return p
}

func (p *inProc) runUntil(t testing.TB, cond func() bool) {
	for !cond() {
		alive, err := p.loop.Run(uv.RunOnce)
		if err != nil {
			t.Fatal(err)
		}
		if !alive && !cond() {
			t.Fatal("the loop ran out of work")
		}
	}
}

// roundTrip writes req, runs the loop until the handler has served want requests in total,
// then reads n response bytes.
func (p *inProc) roundTrip(t testing.TB, req []byte, want int, n int, cond func() bool) {
	if _, err := p.peer.Write(req); err != nil {
		t.Fatal(err)
	}
	p.runUntil(t, cond)
	if _, err := io.ReadFull(p.peer, p.buf[:n]); err != nil {
		t.Fatal(err)
	}
}

func helloHandler(p *inProc) http.RequestListener {
	return func(req *http.IncomingMessage, res *http.ServerResponse) {
		p.served++
		res.EndString("Hello, World!")
	}
}

const helloReq = "GET / HTTP/1.1\r\nHost: localhost:3000\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"

// helloLen returns the length of one hello response (the Date header's length is fixed).
func helloLen(t testing.TB, p *inProc) int {
	want := p.served + 1
	cond := func() bool { return p.served == want }
	if _, err := p.peer.Write([]byte(helloReq)); err != nil {
		t.Fatal(err)
	}
	p.runUntil(t, cond)
	n, err := p.peer.Read(p.buf)
	require.NoError(t, err)
	require.True(t, bytes.HasSuffix(p.buf[:n], []byte("\r\n\r\nHello, World!")), "%q", p.buf[:n])
	return n
}

// A keep-alive GET answered with End allocates nothing once the connection is warm: parse,
// request and response objects, head, Date, write and the exchange's end.
func TestHelloAllocs(t *testing.T) {
	skipRace(t)
	p := newInProc(t, helloHandler)
	n := helloLen(t, p)
	req := []byte(helloReq)
	want := 0
	cond := func() bool { return p.served == want }
	step := func() {
		want = p.served + 1
		p.roundTrip(t, req, want, n, cond)
	}
	step()
	avg := testing.AllocsPerRun(1000, step)
	require.Zero(t, avg, "allocations per request")
	require.True(t, bytes.HasSuffix(p.buf[:n], []byte("Hello, World!")))
}

// Pipelined requests (16 per write) allocate nothing either.
func TestPipelinedAllocs(t *testing.T) {
	skipRace(t)
	p := newInProc(t, helloHandler)
	n := helloLen(t, p)
	const depth = 16
	req := []byte(strings.Repeat(helloReq, depth))
	want := 0
	cond := func() bool { return p.served == want }
	step := func() {
		want = p.served + depth
		p.roundTrip(t, req, want, n*depth, cond)
	}
	step()
	avg := testing.AllocsPerRun(200, step)
	require.Zero(t, avg, "allocations per 16 pipelined requests")
}

// A request with a small body read through OnData allocates nothing either.
func TestPostBodyAllocs(t *testing.T) {
	skipRace(t)
	got := 0
	p := newInProc(t, func(p *inProc) http.RequestListener {
		return func(req *http.IncomingMessage, res *http.ServerResponse) {
			p.served++
			req.OnData(func(b []byte) { got += len(b) })
			res.EndString("Hello, World!")
		}
	})
	n := helloLen(t, p)
	req := []byte("POST /submit HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello=world")
	want := 0
	cond := func() bool { return p.served == want }
	step := func() {
		want = p.served + 1
		p.roundTrip(t, req, want, n, cond)
	}
	step()
	_ = got
	avg := testing.AllocsPerRun(500, step)
	// OnData's closure is the handler's own allocation: one per request.
	require.LessOrEqual(t, avg, 1.0, "allocations per request")
}

// BenchmarkHello is the plaintext hello on one keep-alive connection, client in process.
func BenchmarkHello(b *testing.B) {
	p := newInProc(b, helloHandler)
	n := helloLen(b, p)
	req := []byte(helloReq)
	want := 0
	cond := func() bool { return p.served == want }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want = p.served + 1
		p.roundTrip(b, req, want, n, cond)
	}
}

// BenchmarkHelloPipelined sends 16 requests per write.
func BenchmarkHelloPipelined(b *testing.B) {
	p := newInProc(b, helloHandler)
	n := helloLen(b, p)
	const depth = 16
	req := []byte(strings.Repeat(helloReq, depth))
	want := 0
	cond := func() bool { return p.served == want }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		want = p.served + depth
		p.roundTrip(b, req, want, n*depth, cond)
	}
}
