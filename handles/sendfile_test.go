package handles_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// sendfileTracer keeps the loop's sendfile calls.
type sendfileTracer struct {
	uv.NopTracer
	calls []uv.SyscallEvent
}

func (r *sendfileTracer) TraceSyscall(_ *uv.Loop, e uv.SyscallEvent) {
	if e.Call == uv.SysSendfile {
		r.calls = append(r.calls, e)
	}
}

func randomFile(t *testing.T, n int) (*os.File, []byte) {
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

// tcpPair connects a client to a server on the loop and calls onConn with the accepted
// stream; the client reads until EOF into the returned buffer.
func tcpPair(t *testing.T, l *uv.Loop, onConn func(conn *handles.TCP)) *[]byte {
	got := new([]byte)
	srv, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, srv.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		conn, _ := handles.NewTCP(l)
		require.NoError(t, s.Accept(&conn.Stream))
		srv.Close(nil)
		onConn(conn)
	}))
	addr, err := srv.Sockname()
	require.NoError(t, err)
	cli, _ := handles.NewTCP(l)
	var creq handles.ConnectReq
	require.NoError(t, cli.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.NoError(t, cli.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
			if err != nil {
				s.Close(nil)
				return
			}
			*got = append(*got, buf...)
		}))
	}))
	return got
}

// WriteFile sends a file with sendfile(2) in order with the writes around it. The socket's
// buffer fills long before 16 MiB: sendfile returns EAGAIN, the op waits for writability
// and goes on from its offset, every call of it reported to the tracer.
func TestWriteFileOrderAndProgress(t *testing.T) {
	if !uv.SendfileSupported() {
		t.Skip("no socket sendfile on this system")
	}
	l := mustLoop(t)
	rec := &sendfileTracer{}
	l.SetTracer(rec)
	f, data := randomFile(t, 16<<20)
	const off = 4096
	n := len(data) - off - 1
	var events []string
	var reqs [3]handles.WriteReq
	var sreq handles.ShutdownReq
	var connFd uv.OSFd
	cb := func(name string) func(*handles.WriteReq, error) {
		return func(r *handles.WriteReq, err error) {
			assert.NoError(t, err)
			assert.Zero(t, r.Unwritten())
			events = append(events, name)
		}
	}
	got := tcpPair(t, l, func(conn *handles.TCP) {
		connFd, _ = conn.Fileno()
		require.NoError(t, conn.Write(&reqs[0], [][]byte{[]byte("head")}, cb("head")))
		require.NoError(t, conn.WriteFile(&reqs[1], uv.OSFd(f.Fd()), off, n, cb("file")))
		require.NoError(t, conn.Write(&reqs[2], [][]byte{[]byte("tail")}, cb("tail")))
		require.NoError(t, conn.Shutdown(&sreq, func(*handles.ShutdownReq, error) {
			events = append(events, "shutdown")
			conn.Close(nil)
		}))
	})
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())

	want := append(append([]byte("head"), data[off:off+n]...), "tail"...)
	require.Equal(t, len(want), len(*got))
	require.True(t, bytes.Equal(want, *got), "the bytes differ")
	assert.Equal(t, []string{"head", "file", "tail", "shutdown"}, events)

	require.NotEmpty(t, rec.calls)
	next, sent, again := int64(off), 0, 0
	for _, c := range rec.calls {
		assert.Equal(t, int(connFd), c.Fd)
		assert.Equal(t, int64(f.Fd()), c.Args[0], "the input")
		assert.Equal(t, next, c.Args[1], "each call goes on from where the last stopped")
		assert.Equal(t, int64(n-sent), c.Args[2], "each call asks for the rest")
		if errors.Is(c.Err, uv.EAGAIN) {
			again++
			continue
		}
		require.NoError(t, c.Err)
		next += int64(c.Result)
		sent += c.Result
	}
	assert.Equal(t, n, sent)
	if runtime.GOOS == "windows" {
		// TransmitFile waits in the kernel for the socket itself: no EAGAIN, and each call
		// is reported once its bytes are known.
		assert.Zero(t, again)
	} else {
		assert.Positive(t, again, "the socket's buffer never filled: no EAGAIN")
	}
}

// Closing cancels a queued file op: ECANCELED, with what was left unwritten. A file that is
// shorter than asked fails with EIO after its bytes went out.
func TestWriteFileCancelAndShort(t *testing.T) {
	if !uv.SendfileSupported() {
		t.Skip("no socket sendfile on this system")
	}
	l := mustLoop(t)
	f, data := randomFile(t, 16<<20)
	var req handles.WriteReq
	var cancelErr error
	unwritten := 0
	tcpPair(t, l, func(conn *handles.TCP) {
		require.NoError(t, conn.WriteFile(&req, uv.OSFd(f.Fd()), 0, len(data), func(r *handles.WriteReq, err error) {
			cancelErr, unwritten = err, r.Unwritten()
		}))
		conn.Close(nil)
	})
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	assert.ErrorIs(t, cancelErr, uv.ECANCELED)
	assert.Positive(t, unwritten)
	if runtime.GOOS != "windows" {
		// TransmitFile starts at once too, but its bytes count as sent only when it
		// completes.
		assert.Less(t, unwritten, len(data), "the first sendfile ran at once")
	}

	var shortErr error
	got := tcpPair(t, l, func(conn *handles.TCP) {
		require.NoError(t, conn.WriteFile(&req, uv.OSFd(f.Fd()), int64(len(data)-3), 10, func(r *handles.WriteReq, err error) {
			shortErr = err
			conn.Close(nil)
		}))
	})
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	assert.ErrorIs(t, shortErr, uv.EIO)
	assert.Equal(t, data[len(data)-3:], *got)
}

// WriteFile's misuse errors.
func TestWriteFileMisuse(t *testing.T) {
	l := mustLoop(t)
	f, _ := randomFile(t, 10)
	fd := uv.OSFd(f.Fd())
	var req handles.WriteReq
	tcp, err := handles.NewTCP(l)
	require.NoError(t, err)
	if !uv.SendfileSupported() {
		assert.ErrorIs(t, tcp.WriteFile(&req, fd, 0, 10, nil), uv.ENOSYS)
	} else {
		assert.ErrorIs(t, tcp.WriteFile(&req, fd, 0, 10, nil), uv.EBADF, "no socket yet")
	}
	assert.ErrorIs(t, tcp.WriteFile(nil, fd, 0, 10, nil), uv.EINVAL)
	assert.ErrorIs(t, tcp.WriteFile(&req, fd, 0, 0, nil), uv.EINVAL)
	assert.ErrorIs(t, tcp.WriteFile(&req, fd, -1, 10, nil), uv.EINVAL)
	tcp.Close(nil)
	assert.ErrorIs(t, tcp.WriteFile(&req, fd, 0, 10, nil), uv.EINVAL, "closing")
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)

	if uv.SendfileSupported() {
		var sreq handles.ShutdownReq
		var shutErr error
		tcpPair(t, l, func(conn *handles.TCP) {
			require.NoError(t, conn.Shutdown(&sreq, func(*handles.ShutdownReq, error) { conn.Close(nil) }))
			shutErr = conn.WriteFile(&req, fd, 0, 10, nil)
		})
		_, err = l.Run(uv.RunDefault)
		require.NoError(t, err)
		assert.ErrorIs(t, shutErr, uv.EPIPE)
	}
	require.NoError(t, l.Close())
}
