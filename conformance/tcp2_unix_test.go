//go:build unix

package conformance_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The TCP tests of the second half that are unix-only, as in libuv: descriptor numbers and
// their reuse (tcp_close_accept), out-of-band data (tcp_oob) and descriptor limits (emfile).

// TestTCPCloseAccept checks that closing a connection whose readable event is still in the
// loop's current batch does not deliver that event to a new socket that reuses its
// descriptor: a connect started right after the close on the freed descriptor must fail
// (the server is closed) rather than see the stale event as success.
// libuv: tcp_close_accept
func TestTCPCloseAccept(t *testing.T) {
	const n = 2
	l := newLoop(t)
	var (
		server             *handles.TCP
		addr               netip.AddrPort
		outgoing, incoming [n]handles.TCP
		connReqs           [n]handles.ConnectReq
		writeReqs          [n]handles.WriteReq
		check              handles.TCP
		checkReq           handles.ConnectReq
		got, pending       int
		closes, writes     int
		reads              int
	)
	closeCb := func() { closes++ }
	alloc := tcp2Alloc(1, nil)
	var readCb func(s *handles.Stream, buf []byte, err error)
	readCb = func(s *handles.Stream, buf []byte, err error) {
		idx, ok := s.Data.(int)
		require.True(t, ok, "read callback on a stream that is not an accepted one")
		pending = idx
		require.Less(t, pending, got)
		require.NoError(t, s.ReadStop())
		require.NoError(t, err)
		require.Len(t, buf, 1)
		reads++
		reuse := -1
		for i := 0; i < got; i++ {
			if i != pending {
				fd, err := incoming[i].Fileno()
				require.NoError(t, err)
				reuse = fd
				require.NoError(t, incoming[i].Close(closeCb))
			}
		}
		require.NoError(t, server.Close(closeCb))
		// The new socket must reuse the descriptor of the incoming connection just closed,
		// whose readable event is still in the batch. libuv relies on the kernel's
		// lowest-free-number rule; the server's descriptor, freed too, is lower here, so
		// the free numbers below the wanted one are held for a moment.
		held := tcp2HoldFdsBelow(t, reuse)
		require.NoError(t, check.Init(s.Loop()))
		require.NoError(t, check.Connect(&checkReq, addr, func(_ *handles.ConnectReq, err error) {
			require.Error(t, err, "the connect to a closed server succeeded")
			require.NoError(t, incoming[pending].Close(closeCb))
			require.NoError(t, check.Close(closeCb))
		}))
		for _, fd := range held {
			unix.Close(fd)
		}
		fd, err := check.Fileno()
		require.NoError(t, err)
		require.Equal(t, reuse, fd, "the check socket did not reuse the closed connection's descriptor")
		require.NoError(t, check.ReadStart(alloc, readCb))
	}

	server, addr = tcp2Server(t, l, n, func(s *handles.Stream, err error) {
		require.Same(t, &server.Stream, s)
		if got == n {
			return // the check connection: left unaccepted
		}
		in := &incoming[got]
		require.NoError(t, in.Init(s.Loop()))
		in.Data = got
		got++
		require.NoError(t, s.Accept(&in.Stream))
		if got != n {
			return
		}
		for i := range incoming {
			require.NoError(t, incoming[i].ReadStart(alloc, readCb))
		}
	})
	for i := range outgoing {
		require.NoError(t, outgoing[i].Init(l))
		require.NoError(t, outgoing[i].Connect(&connReqs[i], addr, func(r *handles.ConnectReq, err error) {
			require.NoError(t, err)
			require.NoError(t, r.Stream().Write(&writeReqs[i], [][]byte{[]byte("x")}, func(_ *handles.WriteReq, err error) {
				require.NoError(t, err)
				writes++
			}))
		}))
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, n, got)
	require.Equal(t, n+2, closes)
	require.Equal(t, n, writes)
	require.Equal(t, 1, reads)
}

// tcp2HoldFdsBelow occupies every free descriptor number below fd (which must be free) and
// returns them, so that the next descriptor opened gets fd.
func tcp2HoldFdsBelow(t *testing.T, fd int) []int {
	var held []int
	for {
		d, err := unix.Dup(0)
		if err == unix.EINTR {
			continue
		}
		require.NoError(t, err)
		if d >= fd {
			unix.Close(d)
			return held
		}
		held = append(held, d)
	}
}

// TestTCPOOB checks that out-of-band data does not break reading: the receiver sees normal
// reads (never an error), and the loop does not hang.
// libuv: tcp_oob
func TestTCPOOB(t *testing.T) {
	const maxTicks = 10
	l := newLoop(t)
	client, peer := tcp2New(t, l), tcp2New(t, l)
	idle, err := handles.NewIdle(l)
	require.NoError(t, err)
	ticks := 0
	var server *handles.TCP
	idleCb := func(h *handles.Idle) {
		ticks++
		if ticks < maxTicks {
			return
		}
		server.Close(nil)
		client.Close(nil)
		peer.Close(nil)
		h.Close(nil)
	}
	var addr netip.AddrPort
	server, addr = tcp2Server(t, l, 1, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.NoError(t, s.Accept(&peer.Stream))
		require.NoError(t, peer.ReadStart(tcp2Alloc(1024, nil), func(s *handles.Stream, _ []byte, err error) {
			require.NoError(t, err)
			_, err = s.Fileno()
			require.NoError(t, err)
			require.NoError(t, idle.Start(idleCb))
		}))
		fd, err := client.Fileno()
		require.NoError(t, err)
		require.NoError(t, client.SetBlocking(true))
		// Two messages: some kernels signal only the second one.
		for range 2 {
			n, err := tcp2SendOOB(fd, []byte("hello"))
			require.NoError(t, err)
			require.Equal(t, 5, n)
		}
		require.NoError(t, client.SetBlocking(false))
	})
	// Two separate segments.
	require.NoError(t, client.NoDelay(true))
	var creq handles.ConnectReq
	require.NoError(t, client.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		require.Same(t, &client.Stream, r.Stream())
		require.NoError(t, err)
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, maxTicks, ticks)
}

func tcp2SendOOB(fd int, b []byte) (int, error) {
	for {
		n, err := unix.SendmsgN(fd, b, nil, nil, unix.MSG_OOB)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// tcp2HighestFd returns the highest open descriptor below 4096 (probing with F_GETFD).
func tcp2HighestFd() int {
	high := 2
	for fd := 0; fd < 4096; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			high = fd
		}
	}
	return high
}

// tcp2SetRlimitCur sets a limit field, whose type is uint64 or int64 depending on the system.
func tcp2SetRlimitCur[T ~int64 | ~uint64](cur *T, v int) { *cur = T(v) }

// TestEmfile checks libuv's EMFILE trick: with no descriptor left for accept, the server
// sheds the pending connection (the client connects, then sees EOF) without calling the
// connection callback and without spinning. The test then frees the descriptors and checks
// that the server survived: the next connection is delivered.
//
// libuv lowers RLIMIT_NOFILE to 32; a Go test process has more descriptors open, so the soft
// limit is set just above the highest open one (the hard limit is kept, so it can be
// restored), and the free slots are filled with dups except one, which the client's socket
// takes.
// libuv: emfile
func TestEmfile(t *testing.T) {
	l := newLoop(t)
	connections, shed := 0, false
	var server *handles.TCP
	var addr netip.AddrPort
	server, addr = tcp2Server(t, l, 8, func(s *handles.Stream, err error) {
		require.NoError(t, err)
		require.True(t, shed, "connection callback while out of descriptors")
		connections++
		c := tcp2New(t, l)
		require.NoError(t, s.Accept(&c.Stream))
		c.Close(nil)
		server.Close(nil)
	})
	client := tcp2New(t, l)

	var saved unix.Rlimit
	require.NoError(t, unix.Getrlimit(unix.RLIMIT_NOFILE, &saved))
	limit := tcp2HighestFd() + 16
	if uint64(saved.Cur) < uint64(limit) {
		t.Skipf("descriptor limit %d too low for the test", saved.Cur)
	}
	var dups []int
	restore := func() {
		for _, fd := range dups {
			unix.Close(fd)
		}
		dups = nil
		unix.Setrlimit(unix.RLIMIT_NOFILE, &saved)
	}
	t.Cleanup(restore)
	lowered := saved
	tcp2SetRlimitCur(&lowered.Cur, limit)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lowered); err != nil {
		require.ErrorIs(t, err, unix.EPERM)
		t.Skipf("setrlimit(RLIMIT_NOFILE): %v", err)
	}
	for {
		fd, err := unix.Dup(0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			require.ErrorIs(t, err, unix.EMFILE)
			break
		}
		dups = append(dups, fd)
	}
	require.NotEmpty(t, dups)
	// Free one slot, for the client's socket.
	require.NoError(t, unix.Close(dups[len(dups)-1]))
	dups = dups[:len(dups)-1]

	var creq, creq2 handles.ConnectReq
	connects := 0
	require.NoError(t, client.Connect(&creq, addr, func(r *handles.ConnectReq, err error) {
		// The kernel completes the connection; the server accepts and closes it at once.
		require.NoError(t, err)
		connects++
		require.NoError(t, client.ReadStart(tcp2Alloc(64, nil), func(s *handles.Stream, buf []byte, err error) {
			if err == nil && len(buf) == 0 {
				return
			}
			require.ErrorIs(t, err, uv.EOF, "the server should have closed the connection")
			require.Zero(t, connections)
			shed = true
			s.Close(nil)
			restore()

			// The server survived: the next connection reaches its callback.
			c2 := tcp2New(t, l)
			require.NoError(t, c2.Connect(&creq2, addr, func(r *handles.ConnectReq, err error) {
				require.NoError(t, err)
				connects++
				r.Stream().Close(nil)
			}))
		}))
	}))
	// Without the trick the server would spin on EMFILE forever; the loop still runs timers.
	watchdog, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, watchdog.Start(func(*handles.Timer) {
		t.Error("the pending connection was never shed")
		restore()
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
	}, 5000, 0))
	watchdog.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	require.True(t, shed)
	require.Equal(t, 2, connects)
	require.Equal(t, 1, connections)
}
