package uv

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// The overlapped requests of a Sock. Each is a heap object that embeds an iocpReq, so that the
// loop's in-flight list keeps it (with its OVERLAPPED, WSABuf array and address buffers)
// reachable and unmoved while the kernel owns it. A sock reuses its requests, so steady reading
// and writing allocate nothing; when the sock closes, a request the kernel still owns is
// orphaned instead (sock set to nil) and the sock forgets it: its completion, which the close
// makes come soon with an error status (STATUS_CANCELLED on Windows, STATUS_HANDLES_CLOSED
// under Wine), is then dropped.

// statusUnsuccessful is STATUS_UNSUCCESSFUL, the status of a request whose call failed at
// once; its werr holds the real error.
const statusUnsuccessful = 0xC0000001

// zeroByte is the buffer of the zero-byte reads: static, so it never moves.
var zeroByte byte

// sockReq is what every request of a Sock has.
type sockReq struct {
	iocpReq
	// sock owns the request; nil once the request is orphaned.
	sock *Sock
	// werr is the error of an overlapped call that failed without starting: the request is
	// completed with it as if the kernel had reported it, as libuv does.
	werr syscall.Errno
}

// start readies the request for an overlapped call and returns the OVERLAPPED to pass.
func (r *sockReq) start() *windows.Overlapped {
	r.werr = 0
	ov := r.begin()
	// The status stays STATUS_PENDING unless the call completes in the kernel (packetDue).
	ov.Internal = uintptr(windows.STATUS_PENDING)
	return ov
}

// packetDue reports, for an overlapped call that returned an error other than
// ERROR_IO_PENDING, whether a completion packet will come all the same. It does when the
// kernel completed the call with a warning status rather than an error (a datagram larger than
// the buffer: STATUS_BUFFER_OVERFLOW, which Winsock reports as WSAEMSGSIZE): a warning counts
// as success for the completion port, and the kernel wrote it into the OVERLAPPED. A call that
// failed with an error left the status as start set it.
func (r *sockReq) packetDue() bool {
	st := uint32(r.ov.Internal)
	return st != uint32(windows.STATUS_PENDING) && st>>30 != 3 // 3: NT_ERROR severity
}

// started handles the outcome e of the overlapped call the request was started for: 0 if it
// succeeded at once, ERROR_IO_PENDING if the kernel took it, else its error. skip tells
// whether the handle's completions skip the port on success (then no packet comes for a call
// that succeeded at once). In every case the request's done runs later, in the pending phase.
func (r *sockReq) started(e syscall.Errno, skip bool) {
	switch e {
	case 0:
		if skip {
			r.finish(0, r.qty)
		}
	case windows.ERROR_IO_PENDING:
	default:
		if r.packetDue() {
			return
		}
		r.werr = e
		r.finish(statusUnsuccessful, 0)
	}
}

// winsockErr returns the request's outcome as a Winsock error (0 on success); for a pipe or
// console sock, as a Win32 error.
func (r *sockReq) winsockErr() syscall.Errno {
	if r.werr != 0 {
		return r.werr
	}
	if r.ok() {
		return 0
	}
	if r.sock != nil && r.sock.ext != nil {
		return windows.NTStatus(r.status).Errno()
	}
	return ntstatusToWinsock(r.status)
}

// orphan gives the request up: the sock closed while the kernel owned it.
func (r *sockReq) orphan() { r.sock = nil }

// readReq is the zero-byte read: its completion says the sock may be read.
type readReq struct {
	sockReq
	buf [1]windows.WSABuf
}

func newReadReq(s *Sock) *readReq {
	r := &readReq{}
	r.sock = s
	r.init(s.loop, r.complete)
	return r
}

// armRead starts the zero-byte read.
func (s *Sock) armRead() {
	r := s.rd
	r.start()
	r.started(s.drv.startRead(s, r), s.flags&sockSkipPort != 0)
	if s.ext != nil && r.inFlight() {
		s.startEOFTimer()
	}
}

// complete runs in the pending phase when the zero read completed: the reader reads until
// EAGAIN, then the zero read is armed again while reading goes on (libuv's
// uv__process_tcp_read_req and uv__process_udp_recv_req).
func (r *readReq) complete(*iocpReq) {
	s := r.sock
	if s == nil {
		return
	}
	if s.ext != nil {
		s.stopEOFTimer()
	}
	if e := r.winsockErr(); e != 0 {
		switch {
		case s.ext != nil && e == windows.ERROR_OPERATION_ABORTED:
			// A cancelled zero read says nothing: it is armed again below.
		case s.ext != nil && s.flags&sockReading == 0:
			return
		case s.ext != nil:
			s.readErr = pipeReadError(e)
		case s.flags&sockDgram != 0 && (e == windows.WSAEMSGSIZE || e == windows.WSAECONNRESET || e == windows.WSAENETRESET):
			// A datagram too big for the zero-byte buffer, or the ICMP error of an earlier
			// send: not errors of the socket; RecvFrom sorts them out.
		case s.flags&sockReading == 0:
			return // nobody reads: libuv drops the error
		case e == windows.WSAECONNABORTED:
			s.readErr = ECONNRESET // as libuv, for the same error as on unix
		default:
			s.readErr = translateErrno(e)
		}
	}
	if s.flags&sockReading != 0 {
		s.notifyReadable()
	}
	if s.rd == r && s.flags&(sockReading|sockClosed) == sockReading && !r.busy() && s.readErr == nil {
		s.armRead()
	}
}

// writeReq is one overlapped send: a queued write or datagram.
type writeReq struct {
	sockReq
	op    *WriteOp
	bufs  []windows.WSABuf
	to    windows.RawSockaddrAny // a datagram's destination
	toLen int32                  // 0: the connected peer
	// n is the bytes of this send; last tells whether it is the op's last one (a stream write
	// of many buffers takes several).
	n    int
	last bool
	// fileOff is where a file op's part starts in the file (its n bytes go by TransmitFile).
	fileOff int64
	// gather is where a pipe write of several buffers gathers them (pipes write one buffer
	// per call); snext links the writes waiting for a non-overlapped pipe's goroutine.
	gather []byte
	snext  *writeReq
	// finished: the send is done (its outcome is known), though it may wait for the ones
	// before it, and a packet may still be due for the request.
	finished bool
	next     *writeReq
}

// writeReq returns an idle write request of the sock.
func (s *Sock) writeReq() *writeReq {
	w := s.wfree
	if w != nil {
		s.wfree = w.next
		w.next = nil
		return w
	}
	w = &writeReq{}
	w.sock = s
	w.init(s.loop, w.complete)
	return w
}

// putWriteReq makes a completed write request idle again, keeping no user buffer alive.
func (s *Sock) putWriteReq(w *writeReq) {
	for i := range w.bufs {
		w.bufs[i] = windows.WSABuf{}
	}
	w.bufs = w.bufs[:0]
	w.op, w.finished, w.last, w.n, w.fileOff = nil, false, false, 0, 0
	if cap(w.gather) > maxKeptGather {
		w.gather = nil
	}
	w.next = s.wfree
	s.wfree = w
}

// setBufs points the request's WSABuf array at bufs and returns their size.
func (w *writeReq) setBufs(bufs [][]byte) int {
	n := 0
	w.bufs = w.bufs[:0]
	for _, b := range bufs {
		var v windows.WSABuf
		if len(b) > 0 {
			v = windows.WSABuf{Len: uint32(len(b)), Buf: &b[0]}
		}
		w.bufs = append(w.bufs, v)
		n += len(b)
	}
	if len(w.bufs) == 0 {
		w.bufs = append(w.bufs, windows.WSABuf{Buf: &zeroByte})
	}
	return n
}

// connectReq is the ConnectEx request.
type connectReq struct {
	sockReq
	to    windows.RawSockaddrAny
	toLen int32
}

func newConnectReq(s *Sock) *connectReq {
	r := &connectReq{}
	r.sock = s
	r.init(s.loop, r.complete)
	return r
}

// dropIdleReqs forgets requests kept from before that belong to another loop.
func (s *Sock) dropIdleReqs(l *Loop) {
	if s.rd != nil && s.rd.loop != l {
		s.rd = nil
	}
	if s.cn != nil && s.cn.loop != l {
		s.cn = nil
	}
	if s.wfree != nil && s.wfree.loop != l {
		s.wfree = nil
	}
}
