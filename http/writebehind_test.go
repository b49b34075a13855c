package http_test

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
)

// Responses reach the kernel when the handler's I/O callback returns (write-behind, the
// default) or inside End (ImmediateWrites): either way what the handler did after End
// comes after the response, as in Node. Destroying the socket right after End still sends
// the response first: the close writes what was deferred.
func TestServerWriteBehindEndThenDestroy(t *testing.T) {
	for _, immediate := range []bool{false, true} {
		ts := startServer(t, http.ServerOptions{ImmediateWrites: immediate}, func(req *http.IncomingMessage, res *http.ServerResponse) {
			res.SetHeader("Content-Type", "text/plain")
			switch req.URL {
			case "/destroy":
				res.EndString("last")
				res.Socket().Destroy(nil)
			case "/end":
				res.EndString("ended")
				res.Socket().End(nil)
			default:
				res.EndString("hello")
			}
		})
		c := dial(t, ts.addr)
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		r := bufio.NewReader(c)
		resp, body := readResponse(t, r, "GET")
		require.Equal(t, 200, resp.StatusCode)
		require.Equal(t, "hello", body, "immediate=%v", immediate)
		_, err = io.WriteString(c, "GET /destroy HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		resp, body = readResponse(t, r, "GET")
		require.Equal(t, 200, resp.StatusCode)
		require.Equal(t, "last", body, "immediate=%v: the response went out before the close", immediate)
		expectClose(t, r)

		c = dial(t, ts.addr)
		_, err = io.WriteString(c, "GET /end HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		r = bufio.NewReader(c)
		_, body = readResponse(t, r, "GET")
		require.Equal(t, "ended", body, "immediate=%v: the response went out before the shutdown", immediate)
		expectClose(t, r)
	}
}

// The same in a batch of pipelined requests: the answers ended before the destroy reach the
// client, those of the requests before it included (each is handed to the socket at its End,
// nothing is corked), and then the connection closes.
func TestPipelinedDestroyAfterEnd(t *testing.T) {
	for _, immediate := range []bool{false, true} {
		ts := startServer(t, http.ServerOptions{ImmediateWrites: immediate}, func(req *http.IncomingMessage, res *http.ServerResponse) {
			res.EndString("answer " + req.URL)
			if req.URL == "/2" {
				res.Socket().Destroy(nil)
			}
		})
		c := dial(t, ts.addr)
		_, err := io.WriteString(c, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		r := bufio.NewReader(c)
		for _, want := range []string{"answer /1", "answer /2"} {
			_, body := readResponse(t, r, "GET")
			require.Equal(t, want, body, "immediate=%v", immediate)
		}
		expectClose(t, r)
	}
}

// A small response is built where the socket keeps its deferred bytes (net.Socket.WriteBuf).
// One whose head outgrows the room it was given is copied aside whole; one that reaches
// the socket's highWaterMark goes the ordinary way. Either way the client gets every answer
// whole and in order.
func TestServerWriteBehindBigHeads(t *testing.T) {
	big := strings.Repeat("b", 10<<10)
	huge := strings.Repeat("h", 13<<10)
	body := strings.Repeat("x", 3<<10)
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		switch req.URL {
		case "/big":
			res.SetHeader("X-Big", big)
			res.EndString("big")
		case "/huge":
			res.SetHeader("X-Huge", huge)
			res.WriteString(body)
			res.End(nil)
		default:
			res.EndString("small " + req.URL)
		}
	})
	c := dial(t, ts.addr)
	_, err := io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\n"+
		"GET /huge HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	r := bufio.NewReader(c)
	resp, got := readResponse(t, r, "GET")
	require.Equal(t, "big", got)
	require.Equal(t, big, resp.Header.Get("X-Big"))
	_, got = readResponse(t, r, "GET")
	require.Equal(t, "small /1", got)
	resp, got = readResponse(t, r, "GET")
	require.Equal(t, body, got)
	require.Equal(t, huge, resp.Header.Get("X-Huge"))
	_, got = readResponse(t, r, "GET")
	require.Equal(t, "small /2", got)
}
