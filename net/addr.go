package net

import (
	"net/netip"
	"unsafe"
)

// Addr is what Node's address() methods return: { address, family, port }.
type Addr struct {
	Address string // "::", "127.0.0.1"
	Family  string // "IPv4" or "IPv6"
	Port    int
}

func addrOf(ap netip.AddrPort) Addr {
	return Addr{Address: ap.Addr().String(), Family: familyOf(ap.Addr(), true), Port: int(ap.Port())}
}

func familyOf(a netip.Addr, ok bool) string {
	switch {
	case !ok || !a.IsValid():
		return ""
	case a.Is4():
		return "IPv4"
	}
	return "IPv6"
}

// unsafeBytes views a string's bytes without copying; the bytes are only read.
func unsafeBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
