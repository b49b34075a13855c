package app_test

import (
	"bytes"
	"io"
	gonet "net"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/net"
)

// inProc runs an App's server on a loop driven by the test goroutine, with one Go client
// connection driven between loop runs.
type inProc struct {
	loop   *uv.Loop
	srv    *http.Server
	peer   gonet.Conn
	served int
	buf    []byte
}

func newInProc(t testing.TB, a *app.App) *inProc {
	l, err := uv.NewLoop()
	require.NoError(t, err)
	p := &inProc{loop: l, buf: make([]byte, 64<<10)}
	a.SetServerOptions(http.ServerOptions{Loop: l})
	listening := false
	p.srv, err = a.ListenHost(0, "127.0.0.1", func() { listening = true })
	require.NoError(t, err)
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
		for i := 0; ; i++ {
			alive, err := l.Run(uv.RunNoWait)
			require.NoError(t, err)
			if !alive {
				break
			}
			require.Less(t, i, 10000)
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

const helloReq = "GET / HTTP/1.1\r\nHost: localhost:3000\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"

func helloApp(p **inProc) *app.App {
	a := app.New()
	a.Use(func(req *app.Request, res *app.Response, next app.Next) { next() })
	a.Get("/users/:id", func(req *app.Request, res *app.Response) { res.Send("user") })
	a.Get("/", func(req *app.Request, res *app.Response) {
		(*p).served++
		res.Send("Hello, World!")
	})
	return a
}

// A route answered with Send (Content-Type, ETag, X-Powered-By, freshness check, a
// middleware with next() on the way) allocates nothing per request once warm.
func TestAppHelloAllocs(t *testing.T) {
	skipRace(t)
	var p *inProc
	p = newInProc(t, helloApp(&p))
	req := []byte(helloReq)
	want := 0
	cond := func() bool { return p.served == want }
	n := 0
	step := func() {
		want = p.served + 1
		if _, err := p.peer.Write(req); err != nil {
			t.Fatal(err)
		}
		p.runUntil(t, cond)
		if n == 0 {
			m, err := p.peer.Read(p.buf)
			require.NoError(t, err)
			require.True(t, bytes.HasSuffix(p.buf[:m], []byte("\r\n\r\nHello, World!")), "%q", p.buf[:m])
			n = m
			return
		}
		if _, err := io.ReadFull(p.peer, p.buf[:n]); err != nil {
			t.Fatal(err)
		}
	}
	step()
	step()
	avg := testing.AllocsPerRun(1000, step)
	require.Zero(t, avg, "allocations per request")
}

func BenchmarkAppHello(b *testing.B) {
	var p *inProc
	p = newInProc(b, helloApp(&p))
	req := []byte(helloReq)
	want := 0
	cond := func() bool { return p.served == want }
	want = 1
	p.peer.Write(req)
	p.runUntil(b, cond)
	n, _ := p.peer.Read(p.buf)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want = p.served + 1
		p.peer.Write(req)
		p.runUntil(b, cond)
		io.ReadFull(p.peer, p.buf[:n])
	}
}
