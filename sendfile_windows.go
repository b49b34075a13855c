package uv

import "golang.org/x/sys/windows"

// SendfileSupported reports whether Sock.WriteFile sends files with the kernel's copy: on
// Windows it does, with TransmitFile (sock_transmitfile_windows.go), for TCP sockets. A pipe
// or console sock still answers WriteFile with ENOSYS, and the layers above then read the
// file and write it, as they do where this is false.
func SendfileSupported() bool { return true }

// WriteFile queues op to send n bytes of the open file file, from offset off, to the sock,
// in order with its other writes: an overlapped TransmitFile, issued when queued like every
// write of the queue (after the connect, if one is in progress), so the kernel copies the
// file's bytes from its cache to the socket. cb always runs later, in the pending phase, in
// queue order. The file's position is not used (the offset goes in the OVERLAPPED), and
// file must stay open until cb runs.
//
// It returns ENOSYS for a sock that is not a Winsock socket on this loop's port (a pipe, a
// console, a socket received over IPC that completes on events), EINVAL for a datagram sock,
// a bad range or an invalid handle, EPIPE after a shutdown and EBADF after Close. A file
// that is not a disk file fails the op with EINVAL before anything is sent; one shorter than
// off+n sends what it has and fails the op with EIO. For handle implementations.
func (s *Sock) WriteFile(op *WriteOp, file OSFd, off int64, n int, cb func(*WriteOp, error)) error {
	if s.flags&sockClosed != 0 || s.loop == nil {
		return EBADF
	}
	if s.flags&sockShut != 0 {
		return EPIPE
	}
	if _, ok := s.drv.(winsockDriver); !ok {
		return ENOSYS
	}
	h := windows.Handle(file)
	if s.flags&sockDgram != 0 || n <= 0 || off < 0 || h == 0 || h == windows.InvalidHandle {
		return EINVAL
	}
	if _, e := transmitFileFunc.load(); e != 0 {
		return ENOSYS
	}
	*op = WriteOp{size: n, cb: cb, Ctx: op.Ctx, isFile: true, file: file, fileOff: off}
	s.enqueue(op)
	return nil
}
