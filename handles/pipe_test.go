package handles_test

import (
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
)

// pipeLoop returns a loop that is closed, all handles with it, when the test ends; it
// skips where the loop has no pipes yet.
func pipeLoop(t *testing.T) *uv.Loop {
	t.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("no pipe tests on " + runtime.GOOS + " yet")
	}
	l := mustLoop(t)
	t.Cleanup(func() {
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
		_, err := l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.NoError(t, l.Close())
	})
	return l
}

func pipeRun(t *testing.T, l *uv.Loop) {
	t.Helper()
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
}

// An echo over a named pipe; names on both sides; the path is removed on close.
func TestPipeEcho(t *testing.T) {
	l := pipeLoop(t)
	path := pipePath(t, "echo.sock")
	srv, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	require.False(t, srv.IPC())
	require.NoError(t, srv.Bind(path))
	name, err := srv.Sockname()
	require.NoError(t, err)
	require.Equal(t, path, name)
	_, err = srv.Peername()
	require.ErrorIs(t, err, uv.ENOTCONN)
	require.NoError(t, srv.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		c, err := handles.NewPipe(l, false)
		require.NoError(t, err)
		require.NoError(t, s.Accept(&c.Stream))
		require.NoError(t, c.ReadStart(nil, func(st *handles.Stream, buf []byte, err error) {
			if err != nil {
				st.Close(nil)
				return
			}
			if len(buf) > 0 {
				out := append([]byte(nil), buf...)
				require.NoError(t, st.Write(new(handles.WriteReq), [][]byte{out}, nil))
			}
		}))
	}))

	cli, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	var creq handles.ConnectReq
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	var got []byte
	require.NoError(t, cli.Connect(&creq, path, func(r *handles.ConnectReq, err error) {
		require.NoError(t, err)
		require.True(t, cli.IsReadable())
		require.True(t, cli.IsWritable())
		peer, err := cli.Peername()
		require.NoError(t, err)
		require.Equal(t, path, peer)
		local, err := cli.Sockname()
		require.NoError(t, err)
		require.Empty(t, local)
		require.NoError(t, cli.Write(&wreq, [][]byte{[]byte("PI"), []byte("NG")}, nil))
		require.NoError(t, cli.Shutdown(&sreq, nil))
		require.NoError(t, cli.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
			if err != nil {
				require.ErrorIs(t, err, uv.EOF)
				s.Close(nil)
				srv.Close(nil)
				return
			}
			got = append(got, buf...)
		}))
	}))
	pipeRun(t, l)
	require.Equal(t, "PING", string(got))
	_, err = os.Stat(path)
	require.True(t, os.IsNotExist(err), "the bound path is removed on close")
}

// An anonymous pipe pair: each end is readable or writable as opened; closing the write end
// is EOF for the reader.
func TestPipePair(t *testing.T) {
	l := pipeLoop(t)
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(t, err)
	r, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	w, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, r.Open(fds[0]))
	require.NoError(t, w.Open(fds[1]))
	require.True(t, r.IsReadable())
	require.False(t, r.IsWritable())
	require.False(t, w.IsReadable())
	require.True(t, w.IsWritable())
	require.ErrorIs(t, r.Open(fds[0]), uv.EBUSY)

	var req handles.WriteReq
	writes := 0
	require.NoError(t, w.Write(&req, [][]byte{[]byte("hello")}, func(*handles.WriteReq, error) {
		writes++
		w.Close(nil)
	}))
	var got []byte
	eof := false
	require.NoError(t, r.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		if err != nil {
			require.ErrorIs(t, err, uv.EOF)
			eof = true
			s.Close(nil)
			return
		}
		got = append(got, buf...)
	}))
	pipeRun(t, l)
	require.Equal(t, 1, writes)
	require.True(t, eof)
	require.Equal(t, "hello", string(got))
}

// Open's errors: a descriptor that is not open, one the loop already watches.
func TestPipeOpenErrors(t *testing.T) {
	l := pipeLoop(t)
	fds, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	a, _ := handles.NewPipe(l, false)
	require.NoError(t, a.Open(fds[0]))
	require.NoError(t, a.ReadStart(nil, func(*handles.Stream, []byte, error) {}))
	b, _ := handles.NewPipe(l, false)
	require.ErrorIs(t, b.Open(fds[0]), uv.EEXIST)
	w, _ := handles.NewPipe(l, false)
	require.NoError(t, w.Open(fds[1]))
	w.Close(nil)
	c, _ := handles.NewPipe(l, false)
	require.ErrorIs(t, c.Open(fds[1]), uv.EBADF, "fds[1] was closed with w")
	a.Close(nil)
	b.Close(nil)
	c.Close(nil)
	require.ErrorIs(t, c.Open(fds[1]), uv.EINVAL, "closing")
	pipeRun(t, l)
}

// Bind's argument rules.
func TestPipeBindRules(t *testing.T) {
	l := pipeLoop(t)
	path := pipePath(t, "b.sock")
	p, _ := handles.NewPipe(l, false)
	require.ErrorIs(t, p.Bind2(path, 2), uv.EINVAL, "unknown flag")
	require.ErrorIs(t, p.Bind("bad\x00path"), uv.EINVAL)
	long := "/tmp/" + strings.Repeat("x", uv.MaxPipeName)
	require.ErrorIs(t, p.Bind2(long, handles.PipeNoTruncate), uv.EINVAL)
	require.ErrorIs(t, p.Bind(pipeUnbindable(path)), uv.EACCES)
	_, err := p.Sockname()
	require.ErrorIs(t, err, uv.EBADF)
	require.ErrorIs(t, p.Listen(1, func(*handles.Stream, error) {}), uv.EINVAL, "not bound")
	require.NoError(t, p.Bind(path))
	require.ErrorIs(t, p.Bind(path+"2"), uv.EINVAL, "already bound")

	q, _ := handles.NewPipe(l, false)
	require.ErrorIs(t, q.Bind(path), uv.EADDRINUSE)

	ipc, _ := handles.NewPipe(l, true)
	require.True(t, ipc.IPC())
	require.NoError(t, ipc.Bind(path+"-ipc"))
	require.ErrorIs(t, ipc.Listen(1, func(*handles.Stream, error) {}), uv.EINVAL, "IPC pipes do not listen")
	pipeRun(t, l)
}

// Connect reports name errors to the callback; Connect2 returns them.
func TestPipeConnectErrors(t *testing.T) {
	l := pipeLoop(t)
	p, _ := handles.NewPipe(l, false)
	var req handles.ConnectReq
	require.ErrorIs(t, p.Connect2(&req, "", 0, nil), uv.EINVAL)
	require.ErrorIs(t, p.Connect2(&req, "x", 4, nil), uv.EINVAL)
	var got []error
	require.NoError(t, p.Connect(&req, "", func(r *handles.ConnectReq, err error) {
		require.Same(t, &req, r)
		got = append(got, err)
	}))
	require.ErrorIs(t, p.Connect(&req, "x", nil), uv.EALREADY)
	require.Empty(t, got, "the callback runs on the loop")
	pipeRun(t, l)
	require.NoError(t, p.Connect(&req, pipePath(t, "none"), func(r *handles.ConnectReq, err error) {
		got = append(got, err)
	}))
	pipeRun(t, l)
	require.Len(t, got, 2)
	require.ErrorIs(t, got[0], uv.EINVAL)
	require.ErrorIs(t, got[1], uv.ENOENT)
	require.False(t, p.IsReadable())
}

// An IPC pipe carries a TCP handle and a pipe handle to the other end, which takes them with
// Accept after checking their types.
func TestPipeIPCPassesHandles(t *testing.T) {
	l := pipeLoop(t)
	pipeNeedIPC(t)
	fds, err := uv.Socketpair(uv.SockStream)
	require.NoError(t, err)
	a, _ := handles.NewPipe(l, true)
	b, _ := handles.NewPipe(l, true)
	require.NoError(t, a.Open(uv.OSFd(fds[0])))
	require.NoError(t, b.Open(uv.OSFd(fds[1])))

	tcp, _ := handles.NewTCP(l)
	require.NoError(t, tcp.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	tcpAddr, err := tcp.Sockname()
	require.NoError(t, err)
	path := pipePath(t, "ipc.sock")
	bound, _ := handles.NewPipe(l, false)
	require.NoError(t, bound.Bind(path))

	var w1, w2 handles.WriteReq
	written := 0
	wcb := func(_ *handles.WriteReq, err error) {
		require.NoError(t, err)
		written++
	}
	require.NoError(t, a.Write2(&w1, [][]byte{[]byte("T")}, &tcp.Stream, wcb))
	require.NoError(t, a.Write2(&w2, [][]byte{[]byte("P")}, &bound.Stream, wcb))

	var types []uv.HandleType
	var gotTCP *handles.TCP
	var gotPipe *handles.Pipe
	require.NoError(t, b.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		require.NoError(t, err)
		for b.PendingCount() > 0 {
			typ := b.PendingType()
			types = append(types, typ)
			switch typ {
			case uv.TypeTCP:
				gotTCP, _ = handles.NewTCP(l)
				require.NoError(t, s.Accept(&gotTCP.Stream))
			case uv.TypeNamedPipe:
				gotPipe, _ = handles.NewPipe(l, false)
				require.NoError(t, s.Accept(&gotPipe.Stream))
			default:
				t.Fatalf("pending type %v", typ)
			}
		}
		if len(types) == 2 {
			require.Equal(t, uv.UnknownHandle, b.PendingType())
			s.Close(nil)
			a.Close(nil)
		}
	}))
	pipeRun(t, l)
	require.Equal(t, 2, written)
	require.Equal(t, []uv.HandleType{uv.TypeTCP, uv.TypeNamedPipe}, types)
	addr, err := gotTCP.Sockname()
	require.NoError(t, err)
	require.Equal(t, tcpAddr, addr, "the received socket is the sent one")
	name, err := gotPipe.Sockname()
	require.NoError(t, err)
	require.Equal(t, path, name)

	plain, _ := handles.NewPipe(l, false)
	require.Zero(t, plain.PendingCount())
	require.Equal(t, uv.UnknownHandle, plain.PendingType())
}

// On Linux a name starting with a NUL byte is abstract: no file, and the name comes back
// whole, NUL bytes included; an empty name autobinds.
func TestPipeAbstractNames(t *testing.T) {
	l := pipeLoop(t)
	if !uv.AbstractPipeNames {
		t.Skip("abstract socket names are Linux only")
	}
	name := "\x00uv-go-pipe-test\x00x"
	srv, _ := handles.NewPipe(l, false)
	require.NoError(t, srv.Bind(name))
	got, err := srv.Sockname()
	require.NoError(t, err)
	require.Equal(t, name, got)
	require.ErrorIs(t, srv.Chmod(handles.Readable), uv.ENOENT)

	auto, _ := handles.NewPipe(l, false)
	require.NoError(t, auto.Bind2("", 0))
	got, err = auto.Sockname()
	require.NoError(t, err)
	require.Len(t, got, 6)
	require.Equal(t, byte(0), got[0])
	pipeRun(t, l)
}

// A pipe write with a reused request, and a read into the loop's buffer, allocate nothing.
func TestPipeReadWriteAllocs(t *testing.T) {
	testutil.SkipRace(t)
	l := pipeLoop(t)
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(t, err)
	r, _ := handles.NewPipe(l, false)
	w, _ := handles.NewPipe(l, false)
	require.NoError(t, r.Open(fds[0]))
	require.NoError(t, w.Open(fds[1]))
	pipeRequireNoAllocs(t, l, r, w)
}

// A data write on an IPC pipe, and its read, allocate nothing in steady state either (on
// Windows each write is a frame with its own header, which the pipe reuses).
func TestPipeIPCReadWriteAllocs(t *testing.T) {
	testutil.SkipRace(t)
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("on " + runtime.GOOS + " a read goes through unix.Recvmsg, which allocates the sender's address")
	}
	l := pipeLoop(t)
	fds, err := uv.IPCPair()
	require.NoError(t, err)
	r, _ := handles.NewPipe(l, true)
	w, _ := handles.NewPipe(l, true)
	require.NoError(t, r.Open(uv.OSFd(fds[0])))
	require.NoError(t, w.Open(uv.OSFd(fds[1])))
	pipeRequireNoAllocs(t, l, r, w)
}

// pipeRequireNoAllocs writes 4 bytes on w with one reused request and reads them on r, again
// and again, and requires that a round allocates nothing once warm.
func pipeRequireNoAllocs(t *testing.T, l *uv.Loop, r, w *handles.Pipe) {
	var req handles.WriteReq
	bufs := [][]byte{[]byte("PI"), []byte("NG")}
	n, writes := 0, 0
	wcb := func(_ *handles.WriteReq, err error) {
		if err != nil {
			t.Error(err)
		}
		writes++
	}
	read := func(_ *handles.Stream, buf []byte, err error) {
		if err != nil {
			t.Error(err)
		}
		n += len(buf)
	}
	require.NoError(t, r.ReadStart(nil, read))
	step := func() {
		want, wantWrites := n+4, writes+1
		if err := w.Write(&req, bufs, wcb); err != nil {
			t.Fatal(err)
		}
		for n < want || writes < wantWrites {
			if _, err := l.Run(uv.RunOnce); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 10 { // warm up: the loop's buffers, the pipe's frames
		step()
	}
	avg := testing.AllocsPerRun(500, step)
	require.Equal(t, 4*511, n)
	require.Equal(t, 511, writes)
	require.Zero(t, avg, "allocations per write and read")
}

// BenchmarkPipeWriteRead measures one 64-byte write through an anonymous pipe and its read,
// on one loop.
func BenchmarkPipeWriteRead(b *testing.B) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		b.Skip("no pipe tests on " + runtime.GOOS + " yet")
	}
	l := mustLoop(b)
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(b, err)
	r, _ := handles.NewPipe(l, false)
	w, _ := handles.NewPipe(l, false)
	require.NoError(b, r.Open(fds[0]))
	require.NoError(b, w.Open(fds[1]))
	var req handles.WriteReq
	bufs := [][]byte{make([]byte, 64)}
	n, writes := 0, 0
	wcb := func(*handles.WriteReq, error) { writes++ }
	require.NoError(b, r.ReadStart(nil, func(_ *handles.Stream, buf []byte, err error) { n += len(buf) }))
	b.ReportAllocs()
	b.SetBytes(64)
	for b.Loop() {
		want, wantWrites := n+64, writes+1
		if err := w.Write(&req, bufs, wcb); err != nil {
			b.Fatal(err)
		}
		for n < want || writes < wantWrites {
			if _, err := l.Run(uv.RunOnce); err != nil {
				b.Fatal(err)
			}
		}
	}
	r.Close(nil)
	w.Close(nil)
	_, err = l.Run(uv.RunDefault)
	require.NoError(b, err)
	require.NoError(b, l.Close())
}
