package http_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	nethttp "net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
)

// A net/http mux served through the bridge: headers, status, bodies both ways (streamed,
// with backpressure), concurrency bounded by the pool, panics answered 500.
func TestBridge(t *testing.T) {
	var running, maxRunning atomic.Int32
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/hello", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("X-From", "net/http")
		fmt.Fprintf(w, "hello %s %s host=%s ua=%s", r.Method, r.URL.Query().Get("name"), r.Host, r.UserAgent())
	})
	mux.HandleFunc("/sum", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		h := sha256.New()
		n64, err := io.Copy(h, r.Body)
		if err != nil {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(201)
		fmt.Fprintf(w, "%d %s", n64, hex.EncodeToString(h.Sum(nil)))
	})
	mux.HandleFunc("/stream", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		chunk := bytes.Repeat([]byte("s"), 10000)
		for range 300 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/panic", func(w nethttp.ResponseWriter, r *nethttp.Request) { panic("boom") })
	var b *http.Bridge
	ts := startServerWith(t, http.ServerOptions{}, nil, func(s *http.Server) {
		var err error
		b, err = http.NewBridge(s.Loop(), mux, http.BridgeOptions{Workers: 3})
		require.NoError(t, err)
		s.OnRequest(b.Listener())
	})
	defer ts.do(b.Close)
	cl := newClient()

	resp, err := cl.Get("http://" + ts.addr + "/hello?name=go")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "hello GET go host="+ts.addr+" ua=Go-http-client/1.1", string(body))
	assert.Equal(t, "net/http", resp.Header.Get("X-From"))
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))

	data := bytes.Repeat([]byte("0123456789"), 200_000) // 2 MB, more than the body buffer
	want := sha256.Sum256(data)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			resp, err := cl.Post("http://"+ts.addr+"/sum", "application/octet-stream", bytes.NewReader(data))
			if err != nil {
				errs <- err
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 || string(b) != fmt.Sprintf("%d %s", len(data), hex.EncodeToString(want[:])) {
				errs <- fmt.Errorf("status %d body %q", resp.StatusCode, b)
				return
			}
			errs <- nil
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
	assert.LessOrEqual(t, maxRunning.Load(), int32(3), "handlers at once")

	resp, err = cl.Get("http://" + ts.addr + "/stream")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 3_000_000, len(body))
	assert.Equal(t, strings.Repeat("s", 3_000_000), string(body))

	resp, err = cl.Get("http://" + ts.addr + "/panic")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 500, resp.StatusCode)

	resp, err = cl.Get("http://" + ts.addr + "/nothing")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
}
