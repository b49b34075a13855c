package app_test

import (
	"io"
	nethttp "net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/internal/testutil"
	"github.com/uv-go/uv/net"
)

// served runs an App on a loop of its own goroutine; clients block on the test goroutine.
type served struct {
	t     testing.TB
	loop  *uv.Loop
	srv   *http.Server
	url   string
	async *handles.Async
	mu    sync.Mutex
	calls []func()
	done  chan struct{}
}

func serve(t testing.TB, a *app.App) *served {
	t.Helper()
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	a.SetServerOptions(http.ServerOptions{Loop: loop})
	listening := false
	srv, err := a.ListenHost(0, "127.0.0.1", func() { listening = true })
	require.NoError(t, err)
	for !listening {
		_, err := loop.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	s := &served{t: t, loop: loop, srv: srv, url: "http://" + srv.AddrPort().String(), done: make(chan struct{})}
	s.async, err = handles.NewAsync(loop, s.runCalls)
	require.NoError(t, err)
	go func() {
		defer close(s.done)
		loop.Run(uv.RunDefault)
	}()
	t.Cleanup(s.stop)
	return s
}

func (s *served) runCalls(*handles.Async) {
	s.mu.Lock()
	calls := s.calls
	s.calls = nil
	s.mu.Unlock()
	for _, fn := range calls {
		fn()
	}
	net.Ticks(s.loop).Drain()
}

func (s *served) do(fn func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.calls = append(s.calls, func() { fn(); close(ch) })
	s.mu.Unlock()
	s.async.Send()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		s.t.Fatalf("the loop did not run the call")
	}
}

func (s *served) stop() {
	s.do(func() {
		s.srv.CloseAllConnections()
		s.srv.Close(nil)
		s.async.Close(nil)
	})
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.t.Errorf("the loop did not end")
		return
	}
	require.NoError(s.t, s.loop.Close())
}

var client = &nethttp.Client{Timeout: 10 * time.Second}

// get does a request and returns the response and its body.
func (s *served) req(method, path, body string, hdr ...string) (*nethttp.Response, string) {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := nethttp.NewRequest(method, s.url+path, rd)
	require.NoError(s.t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	require.NoError(s.t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	resp.Body.Close()
	return resp, string(b)
}

// skipRace skips an allocation-count test under -race (see testutil.SkipRace).
var skipRace = testutil.SkipRace

// tempDir is t.TempDir made safe for Wine's missing FileDispositionInformationEx (see
// testutil.TempDir).
var tempDir = testutil.TempDir
