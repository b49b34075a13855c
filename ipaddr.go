package uv

import (
	"net/netip"
	"strings"
)

// libuv's address helpers (uv_ip4_addr, uv_ip6_addr, uv_ip_name, uv_inet_pton, uv_inet_ntop)
// over net/netip: an address with its port is a netip.AddrPort, as everywhere in uv-go.

// IP4Addr parses an IPv4 address in dotted-decimal form (libuv's uv_ip4_addr): exactly four
// decimal numbers up to 255, without leading zeros. EINVAL for anything else, or a port
// outside 0-65535.
func IP4Addr(ip string, port int) (netip.AddrPort, error) {
	a, err := InetPton(DomainInet, ip)
	if err != nil || port < 0 || port > 0xFFFF {
		return netip.AddrPort{}, EINVAL
	}
	return netip.AddrPortFrom(a, uint16(port)), nil
}

// IP6Addr parses an IPv6 address (libuv's uv_ip6_addr). What follows a '%' is the zone: an
// interface name or number, kept as the address's zone and turned into the scope id when the
// address becomes a socket address. EINVAL for a malformed address or a port outside 0-65535.
func IP6Addr(ip string, port int) (netip.AddrPort, error) {
	zone := ""
	if i := strings.IndexByte(ip, '%'); i >= 0 {
		ip, zone = ip[:i], ip[i+1:]
	}
	a, err := InetPton(DomainInet6, ip)
	if err != nil || port < 0 || port > 0xFFFF {
		return netip.AddrPort{}, EINVAL
	}
	if zone != "" {
		a = a.WithZone(zone)
	}
	return netip.AddrPortFrom(a, uint16(port)), nil
}

// InetPton parses an address of the family d (libuv's uv_inet_pton): IPv4 in dotted-decimal
// form for DomainInet; IPv6 for DomainInet6, where a '%' and what follows (a zone) is
// ignored, as libuv ignores it, and an IPv4 tail ("::ffff:1.2.3.4") is allowed. EINVAL for a
// malformed address, EAFNOSUPPORT for another family.
func InetPton(d Domain, s string) (netip.Addr, error) {
	switch d {
	case DomainInet:
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return netip.Addr{}, EINVAL
		}
		return a, nil
	case DomainInet6:
		if i := strings.IndexByte(s, '%'); i >= 0 {
			s = s[:i]
		}
		// netip reads a dotted address as IPv4; uv_inet_pton(AF_INET6) takes only IPv6.
		if !strings.Contains(s, ":") {
			return netip.Addr{}, EINVAL
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Addr{}, EINVAL
		}
		return a, nil
	}
	return netip.Addr{}, EAFNOSUPPORT
}

// InetNtop formats an address (libuv's uv_inet_ntop): dotted decimal for IPv4, RFC 5952 form
// for IPv6 (an IPv4-mapped address keeps its "::ffff:" prefix). The zone is not part of it.
// EINVAL for the zero Addr.
func InetNtop(a netip.Addr) (string, error) {
	if !a.IsValid() {
		return "", EINVAL
	}
	return a.WithZone("").String(), nil
}

// IPName returns the address of an IPv4 or IPv6 socket address as text (libuv's uv_ip_name,
// uv_ip4_name and uv_ip6_name), without the zone. EAFNOSUPPORT for another family (a unix
// socket address, nil).
func IPName(sa SockAddr) (string, error) {
	ap, ok := AddrPortOf(sa)
	if !ok {
		return "", EAFNOSUPPORT
	}
	return InetNtop(ap.Addr())
}
