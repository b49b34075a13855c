package http_test

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
)

// readHead reads a response head and its Content-Length body from r: the lines without the
// Date line's value, and the body.
func readHead(t *testing.T, r *bufio.Reader) ([]string, string) {
	t.Helper()
	var head []string
	n := 0
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if strings.HasPrefix(line, "Date: ") {
			line = "Date"
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			var err error
			n, err = strconv.Atoi(v)
			require.NoError(t, err)
		}
		head = append(head, line)
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	require.NoError(t, err)
	return head, string(body)
}

// The server reuses the head of its last response when the next one has the same status,
// fields and settings: every response on a connection must still carry exactly its own head,
// whatever changed from the one before (a field's value, the status, the body's length, the
// Date line, a field set from bytes, keep-alive).
func TestHeadReuse(t *testing.T) {
	gen := 0
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		path, query, _ := strings.Cut(req.URL, "?")
		switch path {
		case "/plain":
			n, _ := strconv.Atoi(query)
			res.SetHeader("Content-Type", "text/plain")
			res.EndString(strings.Repeat("x", n))
		case "/html":
			res.SetHeader("Content-Type", "text/html")
			res.EndString("<p>")
		case "/gen":
			gen++
			res.SetHeader("Content-Type", "text/plain")
			res.SetHeader("X-Gen", strconv.Itoa(gen%2))
			res.EndString("g")
		case "/bytes":
			res.SetHeader("Content-Type", "text/plain")
			res.SetHeaderBytes("X-V", []byte(query))
			res.EndString("b")
		case "/bytes2":
			// A field set from bytes and replaced: the arena keeps the first value.
			res.SetHeaderBytes("X-V", []byte("first"))
			res.SetHeader("Content-Type", "text/plain")
			res.SetHeaderBytes("X-V", []byte(query))
			res.EndString("b")
		case "/created":
			res.SetHeader("Content-Type", "text/plain")
			res.StatusCode = 201
			res.EndString("c")
		case "/nodate":
			res.SetHeader("Content-Type", "text/plain")
			res.SendDate = false
			res.EndString("d")
		case "/chunked":
			res.SetHeader("Content-Type", "text/plain")
			res.WriteString("ab")
			res.EndString("cd")
		case "/close":
			res.SetHeader("Content-Type", "text/plain")
			res.SetHeader("Connection", "close")
			res.EndString("z")
		}
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	ka := []string{"Connection: keep-alive", "Keep-Alive: timeout=5"}
	plain := func(n int) []string {
		h := append([]string{"HTTP/1.1 200 OK", "Content-Type: text/plain", "Date"}, ka...)
		return append(h, "Content-Length: "+strconv.Itoa(n))
	}
	bytesHead := func(v string) []string {
		h := append([]string{"HTTP/1.1 200 OK", "Content-Type: text/plain", "X-V: " + v, "Date"}, ka...)
		return append(h, "Content-Length: 1")
	}
	steps := []struct {
		target string
		head   []string
		body   string
	}{
		{"/plain?13", plain(13), strings.Repeat("x", 13)},
		{"/plain?13", plain(13), strings.Repeat("x", 13)},
		{"/plain?0", plain(0), ""},
		{"/plain?7", plain(7), strings.Repeat("x", 7)},
		{"/plain?123", plain(123), strings.Repeat("x", 123)},
		{"/plain?12345", plain(12345), strings.Repeat("x", 12345)},
		{"/html", append(append([]string{"HTTP/1.1 200 OK", "Content-Type: text/html", "Date"}, ka...), "Content-Length: 3"), "<p>"},
		{"/plain?2", plain(2), "xx"},
		{"/gen", append(append([]string{"HTTP/1.1 200 OK", "Content-Type: text/plain", "X-Gen: 1", "Date"}, ka...), "Content-Length: 1"), "g"},
		{"/gen", append(append([]string{"HTTP/1.1 200 OK", "Content-Type: text/plain", "X-Gen: 0", "Date"}, ka...), "Content-Length: 1"), "g"},
		{"/gen", append(append([]string{"HTTP/1.1 200 OK", "Content-Type: text/plain", "X-Gen: 1", "Date"}, ka...), "Content-Length: 1"), "g"},
		{"/bytes?one", bytesHead("one"), "b"},
		{"/bytes?two", bytesHead("two"), "b"},
		{"/bytes?two", bytesHead("two"), "b"},
		{"/bytes?tw", bytesHead("tw"), "b"},
		{"/bytes?one", bytesHead("one"), "b"},
		{"/bytes2?one", bytesHead("one"), "b"},
		{"/bytes2?one", bytesHead("one"), "b"},
		{"/bytes2?two", bytesHead("two"), "b"},
		{"/bytes?two", bytesHead("two"), "b"},
		{"/created", append(append([]string{"HTTP/1.1 201 Created", "Content-Type: text/plain", "Date"}, ka...), "Content-Length: 1"), "c"},
		{"/nodate", append(append([]string{"HTTP/1.1 200 OK", "Content-Type: text/plain"}, ka...), "Content-Length: 1"), "d"},
		{"/plain?1", plain(1), "x"},
	}
	for _, s := range steps {
		_, err := io.WriteString(c, "GET "+s.target+" HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		head, body := readHead(t, r)
		assert.Equal(t, s.head, head, s.target)
		assert.Equal(t, s.body, body, s.target)
	}

	// A chunked response, then the same fields with End alone, then HTTP/1.0, then close.
	_, err := io.WriteString(c, "GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	resp, body := readResponse(t, r, "GET")
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	assert.Equal(t, "abcd", body)
	_, err = io.WriteString(c, "GET /plain?3 HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	head, body := readHead(t, r)
	assert.Equal(t, plain(3), head)
	assert.Equal(t, "xxx", body)
	_, err = io.WriteString(c, "GET /plain?3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	require.NoError(t, err)
	head, _ = readHead(t, r)
	assert.Equal(t, plain(3), head)
	_, err = io.WriteString(c, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	head, body = readHead(t, r)
	assert.Equal(t, []string{"HTTP/1.1 200 OK", "Content-Type: text/plain", "Connection: close", "Date", "Content-Length: 1"}, head)
	assert.Equal(t, "z", body)
	assert.Equal(t, "", expectClose(t, r))
}
