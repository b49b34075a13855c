package handles

import (
	uv "github.com/uv-go/uv"
)

// Stream flags.
const (
	streamReadable uint8 = 1 << iota
	streamWritable
	streamReading
	streamListening
)

// Stream is what TCP, Pipe and TTY share: libuv's uv_stream_t. It reads with a burst of up
// to 32 reads per readiness event, writes through an ordered queue whose callbacks always run
// in the pending phase, and shuts down after the queue drains.
type Stream struct {
	uv.Handle
	// flags, alloc and read, which every read touches, follow the Handle's Data, and the
	// sock's own hot fields follow them (see uv.Sock).
	flags    uint8
	alloc    func(s *Stream, suggested int) []byte
	read     func(s *Stream, buf []byte, err error)
	sock     uv.Sock
	onConn   func(server *Stream, err error)
	accepted uv.OSSock // a connection accepted and waiting for Accept; -1 if none
	hasConn  bool
	connReq  *ConnectReq
	shutReq  *ShutdownReq
	// delayedErr is an error libuv defers to the next operation: EADDRINUSE from a TCP bind,
	// reported by Listen, Sockname, or the connect callback.
	delayedErr error

	// Callbacks for the sock, each bound once (a method value is an allocation): the one
	// every stream needs at init, the others at their first use, so that an accepted
	// connection that only reads and writes at once (a server's idle keep-alive connection)
	// holds one. The close hooks are shared per type (tcpHooks, pipeHooks, ttyHooks).
	connFn     func()
	writeFn    func(*uv.WriteOp, error)
	connDoneFn func(error)
	shutDoneFn func(error)
}

// WriteReq is a write request (libuv's uv_write_t). Embed or reuse it: a write allocates
// nothing.
type WriteReq struct {
	op     uv.WriteOp
	stream *Stream
	cb     func(req *WriteReq, err error)

	// Data is free for the user.
	Data any
}

// Stream returns the stream the request writes to.
func (r *WriteReq) Stream() *Stream { return r.stream }

// ConnectReq is a connect request (libuv's uv_connect_t).
type ConnectReq struct {
	stream *Stream
	cb     func(req *ConnectReq, err error)

	// Data is free for the user.
	Data any
}

// Stream returns the stream being connected.
func (r *ConnectReq) Stream() *Stream { return r.stream }

// ShutdownReq is a shutdown request (libuv's uv_shutdown_t).
type ShutdownReq struct {
	stream *Stream
	cb     func(req *ShutdownReq, err error)

	// Data is free for the user.
	Data any
}

// Stream returns the stream being shut down.
func (r *ShutdownReq) Stream() *Stream { return r.stream }

// initStream registers the handle with its type's close hooks; the socket comes later with
// openSock.
func (s *Stream) initStream(l *uv.Loop, t uv.HandleType, owner any, hooks *uv.HandleHooks) error {
	if err := s.Handle.InitHooks(l, t, owner, hooks); err != nil {
		return err
	}
	s.flags, s.accepted, s.hasConn = 0, uv.InvalidSock, false
	return nil
}

// openSock binds fd to the stream.
func (s *Stream) openSock(fd uv.OSSock, ipc bool, flags uint8) error {
	if err := s.sock.Init(s.Loop(), fd, uv.SockStream, ipc); err != nil {
		return err
	}
	s.flags |= flags
	return nil
}

// openNewSock binds a socket from uv.OpenSocket or an accept to the stream, without the
// checks a descriptor from elsewhere needs.
func (s *Stream) openNewSock(fd uv.OSSock, ipc bool, flags uint8) error {
	if err := s.sock.InitNew(s.Loop(), fd, uv.SockStream, ipc); err != nil {
		return err
	}
	s.flags |= flags
	return nil
}

// writeCb returns writeDone bound to s, binding it at the first queued write.
func (s *Stream) writeCb() func(*uv.WriteOp, error) {
	if s.writeFn == nil {
		s.writeFn = s.writeDone
	}
	return s.writeFn
}

// connectCb returns connectDone bound to s, binding it at the first connect.
func (s *Stream) connectCb() func(error) {
	if s.connDoneFn == nil {
		s.connDoneFn = s.connectDone
	}
	return s.connDoneFn
}

func (s *Stream) hasSock() bool { return s.sock.Loop() != nil && !s.sock.Closed() }

// The close hooks of the stream types. Close stops everything and closes the descriptor
// (closeStream, after what the type adds); Closed fails the queued requests with ECANCELED.
var (
	tcpHooks = uv.HandleHooks{
		Close:  func(h *uv.Handle) { h.Owner().(*TCP).closeStream() },
		Closed: func(h *uv.Handle) { h.Owner().(*TCP).sock.CancelAll() },
	}
	pipeHooks = uv.HandleHooks{
		Close:  func(h *uv.Handle) { h.Owner().(*Pipe).closePipe() },
		Closed: func(h *uv.Handle) { h.Owner().(*Pipe).sock.CancelAll() },
	}
	ttyHooks = uv.HandleHooks{
		Close:  func(h *uv.Handle) { h.Owner().(*TTY).closeTTY() },
		Closed: func(h *uv.Handle) { h.Owner().(*TTY).sock.CancelAll() },
	}
)

// closeStream stops everything and closes the descriptor; queued requests get ECANCELED in
// the closing phase.
func (s *Stream) closeStream() {
	s.flags &^= streamReading | streamListening | streamReadable | streamWritable
	if s.hasConn {
		uv.CloseSocket(s.accepted)
		s.hasConn = false
	}
	s.sock.Close()
}

// Fileno returns the stream's descriptor (libuv's uv_fileno); EBADF if it has none.
func (s *Stream) Fileno() (uv.OSFd, error) {
	if !s.hasSock() || s.IsClosing() {
		return uv.OSFd(uv.InvalidSock), uv.EBADF
	}
	return uv.OSFd(s.sock.Fd()), nil
}

// IsReadable reports whether the stream can be read.
func (s *Stream) IsReadable() bool { return s.flags&streamReadable != 0 }

// IsWritable reports whether the stream can be written.
func (s *Stream) IsWritable() bool { return s.flags&streamWritable != 0 }

// SetWriteBehind turns write-behind on or off for the stream's socket (not libuv's; see
// uv.Sock.SetWriteBehind): inside an I/O callback, TryWrite hands its bytes to the kernel
// when the callback returns rather than at once, so that the system call is made from a
// shallow stack. A server whose writes are made deep in its read callbacks turns it on. It
// applies to the socket open now.
func (s *Stream) SetWriteBehind(on bool) { s.sock.SetWriteBehind(on) }

// WriteQueueSize returns the bytes queued and not yet written.
func (s *Stream) WriteQueueSize() int { return s.sock.WriteQueueSize() }

// ReadStart starts reading (libuv's uv_read_start). alloc returns the buffer for the next
// read (suggested size 64 KiB); with a nil alloc the loop's shared buffer is used, which is
// valid only during the read callback, so an idle reader holds no buffer. read gets the bytes
// read; an empty buffer with a nil error means nothing was available; EOF ends the stream
// and stops reading; ENOBUFS means alloc returned an empty buffer. It returns EALREADY if
// already reading, EINVAL if closing, ENOTCONN if the stream is not readable.
func (s *Stream) ReadStart(alloc func(s *Stream, suggested int) []byte, read func(s *Stream, buf []byte, err error)) error {
	if s.Loop() == nil || s.IsClosing() || read == nil {
		return uv.EINVAL
	}
	if s.flags&streamReading != 0 {
		return uv.EALREADY
	}
	if s.flags&streamReadable == 0 {
		return uv.ENOTCONN
	}
	if l := s.Loop(); l.Tracing() {
		s.trace("readStart", "(uv_read_start)")
	}
	s.alloc, s.read = alloc, read
	if err := s.sock.StartReader((*streamReader)(s)); err != nil {
		return err
	}
	s.flags |= streamReading
	s.Activate()
	return nil
}

// ReadStop stops reading. Stopping a stream that is not reading does nothing.
func (s *Stream) ReadStop() error {
	if s.flags&streamReading == 0 {
		return nil
	}
	s.flags &^= streamReading
	s.sock.StopRead()
	s.alloc, s.read = nil, nil
	s.maybeDeactivate()
	return nil
}

func (s *Stream) maybeDeactivate() {
	if s.flags&(streamReading|streamListening) == 0 && s.connReq == nil && s.shutReq == nil {
		s.Deactivate()
	}
}

// streamReader is the Stream as its sock's uv.SockReader, a type of its own so that the
// Stream's methods do not show the notification.
type streamReader Stream

// SockReadable is libuv's read burst: up to 32 reads of 64 KiB while the kernel has data.
func (r *streamReader) SockReadable() {
	s := (*Stream)(r)
	for count := 32; count > 0 && s.flags&streamReading != 0; count-- {
		var buf []byte
		if s.alloc != nil {
			buf = s.alloc(s, 64*1024)
		} else {
			buf = s.Loop().ReadBuffer()
		}
		read := s.read
		if len(buf) == 0 {
			read(s, buf, uv.ENOBUFS)
			return
		}
		n, err := s.sock.Read(buf)
		switch err {
		case nil:
			read(s, buf[:n], nil)
			if n < len(buf) {
				return
			}
			continue
		case uv.EAGAIN:
			read(s, buf[:0], nil)
			return
		case uv.EOF:
			// The stream stays readable (libuv's readable_on_eof): reading may start again.
			s.stopReadingAfter()
			read(s, buf[:0], uv.EOF)
			return
		default:
			s.flags &^= streamReadable | streamWritable
			read(s, buf[:0], err)
			if s.flags&streamReading != 0 {
				s.stopReadingAfter()
			}
			return
		}
	}
}

func (s *Stream) stopReadingAfter() {
	s.flags &^= streamReading
	s.sock.StopRead()
	s.maybeDeactivate()
}

// Write queues bufs (libuv's uv_write); cb, which may be nil, runs in the pending phase.
// The buffers must stay untouched until then. It returns EPIPE if the stream is not
// writable (for example after Shutdown), EBADF if it has no socket, EINVAL if closing.
func (s *Stream) Write(req *WriteReq, bufs [][]byte, cb func(req *WriteReq, err error)) error {
	return s.write2(req, bufs, nil, cb)
}

// Write2 is Write that also sends a TCP or pipe handle over an IPC pipe (libuv's uv_write2).
func (s *Stream) Write2(req *WriteReq, bufs [][]byte, send *Stream, cb func(req *WriteReq, err error)) error {
	if send == nil {
		return s.write2(req, bufs, nil, cb)
	}
	return s.write2(req, bufs, send, cb)
}

func (s *Stream) write2(req *WriteReq, bufs [][]byte, send *Stream, cb func(req *WriteReq, err error)) error {
	if s.Loop() == nil || s.IsClosing() || req == nil {
		return uv.EINVAL
	}
	if err := checkBufs(bufs); err != nil {
		return err
	}
	if !s.hasSock() {
		return uv.EBADF
	}
	if s.flags&streamWritable == 0 {
		return uv.EPIPE
	}
	var fd uv.OSSock
	if send != nil {
		if !send.hasSock() {
			return uv.EBADF
		}
		fd = send.sock.Fd()
		if t, ok := send.Owner().(*TCP); ok && t.delayedErr != nil {
			// libuv sends a bind error along (Windows; the write takes it at once).
			uv.SendDelayedError(fd, t.delayedErr)
			defer uv.SendDelayedError(fd, nil)
		}
	}
	req.stream, req.cb = s, cb
	req.op.Ctx = req
	return s.sock.Write(&req.op, bufs, fd, send != nil, s.writeCb())
}

func (s *Stream) writeDone(op *uv.WriteOp, err error) {
	req := op.Ctx.(*WriteReq)
	if req.cb != nil {
		req.cb(req, err)
	}
}

// TryWrite writes what the kernel takes now without queueing (libuv's uv_try_write): the
// bytes written, or EAGAIN if writes are queued, a connect is in progress, or nothing fit.
func (s *Stream) TryWrite(bufs [][]byte) (int, error) {
	if s.Loop() == nil || s.IsClosing() {
		return 0, uv.EINVAL
	}
	if !s.hasSock() {
		return 0, uv.EBADF
	}
	if err := checkBufs(bufs); err != nil {
		return 0, err
	}
	if s.flags&streamWritable == 0 {
		return 0, uv.EPIPE
	}
	return s.sock.TryWrite(bufs)
}

// WriteBehindBuf returns where to build a write of up to max bytes that TryWrite would
// take whole now, deferred by write-behind (uv.Sock.BehindBuf): append to it and hand the
// result to CommitWriteBehind before anything else writes. nil when TryWrite would not
// defer it; then write as usual. Not libuv's: for the HTTP server's responses.
func (s *Stream) WriteBehindBuf(max int) []byte {
	if s.Loop() == nil || s.IsClosing() || !s.hasSock() || s.flags&streamWritable == 0 {
		return nil
	}
	return s.sock.BehindBuf(max)
}

// CommitWriteBehind writes b, built on WriteBehindBuf's slice, as a TryWrite that took it
// whole; it returns len(b).
func (s *Stream) CommitWriteBehind(b []byte) int { return s.sock.CommitBehind(b) }

// Shutdown shuts the write side down once the queued writes are written (libuv's
// uv_shutdown); cb runs on the loop. ENOTCONN if the stream is not writable, already shut or
// shutting, or closing.
func (s *Stream) Shutdown(req *ShutdownReq, cb func(req *ShutdownReq, err error)) error {
	if s.Loop() == nil || req == nil {
		return uv.EINVAL
	}
	if s.flags&streamWritable == 0 || s.IsClosing() || !s.hasSock() || s.sock.Shutting() {
		return uv.ENOTCONN
	}
	if s.shutDoneFn == nil {
		s.shutDoneFn = s.shutdownDone
	}
	if err := s.sock.Shutdown(s.shutDoneFn); err != nil {
		return err
	}
	req.stream, req.cb = s, cb
	s.shutReq = req
	s.flags &^= streamWritable
	s.Activate()
	return nil
}

func (s *Stream) shutdownDone(err error) {
	req := s.shutReq
	s.shutReq = nil
	if !s.IsClosing() {
		s.maybeDeactivate()
	}
	if req != nil && req.cb != nil {
		req.cb(req, err)
	}
}

// connectSock starts a connect on the socket for req.
func (s *Stream) connectSock(req *ConnectReq, to uv.SockAddr, cb func(*ConnectReq, error)) error {
	if s.connReq != nil {
		return uv.EALREADY
	}
	req.stream, req.cb = s, cb
	if err := s.sock.Connect(to, s.connectCb()); err != nil {
		return err
	}
	s.connReq = req
	s.Activate()
	return nil
}

func (s *Stream) connectDone(err error) {
	req := s.connReq
	s.connReq = nil
	s.delayedErr = nil
	if err == nil && !s.IsClosing() {
		s.flags |= streamReadable | streamWritable
	}
	if !s.IsClosing() {
		s.maybeDeactivate()
	}
	if req.cb != nil {
		req.cb(req, err)
	}
}

// listen starts accepting with the socket's backlog.
func (s *Stream) listen(backlog int, cb func(server *Stream, err error)) error {
	if s.connFn == nil {
		s.connFn = s.onConnection
	}
	if err := s.sock.Listen(backlog, s.connFn); err != nil {
		return err
	}
	s.onConn = cb
	s.flags |= streamListening
	s.Activate()
	return nil
}

// onConnection accepts one connection per readiness event, as libuv 1.45+ does; if the
// callback does not Accept it, accepting pauses until it does.
func (s *Stream) onConnection() {
	if s.hasConn {
		return
	}
	fd, err := s.sock.Accept()
	if err != nil {
		return // EAGAIN, or shed by the EMFILE trick: libuv drops these silently
	}
	s.accepted, s.hasConn = fd, true
	if s.onConn != nil {
		s.onConn(s, nil)
	}
	if s.hasConn && !s.IsClosing() {
		s.sock.PauseAccept()
	}
}

// Accept hands the waiting connection to client, an initialised stream of a matching type
// (libuv's uv_accept); EAGAIN if none waits.
func (s *Stream) Accept(client *Stream) error {
	if s.Loop() == nil || client == nil || client.Loop() != s.Loop() {
		return uv.EINVAL
	}
	if !s.hasConn {
		if s.Type() == uv.TypeNamedPipe {
			return s.acceptPending(client)
		}
		return uv.EAGAIN
	}
	fd := s.accepted
	s.hasConn = false
	s.sock.ResumeAccept()
	if client.hasSock() {
		uv.CloseSocket(fd)
		return uv.EBUSY
	}
	if err := client.openNewSock(fd, client.isIPC(), streamReadable|streamWritable); err != nil {
		uv.CloseSocket(fd)
		return err
	}
	if l := s.Loop(); l.Tracing() {
		s.trace("accept", "fd "+itoa(int64(fd))+" (uv_accept)")
	}
	return nil
}

// acceptPending hands a descriptor received over an IPC pipe to client.
func (s *Stream) acceptPending(client *Stream) error {
	fd, ok := s.sock.TakeFd()
	if !ok {
		return uv.EAGAIN
	}
	if client.hasSock() {
		uv.CloseSocket(fd)
		return uv.EBUSY
	}
	derr := uv.ReceivedDelayedError(fd)
	if err := client.openSock(fd, client.isIPC(), streamReadable|streamWritable); err != nil {
		uv.CloseSocket(fd)
		return err
	}
	if t, ok := client.Owner().(*TCP); ok && derr != nil {
		t.delayedErr, t.bound = derr, true // its listen or connect fails with it, as the sender's would
	}
	return nil
}

// isIPC reports whether the stream is an IPC pipe; set by Pipe.
func (s *Stream) isIPC() bool {
	if p, ok := s.Owner().(interface{ IPC() bool }); ok {
		return p.IPC()
	}
	return false
}

// SetBlocking makes writes block (libuv's uv_stream_set_blocking).
func (s *Stream) SetBlocking(blocking bool) error {
	if !s.hasSock() {
		return uv.EBADF
	}
	return s.sock.SetBlocking(blocking)
}

// maxIOBytes is libuv's UV__IO_MAX_BYTES: larger writes are refused on every OS alike.
const maxIOBytes = 1<<31 - 1

// checkBufs applies libuv's limits: 1 to 1024*1024 buffers, at most maxIOBytes in all.
func checkBufs(bufs [][]byte) error {
	if len(bufs) < 1 || len(bufs) > 1024*1024 {
		return uv.EINVAL
	}
	n := 0
	for _, b := range bufs {
		n += len(b)
		if n > maxIOBytes {
			return uv.EINVAL
		}
	}
	return nil
}
