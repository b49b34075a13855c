package uv

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Connecting on Windows, as libuv's tcp.c: ConnectEx on a bound socket, then
// SO_UPDATE_CONNECT_CONTEXT so that getpeername, shutdown and the options work.

// sioTCPInitialRTO is SIO_TCP_INITIAL_RTO: libuv sets it for loopback destinations so that a
// refused connect fails at once instead of retrying the SYN for two seconds (Windows 10 1709
// and later; errors are ignored).
const sioTCPInitialRTO = 0x98000011

// Connect starts connecting to addr (0.0.0.0 and :: mean the loopback address, as in libuv);
// cb runs on the loop, in the pending phase, with the outcome (ECONNREFUSED, ETIMEDOUT, ...;
// ECANCELED if the sock closes first). An unbound sock is first bound to the wildcard address
// of addr's family.
func (s *Sock) Connect(to SockAddr, cb func(err error)) error {
	if s.flags&sockClosed != 0 || s.loop == nil || cb == nil {
		return EINVAL
	}
	if s.flags&sockConnecting != 0 {
		return EALREADY
	}
	if s.cn == nil {
		s.cn = newConnectReq(s)
	}
	r := s.cn
	n, e := rawSockaddr(to, &r.to)
	if e != 0 {
		return translateErrno(e)
	}
	unspecifiedToLoopback(&r.to)
	if err := s.bindIfUnbound(int32(r.to.Addr.Family)); err != nil {
		return err
	}
	fn, e := connectExFunc.load()
	if e != 0 {
		return translateErrno(e)
	}
	if isLoopback(&r.to) {
		// TCP_INITIAL_RTO_PARAMETERS: Rtt and MaxSynRetransmissions both
		// TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS.
		rto := [4]byte{254, 0, 254, 0}
		var got uint32
		windows.WSAIoctl(s.fd, sioTCPInitialRTO, &rto[0], uint32(len(rto)), nil, 0, &got, nil, 0)
	}
	r.start()
	ok, _, errno := syscall.SyscallN(fn, uintptr(s.fd), uintptr(unsafe.Pointer(&r.to)), uintptr(n), 0, 0,
		uintptr(unsafe.Pointer(&r.qty)), uintptr(unsafe.Pointer(&r.ov)))
	e = 0
	if ok == 0 {
		e = errno
		if e == 0 {
			e = syscall.EINVAL
		}
		if e != windows.ERROR_IO_PENDING && !r.packetDue() {
			r.abandon()
			return translateErrno(e)
		}
		e = windows.ERROR_IO_PENDING
	}
	if s.loop.ins != nil {
		res, err := 0, error(nil)
		if e == windows.ERROR_IO_PENDING {
			res = SyscallPending
		}
		s.loop.ins.sysAddr(s.loop, SysConnectEx, int(s.fd), to, 0, res, err)
	}
	s.connectCb = cb
	s.flags |= sockConnecting
	s.loop.RegisterRequest()
	r.started(e, s.flags&sockSkipPort != 0)
	return nil
}

// complete runs in the pending phase when the connect completed.
func (r *connectReq) complete(*iocpReq) {
	s := r.sock
	if s == nil || s.flags&sockConnecting == 0 || s.connectCb == nil {
		return
	}
	var err error
	if e := r.winsockErr(); e != 0 {
		err = translateErrno(e)
	} else if serr := windows.Setsockopt(s.fd, windows.SOL_SOCKET, windows.SO_UPDATE_CONNECT_CONTEXT, nil, 0); serr != nil {
		err = TranslateSysError(serr)
	}
	s.connectErr = err
	s.finishConnect()
}

// finishConnect delivers the connect's outcome (s.connectErr), then starts the writes queued
// meanwhile, or fails them with ECANCELED if the connect failed.
func (s *Sock) finishConnect() {
	err := s.connectErr
	s.connectErr = nil
	cb := s.connectCb
	s.connectCb = nil
	s.flags &^= sockConnecting
	s.loop.UnregisterRequest()
	// Writes the callback makes queue behind those made while connecting, as on unix.
	s.flags |= sockHoldWrites
	cb(err)
	s.flags &^= sockHoldWrites
	if s.flags&sockClosed != 0 {
		return
	}
	if err != nil {
		for op := s.writeQ.head; op != nil; op = op.next {
			op.err = ECANCELED
		}
		for !s.writeQ.empty() {
			s.doneQ.push(s.writeQ.pop())
		}
		s.writeCallbacks()
		return
	}
	s.issueQueued()
	if s.writeQ.empty() && s.shutdownCb != nil {
		s.loop.QueuePending(&s.pend)
	}
}

// FailConnect records a connect that fails with err before it starts (a bind error libuv
// defers); cb gets err in the pending phase.
func (s *Sock) FailConnect(err error, cb func(error)) error {
	if s.flags&sockClosed != 0 || s.loop == nil || cb == nil {
		return EINVAL
	}
	if s.flags&sockConnecting != 0 {
		return EALREADY
	}
	s.connectErr = err
	s.connectCb = cb
	s.flags |= sockConnecting
	s.loop.RegisterRequest()
	s.loop.QueuePending(&s.pend)
	return nil
}

// bindIfUnbound binds the sock to the wildcard address of family fam, port 0, unless it has a
// local address: ConnectEx and listen need one, where unix systems bind implicitly.
func (s *Sock) bindIfUnbound(fam int32) error {
	if s.flags&sockBound != 0 {
		return nil
	}
	if _, err := windows.Getsockname(s.fd); err == nil {
		s.flags |= sockBound
		return nil
	}
	var sa SockAddr = &windows.SockaddrInet4{}
	if fam == windows.AF_INET6 {
		sa = &windows.SockaddrInet6{}
	}
	return s.Bind(sa)
}
