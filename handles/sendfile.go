package handles

import uv "github.com/uv-go/uv"

// WriteFile queues n bytes of the open file f, from offset off, on the stream's write queue,
// in order with its other writes, and sends them with the kernel's copy (sendfile(2);
// TransmitFile on Windows): the bytes go from the page cache to the socket without passing
// through a buffer of ours. The socket never blocks the loop: when its buffer is full the
// write waits for writability and goes on where it stopped. cb, which may be nil, runs in the
// pending phase, as for Write; f must stay open until then, and its position is neither used
// nor moved.
//
// libuv has no such request (its uv_fs_sendfile runs on the threadpool and blocks a worker
// on the socket); Node streams files through reads instead. WriteFile returns ENOSYS where
// uv.SendfileSupported is false, and for a stream the system cannot send a file to (a pipe
// on Windows): the caller then reads the file and writes it, as net's Socket.SendFile does.
// It returns EINVAL for a bad range or when closing, EPIPE if the stream is not writable and
// EBADF if it has no socket.
func (s *Stream) WriteFile(req *WriteReq, f uv.OSFd, off int64, n int, cb func(req *WriteReq, err error)) error {
	if s.Loop() == nil || s.IsClosing() || req == nil || n <= 0 || off < 0 {
		return uv.EINVAL
	}
	if !uv.SendfileSupported() {
		return uv.ENOSYS
	}
	if !s.hasSock() {
		return uv.EBADF
	}
	if s.flags&streamWritable == 0 {
		return uv.EPIPE
	}
	if l := s.Loop(); l.Tracing() {
		s.trace("writeFile", "fd "+itoa(int64(f))+" offset "+itoa(off)+" length "+itoa(int64(n)))
	}
	req.stream, req.cb = s, cb
	req.op.Ctx = req
	return s.sock.WriteFile(&req.op, f, off, n, s.writeCb())
}

// Unwritten returns the bytes of the request the kernel has not taken: 0 once its callback
// ran without an error; after an error (or ECANCELED), what was left to write.
func (r *WriteReq) Unwritten() int { return r.op.Size() }
