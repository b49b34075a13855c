package http_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	gonet "net"
	nethttp "net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/net"
)

func hello(req *http.IncomingMessage, res *http.ServerResponse) {
	res.SetHeader("Content-Type", "text/plain")
	res.EndString("Hello, World!")
}

// dial opens a raw connection with a deadline, so that a broken server fails the test.
func dial(t testing.TB, addr string) gonet.Conn {
	t.Helper()
	c, err := gonet.Dial("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	t.Cleanup(func() { c.Close() })
	return c
}

func newClient() *nethttp.Client {
	return &nethttp.Client{Timeout: 10 * time.Second, Transport: &nethttp.Transport{MaxIdleConnsPerHost: 4}}
}

// readResponse reads one response from r (with its body) for the request method.
func readResponse(t testing.TB, r *bufio.Reader, method string) (*nethttp.Response, string) {
	t.Helper()
	resp, err := nethttp.ReadResponse(r, &nethttp.Request{Method: method})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp, string(body)
}

// expectClose reads until EOF: the server must close the connection.
func expectClose(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err, "the server must close cleanly (FIN, not RST)")
	return string(b)
}

func TestHelloNetHTTPClient(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, hello)
	resp, err := newClient().Get("http://" + ts.addr + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "Hello, World!", string(body))
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "HTTP/1.1", resp.Proto)
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	assert.Equal(t, "13", resp.Header.Get("Content-Length"))
	assert.Equal(t, "keep-alive", resp.Header.Get("Connection"))
	assert.Equal(t, "timeout=5", resp.Header.Get("Keep-Alive"))
	d, err := nethttp.ParseTime(resp.Header.Get("Date"))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), d, 5*time.Second)
}

// The raw bytes of a hello response are Node's, in Node's header order.
func TestHelloWireFormat(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, hello)
	c := dial(t, ts.addr)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	r := bufio.NewReader(c)
	var head []string
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		if line == "\r\n" {
			break
		}
		head = append(head, strings.TrimRight(line, "\r\n"))
	}
	require.Len(t, head, 6)
	assert.Equal(t, "HTTP/1.1 200 OK", head[0])
	assert.Equal(t, "Content-Type: text/plain", head[1])
	assert.True(t, strings.HasPrefix(head[2], "Date: "), head[2])
	assert.Equal(t, []string{"Connection: keep-alive", "Keep-Alive: timeout=5", "Content-Length: 13"}, head[3:6+0])
	body := make([]byte, 13)
	_, err = io.ReadFull(r, body)
	require.NoError(t, err)
	assert.Equal(t, "Hello, World!", string(body))
}

// Requests on one connection reuse it; the request fields are right each time.
func TestKeepAlive(t *testing.T) {
	conns := 0
	ts := startServerWith(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString(req.Method + " " + req.URL + " " + req.HTTPVersion + " " + req.Headers.Get("x-n"))
	}, func(s *http.Server) { s.OnConnection(func(*net.Socket) { conns++ }) })
	cl := newClient()
	for i := range 20 {
		req, _ := nethttp.NewRequest("GET", fmt.Sprintf("http://%s/p/%d?q=%d", ts.addr, i%3, i), nil)
		req.Header.Set("X-N", strconv.Itoa(i))
		resp, err := cl.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, fmt.Sprintf("GET /p/%d?q=%d 1.1 %d", i%3, i, i), string(body))
	}
	ts.do(func() { assert.Equal(t, 1, conns) })
}

// Pipelined requests, in one write, are answered in order, even when the first answer is
// late.
func TestPipelining(t *testing.T) {
	var late *http.ServerResponse
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		if req.URL == "/slow" {
			late = res
			return
		}
		res.EndString("answer " + req.URL)
	})
	c := dial(t, ts.addr)
	var b strings.Builder
	b.WriteString("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	for i := range 5 {
		fmt.Fprintf(&b, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	_, err := io.WriteString(c, b.String())
	require.NoError(t, err)
	// Nothing may come before the slow answer.
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	one := make([]byte, 1)
	_, err = c.Read(one)
	require.Error(t, err)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	ts.do(func() {
		require.NotNil(t, late)
		late.EndString("slow one")
	})
	r := bufio.NewReader(c)
	_, body := readResponse(t, r, "GET")
	assert.Equal(t, "slow one", body)
	for i := range 5 {
		_, body := readResponse(t, r, "GET")
		assert.Equal(t, fmt.Sprintf("answer /%d", i), body)
	}
}

// Many pipelined requests arriving in pieces of every size.
func TestPipeliningSplits(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString(req.URL)
	})
	var b bytes.Buffer
	const n = 200
	for i := range n {
		fmt.Fprintf(&b, "GET /%d HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n\r\n", i, strings.Repeat("p", i))
	}
	c := dial(t, ts.addr)
	go func() {
		data := b.Bytes()
		for k := 1; len(data) > 0; k = k%97 + 1 {
			m := min(k, len(data))
			c.Write(data[:m])
			data = data[m:]
		}
	}()
	r := bufio.NewReader(c)
	for i := range n {
		_, body := readResponse(t, r, "GET")
		require.Equal(t, fmt.Sprintf("/%d", i), body)
	}
}

func TestHTTP10(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString("v" + req.HTTPVersion)
	})
	t.Run("close by default", func(t *testing.T) {
		c := dial(t, ts.addr)
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
		out := expectClose(t, c)
		assert.Contains(t, out, "HTTP/1.1 200 OK\r\n")
		assert.Contains(t, out, "Connection: close\r\n")
		assert.True(t, strings.HasSuffix(out, "\r\n\r\nv1.0"), out)
	})
	t.Run("keep-alive on request", func(t *testing.T) {
		c := dial(t, ts.addr)
		r := bufio.NewReader(c)
		for range 3 {
			io.WriteString(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
			resp, body := readResponse(t, r, "GET")
			assert.Equal(t, "v1.0", body)
			assert.Equal(t, "keep-alive", resp.Header.Get("Connection"))
		}
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
		_, body := readResponse(t, r, "GET")
		assert.Equal(t, "v1.0", body)
		expectClose(t, r)
	})
	t.Run("streamed body ends with the connection", func(t *testing.T) {
		ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
			res.WriteString("a")
			res.WriteString("b")
			res.End(nil)
		})
		c := dial(t, ts.addr)
		io.WriteString(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		out := expectClose(t, c)
		assert.Contains(t, out, "Connection: close\r\n")
		assert.NotContains(t, out, "Transfer-Encoding")
		assert.True(t, strings.HasSuffix(out, "\r\n\r\nab"), out)
	})
}

func TestHead(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, hello)
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body := readResponse(t, r, "HEAD")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	_, body = readResponse(t, r, "GET")
	assert.Equal(t, "Hello, World!", body)
}

// A body of unknown length is chunked, with trailers; a chunked request body arrives
// whole, with its trailers.
func TestChunked(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		var got bytes.Buffer
		req.OnData(func(b []byte) { got.Write(b) })
		req.OnEnd(func() {
			res.SetHeader("Content-Type", "text/plain")
			res.AddTrailer("X-Sum", strconv.Itoa(got.Len()))
			res.AddTrailer("X-Req-Trailer", req.Trailers.Get("x-t"))
			for range 3 {
				res.Write(got.Bytes())
			}
			res.End(nil)
		})
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: tt\r\n\r\n")
	r := bufio.NewReader(c)
	resp, body := readResponse(t, r, "POST")
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	assert.Equal(t, strings.Repeat("hello world", 3), body)
	assert.Equal(t, "11", resp.Trailer.Get("X-Sum"))
	assert.Equal(t, "tt", resp.Trailer.Get("X-Req-Trailer"))

	// Go's client sends a body of unknown length chunked.
	pr, pw := io.Pipe()
	go func() {
		for i := range 10 {
			fmt.Fprintf(pw, "part%d;", i)
		}
		pw.Close()
	}()
	req, _ := nethttp.NewRequest("POST", "http://"+ts.addr+"/", pr)
	resp2, err := newClient().Do(req)
	require.NoError(t, err)
	b2, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	want := "part0;part1;part2;part3;part4;part5;part6;part7;part8;part9;"
	assert.Equal(t, strings.Repeat(want, 3), string(b2))
}

// A large body is echoed through a pipe with backpressure on both sides.
func TestLargeBodyPipe(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.SetHeader("Content-Length", req.Headers.Get("content-length"))
		req.Pipe(res)
	})
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	resp, err := newClient().Post("http://"+ts.addr+"/", "application/octet-stream", bytes.NewReader(data))
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	require.True(t, bytes.Equal(data, got), "echoed %d bytes of %d", len(got), len(data))
}

// Write returns false once the socket cannot take more and the response holds
// highWaterMark bytes; the drain callback follows, and nothing is lost.
func TestWriteBackpressure(t *testing.T) {
	chunk := bytes.Repeat([]byte("x"), 4096)
	var falseAt, drains, total, maxPending int
	hit := make(chan struct{}, 1)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		written := 0
		var write func()
		write = func() {
			for falseAt == 0 || written < falseAt+1<<20 {
				written += len(chunk)
				ok := res.Write(chunk)
				maxPending = max(maxPending, res.WritableLength())
				if !ok {
					if falseAt == 0 {
						falseAt = written
						hit <- struct{}{}
					}
					return
				}
			}
			total = written
			res.End(nil)
		}
		res.OnDrain(func() { drains++; write() })
		write()
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	// The kernel's buffers fill up while the client reads nothing.
	select {
	case <-hit:
	case <-time.After(10 * time.Second):
		t.Fatal("Write never returned false")
	}
	resp, body := readResponse(t, bufio.NewReader(c), "GET")
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	ts.do(func() {
		assert.Greater(t, falseAt, 0)
		assert.Equal(t, total, len(body))
		assert.Greater(t, drains, 0)
		assert.LessOrEqual(t, maxPending, 16<<10+len(chunk), "bytes held by the response")
	})
}

// Answers gathered for pipelined requests are not held back by a later request whose
// answer takes time.
func TestPipeliningSlowMiddle(t *testing.T) {
	var late *http.ServerResponse
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		if req.URL == "/slow" {
			late = res
			return
		}
		res.EndString("answer " + req.URL)
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"+
		"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(c)
	for _, want := range []string{"answer /a", "answer /b"} {
		_, body := readResponse(t, r, "GET")
		assert.Equal(t, want, body)
	}
	ts.do(func() { late.EndString("late") })
	for _, want := range []string{"late", "answer /c"} {
		_, body := readResponse(t, r, "GET")
		assert.Equal(t, want, body)
	}
}

// A client that sends pipelined requests and then shuts its side down gets every answer,
// then the close.
func TestHalfCloseAfterPipeline(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString("answer " + req.URL)
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, c.(*gonet.TCPConn).CloseWrite())
	r := bufio.NewReader(c)
	for i := 1; i <= 3; i++ {
		_, body := readResponse(t, r, "GET")
		assert.Equal(t, fmt.Sprintf("answer /%d", i), body)
	}
	assert.Empty(t, expectClose(t, r))
}

// Write returns false, as Node's does, when the socket is at its highWaterMark though the
// response alone would take the chunk: here the head and a first chunk just under the
// highWaterMark reach the socket's. A small chunk written then is refused too; the drain
// callback follows once the socket has drained, and every byte arrives.
func TestWriteFalseAtSocketHighWaterMark(t *testing.T) {
	const hwm = 16 << 10
	first := bytes.Repeat([]byte("a"), hwm-64)
	type result struct{ first, small, needDrain, drainedBeforeEnd bool }
	got := make(chan result, 1)
	ts := startServer(t, http.ServerOptions{HighWaterMark: hwm}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		var r result
		r.first = res.Write(first)
		r.small = res.Write([]byte("b"))
		r.needDrain = res.WritableNeedDrain()
		res.OnDrain(func() {
			r.drainedBeforeEnd = true
			res.End([]byte("c"))
			got <- r
		})
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body := readResponse(t, bufio.NewReader(c), "GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, string(first)+"bc", body)
	select {
	case r := <-got:
		assert.False(t, r.first, "a first write whose head and chunk reach the socket's highWaterMark")
		assert.False(t, r.small, "a small write while the socket is at its highWaterMark")
		assert.True(t, r.needDrain, "writableNeedDrain after a false write")
		assert.True(t, r.drainedBeforeEnd)
	case <-time.After(10 * time.Second):
		t.Fatal("no drain callback")
	}
}
