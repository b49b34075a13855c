package main

import (
	"bytes"
	"io"
	gonet "net"
	nethttp "net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// syncBuffer is written by the loop's goroutine and read by the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The example serves "Hello, World!" at / and says where it runs; it closes cleanly.
func TestHello(t *testing.T) {
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var out syncBuffer
	srv, err := serve(loop, 0, &out, func(err error) { t.Errorf("listen: %v", err) })
	require.NoError(t, err)
	for out.String() == "" {
		_, err := loop.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	port := srv.Address().Port
	assert.Equal(t, "Server running at http://127.0.0.1:"+strconv.Itoa(port)+"/\n", out.String())
	stop, err := handles.NewAsync(loop, func(a *handles.Async) {
		a.Close(nil)
		srv.Close(nil)
		net.Ticks(loop).Drain()
	})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := loop.Run(uv.RunDefault)
		done <- err
	}()

	cl := &nethttp.Client{Timeout: 10 * time.Second}
	for range 3 {
		resp, err := cl.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, "Hello, World!", string(body))
		assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	}
	resp, err := cl.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/missing")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)

	cl.CloseIdleConnections()
	stop.Send()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not end after Close")
	}
	require.NoError(t, loop.Close())
}

// A port in use is reported through the error callback.
func TestHelloPortInUse(t *testing.T) {
	ln, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*gonet.TCPAddr).Port
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var got error
	_, err = serve(loop, port, io.Discard, func(err error) { got = err })
	require.NoError(t, err)
	_, err = loop.Run(uv.RunDefault)
	require.NoError(t, err)
	require.ErrorIs(t, got, uv.EADDRINUSE)
	assert.Equal(t, "listen EADDRINUSE: address already in use 127.0.0.1:"+strconv.Itoa(port), got.Error())
	require.NoError(t, loop.Close())
}
