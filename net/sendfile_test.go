package net_test

import (
	"bytes"
	"crypto/rand"
	"io"
	gonet "net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/stream"
)

// tempFile writes n random bytes to a file and opens it for reading.
func tempFile(t *testing.T, n int) (*os.File, []byte) {
	t.Helper()
	data := make([]byte, n)
	_, err := rand.Read(data)
	require.NoError(t, err)
	path := filepath.Join(tempDir(t), "data")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f, data
}

// sendfileModes runs a test with the system's sendfile (where it has one) and with the
// read-and-write path the other systems take.
func sendfileModes(t *testing.T, fn func(t *testing.T)) {
	t.Run("native", func(t *testing.T) {
		if !uv.SendfileSupported() {
			t.Skip("no socket sendfile on this system")
		}
		fn(t)
	})
	t.Run("emulated", func(t *testing.T) {
		defer net.EmulateSendfile()()
		fn(t)
	})
}

// serveOnce starts a server whose connection callback is onConn, and a Go client that
// waits for start to be closed, then reads until EOF.
func serveOnce(t *testing.T, l *uv.Loop, start chan struct{}, onConn func(c *net.Socket)) (got chan []byte) {
	got = make(chan []byte, 1)
	var srv *net.Server
	srv, err := net.NewServer(net.ServerOptions{Loop: l}, func(c *net.Socket) {
		srv.Close(nil)
		onConn(c)
	})
	require.NoError(t, err)
	require.NoError(t, srv.ListenHost(0, "127.0.0.1", func() {
		addr := srv.AddrPort().String()
		go func() {
			conn, err := gonet.Dial("tcp", addr)
			if err != nil {
				got <- nil
				return
			}
			defer conn.Close()
			select {
			case <-start:
			case <-time.After(10 * time.Second):
			}
			b, _ := io.ReadAll(conn)
			got <- b
		}()
	}))
	return got
}

// SendFile goes out after the bytes written before it, including those the stream still
// buffers, and before those written after it, even when the stream joins both into one
// chunk; End shuts the socket down after the file.
func TestSendFileOrder(t *testing.T) {
	sendfileModes(t, func(t *testing.T) {
		l := testLoop(t)
		f, data := tempFile(t, 3<<20+17)
		const off = 1000
		n := int64(len(data) - 2*off)
		big := bytes.Repeat([]byte("A"), 16<<20) // more than the kernel takes at once
		var sent []string
		start := make(chan struct{})
		got := serveOnce(t, l, start, func(c *net.Socket) {
			c.OnFinish(func() { sent = append(sent, "finish") })
			c.Write(big)
			c.Write([]byte("before"))
			require.Positive(t, c.WritableLength()-len(big), "the stream buffers the bytes before the file")
			err := c.SendFile(uv.OSFd(f.Fd()), off, n, func(err error) {
				assert.NoError(t, err)
				sent = append(sent, "file")
			})
			assert.NoError(t, err)
			assert.ErrorIs(t, c.SendFile(uv.OSFd(f.Fd()), 0, 1, func(error) {}), uv.EBUSY)
			c.Write([]byte("after"))
			c.End(nil)
			close(start)
		})
		run(t, l)
		want := append(append(append(append([]byte{}, big...), "before"...), data[off:off+n]...), "after"...)
		b := <-got
		require.Equal(t, len(want), len(b))
		require.True(t, bytes.Equal(want, b), "the bytes arrived out of order")
		assert.Equal(t, []string{"file", "finish"}, sent)
	})
}

// A SendFile on an idle socket starts at once; what is written while it goes out waits.
func TestSendFileIdle(t *testing.T) {
	sendfileModes(t, func(t *testing.T) {
		l := testLoop(t)
		f, data := tempFile(t, 1<<20)
		var bytesWritten uint64
		start := make(chan struct{})
		got := serveOnce(t, l, start, func(c *net.Socket) {
			close(start)
			err := c.SendFile(uv.OSFd(f.Fd()), 0, int64(len(data)), func(err error) {
				assert.NoError(t, err)
				bytesWritten = c.BytesWritten()
			})
			require.NoError(t, err)
			c.Write([]byte("tail"))
			c.End([]byte("!"))
		})
		run(t, l)
		b := <-got
		require.True(t, bytes.Equal(append(append(data, "tail"...), '!'), b))
		assert.Equal(t, uint64(len(data)), bytesWritten)
	})
}

// Destroying the socket while the file goes out cancels it: the callback gets ECANCELED,
// once. A file shorter than asked fails with EIO and destroys the socket.
func TestSendFileCancelAndShortFile(t *testing.T) {
	sendfileModes(t, func(t *testing.T) {
		l := testLoop(t)
		f, data := tempFile(t, 8<<20)
		var errs []error
		start := make(chan struct{})
		got := serveOnce(t, l, start, func(c *net.Socket) {
			err := c.SendFile(uv.OSFd(f.Fd()), 0, int64(len(data)), func(err error) { errs = append(errs, err) })
			require.NoError(t, err)
			c.Write([]byte("never"))
			c.Destroy(nil)
			close(start)
		})
		run(t, l)
		<-got
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], uv.ECANCELED)

		l = testLoop(t)
		var sockErr error
		errs = nil
		start = make(chan struct{})
		got = serveOnce(t, l, start, func(c *net.Socket) {
			close(start)
			c.OnError(func(err error) { sockErr = err })
			err := c.SendFile(uv.OSFd(f.Fd()), int64(len(data))-10, 20, func(err error) { errs = append(errs, err) })
			require.NoError(t, err)
		})
		run(t, l)
		b := <-got
		assert.Equal(t, data[len(data)-10:], b, "the bytes the file had went out")
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], uv.EIO)
		assert.ErrorIs(t, sockErr, uv.EIO)
	})
}

// SendFile refuses bad arguments and sockets that cannot write, without calling back.
func TestSendFileMisuse(t *testing.T) {
	l := testLoop(t)
	f, _ := tempFile(t, 10)
	fd := uv.OSFd(f.Fd())
	never := func(error) { t.Error("the callback ran") }
	s, err := net.NewSocket(net.SocketOptions{Loop: l})
	require.NoError(t, err)
	assert.ErrorIs(t, s.SendFile(fd, 0, 10, never), uv.ENOTCONN)
	start := make(chan struct{})
	got := serveOnce(t, l, start, func(c *net.Socket) {
		assert.ErrorIs(t, c.SendFile(fd, 0, 0, never), uv.EINVAL)
		assert.ErrorIs(t, c.SendFile(fd, -1, 5, never), uv.EINVAL)
		assert.ErrorIs(t, c.SendFile(fd, 0, 5, nil), uv.EINVAL)
		c.End(nil)
		assert.ErrorIs(t, c.SendFile(fd, 0, 5, never), stream.ErrWriteAfterEnd)
		c.Destroy(nil)
		assert.ErrorIs(t, c.SendFile(fd, 0, 5, never), net.ErrSocketClosed)
		close(start)
	})
	run(t, l)
	<-got
}
