package main

import (
	"encoding/json"
	"io"
	nethttp "net/http"
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

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestJSONAPI(t *testing.T) {
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var out syncBuf
	srv, err := serve(loop, 0, &out)
	require.NoError(t, err)
	for !strings.Contains(out.String(), "running") {
		_, err := loop.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	base := "http://127.0.0.1:" + strconv.Itoa(srv.Address().Port) + "/api/todos"
	stop, err := handles.NewAsync(loop, func(a *handles.Async) { a.Close(nil); srv.Close(nil); net.Ticks(loop).Drain() })
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { loop.Run(uv.RunDefault); close(done) }()

	cl := &nethttp.Client{Timeout: 10 * time.Second}
	do := func(method, url, body string) (int, string) {
		req, _ := nethttp.NewRequest(method, url, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := cl.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	st, body := do("GET", base, "")
	assert.Equal(t, 200, st)
	assert.Equal(t, "[]", body)
	st, body = do("POST", base, `{"title":"write docs"}`)
	assert.Equal(t, 201, st)
	assert.Equal(t, `{"id":1,"title":"write docs","done":false}`, body)
	do("POST", base, `{"title":"ship"}`)
	st, body = do("PUT", base+"/1", `{"done":true}`)
	assert.Equal(t, 200, st)
	assert.Equal(t, `{"id":1,"title":"write docs","done":true}`, body)
	_, body = do("GET", base+"?done=false", "")
	var list []Todo
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	assert.Equal(t, []Todo{{ID: 2, Title: "ship"}}, list)
	st, _ = do("DELETE", base+"/2", "")
	assert.Equal(t, 204, st)
	st, body = do("GET", base+"/2", "")
	assert.Equal(t, 404, st)
	assert.Equal(t, `{"error":"no todo 2","status":404}`, body)
	st, body = do("POST", base, `{"title":`)
	assert.Equal(t, 400, st)
	assert.Contains(t, body, `"status":400`)
	st, body = do("GET", "http://127.0.0.1:"+strconv.Itoa(srv.Address().Port)+"/elsewhere", "")
	assert.Equal(t, 404, st)
	assert.Equal(t, `{"error":"cannot GET /elsewhere","status":404}`, body)

	cl.CloseIdleConnections()
	stop.Send()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not end")
	}
	require.NoError(t, loop.Close())
	assert.Contains(t, out.String(), "POST /api/todos 201\n")
	assert.Contains(t, out.String(), "DELETE /api/todos/2 204\n")
}
