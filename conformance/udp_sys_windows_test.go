package conformance_test

import (
	"fmt"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"golang.org/x/sys/windows"
)

// The raw sockets of the UDP tests on Windows (udp_unix_test.go has the unix ones).

// udpRecvTimeout receives one datagram on a blocking socket within 500 ms.
func udpRecvTimeout(fd windows.Handle) error {
	if err := windows.SetsockoptInt(fd, windows.SOL_SOCKET, windows.SO_RCVTIMEO, 500); err != nil {
		return err
	}
	var b [16]byte
	_, _, err := windows.Recvfrom(fd, b[:], 0)
	return err
}

// udpMulticastProbe4 checks with plain sockets that a datagram sent to group via the
// loopback interface is looped back to a member joined on that interface; it skips the test
// with the failing step otherwise.
func udpMulticastProbe4(t testing.TB, group netip.Addr) {
	t.Helper()
	why := func() error {
		r, err := windows.Socket(windows.AF_INET, windows.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer windows.Closesocket(r)
		// Windows binds a member to the wildcard address, not to the group.
		if err := windows.Bind(r, &windows.SockaddrInet4{}); err != nil {
			return fmt.Errorf("bind 0.0.0.0: %w", err)
		}
		sa, err := windows.Getsockname(r)
		if err != nil {
			return err
		}
		port := sa.(*windows.SockaddrInet4).Port
		lo := [4]byte{127, 0, 0, 1}
		mreq := windows.IPMreq{Multiaddr: group.As4(), Interface: lo}
		if err := windows.SetsockoptIPMreq(r, windows.IPPROTO_IP, windows.IP_ADD_MEMBERSHIP, &mreq); err != nil {
			return fmt.Errorf("IP_ADD_MEMBERSHIP on 127.0.0.1: %w", err)
		}
		s, err := windows.Socket(windows.AF_INET, windows.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer windows.Closesocket(s)
		if err := windows.SetsockoptInet4Addr(s, windows.IPPROTO_IP, windows.IP_MULTICAST_IF, lo); err != nil {
			return fmt.Errorf("IP_MULTICAST_IF 127.0.0.1: %w", err)
		}
		if err := windows.Sendto(s, []byte("probe"), 0, &windows.SockaddrInet4{Port: port, Addr: group.As4()}); err != nil {
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
		r, err := windows.Socket(windows.AF_INET6, windows.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer windows.Closesocket(r)
		if err := windows.Bind(r, &windows.SockaddrInet6{}); err != nil {
			return fmt.Errorf("bind [::]: %w", err)
		}
		sa, err := windows.Getsockname(r)
		if err != nil {
			return err
		}
		port := sa.(*windows.SockaddrInet6).Port
		// x/sys's SetsockoptIPv6Mreq is a stub on Windows.
		mreq := windows.IPv6Mreq{Multiaddr: group.As16(), Interface: uint32(idx)}
		if err := windows.Setsockopt(r, windows.IPPROTO_IPV6, windows.IPV6_JOIN_GROUP,
			(*byte)(unsafe.Pointer(&mreq)), int32(unsafe.Sizeof(mreq))); err != nil {
			return fmt.Errorf("IPV6_JOIN_GROUP on interface %d: %w", idx, err)
		}
		s, err := windows.Socket(windows.AF_INET6, windows.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer windows.Closesocket(s)
		if err := windows.SetsockoptInt(s, windows.IPPROTO_IPV6, windows.IPV6_MULTICAST_IF, idx); err != nil {
			return fmt.Errorf("IPV6_MULTICAST_IF %d: %w", idx, err)
		}
		to := &windows.SockaddrInet6{Port: port, Addr: group.As16(), ZoneId: uint32(idx)}
		if err := windows.Sendto(s, []byte("probe"), 0, to); err != nil {
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

// udpRawSocket creates a plain overlapped UDP socket with SO_REUSEADDR, as libuv's test does.
func udpRawSocket(t testing.TB) uv.OSSock {
	t.Helper()
	fd, err := windows.WSASocket(windows.AF_INET, windows.SOCK_DGRAM, 0, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	require.NoError(t, err)
	require.NoError(t, windows.SetsockoptInt(fd, windows.SOL_SOCKET, windows.SO_REUSEADDR, 1))
	return uv.OSSock(fd)
}

// udpRawBind binds a raw socket to addr (an IPv4 address).
func udpRawBind(t testing.TB, fd uv.OSSock, addr netip.AddrPort) {
	t.Helper()
	require.NoError(t, windows.Bind(windows.Handle(fd), &windows.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}))
}

// udpRawConnect connects a raw socket to addr (an IPv4 address).
func udpRawConnect(t testing.TB, fd uv.OSSock, addr netip.AddrPort) {
	t.Helper()
	require.NoError(t, windows.Connect(windows.Handle(fd), &windows.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}))
}

// udpNeedSockets does nothing: Windows has no per-process limit on sockets.
func udpNeedSockets(t testing.TB, n int) {}
