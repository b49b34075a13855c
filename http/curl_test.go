package http_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/net"
)

// tool returns the path of the client program name (curl, wrk), or skips the test without
// it. It skips on Windows too: these tests drive the tools .ci/run installs on Linux, and
// the Windows tests run under Wine, where those are Linux programs a Windows test binary
// does not start (wrk has no Windows build at all).
func tool(t *testing.T, name string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows: " + name + " is one of the Linux CI's tools, not a Windows program here")
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skip(name + " is not installed")
	}
	return path
}

// curl runs curl with args and returns its stdout; the test is skipped without curl.
func curl(t *testing.T, args ...string) string {
	t.Helper()
	path := tool(t, "curl")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, path, append([]string{"-sS", "--max-time", "15"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "curl %v: %s", args, errb.String())
	return out.String()
}

// The server against curl: keep-alive across URLs, HTTP/1.0, HEAD, a chunked upload, a
// large upload with Expect: 100-continue, a response with trailers.
func TestCurl(t *testing.T) {
	tool(t, "curl")
	conns := 0
	ts := startServerWith(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		n := 0
		req.OnData(func(b []byte) { n += len(b) })
		req.OnEnd(func() {
			res.SetHeader("Content-Type", "text/plain")
			res.EndString(fmt.Sprintf("%s %s %s body=%d expect=%q te=%q\n", req.Method, req.URL, req.HTTPVersion, n,
				req.Headers.Get("expect"), req.Headers.Get("transfer-encoding")))
		})
	}, func(s *http.Server) { s.OnConnection(func(*net.Socket) { conns++ }) })
	base := "http://" + ts.addr

	out := curl(t, base+"/a", base+"/b", base+"/c")
	assert.Equal(t, "GET /a 1.1 body=0 expect=\"\" te=\"\"\nGET /b 1.1 body=0 expect=\"\" te=\"\"\nGET /c 1.1 body=0 expect=\"\" te=\"\"\n", out)
	ts.do(func() { assert.Equal(t, 1, conns, "curl reused the connection") })

	out = curl(t, "-0", base+"/old")
	assert.Equal(t, "GET /old 1.0 body=0 expect=\"\" te=\"\"\n", out)

	out = curl(t, "-I", base+"/head")
	assert.Contains(t, out, "HTTP/1.1 200 OK\r\n")
	assert.Contains(t, out, "Content-Type: text/plain\r\n")

	dir := tempDir(t)
	small := filepath.Join(dir, "small")
	require.NoError(t, os.WriteFile(small, []byte(strings.Repeat("s", 5000)), 0o644))
	out = curl(t, "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+small, base+"/chunked")
	assert.Equal(t, "POST /chunked 1.1 body=5000 expect=\"\" te=\"chunked\"\n", out)

	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("b"), 3<<20), 0o644))
	start := time.Now()
	out = curl(t, "-H", "Expect: 100-continue", "--data-binary", "@"+big, base+"/big")
	assert.Equal(t, "POST /big 1.1 body=3145728 expect=\"100-continue\" te=\"\"\n", out)
	assert.Less(t, time.Since(start), 900*time.Millisecond, "curl waited for its 1 s Expect timeout")

	out = curl(t, "-i", base+"/x?y=%20z")
	assert.True(t, strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n"), out)
	assert.Contains(t, out, "Connection: keep-alive\r\n")
	assert.Contains(t, out, "Content-Length: ")
	assert.True(t, strings.HasSuffix(out, "GET /x?y=%20z 1.1 body=0 expect=\"\" te=\"\"\n"), out)
}

// curl gets the parser's status for a request it sends wrong, and the connection closes.
func TestCurlRejected(t *testing.T) {
	tool(t, "curl")
	ts := startServer(t, http.ServerOptions{}, hello)
	out := curl(t, "-i", "-H", "X-Big: "+strings.Repeat("h", 20000), "http://"+ts.addr+"/")
	assert.Equal(t, "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n", out)
	out = curl(t, "-i", "-H", "Host:", "http://"+ts.addr+"/")
	assert.Equal(t, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", out)
}
