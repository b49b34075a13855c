package http_test

import (
	"bufio"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
)

// A field set again at the same place with the same strings (or, from bytes, the same bytes)
// as on the last response skips the character checks: what differs must still be checked,
// on every response of a connection, and a response whose head is sent must still refuse.
func TestHeaderChecksAcrossResponses(t *testing.T) {
	goodValue, badValue := "good value", "bad\x01value"
	var mu sync.Mutex // the handler runs on the loop's goroutine
	var shared []error
	ts := startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		var errs []error
		switch req.URL {
		case "/good":
			errs = append(errs, res.SetHeader("X-A", goodValue), res.SetHeaderBytes("X-B", []byte("good bytes")))
		case "/bad":
			errs = append(errs, res.SetHeader("X-A", badValue), res.SetHeaderBytes("X-B", []byte("good\x01bytes")))
			errs = append(errs, res.SetHeader("", ""), res.SetHeaderBytes("X-B", []byte("good\nbytes")))
		case "/sent":
			require.NoError(t, res.WriteHead(204)) // no fields: X-A's slot is the last one's
			errs = append(errs, res.SetHeader("X-A", goodValue), res.SetHeaderBytes("X-B", []byte("good bytes")))
		}
		mu.Lock()
		shared = errs // before the response goes out
		mu.Unlock()
		res.EndString("k")
	})
	c := dial(t, ts.addr)
	r := bufio.NewReader(c)
	var errs []error
	get := func(target string) []string {
		t.Helper()
		_, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		head, body := readHead(t, r)
		if target != "/sent" {
			assert.Equal(t, "k", body)
		}
		mu.Lock()
		errs = shared
		mu.Unlock()
		return head
	}
	for range 2 {
		head := get("/good")
		assert.Equal(t, []error{nil, nil}, errs)
		assert.Contains(t, head, "X-A: good value")
		assert.Contains(t, head, "X-B: good bytes")
	}
	head := get("/bad")
	assert.Equal(t, []error{http.ErrInvalidHeaderValue, http.ErrInvalidHeaderValue,
		http.ErrInvalidHeaderName, http.ErrInvalidHeaderValue}, errs)
	assert.NotContains(t, head, "X-A: good value")
	get("/good")
	head = get("/sent")
	assert.Equal(t, []error{http.ErrHeadersSent, http.ErrHeadersSent}, errs)
	assert.NotContains(t, head, "X-A: good value")
	head = get("/good")
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Contains(t, head, "X-B: good bytes")
}
