package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The system calls of the poll tests on Linux, and the tests of epoll itself.

const pollMsgOOB = unix.MSG_OOB

func pollSocket() (int, error) {
	return unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
}

func pollCloseSocket(fd int) error { return unix.Close(fd) }

func pollReuseAddr(fd int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
}

func pollLoopback(port int) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
}

func pollBind(fd, port int) error { return unix.Bind(fd, pollLoopback(port)) }

func pollListen(fd, backlog int) error { return unix.Listen(fd, backlog) }

func pollLocalPort(fd int) (int, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return 0, err
	}
	return sa.(*unix.SockaddrInet4).Port, nil
}

func pollConnect(fd, port int) error { return unix.Connect(fd, pollLoopback(port)) }

func pollAccept(fd int) (int, error) {
	nfd, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
	return nfd, err
}

func pollShutdownWrite(fd int) error { return unix.Shutdown(fd, unix.SHUT_WR) }

func pollNoDelay(fd int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
}

// pollWouldBlock reports whether err says a non-blocking operation could not proceed yet.
func pollWouldBlock(err error) bool {
	return err == unix.EAGAIN || err == unix.EWOULDBLOCK || err == unix.EINPROGRESS
}

func pollIsEINVAL(err error) bool { return err == unix.EINVAL }

// pollRecv is recv(2) with flags, retried on EINTR.
func pollRecv(fd int, buf []byte, flags int) (int, error) {
	for {
		n, _, err := unix.Recvfrom(fd, buf, flags)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// pollSend is send(2) with flags, retried on EINTR.
func pollSend(fd int, buf []byte, flags int) (int, error) {
	for {
		n, err := unix.SendmsgN(fd, buf, nil, nil, flags)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// pollBadFd opens a directory, which epoll refuses with EPERM.
func pollBadFd(t *testing.T) (fd int, want error, closeFd func() error) {
	fd, err := unix.Open(".", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	return fd, uv.EPERM, func() error { return unix.Close(fd) }
}

// TestPollNestedEpoll polls an epoll descriptor, which epoll allows; it never becomes
// readable.
// libuv: poll_nested_epoll
func TestPollNestedEpoll(t *testing.T) {
	fds := newPollFds(t)
	l := newLoop(t)

	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	require.NoError(t, err)
	fds.add(fd)

	var p handles.Poll
	require.NoError(t, p.Init(l, fd))
	require.NoError(t, p.Start(handles.Readable, func(*handles.Poll, error, int) {
		t.Fatal("poll callback called for an idle epoll descriptor")
	}))
	require.True(t, run(t, l, uv.RunNoWait))

	require.NoError(t, p.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
	fds.close(fd)
}

// TestIouringPollhup ports libuv's io_uring regression test to epoll. A pipe's read end is
// polled while a duplicate of it stays open; its write end closes, the handle sees the
// hangup as Readable and reads EOF, and the handle and fd are closed. A new pipe's read end
// then gets the same fd number. The old pipe is still open through the duplicate, so had
// closing the handle not removed it from epoll, its hangup would keep being reported under
// that number, to the new handle, which must only ever see the EOF of its own pipe.
// libuv: iouring_pollhup
func TestIouringPollhup(t *testing.T) {
	fds := newPollFds(t)
	l := newLoop(t)

	var pipe1, pipe2 [2]int
	require.NoError(t, unix.Pipe2(pipe1[:], unix.O_CLOEXEC))
	fds.add(pipe1[0])
	fds.add(pipe1[1])
	dup, err := unix.FcntlInt(uintptr(pipe1[0]), unix.F_DUPFD_CLOEXEC, 0)
	require.NoError(t, err)
	fds.add(dup)

	var (
		p1, p2      handles.Poll
		idle        handles.Idle
		iters       int
		writeClosed bool
		eofs        int
		buf         [32]byte
	)
	require.NoError(t, idle.Init(l))
	pollWatchdog(t, l, 5000)

	readPipe2 := func(p *handles.Poll, status error, events int) {
		require.NoError(t, status)
		require.Equal(t, handles.Readable, events)
		n, err := unix.Read(pipe2[0], buf[:])
		// Nothing is ever written to the pipe: the only readiness it may report is the
		// EOF after its write end closed. EAGAIN here is an event of the old pipe.
		require.NoError(t, err, "readiness reported for an empty pipe")
		require.Zero(t, n)
		require.True(t, writeClosed)
		eofs++
		fds.close(dup)
		require.NoError(t, p2.Close(nil))
		require.NoError(t, idle.Close(nil))
	}

	idleCb := func(h *handles.Idle) {
		iters++
		if iters == 1 {
			old := pipe1[0]
			require.NoError(t, unix.Pipe2(pipe2[:], unix.O_CLOEXEC))
			fds.add(pipe2[0])
			fds.add(pipe2[1])
			if pipe2[0] != old {
				t.Logf("new pipe got fd %d, not %d: the check is weaker", pipe2[0], old)
			}
			require.NoError(t, p2.Init(l, pipe2[0]))
			require.NoError(t, p2.Start(handles.Readable, readPipe2))
			return
		}
		require.NoError(t, h.Stop())
		fds.close(pipe2[1])
		writeClosed = true
	}

	require.NoError(t, p1.Init(l, pipe1[0]))
	require.NoError(t, p1.Start(handles.Readable, func(p *handles.Poll, status error, events int) {
		require.NoError(t, status)
		require.Equal(t, handles.Readable, events)
		n, err := unix.Read(pipe1[0], buf[:])
		require.NoError(t, err)
		require.Zero(t, n, "EOF")
		// As libuv's pipe close: stop watching, then close the fd.
		require.NoError(t, p.Close(nil))
		fds.close(pipe1[0])
		require.NoError(t, idle.Start(idleCb))
	}))
	fds.close(pipe1[1]) // the hangup

	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, eofs)
	require.GreaterOrEqual(t, iters, 2)
}
