package conformance_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// Ports of libuv's UDP tests (test-udp-*.c), the UDP ref tests, watcher_cross_stop and
// getsockname_udp. libuv's tests use fixed ports; here receivers bind a loopback port the
// kernel picks. Addresses libuv binds to the wildcard (0.0.0.0, ::) are bound to loopback
// instead, and multicast traffic is kept on the loopback interface: joins and the sending
// interface name lo (127.0.0.1 or lo's index), where libuv lets the kernel pick the default
// interface. Tests needing multicast delivery on loopback probe for it and skip with the
// probe's finding when the host lacks it.

var (
	udpLo4  = netip.MustParseAddrPort("127.0.0.1:0")
	udpLo6  = netip.MustParseAddrPort("[::1]:0")
	udpPing = [][]byte{[]byte("PING")}
)

// udpNew creates a UDP handle on l.
func udpNew(t testing.TB, l *uv.Loop) *handles.UDP {
	t.Helper()
	u, err := handles.NewUDP(l)
	require.NoError(t, err)
	return u
}

// udpBound creates a UDP handle bound to addr with flags and returns it with its address.
func udpBound(t testing.TB, l *uv.Loop, addr netip.AddrPort, flags int) (*handles.UDP, netip.AddrPort) {
	t.Helper()
	u := udpNew(t, l)
	require.NoError(t, u.Bind(addr, flags))
	got, err := u.Sockname()
	require.NoError(t, err)
	return u, got
}

// udpSlab returns an allocator handing out one reused buffer of n bytes.
func udpSlab(n int) func(*handles.UDP, int) []byte {
	slab := make([]byte, n)
	return func(_ *handles.UDP, suggested int) []byte { return slab }
}

// udpBindFree binds a UDP handle of a loop of its own to lo and returns the address it got
// once the handle is closed, or the bind error. (Go's net package is not used for this: under
// Wine it fails on every UDP socket, as Wine lacks the SIO_UDP_CONNRESET it sets.)
func udpBindFree(t testing.TB, lo netip.AddrPort) (netip.AddrPort, error) {
	t.Helper()
	l, err := uv.NewLoop()
	require.NoError(t, err)
	defer closeLoop(t, l)
	u := udpNew(t, l)
	if err := u.Bind(lo, 0); err != nil {
		return netip.AddrPort{}, err
	}
	return u.Sockname()
}

// udpClosedPort returns a loopback address (of the family of lo) nothing receives on.
func udpClosedPort(t testing.TB, lo netip.AddrPort) netip.AddrPort {
	t.Helper()
	addr, err := udpBindFree(t, lo)
	require.NoError(t, err)
	return netip.AddrPortFrom(lo.Addr(), addr.Port())
}

// udpSkipWithoutIPv6 skips unless ::1 can be bound (libuv's can_ipv6).
func udpSkipWithoutIPv6(t testing.TB) {
	t.Helper()
	if _, err := udpBindFree(t, udpLo6); err != nil {
		t.Skipf("IPv6 not supported: %v", err)
	}
}

func udpSkipUnlessLinux(t testing.TB, why string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip(why)
	}
}

// udpLoopbackIndex returns the index of the loopback interface.
func udpLoopbackIndex(t testing.TB) int {
	t.Helper()
	ifs, err := net.Interfaces()
	require.NoError(t, err)
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 {
			return i.Index
		}
	}
	t.Skip("no loopback interface")
	return 0
}

// udpCloseCounter returns a close callback factory that checks the handle is closing and
// counts the calls in *n.
func udpCloseCounter(t *testing.T, n *int) func(u *handles.UDP) func() {
	return func(u *handles.UDP) func() {
		return func() {
			require.True(t, u.IsClosing())
			*n++
		}
	}
}

// TestUDPAllocCbFail checks that an allocator returning no buffer makes the receive callback
// get ENOBUFS.
// libuv: udp_alloc_cb_fail
func TestUDPAllocCbFail(t *testing.T) {
	l := newLoop(t)
	var clSend, clRecv, svSend, svRecv, closed int
	onClose := udpCloseCounter(t, &closed)
	server, addr := udpBound(t, l, udpLo4, 0)
	client := udpNew(t, l)
	var svReq, req handles.UDPSendReq

	require.NoError(t, server.RecvStart(udpSlab(65536), func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if len(buf) == 0 && !from.IsValid() {
			return // the unused buffer handed back
		}
		require.Same(t, server, u)
		require.Zero(t, flags)
		require.True(t, from.IsValid())
		require.Equal(t, "PING", string(buf))
		require.NoError(t, u.RecvStop())
		require.NoError(t, u.Send(&svReq, [][]byte{[]byte("PONG")}, from, func(r *handles.UDPSendReq, err error) {
			require.NoError(t, err)
			require.Same(t, server, r.UDP())
			r.UDP().Close(onClose(r.UDP()))
			svSend++
		}))
		svRecv++
	}))
	require.NoError(t, client.Send(&req, udpPing, addr, func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		require.Same(t, client, r.UDP())
		require.NoError(t, r.UDP().RecvStart(func(*handles.UDP, int) []byte { return nil },
			func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
				require.Zero(t, flags)
				require.ErrorIs(t, err, uv.ENOBUFS)
				clRecv++
				u.Close(onClose(u))
			}))
		clSend++
	}))
	require.Zero(t, closed+clSend+clRecv+svSend+svRecv)

	run(t, l, uv.RunDefault)
	require.Equal(t, 1, clSend)
	require.Equal(t, 1, clRecv)
	require.Equal(t, 1, svSend)
	require.Equal(t, 1, svRecv)
	require.Equal(t, 2, closed)
}

// TestUDPBind checks that a second bind to a taken port fails with EADDRINUSE.
// libuv: udp_bind
func TestUDPBind(t *testing.T) {
	l := newLoop(t)
	h1, addr := udpBound(t, l, udpLo4, 0)
	h2 := udpNew(t, l)
	require.ErrorIs(t, h2.Bind(addr, 0), uv.EADDRINUSE)
	require.NoError(t, h1.Close(nil))
	require.NoError(t, h2.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestUDPBindReuseaddr checks that two handles with UDPReuseAddr bind the same port.
// libuv: udp_bind_reuseaddr
func TestUDPBindReuseaddr(t *testing.T) {
	l := newLoop(t)
	h1, addr := udpBound(t, l, udpLo4, handles.UDPReuseAddr)
	h2 := udpNew(t, l)
	require.NoError(t, h2.Bind(addr, handles.UDPReuseAddr))
	require.NoError(t, h1.Close(nil))
	require.NoError(t, h2.Close(nil))
	run(t, l, uv.RunDefault)
}

// udpConnectTest is udp_connect and udp_connect6: connect, disconnect, the EISCONN,
// EDESTADDRREQ and ENOTCONN rules, and sends before and after.
func udpConnectTest(t *testing.T, anyAddr, lo, ext netip.Addr) {
	l := newLoop(t)
	var clSend, svRecv, closed int
	onClose := udpCloseCounter(t, &closed)
	server, srvAddr := udpBound(t, l, netip.AddrPortFrom(lo, 0), 0)
	client := udpNew(t, l)
	exit := [][]byte{[]byte("EXIT")}
	loAddr := netip.AddrPortFrom(lo, srvAddr.Port())
	extAddr := netip.AddrPortFrom(ext, srvAddr.Port())

	require.NoError(t, server.RecvStart(udpSlab(65536), func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if len(buf) == 0 {
			return
		}
		require.Equal(t, "EXIT", string(buf))
		require.True(t, from.IsValid())
		if svRecv++; svRecv == 4 {
			server.Close(onClose(server))
			client.Close(onClose(client))
		}
	}))

	// connect() to the wildcard address means this host on Unix; then disconnect.
	require.NoError(t, client.Connect(netip.AddrPortFrom(anyAddr, srvAddr.Port())))
	require.NoError(t, client.Connect(netip.AddrPort{}))

	require.NoError(t, client.Connect(loAddr))
	require.ErrorIs(t, client.Connect(extAddr), uv.EISCONN)
	peer, err := client.Peername()
	require.NoError(t, err)
	require.Equal(t, loAddr, peer)

	// Connected: sends take no address.
	_, err = client.TrySend(exit, loAddr)
	require.ErrorIs(t, err, uv.EISCONN)
	n, err := client.TrySend(exit, netip.AddrPort{})
	require.NoError(t, err)
	require.Equal(t, 4, n)
	_, err = client.TrySend(exit, extAddr)
	require.ErrorIs(t, err, uv.EISCONN)

	require.NoError(t, client.Connect(netip.AddrPort{}))
	require.ErrorIs(t, client.Disconnect(), uv.ENOTCONN)
	_, err = client.Peername()
	require.ErrorIs(t, err, uv.ENOTCONN)

	// Disconnected: sends need an address.
	n, err = client.TrySend(exit, loAddr)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	_, err = client.TrySend(exit, netip.AddrPort{})
	require.ErrorIs(t, err, uv.EDESTADDRREQ)

	var req handles.UDPSendReq
	var sendCb func(*handles.UDPSendReq, error)
	sendCb = func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		require.Same(t, client, r.UDP())
		if clSend++; clSend == 1 {
			require.NoError(t, client.Connect(netip.AddrPort{}))
			require.ErrorIs(t, client.Send(r, exit, netip.AddrPort{}, sendCb), uv.EDESTADDRREQ)
			require.NoError(t, client.Send(r, exit, loAddr, sendCb))
		}
	}
	require.NoError(t, client.Connect(loAddr))
	require.ErrorIs(t, client.Send(&req, exit, loAddr, sendCb), uv.EISCONN)
	require.NoError(t, client.Send(&req, exit, netip.AddrPort{}, sendCb))

	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closed)
	require.Equal(t, 4, svRecv)
	require.Equal(t, 2, clSend)
	require.Zero(t, client.SendQueueSize())
	require.Zero(t, server.SendQueueSize())
}

// libuv: udp_connect
func TestUDPConnect(t *testing.T) {
	udpConnectTest(t, netip.IPv4Unspecified(), netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("8.8.8.8"))
}

// libuv: udp_connect6
func TestUDPConnect6(t *testing.T) {
	udpSkipWithoutIPv6(t)
	udpConnectTest(t, netip.IPv6Unspecified(), netip.IPv6Loopback(), netip.MustParseAddr("2001:4860:4860::8888"))
}

// TestUDPCreateEarly checks that InitEx with a family creates the socket at once.
// libuv: udp_create_early
func TestUDPCreateEarly(t *testing.T) {
	l := newLoop(t)
	var client handles.UDP
	require.NoError(t, client.InitEx(l, uv.DomainInet, 0))
	fd, err := client.Fileno()
	require.NoError(t, err)
	require.NotEqual(t, uv.OSFd(uv.InvalidSock), fd)
	name, err := client.Sockname()
	if runtime.GOOS == "windows" {
		// As libuv's test notes, Windows has no local address before the bind.
		require.ErrorIs(t, err, uv.EINVAL)
	} else {
		require.NoError(t, err)
		require.True(t, name.Addr().Is4())
	}

	require.NoError(t, client.Bind(udpLo4, 0))
	name, err = client.Sockname()
	require.NoError(t, err)
	require.Equal(t, udpLo4.Addr(), name.Addr())

	require.NoError(t, client.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestUDPCreateEarlyBadBind checks that an IPv6 socket made by InitEx refuses an IPv4
// address with EINVAL.
// libuv: udp_create_early_bad_bind
func TestUDPCreateEarlyBadBind(t *testing.T) {
	udpSkipWithoutIPv6(t)
	l := newLoop(t)
	var client handles.UDP
	require.NoError(t, client.InitEx(l, uv.DomainInet6, 0))
	fd, err := client.Fileno()
	require.NoError(t, err)
	require.NotEqual(t, uv.OSFd(uv.InvalidSock), fd)
	name, err := client.Sockname()
	if runtime.GOOS == "windows" {
		// As libuv's test notes, Windows has no local address before the bind, and refuses
		// an IPv4 address for an IPv6 socket as a bad pointer (WSAEFAULT; Wine says
		// WSAEINVAL).
		require.ErrorIs(t, err, uv.EINVAL)
		err = client.Bind(udpLo4, 0)
		require.True(t, errors.Is(err, uv.EFAULT) || errors.Is(err, uv.EINVAL), "bind: %v", err)
	} else {
		require.NoError(t, err)
		require.True(t, name.Addr().Is6())
		require.ErrorIs(t, client.Bind(udpLo4, 0), uv.EINVAL)
	}
	require.NoError(t, client.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestUDPCreateEarlyBadDomain checks that InitEx refuses unknown families and flags.
// libuv: udp_create_early_bad_domain
func TestUDPCreateEarlyBadDomain(t *testing.T) {
	l := newLoop(t)
	var client handles.UDP
	require.ErrorIs(t, client.InitEx(l, uv.Domain(47), 0), uv.EINVAL)
	require.ErrorIs(t, client.InitEx(l, uv.DomainUnspec, 1024), uv.EINVAL)
	run(t, l, uv.RunDefault)
}

// TestUDPSendAndRecv is a PING / PONG exchange; the server stops receiving before answering.
// libuv: udp_send_and_recv
func TestUDPSendAndRecv(t *testing.T) {
	l := newLoop(t)
	var clSend, clRecv, svSend, svRecv, closed int
	onClose := udpCloseCounter(t, &closed)
	server, addr := udpBound(t, l, udpLo4, 0)
	client := udpNew(t, l)
	slab := udpSlab(65536)

	require.NoError(t, server.RecvStart(slab, func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if len(buf) == 0 {
			require.False(t, from.IsValid())
			return
		}
		require.Zero(t, flags)
		require.True(t, from.IsValid())
		require.Equal(t, "PING", string(buf))
		require.NoError(t, u.RecvStop())
		req := new(handles.UDPSendReq)
		require.NoError(t, u.Send(req, [][]byte{[]byte("PONG")}, from, func(r *handles.UDPSendReq, err error) {
			require.NoError(t, err)
			require.Same(t, server, r.UDP())
			r.UDP().Close(onClose(r.UDP()))
			svSend++
		}))
		svRecv++
	}))
	var req handles.UDPSendReq
	require.NoError(t, client.Send(&req, udpPing, addr, func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		require.NoError(t, r.UDP().RecvStart(slab, func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
			require.NoError(t, err)
			require.Zero(t, flags)
			if len(buf) == 0 {
				require.False(t, from.IsValid())
				return
			}
			require.Equal(t, addr, from)
			require.Equal(t, "PONG", string(buf))
			clRecv++
			u.Close(onClose(u))
		}))
		clSend++
	}))
	require.Zero(t, closed+clSend+clRecv+svSend+svRecv)

	run(t, l, uv.RunDefault)
	require.Equal(t, 1, clSend)
	require.Equal(t, 1, clRecv)
	require.Equal(t, 1, svSend)
	require.Equal(t, 1, svRecv)
	require.Equal(t, 2, closed)
	require.Zero(t, client.SendQueueSize())
	require.Zero(t, server.SendQueueSize())
}

// TestUDPSendHangLoop sends from an idle callback, one send at a time, 1000 times, to a
// destination that does not answer: the loop must not stall. libuv sends to TEST-NET
// (192.0.2.3); here the destination is a closed loopback port.
// libuv: udp_send_hang_loop
func TestUDPSendHangLoop(t *testing.T) {
	l := newLoop(t)
	idle, err := handles.NewIdle(l)
	require.NoError(t, err)
	client := udpNew(t, l)
	dest := udpClosedPort(t, udpLo4)
	data := [][]byte{make([]byte, 1024)}
	var req handles.UDPSendReq
	pending := false
	calls := 0
	var idleCb func(*handles.Idle)
	sendCb := func(r *handles.UDPSendReq, err error) {
		require.Same(t, &req, r)
		require.Same(t, client, r.UDP())
		if err != nil {
			require.ErrorIs(t, err, uv.ENETUNREACH)
		}
		pending = false
		require.NoError(t, idle.Start(idleCb))
	}
	idleCb = func(h *handles.Idle) {
		require.False(t, pending, "send callback before the next idle callback")
		require.NoError(t, h.Stop())
		if calls++; calls > 1000 {
			client.Close(nil)
			h.Close(nil)
			return
		}
		pending = true
		require.NoError(t, client.Send(&req, data, dest, sendCb))
	}
	require.NoError(t, idle.Start(idleCb))
	run(t, l, uv.RunDefault)
	require.Greater(t, calls, 1000)
}

// TestUDPSendImmediate sends two datagrams back to back, the second while the first's
// callback is pending.
// libuv: udp_send_immediate
func TestUDPSendImmediate(t *testing.T) {
	l := newLoop(t)
	var clSend, svRecv, closed int
	onClose := udpCloseCounter(t, &closed)
	server, addr := udpBound(t, l, udpLo4, 0)
	client := udpNew(t, l)
	require.NoError(t, server.RecvStart(udpSlab(65536), func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if len(buf) == 0 {
			require.False(t, from.IsValid())
			return
		}
		require.Zero(t, flags)
		require.True(t, from.IsValid())
		require.Contains(t, []string{"PING", "PANG"}, string(buf))
		if svRecv++; svRecv == 2 {
			server.Close(onClose(server))
			client.Close(onClose(client))
		}
	}))
	sendCb := func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		require.Same(t, client, r.UDP())
		clSend++
	}
	var req1, req2 handles.UDPSendReq
	require.NoError(t, client.Send(&req1, udpPing, addr, sendCb))
	require.NoError(t, client.Send(&req2, [][]byte{[]byte("PANG")}, addr, sendCb))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, clSend)
	require.Equal(t, 2, svRecv)
	require.Equal(t, 2, closed)
}

// TestUDPSendUnreachable sends to a closed port: without UDPLinuxRecvErr the ICMP errors do
// not reach the unconnected socket; with it (Linux) they arrive as receive callbacks flagged
// UDPLinuxRecvErr. Every allocation gets a receive callback. libuv's timer waits 1 s; 200 ms
// suffices on loopback.
// libuv: udp_send_unreachable
func TestUDPSendUnreachable(t *testing.T) {
	l := newLoop(t)
	canRecvErr := runtime.GOOS == "linux"
	var sends, recvs, allocs, closed, timers int
	dest := udpClosedPort(t, udpLo4)
	alloc := func(u *handles.UDP, n int) []byte { allocs++; return make([]byte, 65536) }
	var client, client2 *handles.UDP
	recv := func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.True(t, u == client || u == client2)
		recvs++
		switch {
		case err != nil:
			require.True(t, flags != 0 && canRecvErr, "unexpected error %v", err)
			require.NotZero(t, flags&handles.UDPLinuxRecvErr)
		case len(buf) == 0 && !from.IsValid():
		default:
			require.True(t, from.IsValid())
		}
	}
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, timer.Start(func(h *handles.Timer) {
		timers++
		client.Close(func() { closed++ })
		if canRecvErr {
			client2.Close(func() { closed++ })
		}
		h.Close(func() { closed++ })
	}, 200, 0))

	client, _ = udpBound(t, l, udpLo4, 0)
	require.NoError(t, client.RecvStart(alloc, recv))
	sendCb := func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		require.Same(t, client, r.UDP())
		sends++
	}
	var req1, req2, req3, req4 handles.UDPSendReq
	require.NoError(t, client.Send(&req1, udpPing, dest, sendCb))
	require.NoError(t, client.Send(&req2, [][]byte{[]byte("PANG")}, dest, sendCb))

	if canRecvErr {
		client2, _ = udpBound(t, l, udpLo4, handles.UDPLinuxRecvErr)
		require.NoError(t, client2.RecvStart(alloc, recv))
		sendCbRecvErr := func(r *handles.UDPSendReq, err error) {
			if err != nil {
				require.ErrorIs(t, err, uv.ECONNREFUSED)
			}
			require.Same(t, client2, r.UDP())
			sends++
		}
		require.NoError(t, client2.Send(&req3, udpPing, dest, sendCbRecvErr))
		require.NoError(t, client2.Send(&req4, [][]byte{[]byte("PANG")}, dest, sendCbRecvErr))
	}

	run(t, l, uv.RunDefault)
	if canRecvErr {
		require.Equal(t, 4, sends)
		require.Equal(t, 3, closed)
	} else {
		require.Equal(t, 2, sends)
		require.Equal(t, 2, closed)
	}
	require.Equal(t, allocs, recvs)
	require.Equal(t, 1, timers)
}

// TestUDPRecvCbClosePollerr: an ICMP error on a connected socket with UDPLinuxRecvErr reaches
// the receive callback, which closes the handle; the error queue must then be left alone.
// libuv: udp_recv_cb_close_pollerr
func TestUDPRecvCbClosePollerr(t *testing.T) {
	udpSkipUnlessLinux(t, "ICMP error handling is Linux-specific")
	l := newLoop(t)
	allocs, recvs := 0, 0
	client, _ := udpBound(t, l, udpLo4, handles.UDPLinuxRecvErr)
	require.NoError(t, client.Connect(udpClosedPort(t, udpLo4)))
	require.NoError(t, client.RecvStart(func(*handles.UDP, int) []byte { allocs++; return make([]byte, 2) },
		func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
			recvs++
			u.Close(nil)
		}))
	n, err := client.TrySend(udpPing, netip.AddrPort{})
	require.NoError(t, err)
	require.Positive(t, n)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, allocs)
	require.Equal(t, 1, recvs)
}

// TestUDPSendPollerrNoRecv: the same ICMP error on a handle that does not receive must not
// disturb the send callback.
// libuv: udp_send_pollerr_no_recv
func TestUDPSendPollerrNoRecv(t *testing.T) {
	udpSkipUnlessLinux(t, "ICMP error handling is Linux-specific")
	l := newLoop(t)
	sends := 0
	client, _ := udpBound(t, l, udpLo4, handles.UDPLinuxRecvErr)
	require.NoError(t, client.Connect(udpClosedPort(t, udpLo4)))
	var req handles.UDPSendReq
	require.NoError(t, client.Send(&req, udpPing, netip.AddrPort{}, func(r *handles.UDPSendReq, err error) {
		sends++
		r.UDP().Close(nil)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, sends)
}

// udpRecvmsgUnreachableError: a send to a closed port from a UDPLinuxRecvErr socket gives
// exactly three receive callbacks: ECONNREFUSED, the error-queue message, and "nothing more".
// libuv closes after 3 s; here a timer closes 50 ms after the third callback (2 s at most).
func udpRecvmsgUnreachableError(t *testing.T, lo netip.AddrPort) {
	udpSkipUnlessLinux(t, "this test is Linux-specific")
	l := newLoop(t)
	recvs := 0
	client, _ := udpBound(t, l, lo, handles.UDPLinuxRecvErr)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	done := func(h *handles.Timer) {
		client.Close(nil)
		h.Close(nil)
	}
	require.NoError(t, timer.Start(done, 2000, 0))
	require.NoError(t, client.RecvStart(udpSlab(4), func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.True(t, flags == 0 || flags&handles.UDPLinuxRecvErr != 0, "flags %#x", flags)
		if recvs++; recvs == 3 {
			require.NoError(t, timer.Start(done, 50, 0))
		}
	}))
	var req handles.UDPSendReq
	require.NoError(t, client.Send(&req, udpPing, udpClosedPort(t, lo), func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 3, recvs)
}

// libuv: udp_recvmsg_unreachable_error
func TestUDPRecvmsgUnreachableError(t *testing.T) { udpRecvmsgUnreachableError(t, udpLo4) }

// libuv: udp_recvmsg_unreachable_error6
func TestUDPRecvmsgUnreachableError6(t *testing.T) {
	udpSkipWithoutIPv6(t)
	udpRecvmsgUnreachableError(t, udpLo6)
}

// TestUDPDgramTooBig checks that a 64 KiB datagram fails with EMSGSIZE in the callback.
// libuv: udp_dgram_too_big
func TestUDPDgramTooBig(t *testing.T) {
	l := newLoop(t)
	var sends, closed int
	var req handles.UDPSendReq
	h := udpNew(t, l)
	dgram := make([]byte, 65536)
	for i := range dgram {
		dgram[i] = 42
	}
	require.NoError(t, h.Send(&req, [][]byte{dgram}, udpClosedPort(t, udpLo4), func(r *handles.UDPSendReq, err error) {
		require.Same(t, &req, r)
		require.Same(t, h, r.UDP())
		require.ErrorIs(t, err, uv.EMSGSIZE)
		r.UDP().Close(func() { closed++ })
		sends++
	}))
	require.Zero(t, sends+closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, sends)
	require.Equal(t, 1, closed)
}

// udpDualStackTest is libuv's test-udp-ipv6.c do_test: an IPv4 client sends to a server on an
// IPv6 socket; recv decides whether the datagram may arrive. libuv binds the server to "::"
// and the client sends to 127.0.0.1; here, to stay on loopback, the dual-stack server binds
// the IPv4-mapped loopback address (which only a dual-stack socket can), and the IPv6-only
// server binds ::1. A timer ends the test after 100 ms (libuv: 500 ms).
func udpDualStackTest(t *testing.T, bindAddr netip.AddrPort, flags int, wantRecv int) {
	l := newLoop(t)
	var sends, recvs, closed int
	server, srvAddr := udpBound(t, l, bindAddr, flags)
	client := udpNew(t, l)
	data := fmt.Sprintf("PING%5d", uint16(os.Getpid()))
	var clientPort uint16
	fromClient := func(from netip.AddrPort) bool {
		return from.IsValid() && from.Port() == clientPort && from.Addr() == netip.MustParseAddr("::ffff:127.0.0.1")
	}
	require.NoError(t, server.RecvStart(udpSlab(65536), func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if !fromClient(from) {
			return
		}
		require.Equal(t, 1, wantRecv, "datagram from the IPv4 client on an IPv6-only socket")
		require.Equal(t, data, string(buf))
		recvs++
	}))
	var req handles.UDPSendReq
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), srvAddr.Port())
	require.NoError(t, client.Send(&req, [][]byte{[]byte(data)}, to, func(r *handles.UDPSendReq, err error) {
		require.Same(t, &req, r)
		require.NoError(t, err)
		sends++
	}))
	cliAddr, err := client.Sockname()
	require.NoError(t, err)
	clientPort = cliAddr.Port()
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, timer.Start(func(h *handles.Timer) {
		server.Close(func() { closed++ })
		client.Close(func() { closed++ })
		h.Close(func() { closed++ })
	}, 100, 0))
	require.Zero(t, sends+recvs+closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 3, closed)
	require.Equal(t, 1, sends)
	require.Equal(t, wantRecv, recvs)
}

// libuv: udp_dual_stack
func TestUDPDualStack(t *testing.T) {
	udpSkipWithoutIPv6(t)
	if runtime.GOOS == "openbsd" {
		t.Skip("IPv6-IPv4 dual stack not supported")
	}
	udpDualStackTest(t, netip.MustParseAddrPort("[::ffff:127.0.0.1]:0"), 0, 1)
}

// libuv: udp_ipv6_only
func TestUDPIPv6Only(t *testing.T) {
	udpSkipWithoutIPv6(t)
	// The flag takes effect: an IPv6-only socket cannot take an IPv4-mapped address.
	l := newLoop(t)
	h := udpNew(t, l)
	require.ErrorIs(t, h.Bind(netip.MustParseAddrPort("[::ffff:127.0.0.1]:0"), handles.UDPIPv6Only), uv.EINVAL)
	require.ErrorIs(t, udpNew(t, l).Bind(udpLo4, handles.UDPIPv6Only), uv.EINVAL)
	udpDualStackTest(t, udpLo6, handles.UDPIPv6Only, 0)
}

// udpOptionsTest is libuv's udp_options_test: the option setters accept their ranges and
// refuse values outside with EINVAL.
func udpOptionsTest(t *testing.T, addr netip.AddrPort) {
	l := newLoop(t)
	h := udpNew(t, l)
	h.Unref() // do not keep the loop alive
	require.NoError(t, h.Bind(addr, 0))
	for _, on := range []bool{true, true, false, false} {
		require.NoError(t, h.SetBroadcast(on))
	}
	for i := 1; i <= 255; i++ {
		require.NoError(t, h.SetTTL(i), "ttl %d", i)
	}
	for _, ttl := range []int{-1, 0, 256} {
		require.ErrorIs(t, h.SetTTL(ttl), uv.EINVAL, "ttl %d", ttl)
	}
	for _, on := range []bool{true, true, false, false} {
		require.NoError(t, h.SetMulticastLoop(on))
	}
	for i := 0; i <= 255; i++ {
		require.NoError(t, h.SetMulticastTTL(i), "multicast ttl %d", i)
	}
	require.ErrorIs(t, h.SetMulticastTTL(256), uv.EINVAL)
	run(t, l, uv.RunDefault)
}

// libuv: udp_options
func TestUDPOptions(t *testing.T) { udpOptionsTest(t, udpLo4) }

// libuv: udp_options6
func TestUDPOptions6(t *testing.T) {
	udpSkipWithoutIPv6(t)
	udpOptionsTest(t, udpLo6)
}

// TestUDPNoAutobind checks that options do not create a socket: EBADF without one; with
// InitEx's early socket they work.
// libuv: udp_no_autobind
func TestUDPNoAutobind(t *testing.T) {
	l := newLoop(t)
	var h, h2 handles.UDP
	require.NoError(t, h.Init(l))
	require.ErrorIs(t, h.SetMulticastTTL(32), uv.EBADF)
	require.ErrorIs(t, h.SetBroadcast(true), uv.EBADF)
	require.ErrorIs(t, h.SetTTL(1), uv.EBADF)
	require.ErrorIs(t, h.SetMulticastLoop(true), uv.EBADF)
	require.ErrorIs(t, h.SetMulticastInterface(netip.IPv4Unspecified()), uv.EBADF)
	_, err := h.Fileno()
	require.ErrorIs(t, err, uv.EBADF)
	require.NoError(t, h.Close(nil))

	require.NoError(t, h2.InitEx(l, uv.DomainInet, handles.UDPRecvmmsg))
	require.NoError(t, h2.SetMulticastTTL(32))
	require.NoError(t, h2.SetBroadcast(true))
	require.NoError(t, h2.SetTTL(1))
	require.NoError(t, h2.SetMulticastLoop(true))
	require.NoError(t, h2.SetMulticastInterface(netip.IPv4Unspecified()))
	require.NoError(t, h2.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestUDPMmsg receives 40 datagrams with UDPRecvmmsg: batched chunks, then the buffer handed
// back with UDPMmsgFree.
// libuv: udp_mmsg
func TestUDPMmsg(t *testing.T) {
	const numSends = 40
	l := newLoop(t)
	var recvs, datagrams, readBytes, closed, allocs int
	var recver handles.UDP
	require.NoError(t, recver.InitEx(l, uv.DomainUnspec, handles.UDPRecvmmsg))
	require.NoError(t, recver.Bind(udpLo4, 0))
	addr, err := recver.Sockname()
	require.NoError(t, err)
	sender := udpNew(t, l)
	outstanding := map[*byte]bool{} // buffers handed out and not handed back
	alloc := func(u *handles.UDP, suggested int) []byte {
		require.Same(t, &recver, u)
		size := 64 * 1024
		if u.UsingRecvmmsg() {
			size *= 20
		}
		allocs++
		b := make([]byte, size)
		outstanding[&b[0]] = true
		return b
	}
	require.NoError(t, recver.RecvStart(alloc, func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		readBytes += len(buf)
		if flags&handles.UDPMmsgFree != 0 {
			require.Empty(t, buf)
			require.False(t, from.IsValid())
			require.True(t, outstanding[&buf[:1][0]], "the buffer alloc returned")
			delete(outstanding, &buf[:1][0])
			return
		}
		if len(buf) == 0 {
			require.False(t, from.IsValid())
		} else {
			require.Equal(t, "PING", string(buf))
			require.True(t, from.IsValid())
			datagrams++
		}
		recvs++
		if datagrams == numSends {
			u.Close(func() { closed++ })
			sender.Close(func() { closed++ })
		}
		if flags&handles.UDPMmsgChunk == 0 && cap(buf) > 0 {
			delete(outstanding, &buf[:1][0])
		}
	}))
	for range numSends {
		n, err := sender.TrySend(udpPing, addr)
		require.NoError(t, err)
		require.Equal(t, 4, n)
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closed)
	require.Equal(t, numSends, datagrams)
	require.Zero(t, sender.SendQueueSize())
	require.Zero(t, recver.SendQueueSize())
	t.Logf("%d allocs for %d recvs", allocs, recvs)
	if recver.UsingRecvmmsg() {
		require.Equal(t, numSends*4, readBytes)
	} else {
		require.Equal(t, allocs, recvs)
	}
}

// TestUDPMmsgSmallBuf: a buffer smaller than one 64 KiB chunk fails a batched receive with
// EINVAL.
// libuv: udp_mmsg_small_buf
func TestUDPMmsgSmallBuf(t *testing.T) {
	l := newLoop(t)
	var recvs, closed int
	var recver handles.UDP
	require.NoError(t, recver.InitEx(l, uv.DomainUnspec, handles.UDPRecvmmsg))
	if !recver.UsingRecvmmsg() {
		require.NoError(t, recver.Close(func() { closed++ }))
		run(t, l, uv.RunDefault)
		require.Equal(t, 1, closed)
		return
	}
	require.NoError(t, recver.Bind(udpLo4, 0))
	addr, err := recver.Sockname()
	require.NoError(t, err)
	sender := udpNew(t, l)
	require.NoError(t, recver.RecvStart(func(*handles.UDP, int) []byte { return make([]byte, 64) },
		func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
			require.Same(t, &recver, u)
			require.ErrorIs(t, err, uv.EINVAL)
			recver.Close(func() { closed++ })
			sender.Close(func() { closed++ })
			recvs++
		}))
	n, err := sender.TrySend(udpPing, addr)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, recvs)
	require.Equal(t, 2, closed)
}

// TestUDPMmsgSingleDrainCb: one datagram received by a batch gives one chunk callback, one
// UDPMmsgFree callback, and then exactly one "nothing more" callback.
// libuv: udp_mmsg_single_drain_cb
func TestUDPMmsgSingleDrainCb(t *testing.T) {
	l := newLoop(t)
	var closed, data, frees, drains, timeouts int
	duplicate := false
	var recver handles.UDP
	require.NoError(t, recver.InitEx(l, uv.DomainUnspec, handles.UDPRecvmmsg))
	if !recver.UsingRecvmmsg() {
		require.NoError(t, recver.Close(func() { closed++ }))
		run(t, l, uv.RunDefault)
		require.Equal(t, 1, closed)
		return
	}
	require.NoError(t, recver.Bind(udpLo4, 0))
	addr, err := recver.Sockname()
	require.NoError(t, err)
	sender := udpNew(t, l)
	timeout, err := handles.NewTimer(l)
	require.NoError(t, err)
	closeAll := func() {
		if !recver.IsClosing() {
			recver.Close(func() { closed++ })
		}
		if !sender.IsClosing() {
			sender.Close(func() { closed++ })
		}
		if !timeout.IsClosing() {
			timeout.Close(nil)
		}
	}
	require.NoError(t, recver.RecvStart(func(_ *handles.UDP, suggested int) []byte { return make([]byte, suggested) },
		func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
			require.NoError(t, err)
			if flags&handles.UDPMmsgFree != 0 {
				require.Empty(t, buf)
				require.False(t, from.IsValid())
				frees++
				return
			}
			if len(buf) > 0 {
				require.Equal(t, "PING", string(buf))
				require.True(t, from.IsValid())
				data++
				return
			}
			require.False(t, from.IsValid())
			if drains++; drains == 1 {
				closeAll()
				return
			}
			duplicate = true
		}))
	require.NoError(t, timeout.Start(func(*handles.Timer) { timeouts++; closeAll() }, 5000, 0))
	n, err := sender.TrySend(udpPing, addr)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	run(t, l, uv.RunDefault)
	require.Zero(t, timeouts)
	require.False(t, duplicate)
	require.Equal(t, 1, data)
	require.Equal(t, 1, frees)
	require.Equal(t, 1, drains)
	require.Equal(t, 2, closed)
}

// TestUDPMulticastInterface sends to a multicast group after choosing the sending interface.
// libuv chooses 0.0.0.0 (the default interface); here 0.0.0.0 is set and then 127.0.0.1, so
// the datagram stays on loopback.
// libuv: udp_multicast_interface
func TestUDPMulticastInterface(t *testing.T) {
	l := newLoop(t)
	var sends, closed int
	server, _ := udpBound(t, l, udpLo4, 0)
	require.NoError(t, server.SetMulticastInterface(netip.IPv4Unspecified()))
	require.NoError(t, server.SetMulticastInterface(netip.MustParseAddr("127.0.0.1")))
	var req handles.UDPSendReq
	group := netip.AddrPortFrom(netip.MustParseAddr("239.255.0.1"), udpClosedPort(t, udpLo4).Port())
	require.NoError(t, server.Send(&req, udpPing, group, func(r *handles.UDPSendReq, err error) {
		if err != nil {
			require.True(t, errors.Is(err, uv.ENETUNREACH) || errors.Is(err, uv.EPERM), "%v", err)
		}
		sends++
		r.UDP().Close(func() { closed++ })
	}))
	require.Zero(t, sends+closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, sends)
	require.Equal(t, 1, closed)
	require.Zero(t, server.SendQueueSize())
}

// TestUDPMulticastInterface6 sets the IPv6 multicast interface to the default and sends to
// ::1.
// libuv: udp_multicast_interface6
func TestUDPMulticastInterface6(t *testing.T) {
	udpSkipWithoutIPv6(t)
	l := newLoop(t)
	var sends, closed int
	server, _ := udpBound(t, l, udpLo6, 0)
	if runtime.GOOS == "linux" {
		require.NoError(t, server.SetMulticastInterface(netip.Addr{}))
	} else {
		lo := netip.IPv6Loopback().WithZone(strconv.Itoa(udpLoopbackIndex(t)))
		require.NoError(t, server.SetMulticastInterface(lo))
	}
	var req handles.UDPSendReq
	require.NoError(t, server.Send(&req, udpPing, udpClosedPort(t, udpLo6), func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		sends++
		r.UDP().Close(func() { closed++ })
	}))
	require.Zero(t, sends+closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, sends)
	require.Equal(t, 1, closed)
}

// udpMulticastJoinTest is udp_multicast_join(6): a member receives a datagram sent to the
// group, leaves, joins again for the sender as its only source, and receives a second one.
// The member binds the group address and joins on the loopback interface (iface); the sender
// sends through it.
func udpMulticastJoinTest(t *testing.T, group, iface netip.Addr, senderAddr netip.AddrPort) {
	l := newLoop(t)
	var recvs, sends, closed int
	server, srvAddr := udpBound(t, l, netip.AddrPortFrom(group, 0), 0)
	client, _ := udpBound(t, l, senderAddr, 0)
	require.NoError(t, client.SetMulticastInterface(iface))
	require.NoError(t, client.SetMulticastLoop(true))
	require.NoError(t, server.SetMembership(group, iface, handles.JoinGroup))
	to := netip.AddrPortFrom(group, srvAddr.Port())
	var req, reqSS handles.UDPSendReq
	sendCb := func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		require.Same(t, client, r.UDP())
		if sends++; sends == 2 {
			r.UDP().Close(func() { closed++ })
		}
	}
	require.NoError(t, server.RecvStart(udpSlab(65536), func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		require.Zero(t, flags)
		if len(buf) == 0 {
			require.False(t, from.IsValid())
			return
		}
		require.True(t, from.IsValid())
		require.Equal(t, "PING", string(buf))
		if recvs++; recvs == 2 {
			u.Close(func() { closed++ })
			return
		}
		require.NoError(t, u.SetMembership(group, iface, handles.LeaveGroup))
		err = u.SetSourceMembership(group, iface, from.Addr().WithZone(""), handles.JoinGroup)
		if runtime.GOOS == "netbsd" || runtime.GOOS == "openbsd" {
			require.ErrorIs(t, err, uv.ENOSYS)
			u.Close(func() { closed++ })
			client.Close(func() { closed++ })
			recvs, sends = 2, 2
			return
		}
		require.NoError(t, err)
		require.NoError(t, client.Send(&reqSS, udpPing, to, sendCb))
	}))
	require.NoError(t, client.Send(&req, udpPing, to, sendCb))
	require.Zero(t, recvs+sends+closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, recvs)
	require.Equal(t, 2, sends)
	require.Equal(t, 2, closed)
}

// libuv: udp_multicast_join
func TestUDPMulticastJoin(t *testing.T) {
	if runtime.GOOS == "openbsd" {
		t.Skip("does not work on OpenBSD (as in libuv)")
	}
	group := netip.MustParseAddr("239.255.0.1")
	udpMulticastProbe4(t, group)
	udpMulticastJoinTest(t, group, netip.MustParseAddr("127.0.0.1"), udpLo4)
}

// libuv: udp_multicast_join6
func TestUDPMulticastJoin6(t *testing.T) {
	udpSkipWithoutIPv6(t)
	idx := udpLoopbackIndex(t)
	zone := strconv.Itoa(idx)
	group := netip.MustParseAddr("ff02::1").WithZone(zone)
	udpMulticastProbe6(t, group, idx)
	udpMulticastJoinTest(t, group, netip.IPv6Loopback().WithZone(zone), udpLo6)
}

// TestUDPMulticastTTL sets the multicast hop limit and sends to a group. libuv lets the
// datagram leave by the default interface; here it is sent through loopback.
// libuv: udp_multicast_ttl
func TestUDPMulticastTTL(t *testing.T) {
	l := newLoop(t)
	var sends, closed int
	server, _ := udpBound(t, l, udpLo4, 0)
	require.NoError(t, server.SetMulticastTTL(32))
	require.NoError(t, server.SetMulticastInterface(netip.MustParseAddr("127.0.0.1")))
	var req handles.UDPSendReq
	group := netip.AddrPortFrom(netip.MustParseAddr("239.255.0.1"), udpClosedPort(t, udpLo4).Port())
	require.NoError(t, server.Send(&req, udpPing, group, func(r *handles.UDPSendReq, err error) {
		if err != nil {
			require.True(t, errors.Is(err, uv.ENETUNREACH) || errors.Is(err, uv.EPERM), "%v", err)
		}
		sends++
		r.UDP().Close(func() { closed++ })
	}))
	require.Zero(t, sends+closed)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, sends)
	require.Equal(t, 1, closed)
}

// TestUDPSendFailNbufs checks that sends without buffers, or with more than libuv's limit of
// buffers, are refused with EINVAL (libuv's nbufs of 0 and -1).
// libuv: udp_send_fail_nbufs
func TestUDPSendFailNbufs(t *testing.T) {
	l := newLoop(t)
	client := udpNew(t, l)
	addr := udpClosedPort(t, udpLo4)
	var req handles.UDPSendReq
	tooMany := make([][]byte, 1024*1024+1)
	require.ErrorIs(t, client.Send(&req, udpPing[:0], addr, nil), uv.EINVAL)
	require.ErrorIs(t, client.Send(&req, tooMany, addr, nil), uv.EINVAL)
	_, err := client.TrySend(udpPing[:0], addr)
	require.ErrorIs(t, err, uv.EINVAL)
	_, err = client.TrySend(tooMany, addr)
	require.ErrorIs(t, err, uv.EINVAL)
	require.NoError(t, client.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestUDPSendmmsgError queues six sends on a socket connected to a closed port: the ICMP
// errors fail some with ECONNREFUSED, and every callback runs.
// libuv: udp_sendmmsg_error
func TestUDPSendmmsgError(t *testing.T) {
	const datagrams = 6
	l := newLoop(t)
	var sends, closed int
	client := udpNew(t, l)
	require.NoError(t, client.Connect(udpClosedPort(t, udpLo4)))
	var reqs [datagrams]handles.UDPSendReq
	buf := [][]byte{[]byte("TEST")}
	for i := range reqs {
		require.NoError(t, client.Send(&reqs[i], buf, netip.AddrPort{}, func(r *handles.UDPSendReq, err error) {
			if err != nil {
				require.ErrorIs(t, err, uv.ECONNREFUSED)
			}
			if sends++; sends == datagrams {
				client.Close(func() {
					require.True(t, client.IsClosing())
					closed++
				})
			}
		}))
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, closed)
	require.Equal(t, datagrams, sends)
	require.Zero(t, client.SendQueueSize())
}

// TestUDPTrySend covers TrySend's EINVAL and EMSGSIZE, TrySend2 with two datagrams, and a
// receiver stopped and restarted.
// libuv: udp_try_send
func TestUDPTrySend(t *testing.T) {
	l := newLoop(t)
	var svRecv, closed int
	onClose := udpCloseCounter(t, &closed)
	server, addr := udpBound(t, l, udpLo4, 0)
	client := udpNew(t, l)
	recv := func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if len(buf) == 0 {
			require.False(t, from.IsValid())
			return
		}
		require.Len(t, buf, 4)
		require.True(t, from.IsValid())
		if string(buf) == "EXIT" {
			u.Close(onClose(u))
			client.Close(onClose(client))
		} else {
			require.Equal(t, "HELO", string(buf))
		}
		if svRecv++; svRecv == 2 {
			require.NoError(t, u.RecvStop())
		}
	}
	require.NoError(t, server.RecvStart(udpSlab(65536), recv))

	_, err := client.TrySend(nil, addr)
	require.ErrorIs(t, err, uv.EINVAL)
	_, err = client.TrySend([][]byte{make([]byte, 64*1024)}, addr)
	require.ErrorIs(t, err, uv.EMSGSIZE)
	require.Zero(t, svRecv)

	helo := [][]byte{[]byte("HELO")}
	n, err := client.TrySend2([][][]byte{helo, helo}, []netip.AddrPort{addr, addr})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, svRecv)

	require.NoError(t, server.RecvStart(udpSlab(65536), recv))
	n, err = client.TrySend([][]byte{[]byte("EXIT")}, addr)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, closed)
	require.Equal(t, 3, svRecv)
	require.Zero(t, client.SendQueueSize())
	require.Zero(t, server.SendQueueSize())
}

// TestUDPRecvInARow sends four datagrams and an empty one, then checks in a check callback
// that they were received in one go (plus at most one "nothing more" callback).
// libuv: udp_recv_in_a_row
func TestUDPRecvInARow(t *testing.T) {
	const n = 5
	l := newLoop(t)
	recvs := 0
	checked := false
	data := make([]byte, 10)
	server, addr := udpBound(t, l, udpLo4, 0)
	client := udpNew(t, l)
	check, err := handles.NewCheck(l)
	require.NoError(t, err)
	require.NoError(t, check.Start(func(h *handles.Check) {
		require.GreaterOrEqual(t, recvs, 1)
		require.LessOrEqual(t, recvs, n+1)
		checked = true
		require.NoError(t, h.Stop())
		client.Close(nil)
		h.Close(nil)
		server.Close(nil)
	}))
	require.NoError(t, server.RecvStart(udpSlab(len(data)), func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		recvs++
		if len(buf) > 0 {
			require.Len(t, buf, len(data))
		}
	}))
	for range n - 1 {
		sent, err := client.TrySend([][]byte{data}, addr)
		require.NoError(t, err)
		require.Equal(t, len(data), sent)
	}
	sent, err := client.TrySend([][]byte{nil}, addr)
	require.NoError(t, err)
	require.Zero(t, sent)
	run(t, l, uv.RunDefault)
	require.True(t, checked)
}

// TestUDPReuseport: on Linux, two loops on two goroutines receive on sockets bound to one
// port with UDPReusePort, and the kernel spreads datagrams from different senders between
// them; elsewhere UDPReusePort is ENOTSUP. libuv sends 10 datagrams; 32 make "all on one
// socket" (probability 2^-31) negligible.
// libuv: udp_reuseport
func TestUDPReuseport(t *testing.T) {
	if runtime.GOOS != "linux" {
		l := newLoop(t)
		h1 := udpNew(t, l)
		require.NoError(t, h1.Bind(udpLo4, handles.UDPReuseAddr))
		require.ErrorIs(t, udpNew(t, l).Bind(udpLo4, handles.UDPReusePort), uv.ENOTSUP)
		require.ErrorIs(t, udpNew(t, l).Bind(udpLo4, handles.UDPReuseAddr|handles.UDPReusePort), uv.ENOTSUP)
		return
	}
	if runtime.NumCPU() < 2 {
		t.Skip("unreliable without thread parallelism")
	}
	const datagrams = 32
	var received atomic.Int32
	perLoop := [2]int{}
	ready := make(chan struct{}, 2)
	var wg sync.WaitGroup
	var first netip.AddrPort
	portMu := sync.Mutex{}
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := uv.NewLoop()
			if err != nil {
				t.Error(err)
				ready <- struct{}{}
				return
			}
			defer l.Close()
			h, err := handles.NewUDP(l)
			if err != nil {
				t.Error(err)
				ready <- struct{}{}
				return
			}
			portMu.Lock()
			addr := first
			if !addr.IsValid() {
				addr = udpLo4
			}
			err = h.Bind(addr, handles.UDPReuseAddr|handles.UDPReusePort)
			if err == nil && !first.IsValid() {
				first, err = h.Sockname()
			}
			portMu.Unlock()
			if err != nil {
				t.Error(err)
				h.Close(nil)
				l.Run(uv.RunDefault)
				ready <- struct{}{}
				return
			}
			err = h.RecvStart(nil, func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
				if err != nil || flags != 0 {
					t.Errorf("recv: %v, flags %#x", err, flags)
					return
				}
				if len(buf) == 0 {
					return
				}
				if string(buf) != "Hello" || !from.IsValid() {
					t.Errorf("got %q from %v", buf, from)
				}
				perLoop[i]++
				received.Add(1)
			})
			if err != nil {
				t.Error(err)
			}
			timer, _ := handles.NewTimer(l)
			timer.Start(func(tm *handles.Timer) {
				if received.Load() == datagrams {
					tm.Close(nil)
					h.Close(nil)
				}
			}, 0, 10)
			ready <- struct{}{}
			if _, err := l.Run(uv.RunDefault); err != nil {
				t.Error(err)
			}
		}()
	}
	<-ready
	<-ready
	if t.Failed() {
		t.FailNow()
	}

	l := newLoop(t)
	sent := 0
	var reqs [datagrams]handles.UDPSendReq
	hello := [][]byte{[]byte("Hello")}
	for i := range reqs {
		h := udpNew(t, l)
		require.NoError(t, h.Send(&reqs[i], hello, first, func(r *handles.UDPSendReq, err error) {
			require.NoError(t, err)
			sent++
			r.UDP().Close(nil)
		}))
	}
	run(t, l, uv.RunDefault)
	wg.Wait()
	require.Equal(t, int32(datagrams), received.Load())
	require.Equal(t, datagrams, sent)
	require.Positive(t, perLoop[0], "first loop received nothing")
	require.Positive(t, perLoop[1], "second loop received nothing")
	require.Equal(t, sent, perLoop[0]+perLoop[1])
}

// udpOpenRecv is test-udp-open.c's receive callback: one PING, then stop and close.
func udpOpenRecv(t *testing.T, closed *int) func(*handles.UDP, []byte, netip.AddrPort, int, error) {
	return func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if len(buf) == 0 {
			require.False(t, from.IsValid())
			return
		}
		require.Zero(t, flags)
		require.True(t, from.IsValid())
		require.Equal(t, "PING", string(buf))
		require.NoError(t, u.RecvStop())
		u.Close(func() { *closed++ })
	}
}

// TestUDPOpen adopts a socket, binds and sends to itself; a second handle cannot adopt the
// same socket (EEXIST).
// libuv: udp_open
func TestUDPOpen(t *testing.T) {
	l := newLoop(t)
	var sends, closed int
	sock := udpRawSocket(t)
	client := udpNew(t, l)
	require.NoError(t, client.Open(sock))
	require.NoError(t, client.Bind(udpLo4, 0))
	addr, err := client.Sockname()
	require.NoError(t, err)
	require.NoError(t, client.RecvStart(udpSlab(65536), udpOpenRecv(t, &closed)))
	var req handles.UDPSendReq
	require.NoError(t, client.Send(&req, udpPing, addr, func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		sends++
		r.UDP().Close(func() { closed++ })
	}))

	client2 := udpNew(t, l)
	require.ErrorIs(t, client2.Open(sock), uv.EEXIST)
	require.NoError(t, client2.Close(nil))

	run(t, l, uv.RunDefault)
	require.Equal(t, 1, sends)
	require.Equal(t, 1, closed)
	require.Zero(t, client.SendQueueSize())
}

// TestUDPOpenTwice: a handle that has a socket refuses a second one with EBUSY.
// libuv: udp_open_twice
func TestUDPOpenTwice(t *testing.T) {
	l := newLoop(t)
	sock1, sock2 := udpRawSocket(t), udpRawSocket(t)
	client := udpNew(t, l)
	require.NoError(t, client.Open(sock1))
	require.ErrorIs(t, client.Open(sock2), uv.EBUSY)
	require.NoError(t, uv.CloseSocket(sock2))
	require.NoError(t, client.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestUDPOpenBound adopts a socket bound before and receives on it without binding again.
// libuv: udp_open_bound
func TestUDPOpenBound(t *testing.T) {
	l := newLoop(t)
	closed := 0
	sock := udpRawSocket(t)
	udpRawBind(t, sock, netip.MustParseAddrPort("127.0.0.1:0"))
	client := udpNew(t, l)
	require.NoError(t, client.Open(sock))
	addr, err := client.Sockname()
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", addr.Addr().String())
	require.NotZero(t, addr.Port())
	require.NoError(t, client.RecvStart(udpSlab(65536), udpOpenRecv(t, &closed)))
	require.NoError(t, client.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestUDPOpenConnect adopts a socket connected before: it counts as connected, so a send
// without an address goes to the peer.
// libuv: udp_open_connect
func TestUDPOpenConnect(t *testing.T) {
	l := newLoop(t)
	var sends, closed int
	server, addr := udpBound(t, l, udpLo4, 0)
	sock := udpRawSocket(t)
	udpRawConnect(t, sock, addr)
	client := udpNew(t, l)
	require.NoError(t, client.Open(sock))
	require.NoError(t, server.RecvStart(udpSlab(65536), udpOpenRecv(t, &closed)))
	var req handles.UDPSendReq
	require.NoError(t, client.Send(&req, udpPing, netip.AddrPort{}, func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		sends++
		r.UDP().Close(func() { closed++ })
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, sends)
	require.Equal(t, 2, closed)
	require.Zero(t, client.SendQueueSize())
}

// TestUDPRef: an unreferenced UDP handle does not keep the loop alive.
// libuv: udp_ref
func TestUDPRef(t *testing.T) {
	l := newLoop(t)
	h := udpNew(t, l)
	h.Unref()
	run(t, l, uv.RunDefault)
	refCloseAndRun(t, l, &h.Handle)
}

// TestUDPRef2: nor does an unreferenced receiving one; its callbacks must not run.
// libuv: udp_ref2
func TestUDPRef2(t *testing.T) {
	l := newLoop(t)
	h, _ := udpBound(t, l, udpLo4, 0)
	require.NoError(t, h.RecvStart(func(*handles.UDP, int) []byte {
		t.Error("alloc must not run")
		return nil
	}, func(*handles.UDP, []byte, netip.AddrPort, int, error) { t.Error("recv must not run") }))
	h.Unref()
	run(t, l, uv.RunDefault)
	refCloseAndRun(t, l, &h.Handle)
}

// TestUDPRef3: a pending send keeps the loop alive even when its handle is unreferenced.
// libuv's receiver is an echo server in a helper process; a datagram needs no receiver, so
// here a bound handle of the same loop that does not receive stands in.
// libuv: udp_ref3
func TestUDPRef3(t *testing.T) {
	l := newLoop(t)
	_, addr := udpBound(t, l, udpLo4, 0)
	h := udpNew(t, l)
	calls := 0
	var req handles.UDPSendReq
	require.NoError(t, h.Send(&req, udpPing, addr, func(*handles.UDPSendReq, error) { calls++ }))
	h.Unref()
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
	refCloseAndRun(t, l, &h.Handle)
}

// TestWatcherCrossStop binds 2500 UDP sockets to one address with UDPReuseAddr, each sending
// a datagram to it, runs until one arrives and closes them all: closing watchers whose events
// are pending in the same poll must not confuse the loop, and every send callback runs.
// libuv: watcher_cross_stop
func TestWatcherCrossStop(t *testing.T) {
	const n = 2500
	udpNeedSockets(t, n+64)
	l := newLoop(t)
	var recvs, sends, closed int
	socks := make([]handles.UDP, n)
	reqs := make([]handles.UDPSendReq, n)
	big := [][]byte{make([]byte, 1024)}
	for i := range big[0] {
		big[0][i] = 'A'
	}
	addr := udpLo4
	slab := udpSlab(1)
	for i := range socks {
		require.NoError(t, socks[i].Init(l))
		require.NoError(t, socks[i].Bind(addr, handles.UDPReuseAddr))
		if i == 0 {
			var err error
			addr, err = socks[0].Sockname()
			require.NoError(t, err)
		}
		require.NoError(t, socks[i].RecvStart(slab, func(*handles.UDP, []byte, netip.AddrPort, int, error) { recvs++ }))
		require.NoError(t, socks[i].Send(&reqs[i], big, addr, func(*handles.UDPSendReq, error) { sends++ }))
	}
	for recvs == 0 {
		run(t, l, uv.RunOnce)
	}
	for i := range socks {
		require.NoError(t, socks[i].Close(func() { closed++ }))
	}
	require.Positive(t, recvs)
	run(t, l, uv.RunDefault)
	require.Equal(t, n, sends)
	require.Equal(t, n, closed)
}

// TestGetsocknameUDP checks the local addresses of a bound receiver and of a sender bound
// implicitly by its first send. libuv's receiver binds 0.0.0.0; here 127.0.0.1.
// libuv: getsockname_udp
func TestGetsocknameUDP(t *testing.T) {
	l := newLoop(t)
	count := 0
	server, addr := udpBound(t, l, udpLo4, 0)
	require.Equal(t, "127.0.0.1", addr.Addr().String())
	require.NotZero(t, addr.Port())
	count++
	sender := udpNew(t, l)
	require.NoError(t, server.RecvStart(func(_ *handles.UDP, n int) []byte { return make([]byte, n) },
		func(u *handles.UDP, buf []byte, from netip.AddrPort, flags int, err error) {
			require.NoError(t, err)
			if len(buf) == 0 {
				return
			}
			name, err := sender.Sockname()
			require.NoError(t, err)
			require.Equal(t, netip.IPv4Unspecified(), name.Addr())
			require.Equal(t, from.Port(), name.Port())
			count++
			sender.Close(nil)
			u.Close(nil)
		}))
	var req handles.UDPSendReq
	require.NoError(t, sender.Send(&req, udpPing, addr, func(*handles.UDPSendReq, error) {}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 2, count)
	require.Zero(t, sender.SendQueueSize())
	require.Zero(t, server.SendQueueSize())
}
