//go:build darwin || freebsd

package uv

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sourceMembership4 sets IP_ADD/DROP_SOURCE_MEMBERSHIP; the BSDs order ip_mreq_source as
// group, source, interface.
func (s *Sock) sourceMembership4(group, iface, source [4]byte, join bool) error {
	var mreq [12]byte
	copy(mreq[0:4], group[:])
	copy(mreq[4:8], source[:])
	copy(mreq[8:12], iface[:])
	opt := unix.IP_ADD_SOURCE_MEMBERSHIP
	if !join {
		opt = unix.IP_DROP_SOURCE_MEMBERSHIP
	}
	return TranslateSysError(unix.SetsockoptString(s.fd, unix.IPPROTO_IP, opt, string(mreq[:])))
}

// sourceMembership6 sets MCAST_JOIN/LEAVE_SOURCE_GROUP with a group_source_req: macOS packs
// it to 4 bytes, FreeBSD aligns the sockaddr_storage members as int64.
func (s *Sock) sourceMembership6(group [16]byte, iface uint32, source [16]byte, join bool) error {
	const storage = 128 // sizeof(struct sockaddr_storage)
	off := unsafe.Alignof(int64(0))
	if runtime.GOOS == "darwin" {
		off = 4
	}
	req := make([]byte, off+2*storage)
	*(*uint32)(unsafe.Pointer(&req[0])) = iface
	g, src := rawInet6(group), rawInet6(source)
	copy(req[off:], bytesOf(&g))
	copy(req[off+storage:], bytesOf(&src))
	opt := unix.MCAST_JOIN_SOURCE_GROUP
	if !join {
		opt = unix.MCAST_LEAVE_SOURCE_GROUP
	}
	return TranslateSysError(unix.SetsockoptString(s.fd, unix.IPPROTO_IPV6, opt, string(req)))
}
