package handles_test

// Bad input on TCP streams: a peer that resets or closes, connects to closed ports, binds to
// busy ports, writes after Shutdown and closes with writes queued. Each surfaces as libuv's
// error code on the right callback, exactly once, never as a panic or a lost callback.

import (
	"net"
	"net/netip"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// faultDogKey attaches a watchdog's "fired" flag to its loop.
type faultDogKey struct{}

// faultLoop creates a loop with a watchdog that turns a hang into a failure, and closes
// every handle and the loop when the test ends. Callbacks check with assert, not require:
// FailNow inside a callback would unwind through Run and leave the loop mid-iteration.
func faultLoop(t *testing.T) *uv.Loop {
	t.Helper()
	l := mustLoop(t)
	dog, err := handles.NewTimer(l)
	require.NoError(t, err)
	fired := new(bool)
	l.Attach(faultDogKey{}, fired)
	require.NoError(t, dog.Start(func(*handles.Timer) { *fired = true }, 5_000, 0))
	dog.Unref()
	t.Cleanup(func() {
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
		// Closing needs no I/O, so a bounded number of non-blocking runs finishes it; a loop
		// still alive afterwards (a request never completed) is a failure, not a hang.
		for i := 0; ; i++ {
			alive, err := l.Run(uv.RunNoWait)
			require.NoError(t, err)
			if !alive {
				break
			}
			if i == 100 {
				t.Fatalf("the loop is still alive after closing every handle (%d requests)", l.ActiveRequests())
			}
		}
		require.NoError(t, l.Close())
	})
	return l
}

// faultRun runs the loop until it has nothing left to do.
func faultRun(t *testing.T, l *uv.Loop) {
	t.Helper()
	faultRunUntil(t, l, nil)
}

// faultRunUntil runs the loop one iteration at a time until cond holds (or, with a nil
// cond, until the loop has nothing left to do). The watchdog ends a wait that hangs.
func faultRunUntil(t *testing.T, l *uv.Loop, cond func() bool) {
	t.Helper()
	fired := l.Attached(faultDogKey{}).(*bool)
	for cond == nil || !cond() {
		alive, err := l.Run(uv.RunOnce)
		require.NoError(t, err)
		if *fired {
			t.Fatal("watchdog: the awaited event never came")
		}
		if !alive {
			if cond == nil {
				return
			}
			if !cond() {
				t.Fatal("the loop ran out of work before the awaited event")
			}
		}
	}
}

// faultListen starts a server on addr that hands each accepted connection to onConn.
func faultListen(t *testing.T, l *uv.Loop, addr string, onConn func(*handles.TCP)) (*handles.TCP, netip.AddrPort) {
	t.Helper()
	srv, err := handles.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort(addr), 0))
	require.NoError(t, srv.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		assert.NoError(t, err)
		c, err := handles.NewTCP(l)
		assert.NoError(t, err)
		assert.NoError(t, s.Accept(&c.Stream))
		onConn(c)
	}))
	ap, err := srv.Sockname()
	require.NoError(t, err)
	return srv, ap
}

// faultPair returns a connected client and the server's end of it, both on l, neither
// reading; the listener is closed.
func faultPair(t *testing.T, l *uv.Loop) (cli, peer *handles.TCP) {
	t.Helper()
	srv, addr := faultListen(t, l, "127.0.0.1:0", func(c *handles.TCP) { peer = c })
	cli, err := handles.NewTCP(l)
	require.NoError(t, err)
	var req handles.ConnectReq
	connected := false
	require.NoError(t, cli.Connect(&req, addr, func(_ *handles.ConnectReq, err error) {
		assert.NoError(t, err)
		connected = true
	}))
	faultRunUntil(t, l, func() bool { return connected && peer != nil })
	require.NoError(t, srv.Close(nil))
	return cli, peer
}

// faultNetPair returns a uv client's server end and a Go net.Conn connected to it.
func faultNetPair(t *testing.T, l *uv.Loop) (*handles.TCP, *net.TCPConn) {
	t.Helper()
	var conn *handles.TCP
	srv, addr := faultListen(t, l, "127.0.0.1:0", func(c *handles.TCP) { conn = c })
	c, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	faultRunUntil(t, l, func() bool { return conn != nil })
	require.NoError(t, srv.Close(nil))
	return conn, c.(*net.TCPConn)
}

// faultWrites records write callbacks: how often each request's ran, with which error, in
// which order.
type faultWrites struct {
	reqs  []handles.WriteReq
	calls []int
	errs  []error
	order []int
	// onErr, if set, runs for the first failed write.
	onErr func(req *handles.WriteReq, err error)
}

func newFaultWrites(n int) *faultWrites {
	return &faultWrites{reqs: make([]handles.WriteReq, n), calls: make([]int, n), errs: make([]error, n)}
}

// write queues request i on s.
func (w *faultWrites) write(s *handles.Stream, i int, bufs [][]byte) error {
	w.reqs[i].Data = i
	return s.Write(&w.reqs[i], bufs, w.cb)
}

func (w *faultWrites) cb(req *handles.WriteReq, err error) {
	i := req.Data.(int)
	w.calls[i]++
	w.errs[i] = err
	w.order = append(w.order, i)
	if err != nil && w.onErr != nil {
		f := w.onErr
		w.onErr = nil
		f(req, err)
	}
}

// requireEachOnceInOrder checks that the first n write callbacks ran exactly once each, in
// the order the writes were queued.
func (w *faultWrites) requireEachOnceInOrder(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		require.Equal(t, 1, w.calls[i], "write callback %d runs exactly once", i)
	}
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	require.Equal(t, want, w.order, "write callbacks run in queue order")
}

// faultFill queues writes of big buffers on s, whose peer does not read, until the kernel
// pushes back and bytes stay queued. It returns how many writes it queued (from index
// first of w).
func faultFill(t *testing.T, s *handles.Stream, w *faultWrites, first int) int {
	t.Helper()
	big := [][]byte{make([]byte, 1<<20)}
	n := 0
	for s.WriteQueueSize() == 0 {
		require.Less(t, first+n, len(w.reqs), "the kernel never pushed back")
		require.NoError(t, w.write(s, first+n, big))
		n++
	}
	return n
}

// readRec records read callbacks.
type readRec struct {
	data int
	errs []error
}

func (r *readRec) cb(_ *handles.Stream, buf []byte, err error) {
	if err != nil {
		r.errs = append(r.errs, err)
		return
	}
	r.data += len(buf)
}

// A peer that resets the connection while we read: the read callback gets ECONNRESET once,
// reading stops (the loop ends without the stream being closed), the stream is neither
// readable nor writable, and Write then returns EPIPE.
func TestStreamFaultReadPeerReset(t *testing.T) {
	check := func(t *testing.T, l *uv.Loop, s *handles.TCP, rec *readRec) {
		faultRun(t, l)
		require.Equal(t, []error{uv.ECONNRESET}, rec.errs)
		require.Zero(t, rec.data)
		require.False(t, s.IsClosing(), "the stream stays open until the user closes it")
		require.False(t, s.IsActive(), "reading stopped after the error")
		require.False(t, s.IsReadable())
		require.False(t, s.IsWritable())
		var req handles.WriteReq
		require.ErrorIs(t, s.Write(&req, [][]byte{[]byte("x")}, func(*handles.WriteReq, error) {
			t.Error("write callback of a rejected write")
		}), uv.EPIPE)
		require.NoError(t, s.Close(nil))
		faultRun(t, l)
	}
	t.Run("CloseReset", func(t *testing.T) {
		l := faultLoop(t)
		cli, peer := faultPair(t, l)
		rec := &readRec{}
		require.NoError(t, cli.ReadStart(nil, rec.cb))
		closed := 0
		require.NoError(t, peer.CloseReset(func() { closed++ }))
		check(t, l, cli, rec)
		require.Equal(t, 1, closed)
	})
	t.Run("SO_LINGER0", func(t *testing.T) {
		l := faultLoop(t)
		s, c := faultNetPair(t, l)
		rec := &readRec{}
		require.NoError(t, s.ReadStart(nil, rec.cb))
		require.NoError(t, c.SetLinger(0))
		require.NoError(t, c.Close())
		check(t, l, s, rec)
	})
}

// Data read before the reset is delivered, then ECONNRESET exactly once, and no read
// callback after it.
func TestStreamFaultReadResetAfterData(t *testing.T) {
	l := faultLoop(t)
	s, c := faultNetPair(t, l)
	rec := &readRec{}
	_, err := c.Write([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, s.ReadStart(nil, func(st *handles.Stream, buf []byte, err error) {
		assert.Empty(t, rec.errs, "a read callback after the error")
		rec.cb(st, buf, err)
		if rec.data == 5 && err == nil {
			assert.NoError(t, c.SetLinger(0))
			assert.NoError(t, c.Close())
		}
	}))
	faultRun(t, l)
	require.Equal(t, 5, rec.data)
	if runtime.GOOS == "windows" && len(rec.errs) == 1 && rec.errs[0] == uv.EOF {
		// Wine reads a reset that arrived before the next read as the end of the stream
		// (Windows reports WSAECONNRESET): its zero-byte read does not see the reset, and its
		// server takes the socket error before recv can.
		return
	}
	require.Equal(t, []error{uv.ECONNRESET}, rec.errs)
}

// Writes to a peer that has closed its socket: the first write may still be accepted by our
// kernel, but the peer answers it with RST, so a later write's callback gets EPIPE or
// ECONNRESET. Every write callback runs exactly once.
func TestStreamFaultWritePeerClosed(t *testing.T) {
	l := faultLoop(t)
	cli, peer := faultPair(t, l)
	require.NoError(t, peer.Close(nil))
	w := newFaultWrites(64)
	n := 0
	for ; n < len(w.reqs); n++ {
		require.NoError(t, w.write(&cli.Stream, n, [][]byte{[]byte("data")}), "write %d", n)
		faultRunUntil(t, l, func() bool { return w.calls[n] > 0 })
		if w.errs[n] != nil {
			n++
			break
		}
	}
	last := w.errs[n-1]
	require.Error(t, last, "no write failed after %d writes", n)
	require.Contains(t, []error{uv.EPIPE, uv.ECONNRESET}, last)
	w.requireEachOnceInOrder(t, n)
	require.Zero(t, cli.WriteQueueSize())
}

// Writes to a socket the peer reset: each write's callback gets ECONNRESET (the first) or
// EPIPE, exactly once and in order; Write itself succeeds. Writes of one buffer and of
// several take different system calls (send and sendmsg on Linux), so both are checked.
func TestStreamFaultWritePeerReset(t *testing.T) {
	for name, bufs := range map[string][][]byte{
		"OneBuffer":  {[]byte("data")},
		"TwoBuffers": {[]byte("da"), []byte("ta")},
	} {
		t.Run(name, func(t *testing.T) {
			l := faultLoop(t)
			cli, peer := faultPair(t, l)
			require.NoError(t, peer.CloseReset(nil))
			w := newFaultWrites(3)
			for i := range 3 {
				require.NoError(t, w.write(&cli.Stream, i, bufs))
			}
			require.Equal(t, []int{0, 0, 0}, w.calls, "write callbacks are deferred")
			faultRun(t, l)
			w.requireEachOnceInOrder(t, 3)
			require.ErrorIs(t, w.errs[0], uv.ECONNRESET)
			for i := 1; i < 3; i++ {
				require.Contains(t, []error{uv.EPIPE, uv.ECONNRESET}, w.errs[i], "write %d", i)
			}
			require.Zero(t, cli.WriteQueueSize())
		})
	}
}

// A reset while writes are queued (the kernel pushed back): the write in progress fails with
// ECONNRESET or EPIPE; the callback closes the stream, as libuv users do, and every other
// queued write gets ECANCELED (on Windows, where writes are all with the kernel, those the
// reset reached first fail with it). None is lost.
func TestStreamFaultResetWithQueuedWrites(t *testing.T) {
	l := faultLoop(t)
	cli, peer := faultPair(t, l)
	w := newFaultWrites(256)
	n := faultFill(t, &cli.Stream, w, 0)
	for i := range 3 {
		require.NoError(t, w.write(&cli.Stream, n+i, [][]byte{[]byte("tail")}))
	}
	n += 3
	closed := 0
	w.onErr = func(req *handles.WriteReq, err error) {
		assert.Contains(t, []error{uv.EPIPE, uv.ECONNRESET}, err)
		assert.NoError(t, req.Stream().Close(func() { closed++ }))
	}
	require.NoError(t, peer.CloseReset(nil))
	faultRun(t, l)
	w.requireEachOnceInOrder(t, n)
	require.Equal(t, 1, closed)
	failed := slices.IndexFunc(w.errs[:n], func(e error) bool { return e != nil })
	require.GreaterOrEqual(t, failed, 0)
	for i := 0; i < failed; i++ {
		require.NoError(t, w.errs[i], "write %d finished before the reset", i)
	}
	require.Contains(t, []error{uv.EPIPE, uv.ECONNRESET}, w.errs[failed])
	for i := failed + 1; i < n; i++ {
		if runtime.GOOS == "windows" && slices.Contains([]error{uv.EPIPE, uv.ECONNRESET}, w.errs[i]) {
			// Windows hands every write to the kernel at once, as libuv does there: those
			// the reset reached before the close cancelled them fail with it.
			continue
		}
		require.ErrorIs(t, w.errs[i], uv.ECANCELED, "write %d", i)
	}
	require.Zero(t, cli.WriteQueueSize())
}

// A reset while writes are queued and we read: the read callback sees ECONNRESET and closes
// the stream; every queued write still gets its callback, with an error.
func TestStreamFaultResetWhileReadingAndWriting(t *testing.T) {
	l := faultLoop(t)
	cli, peer := faultPair(t, l)
	w := newFaultWrites(256)
	n := faultFill(t, &cli.Stream, w, 0)
	rec := &readRec{}
	require.NoError(t, cli.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		rec.cb(s, buf, err)
		if err != nil {
			assert.NoError(t, s.Close(nil))
		}
	}))
	require.NoError(t, peer.CloseReset(nil))
	faultRun(t, l)
	require.Equal(t, []error{uv.ECONNRESET}, rec.errs)
	w.requireEachOnceInOrder(t, n)
	require.Contains(t, []error{uv.EPIPE, uv.ECONNRESET, uv.ECANCELED}, w.errs[n-1])
	for i := 0; i < n; i++ {
		if w.errs[i] != nil {
			require.Contains(t, []error{uv.EPIPE, uv.ECONNRESET, uv.ECANCELED}, w.errs[i])
		}
	}
}

// faultClosedPort returns an address on which nothing listens.
func faultClosedPort(t *testing.T, l *uv.Loop, ip string) netip.AddrPort {
	t.Helper()
	// The port stays bound, without a listener, until the test ends: a connect to it is
	// refused as to a closed port, and no other process can take it meanwhile and listen
	// there, as it could a port that was closed (seen once under load).
	probe, err := handles.NewTCP(l)
	require.NoError(t, err)
	if err := probe.Bind(netip.AddrPortFrom(netip.MustParseAddr(ip), 0), 0); err != nil {
		probe.Close(nil)
		t.Skipf("cannot bind %s: %v", ip, err)
	}
	addr, err := probe.Sockname()
	require.NoError(t, err)
	return addr // faultLoop's clean-up closes the probe with the loop's other handles
}

// A connect to a closed port: the connect callback gets ECONNREFUSED once; a write and a
// shutdown queued while connecting get ECANCELED when the callback closes the stream, in
// libuv's order.
func TestStreamFaultConnectRefused(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "::1"} {
		t.Run(ip, func(t *testing.T) {
			l := faultLoop(t)
			addr := faultClosedPort(t, l, ip)
			cli, err := handles.NewTCP(l)
			require.NoError(t, err)
			var events []string
			var creq handles.ConnectReq
			require.NoError(t, cli.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
				assert.ErrorIs(t, err, uv.ECONNREFUSED)
				events = append(events, "connect")
				assert.NoError(t, r.Stream().Close(func() { events = append(events, "close") }))
			}))
			w := newFaultWrites(1)
			require.NoError(t, w.write(&cli.Stream, 0, [][]byte{[]byte("early")}))
			var sreq handles.ShutdownReq
			require.NoError(t, cli.Shutdown(&sreq, func(_ *handles.ShutdownReq, err error) {
				assert.ErrorIs(t, err, uv.ECANCELED)
				events = append(events, "shutdown")
			}))
			require.Empty(t, events, "callbacks never run inside the call")
			faultRun(t, l)
			w.requireEachOnceInOrder(t, 1)
			require.ErrorIs(t, w.errs[0], uv.ECANCELED)
			require.Equal(t, []string{"connect", "shutdown", "close"}, events)
		})
	}
}

// A connect to a closed port whose callback does not close the stream: ECONNREFUSED once,
// then the write queued while connecting gets ECANCELED at once (libuv flushes the queue).
// As in libuv the stream keeps its readable and writable flags, but using it surfaces an
// error: reading gets one error callback (EOF or ENOTCONN) and stops, a write's callback
// gets EPIPE or ENOTCONN.
func TestStreamFaultUseAfterConnectRefused(t *testing.T) {
	l := faultLoop(t)
	addr := faultClosedPort(t, l, "127.0.0.1")
	cli, err := handles.NewTCP(l)
	require.NoError(t, err)
	var got []error
	var creq handles.ConnectReq
	w := newFaultWrites(2)
	require.NoError(t, cli.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		got = append(got, err)
		assert.Empty(t, w.order, "the queued write completes after the connect callback")
	}))
	require.NoError(t, w.write(&cli.Stream, 0, [][]byte{[]byte("early")}))
	faultRun(t, l)
	require.Equal(t, []error{uv.ECONNREFUSED}, got)
	require.Equal(t, []int{0}, w.order, "the write queued while connecting completes without a Close")
	require.ErrorIs(t, w.errs[0], uv.ECANCELED)
	require.False(t, cli.IsActive())

	rec := &readRec{}
	require.NoError(t, cli.ReadStart(nil, rec.cb))
	require.NoError(t, w.write(&cli.Stream, 1, [][]byte{[]byte("data")}))
	faultRun(t, l)
	require.Zero(t, rec.data)
	require.Len(t, rec.errs, 1)
	require.Contains(t, []error{uv.EOF, uv.ENOTCONN}, rec.errs[0])
	w.requireEachOnceInOrder(t, 2)
	// Windows reports WSAENOTCONN; Wine passes on the ECONNRESET Linux gives a send on a
	// socket whose connect was refused.
	require.Contains(t, []error{uv.EPIPE, uv.ENOTCONN, uv.ECONNRESET}, w.errs[1])
}

// Binding a busy port: Bind succeeds and Listen returns EADDRINUSE (libuv defers it); a
// Connect from such a socket reports EADDRINUSE on its callback.
func TestStreamFaultBindBusy(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "::1"} {
		t.Run(ip, func(t *testing.T) {
			l := faultLoop(t)
			first, err := handles.NewTCP(l)
			require.NoError(t, err)
			if err := first.Bind(netip.AddrPortFrom(netip.MustParseAddr(ip), 0), 0); err != nil {
				t.Skipf("cannot bind %s: %v", ip, err)
			}
			require.NoError(t, first.Listen(handles.DefaultBacklog, func(*handles.Stream, error) {}))
			busy, err := first.Sockname()
			require.NoError(t, err)

			second, err := handles.NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, second.Bind(busy, 0), "bind defers EADDRINUSE")
			require.ErrorIs(t, second.Listen(handles.DefaultBacklog, func(*handles.Stream, error) {
				t.Error("connection callback on a server that failed to listen")
			}), uv.EADDRINUSE)
			require.False(t, second.IsActive())

			third, err := handles.NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, third.Bind(busy, 0))
			var got []error
			var creq handles.ConnectReq
			require.NoError(t, third.Connect(&creq, busy, func(r *handles.ConnectReq, err error) {
				got = append(got, err)
				r.Stream().Close(nil)
			}))
			require.Empty(t, got)
			second.Close(nil)
			first.Close(nil)
			faultRun(t, l)
			require.Len(t, got, 1)
			require.ErrorIs(t, got[0], uv.EADDRINUSE)
		})
	}
}

// Writing after Shutdown returns EPIPE and never runs the callback, both while the shutdown
// is pending and after it completed; so does TryWrite. A second Shutdown is ENOTCONN. The
// peer reads the data written before the shutdown, then EOF.
func TestStreamFaultWriteAfterShutdown(t *testing.T) {
	l := faultLoop(t)
	cli, peer := faultPair(t, l)
	rec := &readRec{}
	require.NoError(t, peer.ReadStart(nil, rec.cb))
	w := newFaultWrites(3)
	require.NoError(t, w.write(&cli.Stream, 0, [][]byte{[]byte("before")}))
	var sreq, sreq2 handles.ShutdownReq
	shut := 0
	require.NoError(t, cli.Shutdown(&sreq, func(_ *handles.ShutdownReq, err error) {
		assert.NoError(t, err)
		shut++
	}))
	require.False(t, cli.IsWritable())
	require.ErrorIs(t, w.write(&cli.Stream, 1, [][]byte{[]byte("pending")}), uv.EPIPE)
	_, err := cli.TryWrite([][]byte{[]byte("try")})
	require.ErrorIs(t, err, uv.EPIPE)
	require.ErrorIs(t, cli.Shutdown(&sreq2, nil), uv.ENOTCONN)
	faultRun(t, l)
	require.Equal(t, 1, shut)
	require.ErrorIs(t, w.write(&cli.Stream, 2, [][]byte{[]byte("after")}), uv.EPIPE)
	_, err = cli.TryWrite([][]byte{[]byte("try")})
	require.ErrorIs(t, err, uv.EPIPE)
	faultRun(t, l)
	require.Equal(t, []int{1, 0, 0}, w.calls, "only the accepted write has a callback")
	require.NoError(t, w.errs[0])
	require.Equal(t, len("before"), rec.data)
	require.Equal(t, []error{uv.EOF}, rec.errs)
}

// Closing a stream with queued writes and a queued shutdown: callbacks run in the closing
// phase, not inside Close; writes already finished get nil, every unfinished one ECANCELED,
// then the shutdown ECANCELED, then the close callback; the queue size returns to 0.
func TestStreamFaultCloseWithQueuedWrites(t *testing.T) {
	l := faultLoop(t)
	cli, _ := faultPair(t, l)
	w := newFaultWrites(256)
	require.NoError(t, w.write(&cli.Stream, 0, [][]byte{[]byte("small")}), "written at once")
	n := 1 + faultFill(t, &cli.Stream, w, 1)
	for i := range 2 {
		require.NoError(t, w.write(&cli.Stream, n+i, [][]byte{[]byte("tail")}))
	}
	n += 2
	var events []string
	w.onErr = func(*handles.WriteReq, error) { events = append(events, "first failed write") }
	var sreq handles.ShutdownReq
	require.NoError(t, cli.Shutdown(&sreq, func(_ *handles.ShutdownReq, err error) {
		assert.ErrorIs(t, err, uv.ECANCELED)
		events = append(events, "shutdown")
	}))
	require.NoError(t, cli.Close(func() { events = append(events, "close") }))
	require.Empty(t, w.order, "no callback runs inside Close")
	require.Empty(t, events)
	faultRun(t, l)
	w.requireEachOnceInOrder(t, n)
	require.NoError(t, w.errs[0], "the write finished before Close")
	cancelled := 0
	for i := 1; i < n; i++ {
		if w.errs[i] != nil {
			require.ErrorIs(t, w.errs[i], uv.ECANCELED, "write %d", i)
			cancelled++
		} else {
			require.Zero(t, cancelled, "write %d finished after a cancelled one", i)
		}
	}
	require.GreaterOrEqual(t, cancelled, 3, "the partly written write and the two tails")
	require.Equal(t, []string{"first failed write", "shutdown", "close"}, events)
	require.Zero(t, cli.WriteQueueSize())
}
