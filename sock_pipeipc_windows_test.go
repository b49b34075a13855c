package uv

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// The framing of IPC pipes (sock_pipeipc_windows.go), seen from the reading Sock: frames are
// written raw into the other end, and Read, which never blocks, parses them.

// ipcPipe returns an IPC pipe Sock of l on the loop's end of a duplex pipe, and the other end.
func ipcPipe(t *testing.T, l *Loop, s *Sock) windows.Handle {
	t.Helper()
	parent, child, err := NewStdioPipe(StdioChildOverlapped)
	require.NoError(t, err)
	require.NoError(t, s.Init(l, parent, SockStream, true))
	t.Cleanup(func() {
		s.Close()
		windows.CloseHandle(windows.Handle(child))
	})
	return windows.Handle(child)
}

// writeRaw writes b to overlapped pipe end h and waits for the write.
func writeRaw(t *testing.T, h windows.Handle, b []byte) {
	t.Helper()
	ov := new(windows.Overlapped)
	var n uint32
	err := windows.WriteFile(h, b, &n, ov)
	if err == windows.ERROR_IO_PENDING {
		err = windows.GetOverlappedResult(h, ov, &n, true)
	}
	require.NoError(t, err)
	require.Equal(t, len(b), int(n))
}

func ipcHeader(flags, length, reserved2 uint32) []byte {
	h := make([]byte, ipcHeaderSize)
	binary.LittleEndian.PutUint32(h[0:], flags)
	binary.LittleEndian.PutUint32(h[4:], 0xdeadbeef) // reserved1: ignored
	binary.LittleEndian.PutUint32(h[8:], length)
	binary.LittleEndian.PutUint32(h[12:], reserved2)
	return h
}

// Frames give their data and nothing else; an empty frame gives nothing; a read never
// reaches into the next frame; a header that comes in pieces waits for the rest.
func TestPipeIPCReadFrames(t *testing.T) {
	l := iocpLoop(t)
	var s Sock
	peer := ipcPipe(t, l, &s)
	buf := make([]byte, 64)

	_, err := s.Read(buf)
	require.ErrorIs(t, err, EAGAIN)

	var raw []byte
	raw = append(raw, ipcHeader(ipcHasData, 5, 0)...)
	raw = append(raw, "hello"...)
	raw = append(raw, ipcHeader(0, 0, 0)...)
	raw = append(raw, ipcHeader(ipcHasData, 3, 0)...)
	raw = append(raw, "abc"...)
	writeRaw(t, peer, raw)
	n, err := s.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "hello", string(buf[:n]))
	n, err = s.Read(buf[:2])
	require.NoError(t, err)
	require.Equal(t, "ab", string(buf[:n]))
	n, err = s.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "c", string(buf[:n]), "the rest of the frame only")
	_, err = s.Read(buf)
	require.ErrorIs(t, err, EAGAIN)

	h := ipcHeader(ipcHasData, 4, 0)
	writeRaw(t, peer, h[:7])
	_, err = s.Read(buf)
	require.ErrorIs(t, err, EAGAIN)
	writeRaw(t, peer, append(h[7:], "tail"...))
	n, err = s.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "tail", string(buf[:n]))
	require.Zero(t, s.PendingFds())
}

// A malformed header ends the stream with ECONNABORTED, as in libuv.
func TestPipeIPCReadInvalidFrame(t *testing.T) {
	for name, h := range map[string][]byte{
		"unknown flag":         ipcHeader(0x08, 0, 0),
		"reserved2 set":        ipcHeader(ipcHasData, 1, 1),
		"length without data":  ipcHeader(0, 3, 0),
		"connection no socket": ipcHeader(ipcIsConn, 0, 0),
	} {
		t.Run(name, func(t *testing.T) {
			l := iocpLoop(t)
			var s Sock
			peer := ipcPipe(t, l, &s)
			writeRaw(t, peer, append(h, "xyz"...))
			_, err := s.Read(make([]byte, 16))
			require.ErrorIs(t, err, ECONNABORTED)
		})
	}
}

// Write2 of a listening TCP socket over an IPC pipe of this process: the frame carries the
// socket, the reader imports it (the same socket: the same local address) before it returns
// the frame's data, and the imported socket accepts. What cannot travel is refused at once.
func TestPipeIPCSendSocket(t *testing.T) {
	l := iocpLoop(t)
	var a, b Sock
	parent, child, err := NewStdioPipe(StdioChildOverlapped)
	require.NoError(t, err)
	require.NoError(t, a.Init(l, parent, SockStream, true))
	require.NoError(t, b.Init(l, child, SockStream, true))
	defer a.Close()
	defer b.Close()

	ln, err := OpenSocket(DomainInet, SockStream)
	require.NoError(t, err)
	defer CloseSocket(ln)
	require.NoError(t, windows.Bind(windows.Handle(ln), &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	want, err := windows.Getsockname(windows.Handle(ln))
	require.NoError(t, err)

	var op WriteOp
	done := 0
	require.NoError(t, a.Write(&op, [][]byte{[]byte("x")}, ln, true, func(_ *WriteOp, err error) {
		require.NoError(t, err)
		done++
	}))
	on, err := windows.GetsockoptInt(windows.Handle(ln), windows.SOL_SOCKET, soAcceptConn)
	require.NoError(t, err)
	require.Equal(t, 1, on, "a bound socket is made to listen before it is sent")

	buf := make([]byte, 16)
	got := ""
	pollUntil(t, l, func() bool {
		if got == "" {
			n, err := b.Read(buf)
			if err != EAGAIN {
				require.NoError(t, err)
				got = string(buf[:n])
			}
		}
		return got != ""
	})
	require.Equal(t, "x", got)
	require.Equal(t, 1, b.PendingFds())
	fd, ok := b.PeekFd()
	require.True(t, ok)
	typ, err := SockTypeOf(fd)
	require.NoError(t, err)
	require.Equal(t, TypeTCP, typ)
	fd, ok = b.TakeFd()
	require.True(t, ok)
	require.NotEqual(t, InvalidSock, fd)
	defer CloseSocket(fd)
	require.Zero(t, b.PendingFds())
	name, err := windows.Getsockname(windows.Handle(fd))
	require.NoError(t, err)
	require.Equal(t, want, name)
	pollUntil(t, l, func() bool { return done == 1 })

	// Not a TCP socket: a pipe.
	require.ErrorIs(t, a.Write(&op, [][]byte{[]byte("x")}, OSSock(child), true, nil), ENOTSUP)
	require.Zero(t, a.WriteQueueCount())
}

// A pipe that is not IPC sends no handle (EINVAL, as libuv's uv_write2), and IPC is for pipes
// only.
func TestPipeIPCNotIPC(t *testing.T) {
	l := iocpLoop(t)
	parent, child, err := NewStdioPipe(StdioChildOverlapped)
	require.NoError(t, err)
	defer CloseSocket(child)
	var s Sock
	require.NoError(t, s.Init(l, parent, SockStream, false))
	defer s.Close()
	ln, err := OpenSocket(DomainInet, SockStream)
	require.NoError(t, err)
	defer CloseSocket(ln)
	var op WriteOp
	require.ErrorIs(t, s.Write(&op, [][]byte{[]byte("x")}, ln, true, nil), EINVAL)
	require.Zero(t, s.PendingFds())

	var t2 Sock
	require.ErrorIs(t, t2.Init(l, ln, SockStream, true), EINVAL)
}
