package uv

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The pipes the loop's completion port cannot serve, as libuv's UV_HANDLE_NON_OVERLAPPED_PIPE
// and UV_HANDLE_EMULATE_IOCP: a non-overlapped handle (its zero read and its writes block on
// goroutines) and an overlapped one another port has (its calls complete on events that
// goroutines wait for).

// startSyncZeroRead starts the zero-byte read of a non-overlapped pipe on a goroutine, as
// libuv's uv_pipe_zero_readfile_thread_proc: it returns when data (or the end) is there,
// taking nothing, and r completes on the loop then.
func (s *Sock) startSyncZeroRead(r *readReq) syscall.Errno {
	cur := windows.CurrentProcess()
	var h windows.Handle
	if err := windows.DuplicateHandle(cur, s.fd, cur, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return err.(syscall.Errno)
	}
	var e syscall.Errno
	// The goroutine reads through a handle of its own, which it closes: the sock may close
	// its handle (and the number be reused) while the read blocks.
	err := s.ext.rcall.start(s.loop, func() {
		var n uint32
		ok, _, e1 := syscall.SyscallN(procReadFile.Addr(), uintptr(h), uintptr(unsafe.Pointer(&zeroByte)), 0,
			uintptr(unsafe.Pointer(&n)), 0)
		if ok == 0 {
			e = nonzero(e1)
		}
		windows.CloseHandle(h)
	}, func() {
		if e != 0 {
			r.werr = e
			r.finish(statusUnsuccessful, 0)
		} else {
			r.finish(0, 0)
		}
	}, nil, true)
	if err != nil {
		windows.CloseHandle(h)
		return windows.ERROR_NOT_ENOUGH_MEMORY
	}
	return windows.ERROR_IO_PENDING
}

// stopSyncZeroRead interrupts the zero read of a non-overlapped pipe (libuv's
// uv__pipe_interrupt_read), so that no read of this sock waits on the pipe.
func (s *Sock) stopSyncZeroRead() {
	ps := s.ext
	if !ps.rcall.busy() {
		return
	}
	ps.rcall.giveUp(true)
	if s.rd != nil && s.rd.inFlight() {
		s.rd.abandon() // its completion will not come
	}
}

// writeAll writes b to non-overlapped handle h, blocking.
func writeAll(h windows.Handle, b []byte) syscall.Errno {
	for {
		var n uint32
		p := &zeroByte
		if len(b) > 0 {
			p = &b[0]
		}
		ok, _, e := syscall.SyscallN(procWriteFile.Addr(), uintptr(h), uintptr(unsafe.Pointer(p)), uintptr(len(b)),
			uintptr(unsafe.Pointer(&n)), 0)
		if ok == 0 {
			return nonzero(e)
		}
		b = b[n:]
		if len(b) == 0 || n == 0 {
			return 0
		}
	}
}

// queueSyncWrite queues w for the goroutine that writes a non-overlapped pipe, one write at a
// time, in order.
func (s *Sock) queueSyncWrite(w *writeReq) {
	ps := s.ext
	w.snext = nil
	if ps.swTail == nil {
		ps.swHead = w
	} else {
		ps.swTail.snext = w
	}
	ps.swTail = w
	if ps.swCur == nil {
		s.nextSyncWrite()
	}
}

// nextSyncWrite starts the oldest waiting write of a non-overlapped pipe on a goroutine.
func (s *Sock) nextSyncWrite() {
	ps := s.ext
	w := ps.swHead
	if w == nil {
		return
	}
	ps.swHead = w.snext
	if ps.swHead == nil {
		ps.swTail = nil
	}
	w.snext = nil
	if ps.emulate {
		ps.swCur = w
		b := w.pipeBuffer()
		p := &zeroByte
		if len(b) > 0 {
			p = &b[0]
		}
		e := s.startEmulated(&w.sockReq, p, len(b), procWriteFile.Addr(), &ps.call)
		switch e {
		case windows.ERROR_IO_PENDING:
			// The goroutine's done completes w and starts the next.
		case 0:
			ps.swCur = nil
			w.finish(0, uint32(len(b)))
			s.nextSyncWrite()
		default:
			ps.swCur = nil
			w.werr = e
			w.finish(statusUnsuccessful, 0)
			s.nextSyncWrite()
		}
		return
	}
	cur := windows.CurrentProcess()
	var h windows.Handle
	if err := windows.DuplicateHandle(cur, s.fd, cur, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		w.werr = err.(syscall.Errno)
		w.finish(statusUnsuccessful, 0)
		s.nextSyncWrite()
		return
	}
	b := w.pipeBuffer()
	var e syscall.Errno
	ps.swCur = w
	// The goroutine writes through a handle of its own, which it closes: the sock may close
	// its handle (and the number be reused) while the write blocks.
	err := ps.call.start(s.loop, func() {
		e = writeAll(h, b)
		windows.CloseHandle(h)
	}, func() {
		ps.swCur = nil
		if e != 0 {
			w.werr = e
			w.finish(statusUnsuccessful, 0)
		} else {
			w.finish(0, uint32(len(b)))
		}
		if s.ext == ps && s.flags&sockClosed == 0 {
			s.nextSyncWrite()
		}
	}, nil, true)
	if err != nil {
		ps.swCur = nil
		windows.CloseHandle(h)
		w.werr = windows.ERROR_NOT_ENOUGH_MEMORY
		w.finish(statusUnsuccessful, 0)
	}
}

// startEmulated starts the overlapped ReadFile or WriteFile call (of n bytes at p) for r on a
// handle that is not on the loop's port: its OVERLAPPED signals an event of its own (with the
// low bit set, so that no packet goes to the port the handle has), which a goroutine of bc
// waits for; r then completes on the loop with the call's status. It returns 0 if the call
// completed at once (r is then the caller's to complete), ERROR_IO_PENDING, or the error.
func (s *Sock) startEmulated(r *sockReq, p *byte, n int, call uintptr, bc *blockingCall) syscall.Errno {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return err.(syscall.Errno)
	}
	r.ov.HEvent = ev | 1
	ok, _, e := syscall.SyscallN(call, uintptr(s.fd), uintptr(unsafe.Pointer(p)), uintptr(n), 0,
		uintptr(unsafe.Pointer(&r.ov)))
	if ok != 0 || e != windows.ERROR_IO_PENDING {
		windows.CloseHandle(ev)
		r.ov.HEvent = 0
		if ok != 0 {
			return 0
		}
		return nonzero(e)
	}
	// The event belongs to the goroutine, which closes it: it waits on it even if the sock
	// closes meanwhile (closing cancels the call, which signals the event).
	if err := bc.start(s.loop, func() {
		windows.WaitForSingleObject(ev, windows.INFINITE)
		windows.CloseHandle(ev)
	}, func() {
		r.finish(uint32(r.ov.Internal), uint32(r.ov.InternalHigh))
	}, nil, false); err != nil {
		// Nobody would wait: wait here.
		windows.WaitForSingleObject(ev, windows.INFINITE)
		windows.CloseHandle(ev)
		r.finish(uint32(r.ov.Internal), uint32(r.ov.InternalHigh))
	}
	return windows.ERROR_IO_PENDING
}
