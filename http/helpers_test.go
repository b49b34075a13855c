package http_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/internal/testutil"
	"github.com/uv-go/uv/net"
)

// testServer runs an http.Server on a loop of its own goroutine, so that clients (Go's
// net/http, raw connections, curl) can block on the test goroutine. do runs a function on
// the loop.
type testServer struct {
	t     testing.TB
	loop  *uv.Loop
	srv   *http.Server
	addr  string
	port  int
	async *handles.Async
	mu    sync.Mutex
	calls []func()
	done  chan struct{}
}

func startServer(t testing.TB, o http.ServerOptions, handler http.RequestListener) *testServer {
	return startServerWith(t, o, handler, nil)
}

// startServerWith lets setup configure the server (callbacks) before it listens.
func startServerWith(t testing.TB, o http.ServerOptions, handler http.RequestListener, setup func(*http.Server)) *testServer {
	t.Helper()
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	o.Loop = loop
	srv, err := http.NewServer(o, handler)
	require.NoError(t, err)
	if setup != nil {
		setup(srv)
	}
	ts := &testServer{t: t, loop: loop, srv: srv, done: make(chan struct{})}
	listening := false
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() { listening = true }))
	for !listening {
		_, err := loop.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	ts.addr = srv.AddrPort().String()
	ts.port = srv.Address().Port
	ts.async, err = handles.NewAsync(loop, ts.runCalls)
	require.NoError(t, err)
	go func() {
		defer close(ts.done)
		if _, err := loop.Run(uv.RunDefault); err != nil {
			t.Errorf("loop: %v", err)
		}
	}()
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) runCalls(*handles.Async) {
	ts.mu.Lock()
	calls := ts.calls
	ts.calls = nil
	ts.mu.Unlock()
	for _, fn := range calls {
		fn()
	}
	net.Ticks(ts.loop).Drain()
}

// do runs fn on the loop's goroutine and waits for it.
func (ts *testServer) do(fn func()) {
	ts.t.Helper()
	ch := make(chan struct{})
	ts.mu.Lock()
	ts.calls = append(ts.calls, func() { fn(); close(ch) })
	ts.mu.Unlock()
	ts.async.Send()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		ts.t.Fatalf("the loop did not run the call")
	}
}

func (ts *testServer) stop() {
	select {
	case <-ts.done:
	default:
		ts.do(func() {
			ts.srv.CloseAllConnections()
			ts.srv.Close(nil)
			ts.async.Close(nil)
		})
		select {
		case <-ts.done:
		case <-time.After(10 * time.Second):
			ts.t.Errorf("the loop did not end after the server closed")
			ts.loop.Walk(func(h *uv.Handle) { ts.t.Logf("open handle: %v active=%v ref=%v", h.Type(), h.IsActive(), h.HasRef()) })
			return
		}
	}
	require.NoError(ts.t, ts.loop.Close())
}

// skipRace skips an allocation-count test under -race (see testutil.SkipRace).
var skipRace = testutil.SkipRace

// tempDir is t.TempDir made safe for Wine's missing FileDispositionInformationEx (see
// testutil.TempDir).
var tempDir = testutil.TempDir
