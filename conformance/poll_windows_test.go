package conformance_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"golang.org/x/sys/windows"
)

// The Winsock calls of the poll tests on Windows. Sockets are blocking until a poll handle
// makes them non-blocking, as in libuv's tests; reads and writes are WSARecv and WSASend
// without an OVERLAPPED, which behave as recv and send.

const pollMsgOOB = 0x1 // MSG_OOB

var (
	pollWS2       = windows.NewLazySystemDLL("ws2_32.dll")
	pollProcAccpt = pollWS2.NewProc("accept")
)

func init() {
	var d windows.WSAData
	windows.WSAStartup(0x202, &d)
}

func pollSocket() (uv.OSSock, error) {
	s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0,
		windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	return uv.OSSock(s), err
}

func pollCloseSocket(fd uv.OSSock) error { return windows.Closesocket(windows.Handle(fd)) }

// pollReuseAddr does nothing: libuv's test does not set SO_REUSEADDR on Windows, where it
// would let another socket bind the same port.
func pollReuseAddr(fd uv.OSSock) error { return nil }

func pollLoopback(port int) *windows.SockaddrInet4 {
	return &windows.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
}

func pollBind(fd uv.OSSock, port int) error {
	return windows.Bind(windows.Handle(fd), pollLoopback(port))
}

func pollListen(fd uv.OSSock, backlog int) error { return windows.Listen(windows.Handle(fd), backlog) }

func pollLocalPort(fd uv.OSSock) (int, error) {
	sa, err := windows.Getsockname(windows.Handle(fd))
	if err != nil {
		return 0, err
	}
	return sa.(*windows.SockaddrInet4).Port, nil
}

func pollConnect(fd uv.OSSock, port int) error {
	return windows.Connect(windows.Handle(fd), pollLoopback(port))
}

func pollAccept(fd uv.OSSock) (uv.OSSock, error) {
	r, _, err := pollProcAccpt.Call(uintptr(fd), 0, 0)
	if windows.Handle(r) == windows.InvalidHandle {
		return uv.InvalidSock, err
	}
	return uv.OSSock(r), nil
}

func pollShutdownWrite(fd uv.OSSock) error {
	return windows.Shutdown(windows.Handle(fd), windows.SHUT_WR)
}

func pollNoDelay(fd uv.OSSock) error {
	return windows.SetsockoptInt(windows.Handle(fd), windows.IPPROTO_TCP, windows.TCP_NODELAY, 1)
}

// pollWouldBlock reports whether err says a non-blocking operation could not proceed yet.
func pollWouldBlock(err error) bool { return err == windows.WSAEWOULDBLOCK }

func pollIsEINVAL(err error) bool { return err == windows.WSAEINVAL }

// pollRecv is recv with flags.
func pollRecv(fd uv.OSSock, buf []byte, flags int) (int, error) {
	b := windows.WSABuf{Len: uint32(len(buf))}
	if len(buf) > 0 {
		b.Buf = &buf[0]
	}
	var n uint32
	fl := uint32(flags)
	if err := windows.WSARecv(windows.Handle(fd), &b, 1, &n, &fl, nil, nil); err != nil {
		return 0, err
	}
	return int(n), nil
}

// pollSend is send with flags.
func pollSend(fd uv.OSSock, buf []byte, flags int) (int, error) {
	b := windows.WSABuf{Len: uint32(len(buf))}
	if len(buf) > 0 {
		b.Buf = &buf[0]
	}
	var n uint32
	if err := windows.WSASend(windows.Handle(fd), &b, 1, &n, uint32(flags), nil, nil); err != nil {
		return 0, err
	}
	return int(n), nil
}

// pollBadFd opens a file, which is not a socket (libuv's test opens an empty file too).
func pollBadFd(t *testing.T) (fd uv.OSFd, want error, closeFd func() error) {
	// Not t.TempDir: Wine cannot run the RemoveAll of its cleanup (Go's unlinkat asks for
	// POSIX delete semantics, which Wine 8 does not implement).
	f, err := os.CreateTemp("", "empty_file")
	require.NoError(t, err)
	name := f.Name()
	require.NoError(t, f.Close())
	t.Cleanup(func() { os.Remove(name) })
	p, err := syscall.UTF16PtrFromString(name)
	require.NoError(t, err)
	h, err := windows.CreateFile(p, windows.GENERIC_READ, windows.FILE_SHARE_READ, nil, windows.OPEN_EXISTING, 0, 0)
	require.NoError(t, err)
	closed := false
	closeFd = func() error {
		if closed {
			return nil
		}
		closed = true
		return windows.CloseHandle(h)
	}
	t.Cleanup(func() { closeFd() })
	return uv.OSFd(h), uv.ENOTSOCK, closeFd
}
