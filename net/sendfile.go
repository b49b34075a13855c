package net

import (
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/stream"
)

// sendfileChunk bounds one file op on the handle, so that lengths fit an int everywhere.
const sendfileChunk = 1 << 30

// emulChunk is the read size when the file is read and written instead (64 KiB, as Node's
// file streams).
const emulChunk = 64 << 10

// sendfileSupported is uv.SendfileSupported, replaced by tests of the read-and-write path.
var sendfileSupported = uv.SendfileSupported

// fileSend is a SendFile in progress; a socket keeps one and reuses it.
type fileSend struct {
	s      *Socket
	fd     uv.OSFd
	off    int64 // the next byte of the file to send
	left   int64 // bytes still to send
	chunk  int   // bytes of the op (or emulated write) in flight
	sent   int64 // bytes sent so far
	before int   // bytes written before SendFile and not yet handed to the handle
	cb     func(err error)

	active  bool // between SendFile and its callback
	started bool // the file is (being) queued on the handle: later writes wait for it
	emul    bool // reading and writing: the system has no socket sendfile

	req    handles.WriteReq // the file op, or an emulated chunk's write
	preReq handles.WriteReq // the part of a chunk written before SendFile that precedes it
	pre    [1][]byte
	fs     handles.FS
	buf    []byte
	bufs   [1][]byte
}

// SendFile writes n bytes of the open file fd, from offset off, to the socket, after
// everything written before it and before everything written after it. Where the system
// has a socket sendfile (uv.SendfileSupported: Linux, macOS, FreeBSD; TransmitFile on
// Windows) the kernel copies the bytes from the page cache to the socket, none pass through
// the process, and the loop never blocks on the socket: it waits for writability whenever
// the socket's buffer is full. Elsewhere, and for a socket the handle cannot send a file to
// (a pipe on Windows: its WriteFile says ENOSYS), the file is read on the threadpool, 64 KiB
// at a time, and written. fd's position is neither used nor moved; it must stay open until
// cb runs.
//
// cb runs once, on the loop: with nil when the bytes are handed to the kernel, or with the
// error. A failure after some bytes went out (the file shrank: uv.EIO; the peer went away)
// also destroys the socket, since the peer got part of the file; if the socket is destroyed
// first, cb gets uv.ECANCELED. Writes made while the file goes out wait for it, and End
// shuts the socket down after it; like those written before it, the file waits for Uncork
// while the socket is corked.
//
// SendFile returns an error, and cb does not run, for n < 1 or off < 0 (uv.EINVAL), a
// socket that is not connected (uv.ENOTCONN) or destroyed (ErrSocketClosed), a writable side
// that has ended (stream.ErrWriteAfterEnd), or another SendFile in progress (uv.EBUSY).
func (s *Socket) SendFile(fd uv.OSFd, off, n int64, cb func(err error)) error {
	if n < 1 || off < 0 || cb == nil {
		return uv.EINVAL
	}
	switch {
	case s.state == stDestroyed || s.Duplex.Destroyed():
		return ErrSocketClosed
	case s.state != stOpen:
		return uv.ENOTCONN
	case s.Duplex.WritableEnded():
		return stream.ErrWriteAfterEnd
	}
	f := s.file
	if f == nil {
		f = &fileSend{s: s}
		f.req.Data, f.preReq.Data, f.fs.Data = f, f, f
		s.file = f
	} else if f.active {
		return uv.EBUSY
	}
	f.fd, f.off, f.left, f.sent, f.cb = fd, off, n, 0, cb
	f.active, f.started, f.emul = true, false, !sendfileSupported()
	if s.ls.loop.Tracing() {
		how := "sendfile"
		if f.emul {
			how = "read + write"
		}
		s.ls.loop.TraceLayer("net", "Socket.sendFile fd "+itoa(int64(fd))+" offset "+itoa(off)+" length "+
			itoa(n)+" ("+how+")")
	}
	if chunk, ok := s.takePending(); ok {
		// A chunk written while connecting, not sent yet (SendFile from the connect
		// callback): it goes first.
		s.send(chunk, true)
		if s.state != stOpen {
			f.active, f.cb = false, nil
			return ErrSocketClosed
		}
	}
	// The bytes the stream still buffers were written first: the file waits for them to
	// reach the handle (implWrite counts them down). WritableLength counts them and the
	// chunk the handle is writing, if any: wr.bufs[0] holds (the unsent part of) that chunk
	// from send until socketWritten.
	f.before = s.Duplex.WritableLength()
	if s.wr != nil && s.wr.bufs[0] != nil {
		f.before -= s.chunkLen
	}
	if f.before > 0 {
		return nil
	}
	f.started = true
	if err := f.next(); err != nil {
		f.active, f.started = false, false
		f.cb = nil
		return err
	}
	return nil
}

// fileOrdered is implWrite while a SendFile is active: the bytes written before it go first,
// the others wait until it is done.
func (s *Socket) fileOrdered(chunk []byte, retained bool) {
	f := s.file
	if f.started {
		s.hold(chunk, retained)
		return
	}
	if len(chunk) <= f.before {
		f.before -= len(chunk)
		if f.before > 0 {
			s.send(chunk, retained)
			return
		}
		f.started = true // what send's completion dispatches now waits for the file
		s.send(chunk, retained)
		if s.state != stOpen {
			f.finish(uv.ECANCELED)
			return
		}
		if err := f.next(); err != nil {
			f.finish(err)
		}
		return
	}
	// The chunk joins bytes written before SendFile and after it: its head goes now, the
	// file next, its tail after the file; the stream hears of it once the tail is written.
	if !retained {
		chunk = s.spillCopy(chunk)
	}
	k := f.before
	f.before, f.started = 0, true
	f.pre[0] = chunk[:k]
	if err := s.tcp.Write(&f.preReq, f.pre[:], socketFilePre); err != nil {
		f.pre[0] = nil
		s.Duplex.WriteDone(errnoException(err, "write"))
		return
	}
	s.hold(chunk[k:], true)
	if err := f.next(); err != nil {
		f.finish(err)
	}
}

func socketFilePre(req *handles.WriteReq, err error) {
	f := req.Data.(*fileSend)
	s := f.s
	n := len(f.pre[0])
	f.pre[0] = nil
	if err == nil {
		s.bytesWritten += uint64(n)
		return
	}
	// The tail will not follow: the stream's write fails, which destroys the socket (and
	// cancels the file op behind it).
	s.dropPending()
	if err == uv.ECANCELED {
		s.Duplex.WriteDone(err)
		return
	}
	s.Duplex.WriteDone(errnoException(err, "write"))
	s.ls.drain()
}

// next queues the next piece of the file: a file op of up to sendfileChunk bytes, or a read
// of up to emulChunk bytes whose write follows.
func (f *fileSend) next() error {
	s := f.s
	if f.emul {
		n := int(min(f.left, emulChunk))
		if f.buf == nil {
			f.buf = make([]byte, emulChunk)
		}
		f.bufs[0] = f.buf[:n]
		return handles.FSReadFile(s.ls.loop, &f.fs, f.fd, f.bufs[:], f.off, socketFileRead)
	}
	f.chunk = int(min(f.left, sendfileChunk))
	err := s.tcp.WriteFile(&f.req, f.fd, f.off, f.chunk, socketFileWritten)
	if err == uv.ENOSYS && f.sent == 0 {
		f.emul = true
		return f.next()
	}
	return err
}

func socketFileRead(r *handles.FS) {
	f := r.Data.(*fileSend)
	s := f.s
	defer s.ls.drain()
	switch {
	case !f.active:
		return
	case s.state != stOpen:
		f.finish(uv.ECANCELED)
		return
	case r.Err != nil:
		f.finish(r.Err)
		return
	case r.Result == 0:
		f.finish(uv.EIO) // the file ends before n bytes: it shrank since it was measured
		return
	}
	f.chunk = int(r.Result)
	f.bufs[0] = f.buf[:f.chunk]
	if err := s.tcp.Write(&f.req, f.bufs[:], socketFileWritten); err != nil {
		f.finish(err)
	}
}

func socketFileWritten(req *handles.WriteReq, err error) {
	f := req.Data.(*fileSend)
	s := f.s
	defer s.ls.drain()
	if err != nil {
		if !f.emul && f.sent == 0 && req.Unwritten() == f.chunk && fallbackErr(err) {
			// The kernel cannot send this file to this socket (not a regular file, a
			// socket type sendfile refuses): read it and write it instead.
			f.emul = true
			if err = f.next(); err == nil {
				return
			}
		}
		f.finish(err)
		return
	}
	f.off += int64(f.chunk)
	f.left -= int64(f.chunk)
	f.sent += int64(f.chunk)
	s.bytesWritten += uint64(f.chunk)
	s.touch()
	if f.left <= 0 {
		f.finish(nil)
		return
	}
	if err := f.next(); err != nil {
		f.finish(err)
	}
}

// fallbackErr reports the errors with which sendfile refuses a pair of descriptors before
// copying anything.
func fallbackErr(err error) bool {
	return err == uv.EINVAL || err == uv.ENOSYS || err == uv.ENOTSUP || err == uv.ENOTSOCK
}

// finish ends the SendFile: the writes that waited for it go out, then cb runs.
func (f *fileSend) finish(err error) {
	s := f.s
	cb := f.cb
	f.cb, f.active, f.started = nil, false, false
	f.bufs[0], f.buf = nil, nil
	if s.state == stOpen {
		if err != nil && err != uv.ECANCELED {
			s.dropPending()
			s.finalPending = false
			s.Duplex.Destroy(errnoException(err, "write"))
		} else {
			if chunk, ok := s.takePending(); ok {
				s.send(chunk, true)
			}
			if s.finalPending && s.state == stOpen {
				s.finalPending = false
				s.implFinal()
			}
		}
	}
	if cb != nil {
		cb(err)
	}
}

// fileClosed ends a SendFile still waiting for earlier writes when the socket closed (one
// already queued on the handle was cancelled with it).
func (s *Socket) fileClosed() {
	if f := s.file; f != nil && f.active && !f.started {
		f.finish(uv.ECANCELED)
	}
}
