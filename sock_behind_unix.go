//go:build unix

package uv

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Write-behind (SetWriteBehind): inside the callback of an I/O event a stream sock's
// TryWrite copies the bytes aside and reports them written; the loop writes them when the
// callback returns, before the next event.
//
// The point is where the system call is made. On the machine we measure on (AMD EPYC, a
// kernel with retpolines and the SRSO "safe RET" mitigation) the CPU's return predictions
// are stale after every system call, so each Go frame that was on the stack during the call
// costs a mispredicted return (about 7 ns) when it unwinds. An HTTP response written inside
// its handler is written some 25 frames deep (the poll, the sock, the stream, the socket's
// stream, the parser, the handler, the response, the socket's write); written by the poll
// after the callback, it is one frame above the poll (bench/README, "Where the time goes").
//
// What the caller sees is what it would see had the kernel taken the bytes at once: the
// write succeeded, and a failure of the connection afterwards reaches it on its next read
// (the error the write met, kept for Read) or write. Bytes the kernel does not take when the
// loop writes them are queued as a write of the sock's own, ahead of any later write.
// Anything that must follow the bytes (a queued write, a shutdown, a close) writes them
// first.

// behindMax is the most a sock defers in one dispatch; more is written at once.
const behindMax = 64 << 10

// behindRun is one sock's deferred bytes in the loop's buffer.
type behindRun struct {
	s      *Sock
	off, n int
}

// SetWriteBehind turns write-behind on or off for a stream sock (see the top of this file).
// Off (the default) is libuv's behaviour: TryWrite writes at once. Turning it off writes what
// is deferred now. A traced loop, a blocking or IPC sock, a datagram sock and a sock from
// elsewhere (not made by OpenSocket or Accept) always write at once.
func (s *Sock) SetWriteBehind(on bool) {
	if on {
		s.flags |= sockWriteBehind
		return
	}
	s.flushBehind()
	s.flags &^= sockWriteBehind
}

// deferWrite reports whether a TryWrite of size bytes is deferred rather than written now:
// write-behind is on and usable, an I/O callback is running, and the bytes fit.
func (s *Sock) deferWrite(size int) bool {
	const need = sockWriteBehind | sockOwned
	const refuse = sockBlockingWrites | sockIPC | sockDgram | sockShutting | sockShut
	if s.flags&(need|refuse) != need || !s.loop.os.dispatching || s.loop.ins != nil {
		return false
	}
	return s.loop.os.behindLen+size <= behindMax
}

// tryBehind defers a TryWrite of bufs if it may (deferWrite), or else writes what the sock
// deferred before, so that the caller's write now comes after it.
func (s *Sock) tryBehind(bufs [][]byte) (int, bool) {
	size := 0
	for _, b := range bufs {
		size += len(b)
	}
	if size == 0 || !s.deferWrite(size) {
		s.flushBehind()
		return 0, false
	}
	for _, b := range bufs {
		s.addBehind(b)
	}
	return size, true
}

// addBehind appends b to the sock's deferred bytes.
func (s *Sock) addBehind(b []byte) {
	os := &s.loop.os
	off := len(os.behindBuf)
	os.behindBuf = append(os.behindBuf, b...)
	s.noteBehind(off, len(b))
}

// noteBehind records n bytes at off in the loop's buffer as the sock's next deferred bytes.
func (s *Sock) noteBehind(off, n int) {
	os := &s.loop.os
	os.behindLen += n
	if s.flags&sockBehindPending != 0 {
		if r := &os.behind[len(os.behind)-1]; r.s == s {
			r.n += n
			return
		}
	}
	os.behind = append(os.behind, behindRun{s: s, off: off, n: n})
	s.flags |= sockBehindPending
}

// BehindBuf returns where to build a write of up to max bytes that TryWrite would defer
// now (write-behind, see the top of this file): an empty slice over the free end of the
// loop's buffer, with room for max bytes; nil if a TryWrite now would not be deferred.
// Append the bytes to it and hand the result to CommitBehind before anything else writes
// on the loop: the bytes are then built in place instead of copied aside. For handle
// implementations (the HTTP server builds its responses there).
func (s *Sock) BehindBuf(max int) []byte {
	if s.flags&(sockClosed|sockConnecting) != 0 || !s.writeQ.empty() || max <= 0 || !s.deferWrite(max) {
		return nil
	}
	os := &s.loop.os
	n := len(os.behindBuf)
	if cap(os.behindBuf)-n < max {
		grown := make([]byte, n, 2*cap(os.behindBuf)+max)
		copy(grown, os.behindBuf)
		os.behindBuf = grown
	}
	return os.behindBuf[n:n]
}

// CommitBehind defers b, built on the slice BehindBuf returned, as a TryWrite of b would
// have (it returns len(b), all of it written as far as the caller is concerned). Bytes that
// outgrew the slice's room were moved by append and are copied aside as TryWrite's are.
func (s *Sock) CommitBehind(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	os := &s.loop.os
	n := len(os.behindBuf)
	if cap(os.behindBuf)-n >= len(b) && &os.behindBuf[:n+1][n] == &b[0] {
		os.behindBuf = os.behindBuf[:n+len(b)]
		s.noteBehind(n, len(b))
	} else {
		s.addBehind(b)
	}
	return len(b)
}

// flushBehind writes the sock's deferred bytes now, for an operation that must follow them.
func (s *Sock) flushBehind() {
	if s.flags&sockBehindPending != 0 {
		s.loop.writeBehind(s)
	}
}

// writeBehind writes the deferred bytes of sock only, or, after an I/O callback, of every
// sock (only == nil). The send is write1's (deferWrite took only socks that write1 sends
// on), made here rather than in a call of its own: one frame fewer during the call.
func (l *Loop) writeBehind(only *Sock) {
	os := &l.os
	for i := range os.behind {
		r := &os.behind[i]
		s := r.s
		if s == nil || only != nil && s != only {
			continue
		}
		r.s = nil
		s.flags &^= sockBehindPending
		if s.flags&sockClosed != 0 {
			continue
		}
		b := os.behindBuf[r.off : r.off+r.n]
		n, e := rawIO(unix.SYS_SENDTO, s.fd, unsafe.Pointer(&b[0]), len(b), msgNoSignal)
		if e != 0 || n != len(b) {
			s.writeBehindRest(b, n, e)
		}
	}
	if only == nil {
		os.behind = os.behind[:0]
		os.behindBuf = os.behindBuf[:0]
		os.behindLen = 0
	}
}

// writeBehindRest finishes a deferred write that the kernel did not take whole: n bytes
// went, or the error e came back. What is left is queued, ahead of any later write; an error
// is kept for the next Read, which is where the kernel would have reported the connection's
// failure had the bytes gone out at once and the failure come after.
func (s *Sock) writeBehindRest(b []byte, n int, e unix.Errno) {
	for e == unix.EINTR {
		n, e = rawIO(unix.SYS_SENDTO, s.fd, unsafe.Pointer(&b[0]), len(b), msgNoSignal)
	}
	switch {
	case e == 0 && n == len(b):
	case e == 0 || e == unix.EAGAIN:
		if e != 0 {
			n = 0
		}
		op := &WriteOp{}
		op.prepare([][]byte{append([]byte(nil), b[n:]...)}, nil)
		s.enqueue(op)
	default:
		if s.behindErr == nil {
			s.behindErr = TranslateSysError(e)
		}
	}
}
