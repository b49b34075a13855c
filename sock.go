package uv

// Sock is the I/O primitive under every stream and datagram handle: one non-blocking socket
// or pipe end bound to a loop. Its operations are shaped as completions, so that both a
// readiness backend (epoll, kqueue: try the system call, wait for readiness on EAGAIN) and a
// completion backend (IOCP: zero-byte reads, overlapped sends, ConnectEx, AcceptEx) can
// implement them:
//
//   - StartRead(cb): cb runs on the loop whenever data (or EOF, or an error) may be read; the
//     reader then calls Read until it returns EAGAIN. The loop owns no buffer meanwhile.
//     StartReader(r) is the same with an interface (see SockReader).
//   - Write(op, ...): an ordered write queue. A write is tried at once when the queue is
//     empty; its callback always runs later, in the pending phase. TryWrite writes only if
//     the queue is empty.
//   - WriteFile(op, file, off, n, cb): a file op in the same queue, sent with the kernel's
//     copy (sendfile) where SendfileSupported says so.
//   - Connect(addr, cb), Shutdown(cb) (after the queue drains), Listen(backlog, cb) + Accept.
//   - Close releases the fd at once; CancelAll, run from the handle's closing phase, fails the
//     queued connect, writes and shutdown with ECANCELED.
//
// Datagram socks use the same write queue with one datagram per op (SendTo) and RecvFrom.
// For handle implementations; the methods live in sock_unix.go and sock_*windows.go.

// SockReader is told, by a call of SockReadable on the loop, that its Sock may be read:
// StartReader's alternative to StartRead's callback. A handle that reads on every event of
// a busy server implements it to spare the closure of a bound method value, which costs a
// load from another cache line and a wrapper frame per event.
type SockReader interface {
	SockReadable()
}

// notifyReadable tells the reader that the sock may be read.
func (s *Sock) notifyReadable() {
	if r := s.reader; r != nil {
		r.SockReadable()
	} else if s.onReadable != nil {
		s.onReadable()
	}
}

// Domain is an address family, the same on every OS.
type Domain int

// Address families.
const (
	DomainUnspec Domain = iota
	DomainInet
	DomainInet6
	DomainUnix
)

// SockKind is a socket type.
type SockKind int

// Socket types.
const (
	SockStream SockKind = iota
	SockDgram
)

const (
	sockConnecting uint32 = 1 << iota
	sockListening
	sockShutting
	sockShut
	sockBlockingWrites
	sockIPC
	sockClosed
	sockDgram
	sockReading
	// sockOwned marks a socket this package created or accepted (InitNew): non-blocking from
	// the start and shared with no other process, so a read or write on it cannot block
	// (unless SetBlocking made writes block).
	sockOwned
	// sockWriteBehind: TryWrite inside an I/O callback defers its bytes (SetWriteBehind);
	// sockBehindPending: some are deferred now.
	sockWriteBehind
	sockBehindPending
)

// WriteOp is one queued write (or datagram). Embed it in the write request; the buffers are
// not copied and must stay untouched until the callback runs.
type WriteOp struct {
	bufs  [][]byte
	idx   int // first buffer not yet fully written
	off   int // bytes of bufs[idx] already written
	size  int // bytes not yet written
	fd    OSSock
	hasFd bool
	to    SockAddr
	err   error
	cb    func(op *WriteOp, err error)
	next  *WriteOp

	// A file op (WriteFile) sends size bytes of file from fileOff instead of bufs.
	isFile  bool
	file    OSFd
	fileOff int64

	// Ctx is free for the owner (the request that embeds the op), so one callback bound per
	// stream can find its request without a closure per write.
	Ctx any

	os writeOpOS // what the platform keeps per op (the IPC frame on Windows; nothing on unix)
}

// Size returns the bytes of the op not yet written.
func (op *WriteOp) Size() int { return op.size }

func (op *WriteOp) prepare(bufs [][]byte, cb func(*WriteOp, error)) {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	*op = WriteOp{bufs: bufs, size: n, cb: cb, Ctx: op.Ctx}
}

// advance records n written bytes and reports whether the op is complete.
func (op *WriteOp) advance(n int) bool {
	if op.isFile {
		op.size -= n
		op.fileOff += int64(n)
		return op.size <= 0
	}
	op.size -= n
	for n > 0 && op.idx < len(op.bufs) {
		left := len(op.bufs[op.idx]) - op.off
		if n < left {
			op.off += n
			return false
		}
		n -= left
		op.idx++
		op.off = 0
	}
	for op.idx < len(op.bufs) && len(op.bufs[op.idx]) == op.off {
		op.idx++
		op.off = 0
	}
	return op.idx >= len(op.bufs)
}

// opQueue is a FIFO of write ops.
type opQueue struct{ head, tail *WriteOp }

func (q *opQueue) push(op *WriteOp) {
	op.next = nil
	if q.tail == nil {
		q.head = op
	} else {
		q.tail.next = op
	}
	q.tail = op
}

func (q *opQueue) pop() *WriteOp {
	op := q.head
	if op != nil {
		q.head = op.next
		if q.head == nil {
			q.tail = nil
		}
		op.next = nil
	}
	return op
}

func (q *opQueue) empty() bool { return q.head == nil }

// WriteQueueSize returns the bytes queued and not yet written (libuv's write_queue_size).
func (s *Sock) WriteQueueSize() int { return s.queueSize }

// WriteQueueCount returns the number of queued ops not yet written.
func (s *Sock) WriteQueueCount() int { return s.queueCount }

// Loop returns the sock's loop.
func (s *Sock) Loop() *Loop { return s.loop }

// Connecting reports whether a connect is in progress.
func (s *Sock) Connecting() bool { return s.flags&sockConnecting != 0 }

// Shutting reports whether Shutdown was called (and not cancelled).
func (s *Sock) Shutting() bool { return s.flags&(sockShutting|sockShut) != 0 }

// Closed reports whether Close was called.
func (s *Sock) Closed() bool { return s.flags&sockClosed != 0 }

// CancelAll completes what is still outstanding after Close, in libuv's order: the connect,
// then every write (ECANCELED for those not finished), then the shutdown. Run it from the
// handle's closing phase, before the close callback.
func (s *Sock) CancelAll() {
	if s.loop == nil {
		return
	}
	if cb := s.connectCb; cb != nil {
		s.connectCb = nil
		s.flags &^= sockConnecting
		s.loop.UnregisterRequest()
		cb(ECANCELED)
	}
	for op := s.writeQ.head; op != nil; op = op.next {
		op.err = ECANCELED
	}
	for !s.writeQ.empty() {
		s.doneQ.push(s.writeQ.pop())
	}
	s.writeCallbacks()
	if cb := s.shutdownCb; cb != nil {
		s.shutdownCb = nil
		s.loop.UnregisterRequest()
		cb(ECANCELED)
	}
}

// writeCallbacks runs the callbacks of finished ops in order.
func (s *Sock) writeCallbacks() {
	// Ops that complete during these callbacks wait for the next pending round, as libuv's
	// completed-queue snapshot makes them.
	q := s.doneQ
	s.doneQ = opQueue{}
	for {
		op := q.pop()
		if op == nil {
			return
		}
		s.queueSize -= op.size
		s.queueCount--
		s.loop.UnregisterRequest()
		s.opDone(op)
		if op.cb != nil {
			op.cb(op, op.err)
		}
	}
}

// runPending is the sock's pending-phase work: a connect error found synchronously, finished
// writes, and a shutdown whose write queue has drained.
func (s *Sock) runPending() {
	if s.flags&sockClosed != 0 {
		return
	}
	if s.connectErr != nil && s.flags&sockConnecting != 0 {
		s.finishConnect()
		if s.flags&sockClosed != 0 {
			return
		}
	}
	s.writeCallbacks()
	if s.flags&sockClosed == 0 && s.writeQ.empty() {
		s.drain()
	}
}

// drain performs a requested shutdown once the write queue is empty.
func (s *Sock) drain() {
	cb := s.shutdownCb
	if cb == nil || s.flags&sockShutting == 0 {
		return
	}
	s.shutdownCb = nil
	s.flags &^= sockShutting
	s.loop.UnregisterRequest()
	err := s.shutdownWrite()
	if err == nil {
		s.flags |= sockShut
	}
	cb(err)
}
