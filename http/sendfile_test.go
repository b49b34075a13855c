package http_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	nethttp "net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/http"
)

// sendfileRecorder counts the bytes the loop's sendfile calls copied (used on the loop's
// goroutine only).
type sendfileRecorder struct {
	uv.NopTracer
	calls, again int
	bytes        int64
}

func (r *sendfileRecorder) TraceSyscall(_ *uv.Loop, e uv.SyscallEvent) {
	if e.Call != uv.SysSendfile {
		return
	}
	r.calls++
	if errors.Is(e.Err, uv.EAGAIN) {
		r.again++
	} else if e.Err == nil {
		r.bytes += int64(e.Result)
	}
}

// fileServer serves the files of a directory with ServeFile.
func fileServer(t *testing.T, files map[string][]byte) *testServer {
	dir := tempDir(t)
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return startServer(t, http.ServerOptions{}, func(req *http.IncomingMessage, res *http.ServerResponse) {
		http.ServeFile(req, res, filepath.Join(dir, filepath.Base(req.URL)), nil, func(err error) {
			if err != nil && !res.HeadersSent() {
				res.WriteHead(404)
				res.End(nil)
			}
		})
	})
}

// An 8 MiB file is served intact (the body goes out with sendfile where the system has
// it), whole and as a range, with ETag and 304 still working.
func TestServeLargeFile(t *testing.T) {
	big := make([]byte, 8<<20)
	_, err := rand.Read(big)
	require.NoError(t, err)
	ts := fileServer(t, map[string][]byte{"big.bin": big})
	cl := newClient()
	defer cl.CloseIdleConnections()
	url := "http://" + ts.addr + "/big.bin"

	resp, err := cl.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, int64(len(big)), resp.ContentLength)
	require.Equal(t, len(big), len(body))
	require.True(t, bytes.Equal(big, body), "the body differs from the file")
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)

	req, _ := newRequest("GET", url, "Range", "bytes=1000-4000999")
	resp, err = cl.Do(req)
	require.NoError(t, err)
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "bytes 1000-4000999/"+strconv.Itoa(len(big)), resp.Header.Get("Content-Range"))
	require.True(t, bytes.Equal(big[1000:4001000], body), "the range differs from the file")

	req, _ = newRequest("GET", url, "If-None-Match", etag)
	resp, err = cl.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 304, resp.StatusCode)
}

// Keep-alive and pipelining carry on after a file: two requests in one write, then a third,
// on one connection, answered in order.
func TestServeFileKeepAlive(t *testing.T) {
	big := make([]byte, 3<<20)
	_, err := rand.Read(big)
	require.NoError(t, err)
	ts := fileServer(t, map[string][]byte{"big.bin": big, "small.txt": []byte("small")})
	c := dial(t, ts.addr)
	_, err = c.Write([]byte("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	r := bufio.NewReader(c)
	resp, body := readResponse(t, r, "GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "keep-alive", resp.Header.Get("Connection"))
	require.True(t, bytes.Equal(big, []byte(body)))
	resp, body = readResponse(t, r, "GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "small", body)
	_, err = c.Write([]byte("GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-10\r\nConnection: close\r\n\r\n"))
	require.NoError(t, err)
	resp, body = readResponse(t, r, "GET")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, string(big[len(big)-10:]), body)
	assert.Empty(t, expectClose(t, r))
}

// The trace shows the body going out by sendfile: its calls copied every byte of the file
// (whole, then a range), from the page cache to the socket.
func TestServeFileTraceSendfile(t *testing.T) {
	if !uv.SendfileSupported() {
		t.Skip("no socket sendfile on this system: the file is read and written")
	}
	big := make([]byte, 8<<20)
	_, err := rand.Read(big)
	require.NoError(t, err)
	ts := fileServer(t, map[string][]byte{"big.bin": big})
	rec := &sendfileRecorder{}
	ts.do(func() { ts.loop.SetTracer(rec) })
	cl := newClient()
	defer cl.CloseIdleConnections()
	resp, err := cl.Get("http://" + ts.addr + "/big.bin")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.True(t, bytes.Equal(big, body))
	req, _ := newRequest("GET", "http://"+ts.addr+"/big.bin", "Range", "bytes=100-199")
	resp, err = cl.Do(req)
	require.NoError(t, err)
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, big[100:200], body)

	var got sendfileRecorder
	ts.do(func() {
		ts.loop.SetTracer(nil)
		got = *rec
	})
	assert.Positive(t, got.calls)
	assert.Equal(t, int64(len(big)+100), got.bytes, "sendfile copied the whole body of both responses")
	t.Logf("%d sendfile calls, %d of them EAGAIN (waiting for writability)", got.calls, got.again)
}

// newRequest makes a request with header fields given as name, value pairs.
func newRequest(method, url string, kv ...string) (*nethttp.Request, error) {
	req, err := nethttp.NewRequest(method, url, nil)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	return req, nil
}
