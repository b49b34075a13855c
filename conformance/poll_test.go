//go:build linux || windows

package conformance_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The poll tests open raw sockets (and, on Linux, pipes) with golang.org/x/sys and do their
// own I/O on them, watching them with handles.Poll, as libuv's tests do with uv_poll_t. The
// system calls are in poll_linux_test.go and poll_windows_test.go.

// pollFds keeps the sockets a test opened. Create it before newLoop: its cleanup then runs
// after the loop's, so poll handles are closed before their sockets are.
type pollFds struct {
	t    testing.TB
	open map[uv.OSSock]bool
}

func newPollFds(t testing.TB) *pollFds {
	f := &pollFds{t: t, open: map[uv.OSSock]bool{}}
	t.Cleanup(func() {
		for fd := range f.open {
			pollCloseSocket(fd)
		}
	})
	return f
}

func (f *pollFds) add(fd uv.OSSock) uv.OSSock {
	f.open[fd] = true
	return fd
}

// close closes fd now; the test fails if it was not open or close fails.
func (f *pollFds) close(fd uv.OSSock) {
	f.t.Helper()
	require.True(f.t, f.open[fd], "socket %v is not open", fd)
	delete(f.open, fd)
	require.NoError(f.t, pollCloseSocket(fd))
}

// socket opens a TCP socket.
func (f *pollFds) socket() uv.OSSock {
	f.t.Helper()
	fd, err := pollSocket()
	require.NoError(f.t, err)
	return f.add(fd)
}

// boundSocket opens a TCP socket bound to 127.0.0.1:port (with SO_REUSEADDR where libuv's
// test sets it: not on Windows, where it would let another socket take the port).
func (f *pollFds) boundSocket(port int) uv.OSSock {
	f.t.Helper()
	fd := f.socket()
	require.NoError(f.t, pollReuseAddr(fd))
	require.NoError(f.t, pollBind(fd, port))
	return fd
}

// listener opens a TCP socket listening on 127.0.0.1 at a port the system picks, and
// returns it with the port.
func (f *pollFds) listener(backlog int) (uv.OSSock, int) {
	f.t.Helper()
	fd := f.boundSocket(0)
	require.NoError(f.t, pollListen(fd, backlog))
	port, err := pollLocalPort(fd)
	require.NoError(f.t, err)
	return fd, port
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
	sock        uv.OSSock
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
	sock        uv.OSSock
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
	fd, err := pollAccept(s.sock)
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
	err := pollConnect(fd, port)
	if err != nil && !pollWouldBlock(err) {
		require.NoError(x.t, err)
	}
}

func (x *pollTransfer) newConn(fd uv.OSSock, server bool) *pollConn {
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
			require.NoError(t, pollShutdownWrite(c.sock))
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

// TestPollBadFdtype checks that what the backend cannot watch is refused by poll init: a
// directory on Linux (epoll says EPERM), a file on Windows (not a socket: ENOTSOCK).
// libuv: poll_bad_fdtype
func TestPollBadFdtype(t *testing.T) {
	l := newLoop(t)
	fd, want, closeFd := pollBadFd(t)
	var p handles.Poll
	err := p.Init(l, fd)
	require.Error(t, err)
	require.ErrorIs(t, err, want)
	require.NoError(t, closeFd())
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
	require.NoError(t, pollConnect(clientFd, port))

	var (
		listenPoll, clientPoll, serverPoll handles.Poll
		idle                               handles.Idle
		serverFd                           = uv.InvalidSock
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
			_, err := pollRecv(clientFd, buf, pollMsgOOB)
			require.False(t, pollIsEINVAL(err), "recv(MSG_OOB): %v", err)
			cliPrCheck = 1
			require.NoError(t, clientPoll.Stop())
			require.NoError(t, clientPoll.Start(handles.Readable|handles.Writable, pollCb))
		}
		if events&handles.Readable != 0 {
			if fd == clientFd {
				n, err := pollRecv(clientFd, buf, 0)
				require.False(t, pollIsEINVAL(err), "recv: %v", err)
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
		if serverFd != uv.InvalidSock {
			return
		}
		fd, err := pollAccept(lfd)
		require.NoError(t, err)
		serverFd = fds.add(fd)
		// Send "hello" and "world" as two segments.
		require.NoError(t, pollNoDelay(serverFd))
		require.NoError(t, clientPoll.Init(l, clientFd))
		require.NoError(t, serverPoll.Init(l, serverFd))
		require.NoError(t, clientPoll.Start(handles.Prioritized|handles.Readable|handles.Writable, pollCb))
		require.NoError(t, serverPoll.Start(handles.Readable, pollCb))

		n, err := pollSend(serverFd, []byte("hello"), pollMsgOOB)
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
