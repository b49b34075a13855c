//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import "golang.org/x/sys/unix"

// The BSDs and macOS: no recvmmsg batches and no error queue yet (libuv uses recvmsg_x on
// macOS and recvmmsg on FreeBSD; they come with the kqueue backend).

// SO_REUSEPORT here shares a port the way SO_REUSEADDR does on Linux, with refinements for
// multicast, and does not balance load: libuv's UV_UDP_REUSEADDR maps to it.
const dgramReuseAddrOpt = unix.SO_REUSEPORT

// disconnectOK: the BSDs dissolve the association and then reject the AF_UNSPEC address.
func disconnectOK(e unix.Errno) bool { return e == unix.EAFNOSUPPORT || e == unix.EINVAL }

type dgramBatch struct{}

// RecvBatchSupported reports whether RecvBatch works on this OS.
func RecvBatchSupported() bool { return false }

// RecvBatch returns ENOSYS on this OS.
func (s *Sock) RecvBatch(b []byte) (int, error) { return 0, ENOSYS }

// BatchMsg returns nothing on this OS.
func (s *Sock) BatchMsg(i int) (n int, from SockAddr, flags int) { return 0, nil, 0 }

// ErrQueueSupported reports whether the OS has a socket error queue (RecvErrQueue).
func ErrQueueSupported() bool { return false }

// SetRecvErr does nothing: IP_RECVERR is Linux's.
func (s *Sock) SetRecvErr(v6 bool) error { return nil }

// PollError reports false: only Linux has an error queue to drain.
func (s *Sock) PollError() bool { return false }

// RecvErrQueue returns ENOSYS on this OS.
func (s *Sock) RecvErrQueue(b []byte) (n int, from SockAddr, flags int, err error) {
	return 0, nil, 0, ENOSYS
}

func setRawFamily6(r *unix.RawSockaddrInet6) {
	r.Len = unix.SizeofSockaddrInet6
	r.Family = unix.AF_INET6
}

func setRawFamily4(r *unix.RawSockaddrInet4) {
	r.Len = unix.SizeofSockaddrInet4
	r.Family = unix.AF_INET
}
