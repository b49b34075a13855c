//go:build unix

package uv

import "golang.org/x/sys/unix"

// SockTypeOf reports which handle type fits the descriptor fd, as libuv's uv_guess_handle
// does for the descriptors an IPC pipe receives: TypeTCP for a stream socket of an IP
// family, TypeUDP for an IP datagram socket, TypeNamedPipe for a unix stream socket or a
// FIFO, TypeFile for a regular file or a character device, UnknownHandle for anything else.
// It does not tell terminals apart from other character devices. The error is EBADF for a
// descriptor that is not open.
func SockTypeOf(fd OSSock) (HandleType, error) {
	if fd < 0 {
		return UnknownHandle, EBADF
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return UnknownHandle, TranslateSysError(err)
	}
	switch uint32(st.Mode) & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFCHR:
		return TypeFile, nil
	case unix.S_IFIFO:
		return TypeNamedPipe, nil
	case unix.S_IFSOCK:
	default:
		return UnknownHandle, nil
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return UnknownHandle, nil
	}
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return UnknownHandle, nil
	}
	var ip, local bool
	switch sa.(type) {
	case *unix.SockaddrInet4, *unix.SockaddrInet6:
		ip = true
	case *unix.SockaddrUnix:
		local = true
	}
	switch {
	case typ == unix.SOCK_DGRAM && ip:
		return TypeUDP, nil
	case typ == unix.SOCK_STREAM && ip:
		return TypeTCP, nil
	case typ == unix.SOCK_STREAM && local:
		return TypeNamedPipe, nil
	}
	return UnknownHandle, nil
}

// CheckOpenSocket is what TCP.Open and UDP.Open ask of a descriptor from elsewhere before
// they take it. On unix libuv takes any open descriptor there (a later socket call reports
// what it is not), so this returns nil; on Windows a handle that is not a socket gives
// ENOTSOCK.
func CheckOpenSocket(fd OSSock) error { return nil }
