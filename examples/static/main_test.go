package main

import (
	"io"
	nethttp "net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
	"github.com/uv-go/uv/net"
)

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestStaticServer(t *testing.T) {
	dir := tempDir(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>index</p>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.js"), []byte("console.log(1)"), 0o644))
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var out syncBuf
	srv, err := serve(loop, dir, 0, &out)
	require.NoError(t, err)
	for !strings.Contains(out.String(), "serving") {
		_, err := loop.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	base := "http://127.0.0.1:" + strconv.Itoa(srv.Address().Port)
	stop, err := handles.NewAsync(loop, func(a *handles.Async) { a.Close(nil); srv.Close(nil); net.Ticks(loop).Drain() })
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { loop.Run(uv.RunDefault); close(done) }()

	cl := &nethttp.Client{Timeout: 10 * time.Second}
	get := func(path string, hdr ...string) (*nethttp.Response, string) {
		req, _ := nethttp.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := cl.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("/")
	assert.Equal(t, "<p>index</p>", body)
	assert.Equal(t, "public, max-age=60", resp.Header.Get("Cache-Control"))
	resp, body = get("/app.js")
	assert.Equal(t, "console.log(1)", body)
	assert.Equal(t, "application/javascript; charset=UTF-8", resp.Header.Get("Content-Type"))
	resp, _ = get("/app.js", "If-None-Match", resp.Header.Get("ETag"))
	assert.Equal(t, 304, resp.StatusCode)
	resp, body = get("/app.js", "Range", "bytes=0-6")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "console", body)
	resp, body = get("/missing.txt")
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "not found: /missing.txt\n", body)

	cl.CloseIdleConnections()
	stop.Send()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not end")
	}
	require.NoError(t, loop.Close())
}

// tempDir is t.TempDir made safe for Wine's missing FileDispositionInformationEx (see
// testutil.TempDir).
var tempDir = testutil.TempDir
