package http_test

import (
	"bytes"
	"fmt"
	"io"
	gonet "net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/net"
)

// clientLoop is a loop run by the test goroutine with a watchdog.
func clientLoop(t *testing.T) *uv.Loop {
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
	}, 10_000, 0))
	dog.Unref()
	t.Cleanup(func() {
		dog.Close(nil)
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
		for i := 0; i < 1000; i++ {
			if alive, _ := l.Run(uv.RunNoWait); !alive {
				break
			}
		}
		require.NoError(t, l.Close())
	})
	return l
}

func runUntil(t *testing.T, l *uv.Loop, cond func() bool) {
	t.Helper()
	for !cond() {
		alive, err := l.Run(uv.RunOnce)
		require.NoError(t, err)
		if !alive && !cond() {
			t.Fatal("the loop ran out of work")
		}
	}
}

// result collects a response.
type result struct {
	status int
	header http.Header
	hdr    map[string][]string
	body   bytes.Buffer
	done   bool
	err    error
}

func collect(r *result) func(*http.IncomingMessage) {
	return func(res *http.IncomingMessage) {
		r.status = res.StatusCode
		r.hdr = res.Headers.Map()
		res.OnData(func(b []byte) { r.body.Write(b) })
		res.OnEnd(func() { r.done = true })
		res.OnError(func(err error) { r.err = err; r.done = true })
	}
}

// The client against the server on one loop: keep-alive reuse, bodies both ways.
func TestClientAgainstServer(t *testing.T) {
	l := clientLoop(t)
	conns := 0
	srv, err := http.NewServer(http.ServerOptions{Loop: l}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		var b bytes.Buffer
		req.OnData(func(p []byte) { b.Write(p) })
		req.OnEnd(func() {
			res.SetHeader("X-Method", req.Method)
			res.EndString(fmt.Sprintf("%s %s len=%d te=%s body=%s", req.Method, req.URL, b.Len(),
				req.Headers.Get("transfer-encoding"), b.String()))
		})
	})
	require.NoError(t, err)
	srv.OnConnection(func(*net.Socket) { conns++ })
	listening := false
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() { listening = true }))
	runUntil(t, l, func() bool { return listening })
	port := srv.Address().Port
	agent, err := http.NewAgent(http.AgentOptions{Loop: l})
	require.NoError(t, err)

	for i := range 3 {
		var r result
		req, err := http.Request(http.RequestOptions{Agent: agent, Host: "127.0.0.1", Port: port, Path: fmt.Sprintf("/g%d", i)}, collect(&r))
		require.NoError(t, err)
		req.End(nil)
		runUntil(t, l, func() bool { return r.done })
		require.NoError(t, r.err)
		assert.Equal(t, 200, r.status)
		assert.Equal(t, fmt.Sprintf("GET /g%d len=0 te= body=", i), r.body.String())
		assert.Equal(t, []string{"GET"}, r.hdr["x-method"])
	}
	assert.Equal(t, 1, conns, "the agent reused its connection")
	busy, free := agent.Sockets("127.0.0.1", port)
	assert.Equal(t, 0, busy)
	assert.Equal(t, 1, free)

	// A body with End: Content-Length; with Write: chunked.
	var r1, r2 result
	q1, err := http.Request(http.RequestOptions{Agent: agent, Method: "POST", Host: "127.0.0.1", Port: port, Path: "/p"}, collect(&r1))
	require.NoError(t, err)
	q1.End([]byte("hello"))
	q2, err := http.Request(http.RequestOptions{Agent: agent, Method: "PUT", Host: "127.0.0.1", Port: port, Path: "/c",
		Headers: []string{"X-Any", "1"}}, collect(&r2))
	require.NoError(t, err)
	q2.Write([]byte("ab"))
	q2.Write(bytes.Repeat([]byte("c"), 40000))
	q2.End(nil)
	runUntil(t, l, func() bool { return r1.done && r2.done })
	assert.Equal(t, "POST /p len=5 te= body=hello", r1.body.String())
	assert.Equal(t, "PUT /c len=40002 te=chunked body=ab"+strings.Repeat("c", 40000), r2.body.String())

	// MaxSockets queues requests.
	limited, _ := http.NewAgent(http.AgentOptions{Loop: l, MaxSockets: 1})
	before := conns
	rs := make([]result, 5)
	for i := range rs {
		q, err := http.Request(http.RequestOptions{Agent: limited, Host: "127.0.0.1", Port: port, Path: fmt.Sprintf("/q%d", i)}, collect(&rs[i]))
		require.NoError(t, err)
		q.End(nil)
	}
	runUntil(t, l, func() bool {
		for i := range rs {
			if !rs[i].done {
				return false
			}
		}
		return true
	})
	for i := range rs {
		assert.Equal(t, fmt.Sprintf("GET /q%d len=0 te= body=", i), rs[i].body.String())
	}
	assert.Equal(t, before+1, conns)

	agent.Destroy()
	limited.Destroy()
	srv.CloseAllConnections()
	srv.Close(nil)
}

// The client against Go's net/http server: chunked responses, close-delimited bodies,
// HEAD, trailers.
func TestClientAgainstNetHTTP(t *testing.T) {
	ts := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Header().Set("Trailer", "X-T")
			fl := w.(nethttp.Flusher)
			for i := range 5 {
				fmt.Fprintf(w, "part%d ", i)
				fl.Flush()
			}
			w.Header().Set("X-T", "done")
		case "/close":
			w.Header().Set("Connection", "close")
			hj, _, _ := w.(nethttp.Hijacker).Hijack()
			io.WriteString(hj, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil EOF")
			hj.Close()
		default:
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "plain")
		}
	}))
	defer ts.Close()
	port := ts.Listener.Addr().(*gonet.TCPAddr).Port
	l := clientLoop(t)

	var r result
	_, err := http.Get(l, fmt.Sprintf("http://127.0.0.1:%d/chunked", port), collect(&r))
	require.NoError(t, err)
	runUntil(t, l, func() bool { return r.done })
	assert.Equal(t, "part0 part1 part2 part3 part4 ", r.body.String())

	var c result
	_, err = http.Get(l, fmt.Sprintf("http://127.0.0.1:%d/close", port), collect(&c))
	require.NoError(t, err)
	runUntil(t, l, func() bool { return c.done })
	assert.Equal(t, "until EOF", c.body.String())
	require.NoError(t, c.err)

	var h result
	hq, err := http.Request(http.RequestOptions{Loop: l, Method: "HEAD", Host: "127.0.0.1", Port: port, Path: "/"}, collect(&h))
	require.NoError(t, err)
	hq.End(nil)
	runUntil(t, l, func() bool { return h.done })
	assert.Equal(t, 200, h.status)
	assert.Empty(t, h.body.String())
	http.DefaultAgent(l).Destroy()
}

func TestClientErrors(t *testing.T) {
	l := clientLoop(t)
	ln, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*gonet.TCPAddr).Port
	ln.Close()
	req, err := http.Get(l, fmt.Sprintf("http://127.0.0.1:%d/", port), func(*http.IncomingMessage) { t.Error("a response?") })
	require.NoError(t, err)
	var got error
	req.OnError(func(err error) { got = err })
	runUntil(t, l, func() bool { return got != nil })
	assert.Equal(t, fmt.Sprintf("connect ECONNREFUSED 127.0.0.1:%d", port), got.Error())

	// A server that closes without answering: socket hang up.
	ln2, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln2.Close()
	go func() {
		c, err := ln2.Accept()
		if err == nil {
			buf := make([]byte, 1024)
			c.Read(buf)
			c.Close()
		}
	}()
	req2, err := http.Get(l, "http://"+ln2.Addr().String()+"/", func(*http.IncomingMessage) { t.Error("a response?") })
	require.NoError(t, err)
	var got2 error
	req2.OnError(func(err error) { got2 = err })
	runUntil(t, l, func() bool { return got2 != nil })
	assert.Equal(t, http.ErrSocketHangUp, got2)

	_, err = http.Get(l, "https://example.com/", nil)
	require.Error(t, err)
}
