package uv

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/internal/testutil"
	"golang.org/x/sys/windows"
)

// Tests of the file ops of a Windows Sock (sock_transmitfile_windows.go): TransmitFile calls
// in the write queue, in order with the sends around them. Wine implements TransmitFile
// (Wine 8: in order with the socket's other sends, from the OVERLAPPED's offset, stopping at
// the end of the file), so they run under Wine too.

// tfFile writes n random bytes to a file and opens it for reading.
func tfFile(t *testing.T, n int) (*os.File, []byte) {
	t.Helper()
	data := make([]byte, n)
	_, err := rand.Read(data)
	require.NoError(t, err)
	path := filepath.Join(testutil.TempDir(t), "data")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f, data
}

// tfPair binds both ends of a connected pair of sockets to Socks of l. The peer, once
// reading, collects what arrives; eof is set at the end of the stream.
type tfPair struct {
	s, peer Sock
	got     []byte
	eof     bool
	readErr error
}

func newTFPair(t *testing.T, l *Loop) *tfPair {
	t.Helper()
	p, err := Socketpair(SockStream)
	require.NoError(t, err)
	tp := &tfPair{}
	require.NoError(t, tp.s.Init(l, p[0], SockStream, false))
	require.NoError(t, tp.peer.Init(l, p[1], SockStream, false))
	t.Cleanup(func() {
		tp.s.Close()
		tp.s.CancelAll()
		tp.peer.Close()
	})
	return tp
}

func (tp *tfPair) startReading(t *testing.T) {
	buf := make([]byte, 64<<10)
	require.NoError(t, tp.peer.StartRead(func() {
		for {
			n, err := tp.peer.Read(buf)
			switch {
			case err == EOF:
				tp.eof = true
				tp.peer.StopRead()
				return
			case err != nil:
				if err != EAGAIN {
					tp.readErr = err
					tp.peer.StopRead()
				}
				return
			}
			tp.got = append(tp.got, buf[:n]...)
		}
	}))
}

// runUntil polls and runs the pending phase until cond holds, for up to about 20 seconds:
// the slow part is Wine moving megabytes through loopback.
func runUntil(t *testing.T, l *Loop, cond func() bool) {
	t.Helper()
	for i := 0; i < 2000 && !cond(); i++ {
		l.backendPoll(10)
		l.runPending()
	}
	require.True(t, cond())
}

// transmitRec keeps the loop's SysSendfile events (TransmitFile calls).
type transmitRec struct {
	NopTracer
	calls []SyscallEvent
}

func (r *transmitRec) TraceSyscall(_ *Loop, e SyscallEvent) {
	if e.Call == SysSendfile {
		r.calls = append(r.calls, e)
	}
}

// A file op sends a large file from an offset, between the writes queued before and after
// it, and its callback runs in queue order, in the pending phase. Each TransmitFile is
// reported once its bytes are known; with transmitFileMax lowered, one op takes several calls
// (as a file of more than 2 GiB does), issued together and in order. The file's position is
// neither used nor moved.
func TestWriteFileTransmitOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  int64
	}{{"one call", transmitFileMax}, {"chained", 1<<20 - 3}} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(old int64) { transmitFileMax = old }(transmitFileMax)
			transmitFileMax = tc.max
			l := iocpLoop(t)
			rec := &transmitRec{}
			l.SetTracer(rec)
			defer l.SetTracer(nil)
			f, data := tfFile(t, 3<<20+1234)
			const off = 4097
			n := len(data) - off - 5
			tp := newTFPair(t, l)
			tp.startReading(t)

			var events []string
			var ops [5]WriteOp
			cb := func(op *WriteOp, err error) {
				assert.NoError(t, err)
				assert.Zero(t, op.Size(), "unwritten")
				events = append(events, op.Ctx.(string))
			}
			file := OSFd(f.Fd())
			ops[0].Ctx, ops[1].Ctx, ops[2].Ctx, ops[3].Ctx, ops[4].Ctx = "head", "file", "mid", "file2", "tail"
			require.NoError(t, tp.s.Write(&ops[0], [][]byte{[]byte("head")}, InvalidSock, false, cb))
			require.NoError(t, tp.s.WriteFile(&ops[1], file, off, n, cb))
			require.NoError(t, tp.s.Write(&ops[2], [][]byte{[]byte("mid")}, InvalidSock, false, cb))
			require.NoError(t, tp.s.WriteFile(&ops[3], file, 0, 10, cb))
			require.NoError(t, tp.s.Write(&ops[4], [][]byte{[]byte("tail")}, InvalidSock, false, cb))
			require.NoError(t, tp.s.Shutdown(func(err error) {
				assert.NoError(t, err)
				events = append(events, "shutdown")
			}))
			require.Empty(t, events, "callbacks run in the pending phase, not in the call")
			runUntil(t, l, func() bool { return tp.eof && len(events) == 6 })
			require.NoError(t, tp.readErr)

			want := append(append(append(append([]byte("head"), data[off:off+n]...), "mid"...),
				data[:10]...), "tail"...)
			require.Equal(t, len(want), len(tp.got))
			require.True(t, bytes.Equal(want, tp.got), "the bytes differ")
			assert.Equal(t, []string{"head", "file", "mid", "file2", "tail", "shutdown"}, events)
			assert.Zero(t, tp.s.WriteQueueSize())

			// The calls: the parts of the first op, from its offset on, then the second op.
			parts := int((int64(n) + tc.max - 1) / tc.max)
			require.Len(t, rec.calls, parts+1)
			next, sent := int64(off), 0
			for i, c := range rec.calls[:parts] {
				require.NoError(t, c.Err)
				assert.Equal(t, int(tp.s.fd), c.Fd)
				assert.Equal(t, int64(f.Fd()), c.Args[0], "the file")
				assert.Equal(t, next, c.Args[1], "part %d starts where the last ended", i)
				assert.Equal(t, min(tc.max, int64(n-sent)), c.Args[2], "part %d's size", i)
				assert.Equal(t, c.Args[2], int64(c.Result), "part %d was sent whole", i)
				next += int64(c.Result)
				sent += c.Result
			}
			assert.Equal(t, n, sent)
			last := rec.calls[parts]
			assert.Equal(t, []int64{int64(f.Fd()), 0, 10}, last.Args[:3])
			assert.Equal(t, 10, last.Result)

			pos, err := f.Seek(0, io.SeekCurrent)
			require.NoError(t, err)
			assert.Zero(t, pos, "the file's position moved")
			runUntil(t, l, func() bool { return inflight(l) <= 1 }) // the peer's zero read at most
		})
	}
}

// A file shorter than the op sends what it has, then the op fails with EIO and what was left
// unsent; one that ends before the op's offset sends nothing. A handle that is not a disk
// file fails the op with EINVAL, with nothing sent, so the layers above can read it instead.
// The queue goes on after each.
func TestWriteFileTransmitShortAndNotAFile(t *testing.T) {
	l := iocpLoop(t)
	f, data := tfFile(t, 100)
	file := OSFd(f.Fd())
	pipe, err := PipePair(0, 0)
	require.NoError(t, err)
	defer windows.CloseHandle(windows.Handle(pipe[0]))
	defer windows.CloseHandle(windows.Handle(pipe[1]))
	tp := newTFPair(t, l)
	tp.startReading(t)

	type result struct {
		name      string
		err       error
		unwritten int
	}
	var got []result
	cb := func(op *WriteOp, err error) { got = append(got, result{op.Ctx.(string), err, op.Size()}) }
	var ops [5]WriteOp
	ops[0].Ctx, ops[1].Ctx, ops[2].Ctx, ops[3].Ctx, ops[4].Ctx = "short", "past end", "pipe", "dir", "ok"
	require.NoError(t, tp.s.WriteFile(&ops[0], file, int64(len(data)-3), 10, cb))
	require.NoError(t, tp.s.WriteFile(&ops[1], file, int64(len(data)+5), 10, cb))
	require.NoError(t, tp.s.WriteFile(&ops[2], pipe[0], 0, 10, cb))
	dir, err := windows.CreateFile(windows.StringToUTF16Ptr(testutil.TempDir(t)), windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	require.NoError(t, err)
	defer windows.CloseHandle(dir)
	require.NoError(t, tp.s.WriteFile(&ops[3], OSFd(dir), 0, 10, cb))
	require.NoError(t, tp.s.Write(&ops[4], [][]byte{[]byte("ok")}, InvalidSock, false, cb))
	require.NoError(t, tp.s.Shutdown(func(error) {}))
	runUntil(t, l, func() bool { return tp.eof && len(got) == 5 })

	require.Len(t, got, 5)
	assert.Equal(t, result{"short", EIO, 7}, got[0])
	assert.Equal(t, result{"past end", EIO, 10}, got[1])
	assert.Equal(t, result{"pipe", EINVAL, 10}, got[2])
	assert.Equal(t, result{"dir", EINVAL, 10}, got[3])
	assert.Equal(t, result{"ok", nil, 0}, got[4])
	assert.Equal(t, append(append([]byte{}, data[len(data)-3:]...), "ok"...), tp.got)
}

// Closing the sock cancels a file op the kernel still owns, like a send: ECANCELED, in queue
// order with the write behind it, with what was left unsent; the packets then free the
// requests.
func TestWriteFileTransmitCancel(t *testing.T) {
	l := iocpLoop(t)
	f, data := tfFile(t, 16<<20)
	tp := newTFPair(t, l) // the peer never reads
	var order []string
	var errs []error
	unwritten := 0
	cb := func(op *WriteOp, err error) {
		order = append(order, op.Ctx.(string))
		errs = append(errs, err)
		if op.Ctx == "file" {
			unwritten = op.Size()
		}
	}
	var ops [2]WriteOp
	ops[0].Ctx, ops[1].Ctx = "file", "after"
	require.NoError(t, tp.s.WriteFile(&ops[0], OSFd(f.Fd()), 0, len(data), cb))
	require.NoError(t, tp.s.Write(&ops[1], [][]byte{[]byte("after")}, InvalidSock, false, cb))
	require.Positive(t, inflight(l), "the kernel cannot send it all")
	tp.s.Close()
	tp.s.CancelAll()
	require.Equal(t, []string{"file", "after"}, order)
	require.ErrorIs(t, errs[0], ECANCELED)
	require.ErrorIs(t, errs[1], ECANCELED)
	assert.Positive(t, unwritten)
	require.Zero(t, l.ActiveRequests())
	tp.peer.Close()
	runUntil(t, l, func() bool { return inflight(l) == 0 })
	require.Len(t, order, 2, "no callback after CancelAll")
}

// WriteFile's misuse errors, and ENOSYS for a sock that is not a Winsock socket on the loop's
// port (a pipe): the layers above then read the file and write it.
func TestWriteFileTransmitMisuse(t *testing.T) {
	l := iocpLoop(t)
	f, _ := tfFile(t, 10)
	file := OSFd(f.Fd())
	never := func(*WriteOp, error) { t.Error("the callback ran") }
	var op WriteOp
	tp := newTFPair(t, l)
	assert.ErrorIs(t, tp.s.WriteFile(&op, file, 0, 0, never), EINVAL)
	assert.ErrorIs(t, tp.s.WriteFile(&op, file, -1, 5, never), EINVAL)
	assert.ErrorIs(t, tp.s.WriteFile(&op, OSFd(windows.InvalidHandle), 0, 5, never), EINVAL)
	assert.ErrorIs(t, tp.s.WriteFile(&op, 0, 0, 5, never), EINVAL)

	var udp Sock
	fd, err := OpenSocket(DomainInet, SockDgram)
	require.NoError(t, err)
	require.NoError(t, udp.Init(l, fd, SockDgram, false))
	assert.ErrorIs(t, udp.WriteFile(&op, file, 0, 5, never), EINVAL)
	udp.Close()

	var pipe Sock
	parent, child, err := NewStdioPipe(StdioChildOverlapped)
	require.NoError(t, err)
	defer windows.CloseHandle(windows.Handle(child))
	require.NoError(t, pipe.Init(l, parent, SockStream, false))
	assert.ErrorIs(t, pipe.WriteFile(&op, file, 0, 5, never), ENOSYS)
	pipe.Close()
	pipe.CancelAll()

	shut := false
	require.NoError(t, tp.s.Shutdown(func(error) { shut = true }))
	runUntil(t, l, func() bool { return shut })
	assert.ErrorIs(t, tp.s.WriteFile(&op, file, 0, 5, never), EPIPE)
	tp.s.Close()
	assert.ErrorIs(t, tp.s.WriteFile(&op, file, 0, 5, never), EBADF)
	require.Zero(t, l.ActiveRequests())
}
