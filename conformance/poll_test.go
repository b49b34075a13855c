//go:build linux

package conformance_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The poll tests open raw sockets and pipes with golang.org/x/sys/unix and do their own I/O
// on them, watching them with handles.Poll, as libuv's tests do with uv_poll_t.

// pollFds keeps the descriptors a test opened. Create it before newLoop: its cleanup then
// runs after the loop's, so poll handles are closed before their descriptors are.
type pollFds struct {
	t    testing.TB
	open map[int]bool
}

func newPollFds(t testing.TB) *pollFds {
	f := &pollFds{t: t, open: map[int]bool{}}
	t.Cleanup(func() {
		for fd := range f.open {
			unix.Close(fd)
		}
	})
	return f
}

func (f *pollFds) add(fd int) int {
	f.open[fd] = true
	return fd
}

// close closes fd now; the test fails if it was not open or close fails.
func (f *pollFds) close(fd int) {
	f.t.Helper()
	require.True(f.t, f.open[fd], "fd %d is not open", fd)
	delete(f.open, fd)
	require.NoError(f.t, unix.Close(fd))
}

// socket opens a TCP socket.
func (f *pollFds) socket() int {
	f.t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	require.NoError(f.t, err)
	return f.add(fd)
}

// boundSocket opens a TCP socket bound to 127.0.0.1:port with SO_REUSEADDR.
func (f *pollFds) boundSocket(port int) int {
	f.t.Helper()
	fd := f.socket()
	require.NoError(f.t, unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1))
	require.NoError(f.t, unix.Bind(fd, pollLoopback(port)))
	return fd
}

// listener opens a TCP socket listening on 127.0.0.1 at a port the system picks, and
// returns it with the port.
func (f *pollFds) listener(backlog int) (int, int) {
	f.t.Helper()
	fd := f.boundSocket(0)
	require.NoError(f.t, unix.Listen(fd, backlog))
	sa, err := unix.Getsockname(fd)
	require.NoError(f.t, err)
	return fd, sa.(*unix.SockaddrInet4).Port
}

// pollWatchdog stops the loop and fails the test if the loop still runs after ms
// milliseconds, so that lost events end the test instead of hanging it. Its timer is
// unreferenced: it does not keep the loop alive.
func pollWatchdog(t testing.TB, l *uv.Loop, ms uint64) {
	t.Helper()
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(*handles.Timer) {
		t.Errorf("loop still running after %d ms", ms)
		l.Stop()
	}, ms, 0))
	tm.Unref()
}

func pollLoopback(port int) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
}

// pollWouldBlock reports whether err says a non-blocking operation could not proceed yet.
func pollWouldBlock(err error) bool {
	return err == unix.EAGAIN || err == unix.EWOULDBLOCK || err == unix.EINPROGRESS
}

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

// The poll_duplex and poll_unidirectional test: pollClients clients connect to a server,
// and every connection moves pollTransferBytes with randomly sized reads and writes while its
// poll handle's event mask is changed at random, then sends a FIN and waits for the peer's
// FIN and the disconnect event. libuv moves 64 KiB per direction; so do we.
const (
	pollClients       = 5
	pollTransferBytes = 1 << 16
)

type pollTransfer struct {
	t              *testing.T
	loop           *uv.Loop
	fds            *pollFds
	unidirectional bool
	rng            *rand.Rand

	closedConns      int
	validWritable    int
	spuriousWritable int
	disconnects      int

	smallRead, bigRead, smallSend, bigSend []byte
}

type pollConn struct {
	x           *pollTransfer
	poll        handles.Poll
	timer       handles.Timer
	sock        int
	read, sent  int
	server      bool
	openHandles int
	gotFin      bool
	sentFin     bool
	gotDiscon   bool
	events      int
	delayed     int
}

type pollServer struct {
	x           *pollTransfer
	poll        handles.Poll
	sock        int
	connections int
}

func runPollTransfer(t *testing.T, unidirectional bool) {
	fds := newPollFds(t)
	l := newLoop(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	x := &pollTransfer{
		t: t, loop: l, fds: fds, unidirectional: unidirectional,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		smallRead: make([]byte, 74), bigRead: make([]byte, 931),
		smallSend: make([]byte, 103), bigSend: make([]byte, 1234),
	}

	pollWatchdog(t, l, 20000)
	port := x.startServer()
	for range pollClients {
		x.startClient(port)
	}
	require.False(t, run(t, l, uv.RunDefault))

	// At most one writable wakeup in twenty may find the socket not writable.
	t.Logf("writable wakeups: %d valid, %d spurious", x.validWritable, x.spuriousWritable)
	if x.spuriousWritable != 0 {
		require.Greater(t, (x.validWritable+x.spuriousWritable)/x.spuriousWritable, 20)
	}
	require.Equal(t, 2*pollClients, x.closedConns)
	require.Equal(t, 2*pollClients, x.disconnects)
}

func (x *pollTransfer) startServer() int {
	fd, port := x.fds.listener(100)
	s := &pollServer{x: x, sock: fd}
	require.NoError(x.t, s.poll.Init(x.loop, fd))
	require.NoError(x.t, s.poll.Start(handles.Readable, s.onPoll))
	return port
}

func (s *pollServer) onPoll(p *handles.Poll, status error, events int) {
	x := s.x
	fd, _, err := unix.Accept4(s.sock, unix.SOCK_CLOEXEC)
	require.NoError(x.t, err)
	c := x.newConn(x.fds.add(fd), true)
	c.events = handles.Readable | handles.Writable | handles.Disconnect
	require.NoError(x.t, c.poll.Start(c.events, c.onPoll))

	if s.connections++; s.connections == pollClients {
		x.fds.close(s.sock)
		require.NoError(x.t, s.poll.Close(nil))
	}
}

func (x *pollTransfer) startClient(port int) {
	fd := x.fds.boundSocket(0)
	c := x.newConn(fd, false)
	c.events = handles.Readable | handles.Writable | handles.Disconnect
	require.NoError(x.t, c.poll.Start(c.events, c.onPoll))
	// The poll handle made the socket non-blocking.
	err := unix.Connect(fd, pollLoopback(port))
	if err != nil && !pollWouldBlock(err) {
		require.NoError(x.t, err)
	}
}

func (x *pollTransfer) newConn(fd int, server bool) *pollConn {
	c := &pollConn{x: x, sock: fd, server: server}
	require.NoError(x.t, c.poll.Init(x.loop, fd))
	c.openHandles++
	require.NoError(x.t, c.timer.Init(x.loop))
	c.openHandles++
	return c
}

func (c *pollConn) onClose() {
	x := c.x
	if c.openHandles--; c.openHandles > 0 {
		return
	}
	if !x.unidirectional || c.server {
		require.Equal(x.t, pollTransferBytes, c.read)
	} else {
		require.Zero(x.t, c.read)
	}
	if !x.unidirectional || !c.server {
		require.Equal(x.t, pollTransferBytes, c.sent)
	} else {
		require.Zero(x.t, c.sent)
	}
	x.closedConns++
}

func (c *pollConn) onPoll(p *handles.Poll, status error, events int) {
	x := c.x
	t := x.t
	require.NoError(t, status)
	require.NotZero(t, events&c.events, "events %#x, wanted %#x", events, c.events)
	require.Zero(t, events&^c.events, "events %#x, wanted %#x", events, c.events)

	newEvents := c.events
	if events&handles.Readable != 0 {
		switch x.rng.IntN(7) {
		case 0, 1: // one small read
			n, err := pollRecv(c.sock, x.smallRead, 0)
			require.NoError(t, err)
			if n > 0 {
				c.read += n
			} else {
				c.gotFin = true
				newEvents &^= handles.Readable
			}
		case 2, 3: // read until the socket is drained
			var n int
			var err error
			for {
				n, err = pollRecv(c.sock, x.bigRead, 0)
				if err != nil || n <= 0 {
					break
				}
				c.read += n
			}
			if err == nil && n == 0 {
				c.gotFin = true
				newEvents &^= handles.Readable
			} else {
				require.True(t, pollWouldBlock(err), "recv: %v", err)
			}
		case 4: // leave the data for the next wakeup
		case 5: // stop reading for 10 ms
			newEvents &^= handles.Readable
			if !c.timer.IsActive() {
				c.delayed = handles.Readable
				require.NoError(t, c.timer.Start(c.onDelay, 10, 0))
			} else {
				c.delayed |= handles.Readable
			}
		case 6: // restart the handle with other masks
			require.NoError(t, c.poll.Start(handles.Writable, c.onPoll))
			require.NoError(t, c.poll.Start(handles.Readable, c.onPoll))
			c.events = handles.Readable
		}
	}

	if events&handles.Writable != 0 {
		if c.sent < pollTransferBytes && !(x.unidirectional && c.server) {
			switch x.rng.IntN(7) {
			case 0, 1: // one small write
				n, err := pollSend(c.sock, x.smallSend[:min(pollTransferBytes-c.sent, len(x.smallSend))], 0)
				if err != nil {
					require.True(t, pollWouldBlock(err), "send: %v", err)
					x.spuriousWritable++
					break
				}
				require.Positive(t, n)
				c.sent += n
				x.validWritable++
			case 2, 3: // write until the socket is full
				n, err := pollSend(c.sock, x.bigSend[:min(pollTransferBytes-c.sent, len(x.bigSend))], 0)
				if err != nil {
					require.True(t, pollWouldBlock(err), "send: %v", err)
					x.spuriousWritable++
					break
				}
				require.Positive(t, n)
				x.validWritable++
				c.sent += n
				for c.sent < pollTransferBytes {
					n, err = pollSend(c.sock, x.bigSend[:min(pollTransferBytes-c.sent, len(x.bigSend))], 0)
					if err != nil {
						require.True(t, pollWouldBlock(err), "send: %v", err)
						break
					}
					require.NotZero(t, n)
					c.sent += n
				}
			case 4: // wait for the next wakeup
			case 5: // stop writing for 100 ms
				newEvents &^= handles.Writable
				if !c.timer.IsActive() {
					c.delayed = handles.Writable
					require.NoError(t, c.timer.Start(c.onDelay, 100, 0))
				} else {
					c.delayed |= handles.Writable
				}
			case 6: // restart the handle with other masks
				require.NoError(t, c.poll.Start(handles.Readable, c.onPoll))
				require.NoError(t, c.poll.Start(handles.Writable, c.onPoll))
				c.events = handles.Writable
			}
		} else {
			// All sent (or nothing to send): half-close.
			require.NoError(t, unix.Shutdown(c.sock, unix.SHUT_WR))
			c.sentFin = true
			newEvents &^= handles.Writable
		}
	}

	if events&handles.Disconnect != 0 {
		c.gotDiscon = true
		x.disconnects++
		newEvents &^= handles.Disconnect
	}

	if c.gotFin && c.sentFin && c.gotDiscon {
		// Both FINs seen: close the socket, then the handles, as libuv's test does.
		x.fds.close(c.sock)
		require.NoError(t, c.poll.Close(c.onClose))
		require.NoError(t, c.timer.Close(c.onClose))
		c.events = 0
	} else if newEvents != c.events {
		c.events = newEvents
		require.NoError(t, p.Start(newEvents, c.onPoll))
	}

	require.Equal(t, c.events != 0, p.IsActive())
}

func (c *pollConn) onDelay(tm *handles.Timer) {
	t := c.x.t
	require.False(t, tm.IsActive(), "a one-shot timer stops before its callback")
	require.NotZero(t, c.delayed)
	c.events |= c.delayed
	c.delayed = 0
	require.NoError(t, c.poll.Start(c.events, c.onPoll))
}

// TestPollDuplex moves data both ways over five loopback TCP connections whose sockets are
// read and written by the test when their poll handles report them ready.
// libuv: poll_duplex
func TestPollDuplex(t *testing.T) {
	runPollTransfer(t, false)
}

// TestPollUnidirectional is TestPollDuplex with the data moving from the clients to the
// server only; the server's connections half-close at once.
// libuv: poll_unidirectional
func TestPollUnidirectional(t *testing.T) {
	runPollTransfer(t, true)
}

// TestPollClose closes many started poll handles before the loop runs; every close callback
// runs and no poll callback does.
// libuv: poll_close
func TestPollClose(t *testing.T) {
	const numSockets = 64
	fds := newPollFds(t)
	l := newLoop(t)

	closed := 0
	polls := make([]*handles.Poll, numSockets)
	for i := range polls {
		p, err := handles.NewPollSocket(l, fds.socket())
		require.NoError(t, err)
		require.NoError(t, p.Start(handles.Readable|handles.Writable, func(*handles.Poll, error, int) {
			t.Error("poll callback of a closed handle called")
		}))
		polls[i] = p
	}
	for _, p := range polls {
		require.NoError(t, p.Close(func() { closed++ }))
	}
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, numSockets, closed)
}

// TestPollBadFdtype checks that a descriptor epoll cannot watch (a directory) is refused by
// poll init.
// libuv: poll_bad_fdtype
func TestPollBadFdtype(t *testing.T) {
	fds := newPollFds(t)
	l := newLoop(t)

	fd, err := unix.Open(".", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	fds.add(fd)
	var p handles.Poll
	err = p.Init(l, fd)
	require.Error(t, err)
	require.ErrorIs(t, err, uv.EPERM) // what epoll_ctl says about directories
	fds.close(fd)
}

// TestPollOOB checks UV_PRIORITIZED: out-of-band TCP data wakes the poll handle with
// Prioritized, the in-band data around it with Readable, and Writable lets the client send.
// libuv: poll_oob
func TestPollOOB(t *testing.T) {
	// libuv's test runs ten idle ticks of 100 ms each and then checks what happened; this one
	// runs at least ten ticks without sleeping and ends as soon as everything was seen, with a
	// watchdog bounding the wait.
	const maxTicks = 10
	fds := newPollFds(t)
	l := newLoop(t)

	lfd, port := fds.listener(1)
	clientFd := fds.socket()
	// Blocking connect; the poll handle makes the socket non-blocking later.
	require.NoError(t, unix.Connect(clientFd, pollLoopback(port)))

	var (
		listenPoll, clientPoll, serverPoll handles.Poll
		idle                               handles.Idle
		serverFd                           = -1
		ticks                              int
		cliPrCheck, cliRdCheck, srvRdCheck int
	)
	require.NoError(t, idle.Init(l))

	pollWatchdog(t, l, 5000)

	var pollCb func(p *handles.Poll, status error, events int)
	pollCb = func(p *handles.Poll, status error, events int) {
		buf := make([]byte, 5)
		fd := p.Fd()
		if events&handles.Prioritized != 0 {
			n, err := pollRecv(clientFd, buf, unix.MSG_OOB)
			require.True(t, n >= 0 || err != unix.EINVAL, "recv(MSG_OOB): %v", err)
			cliPrCheck = 1
			require.NoError(t, clientPoll.Stop())
			require.NoError(t, clientPoll.Start(handles.Readable|handles.Writable, pollCb))
		}
		if events&handles.Readable != 0 {
			if fd == clientFd {
				n, err := pollRecv(clientFd, buf, 0)
				require.True(t, n >= 0 || err != unix.EINVAL, "recv: %v", err)
				if cliRdCheck == 1 {
					require.Equal(t, "world", string(buf[:n]))
					cliRdCheck = 2
				}
				if cliRdCheck == 0 {
					// The read stops at the urgent mark: "hello" without its last byte,
					// which was sent out of band.
					require.Equal(t, "hell", string(buf[:n]))
					cliRdCheck = 1
					// libuv's test then drains the server's socket here, which holds
					// nothing yet (the client has not written).
					for {
						n, err = pollRecv(serverFd, buf, 0)
						if n <= 0 || err != nil {
							break
						}
						require.Equal(t, "world", string(buf[:n]))
						cliRdCheck = 2
					}
					require.True(t, pollWouldBlock(err), "recv: n=%d err=%v", n, err)
				}
			}
			if fd == serverFd {
				n, err := pollRecv(serverFd, buf[:3], 0)
				require.NoError(t, err)
				require.Equal(t, "foo", string(buf[:n]))
				srvRdCheck = 1
				require.NoError(t, serverPoll.Stop())
			}
		}
		if events&handles.Writable != 0 {
			n, err := pollSend(clientFd, []byte("foo"), 0)
			require.NoError(t, err)
			require.Equal(t, 3, n)
		}
	}

	require.NoError(t, listenPoll.Init(l, lfd))
	require.NoError(t, listenPoll.Start(handles.Readable, func(p *handles.Poll, status error, events int) {
		require.NoError(t, status)
		if serverFd >= 0 {
			return
		}
		fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
		require.NoError(t, err)
		serverFd = fds.add(fd)
		// Send "hello" and "world" as two segments.
		require.NoError(t, unix.SetsockoptInt(serverFd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1))
		require.NoError(t, clientPoll.Init(l, clientFd))
		require.NoError(t, serverPoll.Init(l, serverFd))
		require.NoError(t, clientPoll.Start(handles.Prioritized|handles.Readable|handles.Writable, pollCb))
		require.NoError(t, serverPoll.Start(handles.Readable, pollCb))

		n, err := pollSend(serverFd, []byte("hello"), unix.MSG_OOB)
		require.NoError(t, err)
		require.Equal(t, 5, n)
		n, err = pollSend(serverFd, []byte("world"), 0)
		require.NoError(t, err)
		require.Equal(t, 5, n)

		require.NoError(t, idle.Start(func(*handles.Idle) {
			ticks++
			if ticks >= maxTicks && cliPrCheck == 1 && cliRdCheck == 2 && srvRdCheck == 1 {
				require.NoError(t, clientPoll.Stop())
				require.NoError(t, serverPoll.Stop())
				require.NoError(t, listenPoll.Close(nil))
				require.NoError(t, idle.Close(nil))
			}
		}))
	}))

	alive := run(t, l, uv.RunDefault)
	t.Logf("%d idle ticks", ticks)
	require.GreaterOrEqual(t, ticks, maxTicks)
	require.Equal(t, 1, cliPrCheck, "client got the out-of-band byte")
	require.Equal(t, 2, cliRdCheck, "client read the in-band data")
	require.Equal(t, 1, srvRdCheck, "server read what the client wrote when writable")
	require.False(t, alive)
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

// TestPollMultipleHandles checks that two poll handles may be initialised on one socket but
// only one may be started at a time, and that closing a stopped handle is fine.
// libuv: poll_multiple_handles
func TestPollMultipleHandles(t *testing.T) {
	fds := newPollFds(t)
	l := newLoop(t)
	sock := fds.socket()

	closed := 0
	closeCb := func() { closed++ }
	pollCb := func(p *handles.Poll, status error, events int) {
		// An unconnected TCP socket reports a hangup on Linux, which a handle that asked
		// for Readable sees as Readable.
		require.Equal(t, handles.Readable, events)
	}

	first, err := handles.NewPollSocket(l, sock)
	require.NoError(t, err)
	second, err := handles.NewPollSocket(l, sock)
	require.NoError(t, err)

	require.NoError(t, first.Start(handles.Readable, pollCb))
	require.ErrorIs(t, second.Start(handles.Readable, pollCb), uv.EEXIST)

	require.NoError(t, first.Stop())
	require.NoError(t, second.Start(handles.Readable, pollCb))

	require.NoError(t, first.Close(closeCb))

	second.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, closed)
	second.Ref()

	require.True(t, second.IsActive())
	require.NoError(t, second.Close(closeCb))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 2, closed)
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
