package net_test

import (
	"bytes"
	"crypto/rand"
	"io"
	gonet "net"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/net"
)

// Go's net.Dial clients, on their own goroutines, against our echo server on the test's
// loop: every byte comes back, each connection ends and closes in Node's order, and the
// server's Close waits for the last one.
func TestEchoServerWithGoClients(t *testing.T) {
	l := testLoop(t)
	const clients = 4
	var mu sync.Mutex
	events := map[int][]string{}
	var all []string // every event, in order
	accepted := 0
	var srv *net.Server
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		id := accepted
		accepted++
		add := func(e string) {
			mu.Lock()
			events[id] = append(events[id], e)
			all = append(all, e)
			mu.Unlock()
		}
		c.OnData(func(b []byte) { c.Write(b) })
		c.OnEnd(func() { add("end") })
		c.OnFinish(func() { add("finish") })
		c.OnError(func(err error) { add("error " + err.Error()) })
		c.OnClose(func(hadError bool) { add("close " + strconv.FormatBool(hadError)) })
		if accepted == clients {
			srv.Close(func(err error) {
				assert.NoError(t, err)
				add("server closed")
			})
		}
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
		port := srv.Address().Port
		for i := 0; i < clients; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- echoClient(port, 300_000+i*1000)
			}()
		}
	}))
	run(t, l)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, clients, accepted)
	require.Len(t, all, 3*clients+1)
	require.Equal(t, "server closed", all[len(all)-1], "after every connection's close")
	for i := 0; i < clients; i++ {
		ev := events[i]
		if i == clients-1 {
			require.Equal(t, "server closed", ev[len(ev)-1], "the server closes last")
			ev = ev[:len(ev)-1]
		}
		require.Equal(t, []string{"end", "finish", "close false"}, ev, "connection %d", i)
	}
	require.False(t, srv.Listening())
	require.Zero(t, srv.Connections())
}

// echoClient sends n random bytes, half-closes, and checks the echo.
func echoClient(port, n int) error {
	c, err := gonet.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	defer c.Close()
	msg := make([]byte, n)
	rand.Read(msg)
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(msg)
		if err == nil {
			err = c.(*gonet.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		return err
	}
	if err := <-werr; err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		return io.ErrUnexpectedEOF
	}
	return nil
}
