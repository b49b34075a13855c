package uv

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// The write queue of a Windows Sock. As in libuv, every write is an overlapped send of its own,
// issued when it is queued (after the connect, if one is in progress): the kernel keeps the
// sends of a socket in order. A send that succeeds at once is accounted at once, so the queue
// size counts only what the kernel has not taken, as on unix; every callback still runs in the
// pending phase, in queue order.

// Write queues op to write bufs; cb always runs later, in the pending phase, with nil or the
// write's error. It returns EPIPE if the sock was shut down for writing, EBADF after Close,
// and EINVAL for sendFd unless the sock is an IPC pipe, whose writes are framed and may
// carry a TCP socket (sock_pipeipc_windows.go).
func (s *Sock) Write(op *WriteOp, bufs [][]byte, fd OSSock, sendFd bool, cb func(*WriteOp, error)) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	if s.flags&sockShut != 0 {
		return EPIPE
	}
	if s.flags&sockIPC != 0 {
		f, err := s.ipcFrame(bufs, fd, sendFd)
		if err != nil {
			return err
		}
		op.prepare(f.bufs, cb)
		op.os.frame = f
		s.enqueue(op)
		return nil
	}
	if sendFd {
		return EINVAL
	}
	op.prepare(bufs, cb)
	s.enqueue(op)
	return nil
}

// writeOpOS is what a WriteOp keeps on Windows: the frame of an IPC pipe's write.
type writeOpOS struct{ frame *ipcFrameBuf }

// opDone gives a written op's IPC frame back to its pipe for the next write. A frame of an
// op that failed or was cancelled is left to the collector: its write may still be with
// the kernel.
func (s *Sock) opDone(op *WriteOp) {
	f := op.os.frame
	if f == nil {
		return
	}
	op.os.frame = nil
	if op.err == nil && s.ext != nil && s.ext.ipc != nil {
		s.ext.ipc.putFrame(f)
	}
}

// SendTo queues one datagram of bufs to addr (nil: the connected peer); cb runs in the pending
// phase.
func (s *Sock) SendTo(op *WriteOp, bufs [][]byte, to SockAddr, cb func(*WriteOp, error)) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	op.prepare(bufs, cb)
	op.to = to
	s.enqueue(op)
	return nil
}

func (s *Sock) enqueue(op *WriteOp) {
	s.writeQ.push(op)
	s.queueSize += op.size
	s.queueCount++
	s.loop.RegisterRequest()
	if s.flags&(sockConnecting|sockHoldWrites) == 0 {
		s.issue(op)
	}
}

// maxSendBufs is the most buffers one send takes: Wine, like Linux (IOV_MAX), refuses more
// with WSAEMSGSIZE. A stream write with more is sent as several sends, issued together.
const maxSendBufs = 1024

// issue starts the overlapped sends of op, the last op of the queue not yet issued.
func (s *Sock) issue(op *WriteOp) {
	if op.isFile {
		s.issueFile(op) // TransmitFile calls (sock_transmitfile_windows.go)
		return
	}
	for i := 0; ; {
		j := len(op.bufs)
		if s.flags&sockDgram == 0 && j-i > maxSendBufs {
			j = i + maxSendBufs
		}
		last := j == len(op.bufs)
		w := s.writeReq()
		w.op, w.last = op, last
		w.n = w.setBufs(op.bufs[i:j])
		if s.wqTail == nil {
			s.wqHead = w
		} else {
			s.wqTail.next = w
		}
		s.wqTail = w
		s.startSend(w) // may free w
		if last {
			return
		}
		i = j
	}
}

// startSend starts w's send.
func (s *Sock) startSend(w *writeReq) {
	op := w.op
	w.start()
	var e syscall.Errno
	w.toLen = 0
	if op.to != nil {
		w.toLen, e = rawSockaddr(op.to, &w.to)
	}
	if e == 0 {
		e = s.drv.startWrite(s, w)
	}
	switch {
	case e == windows.ERROR_IO_PENDING, e != 0 && w.packetDue():
		return
	case e == 0:
		// Taken whole at once (a stream send completes whole or fails, as libuv assumes): the
		// bytes are accounted now, and the callback runs in the pending phase, as for a write
		// a readiness backend makes at once. Without FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (on
		// datagram sockets) a packet still comes for the request, which then only frees it.
		s.account(w, w.taken())
		if s.flags&sockSkipPort != 0 {
			w.abandon()
		}
	default:
		w.abandon()
		if op.err == nil {
			op.err = s.writeError(e)
		}
	}
	w.finished = true
	s.retireWrites()
}

// issueQueued starts the sends of the ops queued while a connect was in progress (none of
// them is issued yet).
func (s *Sock) issueQueued() {
	n := 0
	for op := s.writeQ.head; op != nil; op = op.next {
		n++
	}
	// Issuing may retire ops from the queue: walk a count, not the links.
	for op := s.writeQ.head; n > 0; n-- {
		next := op.next
		s.issue(op)
		op = next
	}
}

// complete runs in the pending phase when the send completed.
func (w *writeReq) complete(*iocpReq) {
	s := w.sock
	if s == nil {
		w.op, w.bufs = nil, nil
		return
	}
	if w.finished { // the op was done when the call returned: the packet only frees w
		if w.op == nil && s.flags&sockClosed == 0 && s.loop == w.loop {
			s.putWriteReq(w)
		}
		return
	}
	op := w.op
	e := w.winsockErr()
	if op.isFile && e != 0 && s.loop.ins != nil {
		s.loop.traceTransmit(s.fd, w, 0, e) // a started TransmitFile that failed
	}
	if e != 0 {
		if op.err != nil {
			// an earlier part of the write failed first
		} else if e == windows.WSAECONNABORTED {
			op.err = ECANCELED // as libuv, for the same error as on unix
		} else {
			op.err = s.writeError(e)
		}
	} else {
		s.account(w, w.bytes)
	}
	w.finished = true
	s.retireWrites()
	s.runPending()
}

// retireWrites moves the finished ops at the head of the issued ones to the done queue, in
// queue order, and frees their requests unless a packet is still to come for them.
func (s *Sock) retireWrites() {
	for w := s.wqHead; w != nil && w.finished; w = s.wqHead {
		s.wqHead = w.next
		if s.wqHead == nil {
			s.wqTail = nil
		}
		w.next = nil
		if w.last {
			s.doneQ.push(s.writeQ.pop()) // w's op: the issued ops lead the queue
			s.loop.QueuePending(&s.pend)
		}
		if w.busy() {
			w.op = nil // complete frees it
		} else {
			s.putWriteReq(w)
		}
	}
}

// TryWrite writes what the kernel takes now, without queueing (libuv's uv_try_write): it
// returns EAGAIN if a connect or queued writes are in progress or nothing could be written.
func (s *Sock) TryWrite(bufs [][]byte) (int, error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return 0, EBADF
	}
	if s.flags&sockConnecting != 0 || !s.writeQ.empty() {
		return 0, EAGAIN
	}
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	if n == 0 {
		return 0, nil
	}
	return s.drv.tryWrite(s, bufs, nil)
}

// TrySendTo sends one datagram now or returns EAGAIN (libuv's uv_udp_try_send). As in libuv,
// a destination of 0.0.0.0 or :: means the loopback address.
func (s *Sock) TrySendTo(bufs [][]byte, to SockAddr) (int, error) {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return 0, EBADF
	}
	if !s.writeQ.empty() {
		return 0, EAGAIN
	}
	var rto *windows.RawSockaddrAny
	if to != nil {
		rto = &s.loop.os.to
		n, e := rawSockaddr(to, rto)
		if e != 0 {
			return 0, translateErrno(e)
		}
		unspecifiedToLoopback(rto)
		s.loop.os.toLen = n
	}
	return s.drv.tryWrite(s, bufs, rto)
}

// Shutdown shuts the write side down once the queued writes are written; cb runs on the loop.
// It returns ENOTCONN if already shut or shutting, or closed.
func (s *Sock) Shutdown(cb func(err error)) error {
	if s.flags&(sockClosed|sockShutting|sockShut) != 0 || s.loop == nil {
		return ENOTCONN
	}
	s.flags |= sockShutting
	s.shutdownCb = cb
	if ps := s.ext; ps != nil && !ps.console {
		// A pipe's shutdown completes later than the drain that starts it: the callback waits
		// with the pipe (sock_pipeshutdown_windows.go).
		if ps.shutFn == nil {
			ps.shutFn = s.pipeShutdownStarted
		}
		ps.shutCb, s.shutdownCb = cb, ps.shutFn
	}
	s.loop.RegisterRequest()
	if s.writeQ.empty() && s.flags&sockConnecting == 0 {
		s.loop.QueuePending(&s.pend)
	}
	return nil
}

func (s *Sock) shutdownWrite() error { return s.drv.shutdown(s) }

// writeError translates the error of a write.
func (s *Sock) writeError(e syscall.Errno) error {
	if s.ext != nil {
		return pipeWriteError(e)
	}
	return translateErrno(e)
}
