//go:build unix

package conformance_test

import (
	"fmt"
	"net/netip"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The raw sockets of the UDP tests on unix systems (udp_sys_windows_test.go has the Windows
// ones), and the UDP test that needs a unix-domain socket.

// udpRecvTimeout receives one datagram on a blocking socket within 500 ms.
func udpRecvTimeout(fd int) error {
	tv := unix.NsecToTimeval(500e6)
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	var b [16]byte
	_, _, err := unix.Recvfrom(fd, b[:], 0)
	return err
}

// udpMulticastProbe4 checks with plain sockets that a datagram sent to group via the
// loopback interface is looped back to a member joined on that interface; it skips the test
// with the failing step otherwise.
func udpMulticastProbe4(t testing.TB, group netip.Addr) {
	t.Helper()
	why := func() error {
		r, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer unix.Close(r)
		if err := unix.Bind(r, &unix.SockaddrInet4{Addr: group.As4()}); err != nil {
			return fmt.Errorf("bind %v: %w", group, err)
		}
		sa, err := unix.Getsockname(r)
		if err != nil {
			return err
		}
		port := sa.(*unix.SockaddrInet4).Port
		lo := [4]byte{127, 0, 0, 1}
		mreq := unix.IPMreq{Multiaddr: group.As4(), Interface: lo}
		if err := unix.SetsockoptIPMreq(r, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, &mreq); err != nil {
			return fmt.Errorf("IP_ADD_MEMBERSHIP on 127.0.0.1: %w", err)
		}
		s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer unix.Close(s)
		if err := unix.SetsockoptInet4Addr(s, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, lo); err != nil {
			return fmt.Errorf("IP_MULTICAST_IF 127.0.0.1: %w", err)
		}
		if err := unix.Sendto(s, []byte("probe"), 0, &unix.SockaddrInet4{Port: port, Addr: group.As4()}); err != nil {
			return fmt.Errorf("send to %v via lo: %w", group, err)
		}
		if err := udpRecvTimeout(r); err != nil {
			return fmt.Errorf("datagram to %v via lo not looped back: %w", group, err)
		}
		return nil
	}()
	if why != nil {
		t.Skipf("no IPv4 multicast on the loopback interface: %v", why)
	}
}

// udpMulticastProbe6 is udpMulticastProbe4 for an IPv6 group on the loopback interface idx.
func udpMulticastProbe6(t testing.TB, group netip.Addr, idx int) {
	t.Helper()
	why := func() error {
		r, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer unix.Close(r)
		if err := unix.Bind(r, &unix.SockaddrInet6{Addr: group.As16(), ZoneId: uint32(idx)}); err != nil {
			return fmt.Errorf("bind %v: %w", group, err)
		}
		sa, err := unix.Getsockname(r)
		if err != nil {
			return err
		}
		port := sa.(*unix.SockaddrInet6).Port
		mreq := unix.IPv6Mreq{Multiaddr: group.As16(), Interface: uint32(idx)}
		if err := unix.SetsockoptIPv6Mreq(r, unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, &mreq); err != nil {
			return fmt.Errorf("IPV6_JOIN_GROUP on interface %d: %w", idx, err)
		}
		s, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer unix.Close(s)
		if err := unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, idx); err != nil {
			return fmt.Errorf("IPV6_MULTICAST_IF %d: %w", idx, err)
		}
		to := &unix.SockaddrInet6{Port: port, Addr: group.As16(), ZoneId: uint32(idx)}
		if err := unix.Sendto(s, []byte("probe"), 0, to); err != nil {
			return fmt.Errorf("send to %v via interface %d: %w", group, idx, err)
		}
		if err := udpRecvTimeout(r); err != nil {
			return fmt.Errorf("datagram to %v via interface %d not looped back: %w", group, idx, err)
		}
		return nil
	}()
	if why != nil {
		t.Skipf("no IPv6 multicast on the loopback interface: %v", why)
	}
}

// udpRawSocket creates a plain UDP socket with SO_REUSEADDR, as libuv's test does.
func udpRawSocket(t testing.TB) uv.OSSock {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	require.NoError(t, err)
	require.NoError(t, unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1))
	return fd
}

// TestUDPSendUnix sends over a unix-domain socket address: an opened unix socket (here, as in
// libuv, a listening stream socket) accepts a send to a path without complaint.
// libuv: udp_send_unix
func TestUDPSendUnix(t *testing.T) {
	l := newLoop(t)
	dir, err := os.MkdirTemp("", "uvu")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	path := dir + "/s"
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	require.NoError(t, unix.Bind(fd, &unix.SockaddrUnix{Name: path}))
	require.NoError(t, unix.Listen(fd, 1))
	dup, err := unix.Dup(fd) // the handle owns one descriptor; the test closes the other
	require.NoError(t, err)
	defer unix.Close(fd)

	u, err := handles.NewUDP(l)
	require.NoError(t, err)
	require.NoError(t, u.Open(dup))
	run(t, l, uv.RunDefault)
	var req handles.UDPSendReq
	calls := 0
	require.NoError(t, u.SendPath(&req, [][]byte{[]byte("PING")}, path, func(*handles.UDPSendReq, error) { calls++ }))
	require.NoError(t, u.Close(nil))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls, "the send callback runs once, whatever its outcome")
}

// udpRawBind binds a raw socket to addr (an IPv4 address).
func udpRawBind(t testing.TB, fd uv.OSSock, addr netip.AddrPort) {
	t.Helper()
	require.NoError(t, unix.Bind(fd, &unix.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}))
}

// udpRawConnect connects a raw socket to addr (an IPv4 address).
func udpRawConnect(t testing.TB, fd uv.OSSock, addr netip.AddrPort) {
	t.Helper()
	require.NoError(t, unix.Connect(fd, &unix.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}))
}

// udpNeedSockets skips the test unless the process may open n descriptors.
func udpNeedSockets(t testing.TB, n int) {
	var lim unix.Rlimit
	require.NoError(t, unix.Getrlimit(unix.RLIMIT_NOFILE, &lim))
	if uint64(lim.Cur) < uint64(n) {
		t.Skipf("RLIMIT_NOFILE %d is below %d", lim.Cur, n)
	}
}
