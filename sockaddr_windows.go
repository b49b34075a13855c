package uv

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Raw socket addresses for the Winsock calls that take one, written into memory the caller
// owns (a request, for the overlapped calls), so that no conversion allocates.

// rawSockaddr writes sa into r and returns its length; WSAEAFNOSUPPORT for an address that
// is not IPv4 or IPv6.
func rawSockaddr(sa SockAddr, r *windows.RawSockaddrAny) (int32, syscall.Errno) {
	switch sa := sa.(type) {
	case *windows.SockaddrInet4:
		if sa.Port < 0 || sa.Port > 0xFFFF {
			return 0, windows.WSAEINVAL
		}
		p := (*windows.RawSockaddrInet4)(unsafe.Pointer(r))
		*p = windows.RawSockaddrInet4{Family: windows.AF_INET, Addr: sa.Addr}
		setNetPort(&p.Port, sa.Port)
		return int32(unsafe.Sizeof(*p)), 0
	case *windows.SockaddrInet6:
		if sa.Port < 0 || sa.Port > 0xFFFF {
			return 0, windows.WSAEINVAL
		}
		p := (*windows.RawSockaddrInet6)(unsafe.Pointer(r))
		*p = windows.RawSockaddrInet6{Family: windows.AF_INET6, Addr: sa.Addr, Scope_id: sa.ZoneId}
		setNetPort(&p.Port, sa.Port)
		return int32(unsafe.Sizeof(*p)), 0
	}
	return 0, windows.WSAEAFNOSUPPORT
}

// sockaddrFrom converts the raw address r of length n into in4 or in6 and returns it (nil for
// another family or a short address).
func sockaddrFrom(r *windows.RawSockaddrAny, n int32, in4 *windows.SockaddrInet4, in6 *windows.SockaddrInet6) SockAddr {
	if n < 2 {
		return nil
	}
	switch r.Addr.Family {
	case windows.AF_INET:
		p := (*windows.RawSockaddrInet4)(unsafe.Pointer(r))
		in4.Port, in4.Addr = netPort(&p.Port), p.Addr
		return in4
	case windows.AF_INET6:
		p := (*windows.RawSockaddrInet6)(unsafe.Pointer(r))
		in6.Port, in6.Addr, in6.ZoneId = netPort(&p.Port), p.Addr, p.Scope_id
		return in6
	}
	return nil
}

// unspecifiedToLoopback turns a destination of 0.0.0.0 or :: into the loopback address of
// its family, as libuv does on Windows, where connecting or sending to the unspecified
// address fails.
func unspecifiedToLoopback(r *windows.RawSockaddrAny) {
	switch r.Addr.Family {
	case windows.AF_INET:
		p := (*windows.RawSockaddrInet4)(unsafe.Pointer(r))
		if p.Addr == [4]byte{} {
			p.Addr = [4]byte{127, 0, 0, 1}
		}
	case windows.AF_INET6:
		p := (*windows.RawSockaddrInet6)(unsafe.Pointer(r))
		if p.Addr == [16]byte{} {
			p.Addr[15] = 1
		}
	}
}

// isLoopback reports whether r is 127.x.x.x or ::1.
func isLoopback(r *windows.RawSockaddrAny) bool {
	switch r.Addr.Family {
	case windows.AF_INET:
		return (*windows.RawSockaddrInet4)(unsafe.Pointer(r)).Addr[0] == 127
	case windows.AF_INET6:
		return (*windows.RawSockaddrInet6)(unsafe.Pointer(r)).Addr == [16]byte{15: 1}
	}
	return false
}

// netPort reads a port stored in network byte order.
func netPort(p *uint16) int {
	b := (*[2]byte)(unsafe.Pointer(p))
	return int(b[0])<<8 | int(b[1])
}

// setNetPort stores a port in network byte order.
func setNetPort(p *uint16, port int) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}
