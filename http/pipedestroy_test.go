package http_test

import (
	"bufio"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/uv-go/uv/http"
)

// A handler that ends its response and then destroys the socket, in a batch of pipelined
// requests: the answers ended before the destroy reach the client, as they would had each
// been written at once (Node writes each at its end), and then the connection closes.
func TestPipelinedDestroyAfterEnd(t *testing.T) {
	for _, immediate := range []bool{false, true} {
		name := "write-behind"
		if immediate {
			name = "immediate"
		}
		t.Run(name, func(t *testing.T) {
			ts := startServer(t, http.ServerOptions{ImmediateWrites: immediate}, func(req *http.IncomingMessage, res *http.ServerResponse) {
				res.EndString("answer " + req.URL)
				if req.URL == "/2" {
					res.Socket().Destroy(nil)
				}
			})
			c := dial(t, ts.addr)
			io.WriteString(c, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
			r := bufio.NewReader(c)
			for _, want := range []string{"answer /1", "answer /2"} {
				_, body := readResponse(t, r, "GET")
				assert.Equal(t, want, body)
			}
			expectClose(t, r)
		})
	}
}
