package http_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/http/parser"
	"github.com/uv-go/uv/net"
)

// Expect: 100-continue: by default the server sends 100 Continue and the body follows;
// with a checkContinue callback the handler decides.
func TestExpectContinue(t *testing.T) {
	echo := func(req *http.IncomingMessage, res *http.ServerResponse) {
		var b bytes.Buffer
		req.OnData(func(p []byte) { b.Write(p) })
		req.OnEnd(func() { res.EndString("got " + b.String()) })
	}
	t.Run("default", func(t *testing.T) {
		ts := startServer(t, http.ServerOptions{}, echo)
		cl := &nethttp.Client{Timeout: 10 * time.Second, Transport: &nethttp.Transport{ExpectContinueTimeout: 5 * time.Second}}
		req, _ := nethttp.NewRequest("PUT", "http://"+ts.addr+"/", strings.NewReader("payload"))
		req.Header.Set("Expect", "100-continue")
		start := time.Now()
		resp, err := cl.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, "got payload", string(body))
		assert.Less(t, time.Since(start), 4*time.Second, "the client waited for its timeout: no 100 Continue")

		c := dial(t, ts.addr)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "HTTP/1.1 100 Continue\r\n", line)
		line, _ = r.ReadString('\n')
		assert.Equal(t, "\r\n", line)
		io.WriteString(c, "abc")
		_, b := readResponse(t, r, "POST")
		assert.Equal(t, "got abc", b)
	})
	t.Run("checkContinue refuses", func(t *testing.T) {
		called := false
		ts := startServerWith(t, http.ServerOptions{}, func(*http.IncomingMessage, *http.ServerResponse) { called = true },
			func(s *http.Server) {
				s.OnCheckContinue(func(req *http.IncomingMessage, res *http.ServerResponse) {
					res.WriteHead(417)
					res.EndString("no")
				})
			})
		c := dial(t, ts.addr)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
		resp, b := readResponse(t, bufio.NewReader(c), "POST")
		assert.Equal(t, 417, resp.StatusCode)
		assert.Equal(t, "no", b)
		ts.do(func() { assert.False(t, called) })
	})
	t.Run("other expectations get 417", func(t *testing.T) {
		ts := startServer(t, http.ServerOptions{}, echo)
		c := dial(t, ts.addr)
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n")
		resp, _ := readResponse(t, bufio.NewReader(c), "GET")
		assert.Equal(t, 417, resp.StatusCode)
	})
}

// Every request the parser rejects is answered with its status and a clean close, and never
// reaches the handler.
func TestMalformedRequests(t *testing.T) {
	calls := 0
	ts := startServer(t, http.ServerOptions{MaxTargetSize: 2048}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		calls++
		res.EndString("ok")
	})
	cases := []struct {
		name, req string
		status    int
	}{
		{"no host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"bad method", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"unknown method", "FETCH / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400},
		{"CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"two CLs", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", 400},
		{"bad CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n", 400},
		{"TE not chunked last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
		{"header too large", "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 17000) + "\r\n\r\n", 431},
		{"target too long", "GET /" + strings.Repeat("a", 3000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"malformed version", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, ts.addr)
			go io.WriteString(c, tc.req) // a large request may not be read whole
			out := expectClose(t, c)
			want := fmt.Sprintf("HTTP/1.1 %d %s\r\nConnection: close\r\n\r\n", tc.status, http.StatusText(tc.status))
			assert.Equal(t, want, out)
		})
	}
	ts.do(func() { assert.Zero(t, calls) })

	// Errors in a body come after the handler was called: if it has not answered yet, the
	// answer is the error's status; the request gets ErrAborted.
	reqErr := make(chan error, 4)
	tb := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		req.OnError(func(err error) { reqErr <- err })
		req.OnData(func([]byte) {})
		req.OnEnd(func() { res.EndString("ok") })
	})
	for _, body := range []string{"zz\r\n", "3\r\nabcX", "3;=\r\n", "ffffffffffffffffff\r\n"} {
		c := dial(t, tb.addr)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+body)
		assert.Equal(t, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", expectClose(t, c), "%q", body)
		select {
		case err := <-reqErr:
			assert.Equal(t, http.ErrAborted, err)
		case <-time.After(5 * time.Second):
			t.Fatal("no request error")
		}
	}

	// A rejected request after a good one, on the same connection: the good one is
	// answered, then the error.
	c := dial(t, ts.addr)
	io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n")
	r := bufio.NewReader(c)
	_, body := readResponse(t, r, "GET")
	assert.Equal(t, "ok", body)
	assert.Equal(t, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", expectClose(t, r))
}

// A clientError callback takes over the answer.
func TestClientErrorCallback(t *testing.T) {
	var got error
	ts := startServerWith(t, http.ServerOptions{}, hello, func(s *http.Server) {
		s.OnClientError(func(err error, sock *net.Socket) {
			got = err
			sock.End([]byte("HTTP/1.1 418 I'm a Teapot\r\nConnection: close\r\n\r\n"))
		})
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
	assert.Equal(t, "HTTP/1.1 418 I'm a Teapot\r\nConnection: close\r\n\r\n", expectClose(t, c))
	ts.do(func() {
		var pe *parser.Error
		require.True(t, errors.As(got, &pe), "%v", got)
		assert.Equal(t, parser.ErrMissingHost, pe)
	})
}

// Upgrade hands the raw socket over with the bytes that followed the request.
func TestUpgrade(t *testing.T) {
	ts := startServerWith(t, http.ServerOptions{}, hello, func(s *http.Server) {
		s.OnUpgrade(func(req *http.IncomingMessage, sock *net.Socket, head []byte) {
			proto := req.Headers.Get("upgrade")
			sock.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + proto + "\r\nConnection: Upgrade\r\n\r\n"))
			sock.Write(bytes.ToUpper(head))
			sock.OnData(func(b []byte) { sock.Write(bytes.ToUpper(b)) })
			sock.OnEnd(func() { sock.End(nil) })
			sock.Resume()
		})
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst;")
	r := bufio.NewReader(c)
	resp, err := nethttp.ReadResponse(r, nil)
	require.NoError(t, err)
	assert.Equal(t, 101, resp.StatusCode)
	assert.Equal(t, "echo", resp.Header.Get("Upgrade"))
	got := make([]byte, 6)
	_, err = io.ReadFull(r, got)
	require.NoError(t, err)
	assert.Equal(t, "FIRST;", string(got))
	io.WriteString(c, "more")
	got = make([]byte, 4)
	_, err = io.ReadFull(r, got)
	require.NoError(t, err)
	assert.Equal(t, "MORE", string(got))

	// Without an upgrade callback it is an ordinary request.
	ts2 := startServer(t, http.ServerOptions{}, hello)
	c2 := dial(t, ts2.addr)
	io.WriteString(c2, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	r2 := bufio.NewReader(c2)
	_, b := readResponse(t, r2, "GET")
	assert.Equal(t, "Hello, World!", b)
	_, b = readResponse(t, r2, "GET")
	assert.Equal(t, "Hello, World!", b)
}

// CONNECT without a connect callback closes the connection; with one, it gets the socket.
func TestConnect(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, hello)
	c := dial(t, ts.addr)
	io.WriteString(c, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	assert.Empty(t, expectClose(t, c))

	ts2 := startServerWith(t, http.ServerOptions{}, hello, func(s *http.Server) {
		s.OnConnect(func(req *http.IncomingMessage, sock *net.Socket, head []byte) {
			sock.End([]byte("HTTP/1.1 200 Connection Established\r\n\r\ntunnel to " + req.URL))
		})
	})
	c2 := dial(t, ts2.addr)
	io.WriteString(c2, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	assert.Equal(t, "HTTP/1.1 200 Connection Established\r\n\r\ntunnel to example.com:443", expectClose(t, c2))
}

func TestHeadersTimeout(t *testing.T) {
	ts := startServer(t, http.ServerOptions{HeadersTimeout: 100, ConnectionsCheckingInterval: 20}, hello)
	c := dial(t, ts.addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	start := time.Now()
	assert.Equal(t, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n", expectClose(t, c))
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	// A connection that sends nothing gets the same answer (Node's behaviour).
	c2 := dial(t, ts.addr)
	assert.Equal(t, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n", expectClose(t, c2))

	// Idle keep-alive connections are the keep-alive timeout's business, not this one's.
	c3 := dial(t, ts.addr)
	r3 := bufio.NewReader(c3)
	io.WriteString(c3, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, r3, "GET")
	c3.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err := r3.ReadByte()
	require.Error(t, err)
	assert.True(t, errors.Is(err, os.ErrDeadlineExceeded), "%v", err)
}

func TestRequestTimeout(t *testing.T) {
	called := false
	ts := startServer(t, http.ServerOptions{RequestTimeout: 150, HeadersTimeout: 100, ConnectionsCheckingInterval: 20},
		func(req *http.IncomingMessage, res *http.ServerResponse) { called = true })
	c := dial(t, ts.addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	assert.Equal(t, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n", expectClose(t, c))
	ts.do(func() { assert.True(t, called) })
}

func TestKeepAliveTimeout(t *testing.T) {
	ts := startServer(t, http.ServerOptions{KeepAliveTimeout: 1000}, hello)
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, _ := readResponse(t, r, "GET")
	assert.Equal(t, "timeout=1", resp.Header.Get("Keep-Alive"))
	start := time.Now()
	assert.Empty(t, expectClose(t, r))
	assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond)
}

func TestMaxRequestsPerSocket(t *testing.T) {
	ts := startServer(t, http.ServerOptions{MaxRequestsPerSocket: 2}, hello)
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, _ := readResponse(t, r, "GET")
	assert.Equal(t, "keep-alive", resp.Header.Get("Connection"))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, _ = readResponse(t, r, "GET")
	assert.True(t, resp.Close, "Connection: close")
	assert.Empty(t, expectClose(t, r))
}

// Close closes idle connections at once; a request in progress is answered (with
// Connection: close) and its connection closes after it; then the close callback runs.
func TestCloseGraceful(t *testing.T) {
	var pending *http.ServerResponse
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		if req.URL == "/slow" {
			pending = res
			return
		}
		res.EndString("fast")
	})
	idle := dial(t, ts.addr)
	ri := bufio.NewReader(idle)
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, ri, "GET")
	busy := dial(t, ts.addr)
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	for {
		var got bool
		ts.do(func() { got = pending != nil })
		if got {
			break
		}
	}
	closed := make(chan error, 1)
	ts.do(func() { ts.srv.Close(func(err error) { closed <- err }) })
	assert.Empty(t, expectClose(t, ri))
	select {
	case <-closed:
		t.Fatal("closed with a request in progress")
	default:
	}
	ts.do(func() { pending.EndString("slow") })
	rb := bufio.NewReader(busy)
	resp, body := readResponse(t, rb, "GET")
	assert.Equal(t, "slow", body)
	assert.True(t, resp.Close, "Connection: close")
	expectClose(t, rb)
	busy.Close()
	select {
	case err := <-closed:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("no close callback")
	}
}

// A request body nobody reads is discarded once the response ends, and the connection goes
// on with the next request.
func TestUnreadBodyDiscarded(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString("seen " + req.URL)
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	big := strings.Repeat("z", 200_000)
	go io.WriteString(c, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n"+big+"GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body := readResponse(t, r, "POST")
	assert.Equal(t, "seen /a", body)
	_, body = readResponse(t, r, "GET")
	assert.Equal(t, "seen /b", body)
}

// The client closing mid-request aborts the request: its error and close callbacks run.
func TestClientAbort(t *testing.T) {
	done := make(chan string, 1)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		var errMsg string
		req.OnError(func(err error) { errMsg = err.Error() })
		req.OnClose(func() { done <- fmt.Sprintf("aborted=%v err=%s", req.Aborted(), errMsg) })
		req.OnData(func([]byte) {})
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
	time.AfterFunc(50*time.Millisecond, func() { c.Close() })
	select {
	case s := <-done:
		assert.Equal(t, "aborted=true err=aborted", s)
	case <-time.After(5 * time.Second):
		t.Fatal("no close")
	}
}

// Request fields: method, URL, version, headers case-insensitive, raw headers.
func TestRequestFields(t *testing.T) {
	type seen struct {
		method, url, version, ua, multi, cookie string
		raw                                     []string
		has                                     bool
	}
	got := make(chan seen, 1)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		got <- seen{req.Method, req.URL, req.HTTPVersion, req.Headers.Get("USER-AGENT"), req.Headers.Get("x-multi"),
			req.Headers.Get("cookie"), req.Headers.Raw(), req.Headers.Has("X-Multi")}
		res.End(nil)
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "DELETE /a/b?c=d HTTP/1.1\r\nHost: h\r\nUser-Agent: ua/1\r\nX-Multi: 1\r\nx-multi: 2\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n")
	resp, _ := readResponse(t, bufio.NewReader(c), "DELETE")
	assert.Equal(t, "0", resp.Header.Get("Content-Length"))
	s := <-got
	assert.Equal(t, seen{"DELETE", "/a/b?c=d", "1.1", "ua/1", "1, 2", "a=1; b=2",
		[]string{"Host", "h", "User-Agent", "ua/1", "X-Multi", "1", "x-multi", "2", "Cookie", "a=1", "Cookie", "b=2"}, true}, s)
}

// Response header API: set, get, remove, append, WriteHead, errors after the head is sent.
func TestResponseHeaders(t *testing.T) {
	errs := make(chan []error, 1)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		var e []error
		e = append(e, res.SetHeader("X-A", "1"))
		e = append(e, res.SetHeader("x-a", "2"))
		e = append(e, res.AppendHeader("Set-Cookie", "a=1"))
		e = append(e, res.AppendHeader("Set-Cookie", "b=2"))
		e = append(e, res.SetHeader("X-Gone", "1"))
		e = append(e, res.RemoveHeader("x-gone"))
		e = append(e, res.SetHeader("Bad Name", "1"))
		e = append(e, res.SetHeader("X-Bad", "a\r\nb"))
		if res.GetHeader("X-A") != "2" || res.HasHeader("x-gone") || res.HeadersSent() {
			e = append(e, errors.New("get"))
		}
		e = append(e, res.WriteHead(201, "X-B", "b"))
		e = append(e, res.SetHeader("X-Late", "1"))
		if !res.HeadersSent() {
			e = append(e, errors.New("headersSent"))
		}
		errs <- e
		res.EndString("made")
	})
	c := dial(t, ts.addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	resp, body := readResponse(t, bufio.NewReader(c), "POST")
	assert.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("X-A"))
	assert.Equal(t, "b", resp.Header.Get("X-B"))
	assert.Equal(t, []string{"a=1", "b=2"}, resp.Header.Values("Set-Cookie"))
	assert.Empty(t, resp.Header.Get("X-Gone"))
	assert.Equal(t, "made", body)
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding, "WriteHead before End: no implicit length, as Node")
	assert.Equal(t, []error{nil, nil, nil, nil, nil, nil, http.ErrInvalidHeaderName, http.ErrInvalidHeaderValue,
		nil, http.ErrHeadersSent}, <-errs)
}

// 204 and 304 responses have no body and no framing headers.
func TestNoBodyStatuses(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.StatusCode = 204
		res.EndString("ignored")
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	for range 2 {
		resp, body := readResponse(t, r, "GET")
		assert.Equal(t, 204, resp.StatusCode)
		assert.Empty(t, body)
		assert.Empty(t, resp.Header.Get("Content-Length"))
		assert.Empty(t, resp.TransferEncoding)
	}
}

// CloseAllConnections aborts requests in progress: their close callbacks run and the
// clients see the connection end.
func TestCloseAllConnections(t *testing.T) {
	closed := make(chan bool, 2)
	started := make(chan struct{}, 2)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.OnClose(func() { closed <- res.Finished() })
		started <- struct{}{}
	})
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	io.WriteString(a, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	io.WriteString(b, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	<-started
	ts.do(func() { ts.srv.CloseAllConnections() })
	for range 2 {
		select {
		case finished := <-closed:
			assert.False(t, finished)
		case <-time.After(5 * time.Second):
			t.Fatal("no close")
		}
	}
	assert.Empty(t, expectClose(t, a))
	assert.Empty(t, expectClose(t, b))
}
