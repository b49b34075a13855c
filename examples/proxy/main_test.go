package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	gonet "net"
	nethttp "net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func startProxy(t *testing.T, upstream string) (string, func()) {
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var out syncBuf
	srv, agent, err := serve(loop, upstream, 0, &out)
	require.NoError(t, err)
	for !strings.Contains(out.String(), "proxying") {
		_, err := loop.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	stop, err := handles.NewAsync(loop, func(a *handles.Async) {
		a.Close(nil)
		srv.CloseAllConnections()
		srv.Close(nil)
		agent.Destroy()
		net.Ticks(loop).Drain()
	})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { loop.Run(uv.RunDefault); close(done) }()
	return "http://127.0.0.1:" + strconv.Itoa(srv.Address().Port), func() {
		stop.Send()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the loop did not end")
		}
		require.NoError(t, loop.Close())
	}
}

func TestProxy(t *testing.T) {
	var upstreamConns sync.Map
	up := httptest.NewUnstartedServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		upstreamConns.Store(r.RemoteAddr, true)
		switch r.URL.Path {
		case "/echo":
			h := sha256.New()
			n, _ := io.Copy(h, r.Body)
			w.Header().Set("X-Upstream", "yes")
			fmt.Fprintf(w, "%s %s n=%d sum=%x xff=%s host=%s conn=%q", r.Method, r.URL.RequestURI(), n, h.Sum(nil),
				r.Header.Get("X-Forwarded-For"), r.Host, r.Header.Get("Connection"))
		case "/big":
			w.Write(bytes.Repeat([]byte("B"), 1<<20))
		default:
			w.WriteHeader(404)
			io.WriteString(w, "upstream 404")
		}
	}))
	up.Start()
	defer up.Close()
	base, stop := startProxy(t, up.URL)
	defer stop()
	cl := &nethttp.Client{Timeout: 10 * time.Second}

	for range 3 {
		resp, err := cl.Get(base + "/echo?q=1")
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, "yes", resp.Header.Get("X-Upstream"))
		assert.True(t, strings.HasPrefix(string(b), "GET /echo?q=1 n=0 "), string(b))
		assert.Contains(t, string(b), "xff=127.0.0.1 host="+strings.TrimPrefix(base, "http://"))
		assert.Contains(t, string(b), `conn="keep-alive"`, "the agent's own connection header")
	}
	n := 0
	upstreamConns.Range(func(any, any) bool { n++; return true })
	assert.Equal(t, 1, n, "the agent kept its upstream connection alive")

	data := bytes.Repeat([]byte("p"), 3<<20)
	resp, err := cl.Post(base+"/echo", "application/octet-stream", bytes.NewReader(data))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), fmt.Sprintf("POST /echo n=%d sum=%x", len(data), sha256.Sum256(data)))

	resp, err = cl.Get(base + "/big")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 1<<20, len(b))

	resp, err = cl.Get(base + "/nope")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "upstream 404", string(b))
}

func TestProxyBadGateway(t *testing.T) {
	ln, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	base, stop := startProxy(t, "http://"+addr)
	defer stop()
	resp, err := (&nethttp.Client{Timeout: 10 * time.Second}).Get(base + "/x")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, "bad gateway: connect ECONNREFUSED "+addr+"\n", string(b))
}
