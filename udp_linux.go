package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Linux-only parts of the datagram Sock: recvmmsg batches and the IP_RECVERR error queue.

const dgramReuseAddrOpt = unix.SO_REUSEADDR

// disconnectOK reports whether an AF_UNSPEC connect error still means "disconnected"; on
// Linux none does.
func disconnectOK(e unix.Errno) bool { return false }

// dgramBatch is the recvmmsg state: headers, one iovec and one source address per chunk.
type dgramBatch struct {
	hdr  [RecvBatchMax]unix.Mmsghdr
	iov  [RecvBatchMax]unix.Iovec
	name [RecvBatchMax]unix.RawSockaddrInet6
	n    int
}

// RecvBatchSupported reports whether RecvBatch works on this OS.
func RecvBatchSupported() bool { return true }

// RecvBatch receives up to RecvBatchMax datagrams with one system call (recvmmsg), datagram
// i into b[i*DgramMaxSize:], and returns how many arrived; BatchMsg(i) tells each one's size,
// source and flags. It returns EINVAL if b is shorter than DgramMaxSize, and EAGAIN when
// nothing waits.
func (s *Sock) RecvBatch(b []byte) (int, error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return 0, EBADF
	}
	chunks := len(b) / DgramMaxSize
	if chunks == 0 {
		return 0, EINVAL
	}
	chunks = min(chunks, RecvBatchMax)
	bt := &s.dgram().batch
	bt.n = 0
	for k := 0; k < chunks; k++ {
		bt.iov[k].Base = &b[k*DgramMaxSize]
		bt.iov[k].SetLen(DgramMaxSize)
		h := &bt.hdr[k]
		*h = unix.Mmsghdr{}
		h.Hdr.Name = (*byte)(unsafe.Pointer(&bt.name[k]))
		h.Hdr.Namelen = unix.SizeofSockaddrInet6
		h.Hdr.Iov = &bt.iov[k]
		h.Hdr.SetIovlen(1)
	}
	var r uintptr
	var e unix.Errno
	for {
		r, _, e = unix.Syscall6(unix.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&bt.hdr[0])), uintptr(chunks), 0, 0, 0)
		if e != unix.EINTR {
			break
		}
	}
	for k := 0; k < chunks; k++ {
		bt.iov[k].Base = nil // do not keep the caller's buffer alive
	}
	if e != 0 {
		return 0, TranslateSysError(e)
	}
	if r == 0 {
		return 0, EAGAIN
	}
	bt.n = int(r)
	return bt.n, nil
}

// BatchMsg returns the size, source address and flags of datagram i of the last RecvBatch
// on the sock's loop.
func (s *Sock) BatchMsg(i int) (n int, from SockAddr, flags int) {
	d := s.dgram()
	bt := &d.batch
	if i < 0 || i >= bt.n {
		return 0, nil, 0
	}
	h := &bt.hdr[i]
	if h.Hdr.Flags&unix.MSG_TRUNC != 0 {
		flags |= DgramTruncated
	}
	return int(h.Len), d.sockaddr(unsafe.Pointer(&bt.name[i]), int(h.Hdr.Namelen)), flags
}

// ErrQueueSupported reports whether the OS has a socket error queue (RecvErrQueue).
func ErrQueueSupported() bool { return true }

// SetRecvErr asks for full ICMP error reporting (IP_RECVERR, or IPV6_RECVERR with v6): errors
// then reach unconnected sockets too, and each lands in the error queue.
func (s *Sock) SetRecvErr(v6 bool) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	if v6 {
		return s.setInt(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1)
	}
	return s.setInt(unix.IPPROTO_IP, unix.IP_RECVERR, 1)
}

// PollError reports whether the socket signals an error now (POLLERR: a pending socket
// error or a non-empty error queue), without consuming anything.
func (s *Sock) PollError() bool {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return false
	}
	fds := [1]unix.PollFd{{Fd: int32(s.fd)}}
	for {
		n, err := unix.Poll(fds[:], 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0 && fds[0].Revents&unix.POLLERR != 0
	}
}

// RecvErrQueue takes one message from the socket's error queue (recvmsg with MSG_ERRQUEUE).
// For an ICMP error it returns n = 0, the offender's address, DgramErrQueue in flags and the
// reported error as err; any other message is returned as RecvFrom returns a datagram.
// EAGAIN when the queue is empty.
func (s *Sock) RecvErrQueue(b []byte) (n int, from SockAddr, flags int, err error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return 0, nil, 0, EBADF
	}
	d := s.dgram()
	n, namelen, mflags, ctllen, err := s.recvmsg(d, b, d.ctl[:], unix.MSG_ERRQUEUE)
	if err != nil {
		return 0, nil, 0, err
	}
	if mflags&unix.MSG_TRUNC != 0 {
		flags |= DgramTruncated
	}
	if mflags&unix.MSG_ERRQUEUE != 0 && ctllen > 0 {
		msgs, perr := unix.ParseSocketControlMessage(d.ctl[:ctllen])
		if perr == nil {
			for _, m := range msgs {
				if !(m.Header.Level == unix.SOL_IP && m.Header.Type == unix.IP_RECVERR) &&
					!(m.Header.Level == unix.SOL_IPV6 && m.Header.Type == unix.IPV6_RECVERR) {
					continue
				}
				if len(m.Data) < sizeofSockExtendedErr {
					continue
				}
				ee := (*unix.SockExtendedErr)(unsafe.Pointer(&m.Data[0]))
				var off SockAddr
				if rest := m.Data[sizeofSockExtendedErr:]; len(rest) >= 2 {
					off = d.sockaddr(unsafe.Pointer(&rest[0]), len(rest))
				}
				return 0, off, flags | DgramErrQueue, TranslateSysError(unix.Errno(ee.Errno))
			}
		}
	}
	return n, d.sockaddr(unsafe.Pointer(&d.name), namelen), flags, nil
}

// sourceMembership4 sets IP_ADD/DROP_SOURCE_MEMBERSHIP; Linux orders ip_mreq_source as
// group, interface, source.
func (s *Sock) sourceMembership4(group, iface, source [4]byte, join bool) error {
	var mreq [12]byte
	copy(mreq[0:4], group[:])
	copy(mreq[4:8], iface[:])
	copy(mreq[8:12], source[:])
	opt := unix.IP_ADD_SOURCE_MEMBERSHIP
	if !join {
		opt = unix.IP_DROP_SOURCE_MEMBERSHIP
	}
	return TranslateSysError(unix.SetsockoptString(s.fd, unix.IPPROTO_IP, opt, string(mreq[:])))
}

// sourceMembership6 sets MCAST_JOIN/LEAVE_SOURCE_GROUP with a group_source_req: the
// interface index, then two sockaddr_storage aligned as pointers.
func (s *Sock) sourceMembership6(group [16]byte, iface uint32, source [16]byte, join bool) error {
	const off = unsafe.Sizeof(uintptr(0))
	const storage = 128 // sizeof(struct sockaddr_storage)
	var req [off + 2*storage]byte
	*(*uint32)(unsafe.Pointer(&req[0])) = iface
	g, src := rawInet6(group), rawInet6(source)
	copy(req[off:], bytesOf(&g))
	copy(req[off+storage:], bytesOf(&src))
	opt := unix.MCAST_JOIN_SOURCE_GROUP
	if !join {
		opt = unix.MCAST_LEAVE_SOURCE_GROUP
	}
	return TranslateSysError(unix.SetsockoptString(s.fd, unix.IPPROTO_IPV6, opt, string(req[:])))
}

func setRawFamily6(r *unix.RawSockaddrInet6) { r.Family = unix.AF_INET6 }

const sizeofSockExtendedErr = int(unsafe.Sizeof(unix.SockExtendedErr{}))

func setRawFamily4(r *unix.RawSockaddrInet4) { r.Family = unix.AF_INET }
