//go:build unix

package uv

import "golang.org/x/sys/unix"

// WriteFile queues op to send n bytes of the open file file, from offset off, to the sock,
// in order with its other writes: the kernel copies them from the page cache to the socket
// (sendfile(2)), so the bytes never cross into user space. Like Write, it is tried at once
// when the queue is empty; when the socket's buffer is full it waits for writability and
// goes on from where it stopped; cb always runs later, in the pending phase. The file's own
// position is not used or moved, and file must stay open until cb runs.
//
// It returns ENOSYS where SendfileSupported is false, EINVAL for a datagram sock or a bad
// range, EPIPE after a shutdown and EBADF after Close. A file that turns out shorter than
// n bytes fails the op with EIO once its end is reached. For handle implementations.
func (s *Sock) WriteFile(op *WriteOp, file OSFd, off int64, n int, cb func(*WriteOp, error)) error {
	if s.flags&sockClosed != 0 {
		return EBADF
	}
	if s.flags&sockShut != 0 {
		return EPIPE
	}
	if !SendfileSupported() {
		return ENOSYS
	}
	if s.flags&sockDgram != 0 || n <= 0 || off < 0 || file < 0 {
		return EINVAL
	}
	*op = WriteOp{size: n, cb: cb, Ctx: op.Ctx, isFile: true, file: file, fileOff: off}
	return s.enqueue(op)
}

// sendfileMax bounds one sendfile call: Linux copies at most a little under 2 GiB per call.
const sendfileMax = 1 << 30

// writeFileOp is writeOp for a file op: one sendfile(2) of what is left of it.
func (s *Sock) writeFileOp(op *WriteOp) (int, error) {
	for {
		want := min(op.size, sendfileMax)
		n, err := sockSendfile(s.fd, op.file, op.fileOff, want)
		if s.loop.ins != nil {
			s.loop.ins.sys(s.loop, SysSendfile, s.fd, int64(op.file), op.fileOff, int64(want), n, err)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			// The file ends before the op does (it shrank since it was measured): waiting
			// for writability would spin, and the peer was promised more bytes.
			return 0, unix.EIO
		}
		return n, nil
	}
}
