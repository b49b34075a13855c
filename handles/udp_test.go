package handles_test

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
)

var udpLoopback = netip.MustParseAddrPort("127.0.0.1:0")

// udpLoop creates a loop that the test closes (with every handle) when it ends.
func udpLoop(t testing.TB) *uv.Loop {
	t.Helper()
	l, err := uv.NewLoop()
	require.NoError(t, err)
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

// udpBound returns a UDP handle bound to 127.0.0.1 and its address.
func udpBound(t testing.TB, l *uv.Loop) (*handles.UDP, netip.AddrPort) {
	t.Helper()
	u, err := handles.NewUDP(l)
	require.NoError(t, err)
	require.NoError(t, u.Bind(udpLoopback, 0))
	addr, err := u.Sockname()
	require.NoError(t, err)
	return u, addr
}

func udpRun(t testing.TB, l *uv.Loop, mode uv.RunMode) {
	t.Helper()
	if _, err := l.Run(mode); err != nil {
		t.Fatal(err)
	}
}

// A ping-pong: the client's first send binds it implicitly; the server answers to the
// source address the receive callback reported.
func TestUDPPingPong(t *testing.T) {
	l := udpLoop(t)
	srv, srvAddr := udpBound(t, l)
	cli, err := handles.NewUDP(l)
	require.NoError(t, err)
	_, err = cli.Sockname()
	require.ErrorIs(t, err, uv.EBADF, "no socket before the first send")

	var sreq, creq handles.UDPSendReq
	var events []string
	buf := make([]byte, 64*1024)
	alloc := func(*handles.UDP, int) []byte { return buf }
	require.NoError(t, srv.RecvStart(alloc, func(u *handles.UDP, b []byte, from netip.AddrPort, flags int, err error) {
		require.NoError(t, err)
		if len(b) == 0 {
			require.False(t, from.IsValid())
			return
		}
		require.Zero(t, flags)
		require.Equal(t, "PING", string(b))
		cliAddr, err := cli.Sockname()
		require.NoError(t, err)
		require.Equal(t, cliAddr.Port(), from.Port())
		events = append(events, "server recv")
		require.NoError(t, u.RecvStop())
		require.NoError(t, u.Send(&sreq, [][]byte{[]byte("PONG")}, from, func(r *handles.UDPSendReq, err error) {
			require.NoError(t, err)
			require.Same(t, srv, r.UDP())
			events = append(events, "server sent")
			r.UDP().Close(nil)
		}))
	}))
	require.NoError(t, cli.Send(&creq, [][]byte{[]byte("PI"), []byte("NG")}, srvAddr, func(r *handles.UDPSendReq, err error) {
		require.NoError(t, err)
		events = append(events, "client sent")
		require.NoError(t, cli.RecvStart(nil, func(u *handles.UDP, b []byte, from netip.AddrPort, flags int, err error) {
			require.NoError(t, err)
			if len(b) == 0 {
				return
			}
			require.Equal(t, "PONG", string(b))
			require.Equal(t, srvAddr, from)
			events = append(events, "client recv")
			u.Close(nil)
		}))
	}))
	require.Equal(t, 1, cli.SendQueueCount())
	require.Equal(t, 4, cli.SendQueueSize())
	require.True(t, cli.IsActive())
	addr, err := cli.Sockname()
	require.NoError(t, err)
	require.True(t, addr.Addr().IsUnspecified() && addr.Addr().Is4(), "implicit bind to 0.0.0.0, got %v", addr)
	udpRun(t, l, uv.RunDefault)
	require.Equal(t, []string{"client sent", "server recv", "server sent", "client recv"}, events)
	require.Zero(t, cli.SendQueueCount())
	require.Zero(t, cli.SendQueueSize())
}

// A datagram larger than the buffer arrives truncated with UDPPartial.
func TestUDPPartial(t *testing.T) {
	l := udpLoop(t)
	srv, addr := udpBound(t, l)
	cli, err := handles.NewUDP(l)
	require.NoError(t, err)
	buf := make([]byte, 3)
	var got []byte
	var gotFlags int
	require.NoError(t, srv.RecvStart(func(*handles.UDP, int) []byte { return buf },
		func(u *handles.UDP, b []byte, from netip.AddrPort, flags int, err error) {
			require.NoError(t, err)
			if len(b) == 0 && !from.IsValid() {
				return
			}
			got, gotFlags = append([]byte(nil), b...), flags
			u.Close(nil)
			cli.Close(nil)
		}))
	n, err := cli.TrySend([][]byte{[]byte("HELLO")}, addr)
	require.NoError(t, err)
	require.Equal(t, 5, n)
	udpRun(t, l, uv.RunDefault)
	require.Equal(t, "HEL", string(got))
	require.Equal(t, handles.UDPPartial, gotFlags)
}

// Sends queued on a handle that closes still get their callbacks, before the close callback.
func TestUDPCloseRunsSendCallbacks(t *testing.T) {
	l := udpLoop(t)
	_, addr := udpBound(t, l)
	cli, err := handles.NewUDP(l)
	require.NoError(t, err)
	var reqs [3]handles.UDPSendReq
	var events []string
	for i := range reqs {
		require.NoError(t, cli.Send(&reqs[i], [][]byte{[]byte("x")}, addr, func(r *handles.UDPSendReq, err error) {
			require.NoError(t, err) // already sent: libuv reports success too
			events = append(events, "send")
		}))
	}
	require.Equal(t, 3, cli.SendQueueCount())
	require.NoError(t, cli.Close(func() { events = append(events, "close") }))
	require.Empty(t, events, "callbacks run in the loop, not in Close")
	udpRun(t, l, uv.RunDefault)
	require.Equal(t, []string{"send", "send", "send", "close"}, events)
	require.Zero(t, cli.SendQueueCount())
}

// Send on a closing handle is refused; RecvStart twice is EALREADY.
func TestUDPMisuse(t *testing.T) {
	l := udpLoop(t)
	u, addr := udpBound(t, l)
	recv := func(*handles.UDP, []byte, netip.AddrPort, int, error) {}
	require.ErrorIs(t, u.RecvStart(nil, nil), uv.EINVAL)
	require.NoError(t, u.RecvStart(nil, recv))
	require.ErrorIs(t, u.RecvStart(nil, recv), uv.EALREADY)
	require.NoError(t, u.RecvStop())
	require.NoError(t, u.RecvStop())
	require.False(t, u.IsActive())
	var req handles.UDPSendReq
	require.ErrorIs(t, u.Send(nil, [][]byte{{1}}, addr, nil), uv.EINVAL)
	require.ErrorIs(t, u.Send(&req, nil, addr, nil), uv.EINVAL)
	require.NoError(t, u.Close(nil))
	require.ErrorIs(t, u.Send(&req, [][]byte{{1}}, addr, nil), uv.EINVAL)
	_, err := u.TrySend([][]byte{{1}}, addr)
	require.ErrorIs(t, err, uv.EINVAL)
	require.ErrorIs(t, u.Bind(udpLoopback, 0), uv.EINVAL)
	require.ErrorIs(t, u.Bind(udpLoopback, 1<<10), uv.EINVAL)
	require.Equal(t, uv.EBADF, func() error { _, err := u.Fileno(); return err }())
}

// One round of Send (to an address, with a reused request) and the receive on another
// handle allocates nothing, callbacks included.
func TestUDPSendRecvAllocs(t *testing.T) {
	testutil.SkipRace(t)
	l := udpLoop(t)
	srv, addr := udpBound(t, l)
	cli, err := handles.NewUDP(l)
	require.NoError(t, err)
	buf := make([]byte, 64*1024)
	got, sent := 0, false
	require.NoError(t, srv.RecvStart(func(*handles.UDP, int) []byte { return buf },
		func(_ *handles.UDP, b []byte, from netip.AddrPort, _ int, err error) {
			if err != nil {
				t.Error(err)
			}
			if from.IsValid() {
				got += len(b)
			}
		}))
	var req handles.UDPSendReq
	bufs := [][]byte{[]byte("PING")}
	cb := func(_ *handles.UDPSendReq, err error) {
		if err != nil {
			t.Error(err)
		}
		sent = true
	}
	step := func() {
		sent = false
		want := got + 4
		if err := cli.Send(&req, bufs, addr, cb); err != nil {
			t.Fatal(err)
		}
		for !sent || got < want {
			udpRun(t, l, uv.RunOnce)
		}
	}
	step()
	avg := testing.AllocsPerRun(500, step)
	require.Zero(t, avg, "allocations per send and receive")
}

// TrySend and a batched receive (recvmmsg) allocate nothing.
func TestUDPRecvmmsgAllocs(t *testing.T) {
	testutil.SkipRace(t)
	l := udpLoop(t)
	var srv handles.UDP
	require.NoError(t, srv.InitEx(l, uv.DomainUnspec, handles.UDPRecvmmsg))
	if !srv.UsingRecvmmsg() {
		t.Skip("no recvmmsg on this OS")
	}
	require.NoError(t, srv.Bind(udpLoopback, 0))
	addr, err := srv.Sockname()
	require.NoError(t, err)
	cli, err := handles.NewUDP(l)
	require.NoError(t, err)
	buf := make([]byte, 8*64*1024)
	got, chunks, frees := 0, 0, 0
	require.NoError(t, srv.RecvStart(func(*handles.UDP, int) []byte { return buf },
		func(_ *handles.UDP, b []byte, from netip.AddrPort, flags int, err error) {
			if err != nil {
				t.Error(err)
			}
			switch {
			case flags&handles.UDPMmsgFree != 0:
				frees++
			case flags&handles.UDPMmsgChunk != 0:
				chunks++
				got += len(b)
			}
		}))
	bufs := [][]byte{[]byte("PING")}
	step := func() {
		want := got + 5*4
		for range 5 {
			if _, err := cli.TrySend(bufs, addr); err != nil {
				t.Fatal(err)
			}
		}
		for got < want {
			udpRun(t, l, uv.RunOnce)
		}
	}
	step()
	avg := testing.AllocsPerRun(500, step)
	require.Zero(t, avg, "allocations per batch of five datagrams")
	require.Less(t, frees, chunks, "batches carried several datagrams")
}

// BenchmarkUDPRoundTrip is a ping-pong of 64-byte datagrams between two handles of one loop.
func BenchmarkUDPRoundTrip(b *testing.B) {
	l := udpLoop(b)
	a, aAddr := udpBound(b, l)
	c, cAddr := udpBound(b, l)
	var areq, creq handles.UDPSendReq
	msg := [][]byte{make([]byte, 64)}
	bufA, bufC := make([]byte, 64*1024), make([]byte, 64*1024)
	rounds := 0
	require.NoError(b, a.RecvStart(func(*handles.UDP, int) []byte { return bufA },
		func(u *handles.UDP, p []byte, from netip.AddrPort, _ int, err error) {
			if err == nil && from.IsValid() {
				u.Send(&areq, msg, cAddr, nil)
			}
		}))
	require.NoError(b, c.RecvStart(func(*handles.UDP, int) []byte { return bufC },
		func(u *handles.UDP, p []byte, from netip.AddrPort, _ int, err error) {
			if err == nil && from.IsValid() {
				rounds++
				if rounds < b.N {
					u.Send(&creq, msg, aAddr, nil)
				}
			}
		}))
	b.ReportAllocs()
	b.ResetTimer()
	require.NoError(b, c.Send(&creq, msg, aAddr, nil))
	for rounds < b.N {
		udpRun(b, l, uv.RunOnce)
	}
}

// BenchmarkUDPPummel1v1 is libuv's udp_pummel_1v1 shape: one sender sends datagrams made of
// five buffers back to back (the next from the previous one's callback) to one receiver.
// ns/op is per datagram sent.
func BenchmarkUDPPummel1v1(b *testing.B) {
	const expected = "RANG TANG DING DONG I AM THE JAPANESE SANDMAN"
	bufs := [][]byte{[]byte(expected[0:10]), []byte(expected[10:20]), []byte(expected[20:30]),
		[]byte(expected[30:40]), []byte(expected[40:45])}
	l := udpLoop(b)
	recver, addr := udpBound(b, l)
	sender, err := handles.NewUDP(l)
	require.NoError(b, err)
	received := 0
	require.NoError(b, recver.RecvStart(udpSlabBench(), func(_ *handles.UDP, p []byte, from netip.AddrPort, _ int, err error) {
		if err == nil && from.IsValid() {
			if string(p) != expected {
				b.Fatalf("got %q", p)
			}
			received++
		}
	}))
	var req handles.UDPSendReq
	left := b.N
	var cb func(*handles.UDPSendReq, error)
	cb = func(r *handles.UDPSendReq, err error) {
		if err != nil {
			b.Fatal(err)
		}
		if left--; left > 0 {
			sender.Send(r, bufs, addr, cb)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	require.NoError(b, sender.Send(&req, bufs, addr, cb))
	for left > 0 {
		udpRun(b, l, uv.RunOnce)
	}
	b.StopTimer()
	udpRun(b, l, uv.RunNoWait)
	b.ReportMetric(float64(received)/float64(b.N), "recv/sent")
}

func udpSlabBench() func(*handles.UDP, int) []byte {
	slab := make([]byte, 64*1024)
	return func(*handles.UDP, int) []byte { return slab }
}

// Joining and leaving groups, any-source and source-specific, on the loopback interface: the
// kernel accepts the membership structures as built (no datagram needs to flow).
func TestUDPMembershipLoopback(t *testing.T) {
	ifs, err := net.Interfaces()
	require.NoError(t, err)
	idx := 0
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 {
			idx = i.Index
		}
	}
	if idx == 0 {
		t.Skip("no loopback interface")
	}
	l := udpLoop(t)

	v4, err := handles.NewUDP(l)
	require.NoError(t, err)
	group4, lo4 := netip.MustParseAddr("239.255.0.1"), netip.MustParseAddr("127.0.0.1")
	require.NoError(t, v4.SetMembership(group4, lo4, handles.JoinGroup)) // binds 0.0.0.0:0 first
	addr, err := v4.Sockname()
	require.NoError(t, err)
	require.Equal(t, netip.IPv4Unspecified(), addr.Addr())
	require.ErrorIs(t, v4.SetMembership(group4, lo4, handles.Membership(7)), uv.EINVAL)
	require.NoError(t, v4.SetMembership(group4, lo4, handles.LeaveGroup))
	err = v4.SetSourceMembership(group4, lo4, lo4, handles.JoinGroup)
	if errors.Is(err, uv.ENOSYS) {
		t.Skip("no source-specific multicast on this OS")
	}
	require.NoError(t, err)
	require.NoError(t, v4.SetSourceMembership(group4, lo4, lo4, handles.LeaveGroup))
	// The structure's fields land where the kernel reads them: Linux lists the source filter.
	src4 := netip.MustParseAddr("127.0.0.2")
	require.NoError(t, v4.SetSourceMembership(group4, lo4, src4, handles.JoinGroup))
	udpCheckMcfilter(t, "/proc/net/mcfilter", idx, "0xefff0001", "0x7f000002")
	require.NoError(t, v4.SetSourceMembership(group4, lo4, src4, handles.LeaveGroup))
	require.ErrorIs(t, v4.SetSourceMembership(group4, lo4, netip.IPv6Loopback(), handles.JoinGroup), uv.EINVAL)
	require.NoError(t, v4.SetMulticastInterface(lo4))

	v6, err := handles.NewUDP(l)
	require.NoError(t, err)
	if err := v6.Bind(netip.MustParseAddrPort("[::1]:0"), 0); err != nil {
		t.Skipf("IPv6 not supported: %v", err)
	}
	zone := strconv.Itoa(idx)
	group6, lo6 := netip.MustParseAddr("ff02::1"), netip.IPv6Loopback().WithZone(zone)
	require.NoError(t, v6.SetMembership(group6, lo6, handles.JoinGroup))
	require.NoError(t, v6.SetMembership(group6, lo6, handles.LeaveGroup))
	err = v6.SetSourceMembership(group6, lo6, netip.IPv6Loopback(), handles.JoinGroup)
	if errors.Is(err, uv.ENOSYS) {
		t.Skip("no IPv6 source-specific multicast on this OS") // Wine
	}
	require.NoError(t, err)
	udpCheckMcfilter(t, "/proc/net/mcfilter6", idx, "ff020000000000000000000000000001", "00000000000000000000000000000001")
	require.NoError(t, v6.SetSourceMembership(group6, lo6, netip.IPv6Loopback(), handles.LeaveGroup))
	require.NoError(t, v6.SetMulticastInterface(lo6))
	require.NoError(t, v6.SetMulticastInterface(netip.Addr{}))
	require.NoError(t, v6.SetMulticastTTL(3))
	require.NoError(t, v6.SetTTL(3))
}

// udpCheckMcfilter checks, on Linux, that the kernel's source-filter table (file) lists source
// src for group mca on interface idx.
func udpCheckMcfilter(t *testing.T, file string, idx int, mca, src string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Logf("cannot check the source filter: %v", err)
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == strconv.Itoa(idx) && f[2] == mca && f[3] == src {
			return
		}
	}
	t.Errorf("%s lacks source %s of group %s on interface %d:\n%s", file, src, mca, idx, b)
}
