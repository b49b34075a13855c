package http_test

import (
	"bufio"
	"errors"
	"io"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/stream"
)

// A response ended with nobody watching is settled by the server in one step (see
// ServerResponse.End); callbacks set after End must still run, in Node's order, and the
// response must not look finished before its finish callback.
func TestEndThenLateCallbacks(t *testing.T) {
	checkLateCallbacks(t, "GET", func(res *http.ServerResponse) { res.EndString("a") },
		func(t *testing.T, _ *nethttp.Response, body string) { assert.Equal(t, "a", body) })
}

// checkLateCallbacks serves two requests on one connection with a handler that answers with
// answer and then sets the finish and close callbacks: each exchange's must run in Node's
// order, the response not finished at End. check looks at each response.
func checkLateCallbacks(t *testing.T, method string, answer func(*http.ServerResponse),
	check func(t *testing.T, resp *nethttp.Response, body string)) {
	t.Helper()
	got := make(chan []string, 1)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		answer(res)
		var order []string
		if res.Finished() {
			order = append(order, "finished at End")
		}
		res.OnFinish(func() { order = append(order, "finish") })
		req.OnClose(func() { order = append(order, "request close") })
		res.OnClose(func() {
			order = append(order, "close")
			got <- order
		})
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	for i := 0; i < 2; i++ {
		io.WriteString(c, method+" / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, body := readResponse(t, r, method)
		check(t, resp, body)
		select {
		case order := <-got:
			assert.Equal(t, []string{"finish", "request close", "close"}, order)
		case <-time.After(5 * time.Second):
			t.Fatal("no close callback")
		}
	}
}

// A handler that answers at once and then reads the body gets all of it, and the
// connection goes on with the next request.
func TestEndThenReadBody(t *testing.T) {
	bodies := make(chan string, 1)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString("ok " + req.Method)
		if req.Method != "POST" {
			return
		}
		var b strings.Builder
		req.OnData(func(p []byte) { b.Write(p) })
		req.OnEnd(func() { bodies <- b.String() })
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc")
	_, body := readResponse(t, r, "POST")
	assert.Equal(t, "ok POST", body)
	io.WriteString(c, "def")
	select {
	case b := <-bodies:
		assert.Equal(t, "abcdef", b)
	case <-time.After(5 * time.Second):
		t.Fatal("no end callback")
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body = readResponse(t, r, "GET")
	assert.Equal(t, "ok GET", body)
}

// A write after End is an error, as without the one-step settling: the error callback
// gets it, and the connection, whose response did not finish cleanly, is closed.
func TestEndThenWriteAfterEnd(t *testing.T) {
	errs := make(chan error, 1)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString("a")
		res.OnError(func(err error) { errs <- err })
		res.WriteString("b")
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body := readResponse(t, r, "GET")
	assert.Equal(t, "a", body)
	select {
	case err := <-errs:
		assert.True(t, errors.Is(err, stream.ErrWriteAfterEnd), "%v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no error callback")
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // may fail: the server is closing
	_, err := nethttp.ReadResponse(r, nil)
	require.Error(t, err, "the connection closes without serving another request")
}

// Pipelined requests answered at once go out in order, each settled in turn.
func TestEndPipelinedSettled(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString("seen " + req.URL)
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	var reqs strings.Builder
	for i := 0; i < 20; i++ {
		reqs.WriteString("GET /" + string(rune('a'+i)) + " HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	io.WriteString(c, reqs.String())
	for i := 0; i < 20; i++ {
		_, body := readResponse(t, r, "GET")
		assert.Equal(t, "seen /"+string(rune('a'+i)), body)
	}
}

// A small body that arrives with its head and that nobody reads is discarded when the
// response, ended at once, is settled; the next request on the connection is served.
func TestEndUnreadSmallBody(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.EndString("seen " + req.Method)
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	for i := 0; i < 3; i++ {
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
		_, body := readResponse(t, r, "POST")
		assert.Equal(t, "seen POST", body)
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		_, body = readResponse(t, r, "GET")
		assert.Equal(t, "seen GET", body)
	}
}

// A response ended without a body (End(nil): an empty 200, a 204, a HEAD, a chunked body
// with trailers and no data) goes to the socket from End, head and last chunk together,
// and is settled like one with a body: its bytes are whole, and callbacks set after End
// still run in Node's order.
func TestEndNilThenLateCallbacks(t *testing.T) {
	cases := []struct {
		name, method string
		answer       func(res *http.ServerResponse)
		check        func(t *testing.T, resp *nethttp.Response, body string)
	}{
		{"Empty", "GET", func(res *http.ServerResponse) { res.End(nil) },
			func(t *testing.T, resp *nethttp.Response, body string) {
				assert.Equal(t, 200, resp.StatusCode)
				assert.Equal(t, "0", resp.Header.Get("Content-Length"))
			}},
		{"NoContent", "GET", func(res *http.ServerResponse) { res.WriteHead(204); res.End(nil) },
			func(t *testing.T, resp *nethttp.Response, body string) {
				assert.Equal(t, 204, resp.StatusCode)
				assert.Empty(t, resp.Header.Get("Content-Length"))
			}},
		{"Head", "HEAD", func(res *http.ServerResponse) { res.End(nil) },
			func(t *testing.T, resp *nethttp.Response, body string) {
				assert.Equal(t, 200, resp.StatusCode)
			}},
		{"ChunkedTrailer", "GET", func(res *http.ServerResponse) {
			res.SetHeader("Transfer-Encoding", "chunked")
			res.SetHeader("Trailer", "X-Sum")
			res.AddTrailer("X-Sum", "0")
			res.End(nil)
		}, func(t *testing.T, resp *nethttp.Response, body string) {
			assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
			assert.Equal(t, "0", resp.Trailer.Get("X-Sum"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLateCallbacks(t, tc.method, tc.answer, func(t *testing.T, resp *nethttp.Response, body string) {
				assert.Empty(t, body)
				tc.check(t, resp, body)
			})
		})
	}
}

// Bodiless responses with nobody watching are settled in one step too, and a connection
// serving them stays whole: pipelined requests get their answers in order.
func TestEndNilPipelined(t *testing.T) {
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		if req.URL == "/204" {
			res.WriteHead(204)
		}
		res.End(nil)
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	io.WriteString(c, "GET /204 HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, _ := readResponse(t, r, "GET")
	assert.Equal(t, 204, resp.StatusCode)
	resp, _ = readResponse(t, r, "HEAD")
	assert.Equal(t, 200, resp.StatusCode)
	resp, body := readResponse(t, r, "GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "0", resp.Header.Get("Content-Length"))
	assert.Empty(t, body)
}
