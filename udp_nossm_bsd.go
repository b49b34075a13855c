//go:build dragonfly || netbsd || openbsd

package uv

// These systems have no source-specific multicast API libuv uses: ENOSYS, as in libuv.

func (s *Sock) sourceMembership4(group, iface, source [4]byte, join bool) error { return ENOSYS }

func (s *Sock) sourceMembership6(group [16]byte, iface uint32, source [16]byte, join bool) error {
	return ENOSYS
}
