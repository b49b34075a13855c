package uv

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The file ops of a Windows Sock's write queue (Sock.WriteFile, sendfile_windows.go): the
// IOCP counterpart of sendfile. A file op is one or more overlapped TransmitFile calls, each
// a writeReq of the queue like a send's, issued together when the op is issued: the kernel
// keeps them in order with the sends around them, so the ordering, completion, cancellation
// and orphaning of the queue (sock_write_windows.go) apply to them unchanged. Only Winsock
// sockets take them.

// transmitFileFunc is TransmitFile, found as AcceptEx and ConnectEx are (WSAID_TRANSMITFILE),
// so that a layered provider's own is used.
var transmitFileFunc = extFunc{guid: windows.GUID{Data1: 0xb5367df0, Data2: 0xcbac, Data3: 0x11cf,
	Data4: [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}}

// transmitFileMax bounds one TransmitFile: the call takes at most 2^31-2 bytes. A variable so
// that a test can make a file op take several calls without a file of gigabytes.
var transmitFileMax int64 = 1<<31 - 2

// issueFile starts the TransmitFile calls of the file op op: the parts of what the file holds
// from the op's offset, up to the op's size. A file shorter than that sends what it has and
// fails the op with EIO, as sendfile's end of file does on unix; the size is measured here
// because TransmitFile itself just stops at the end of the file. A handle that is not a disk
// file fails the op with EINVAL without a call: the layers above then read it instead.
func (s *Sock) issueFile(op *WriteOp) {
	avail, err := fileAvail(windows.Handle(op.file), op.fileOff)
	want := min(int64(op.size), avail)
	switch {
	case err != nil:
		op.err = err
	case want < int64(op.size):
		op.err = EIO // reported once the bytes the file has went out
	}
	if want <= 0 {
		// Nothing to send: the op still waits for the writes before it.
		w := s.writeReq()
		w.op, w.last, w.finished = op, true, true
		s.linkWrite(w)
		s.retireWrites()
		return
	}
	off := op.fileOff
	for want > 0 {
		k := min(want, transmitFileMax)
		want -= k
		w := s.writeReq()
		w.op, w.last, w.n, w.fileOff = op, want == 0, int(k), off
		off += k
		s.linkWrite(w)
		s.startSend(w) // may free w
	}
}

// fileAvail returns how many bytes the disk file h holds from off (0 at or past its end).
func fileAvail(h windows.Handle, off int64) (int64, error) {
	if t, err := windows.GetFileType(h); err != nil || t != windows.FILE_TYPE_DISK {
		return 0, EINVAL
	}
	var fi windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &fi); err != nil {
		return 0, EINVAL
	}
	if fi.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0 {
		return 0, EINVAL
	}
	size := int64(fi.FileSizeHigh)<<32 | int64(fi.FileSizeLow)
	return max(size-off, 0), nil
}

// linkWrite appends w to the sock's issued writes.
func (s *Sock) linkWrite(w *writeReq) {
	if s.wqTail == nil {
		s.wqHead = w
	} else {
		s.wqTail.next = w
	}
	s.wqTail = w
}

// transmitFile starts the TransmitFile of the file part w (startWrite of winsockDriver): its
// n bytes from its offset, which goes in the OVERLAPPED, so the file's position is not used.
func (s *Sock) transmitFile(w *writeReq) syscall.Errno {
	fn, e := transmitFileFunc.load()
	if e != 0 {
		return e
	}
	w.ov.Offset = uint32(w.fileOff)
	w.ov.OffsetHigh = uint32(w.fileOff >> 32)
	r, _, errno := syscall.SyscallN(fn, uintptr(s.fd), uintptr(w.op.file), uintptr(w.n), 0,
		uintptr(unsafe.Pointer(&w.ov)), 0, 0)
	if r == 0 {
		e = errno
		if e == 0 {
			e = syscall.EINVAL
		}
	}
	if s.loop.ins != nil {
		switch {
		case e == 0:
			s.loop.traceTransmit(s.fd, w, int(w.taken()), 0)
		case e != windows.ERROR_IO_PENDING && !w.packetDue():
			s.loop.traceTransmit(s.fd, w, 0, e)
		default:
			// Started: the kernel took the whole part (see traceTransmit).
			s.loop.traceTransmit(s.fd, w, w.n, 0)
		}
	}
	return e
}

// taken returns the bytes of w the kernel took in a call that succeeded at once: a send takes
// all of them; a TransmitFile reports its count in the OVERLAPPED.
func (w *writeReq) taken() uint32 {
	if w.op != nil && w.op.isFile {
		return uint32(w.ov.InternalHigh)
	}
	return uint32(w.n)
}

// account records that the kernel took sent bytes of w, which succeeded: all of a send's. A
// file part that sent fewer than asked met the end of its file (it shrank since issueFile
// measured it): the op fails with EIO, as on unix.
func (s *Sock) account(w *writeReq, sent uint32) {
	k := w.n
	if w.op.isFile && int(sent) < k {
		k = int(sent)
		if w.op.err == nil {
			w.op.err = EIO
		}
	}
	s.queueSize -= k
	w.op.size -= k
}
