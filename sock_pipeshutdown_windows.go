package uv

import (
	"golang.org/x/sys/windows"
)

// Shutting a pipe down, as libuv's uv__pipe_shutdown: a named pipe has no half-close, so the
// shutdown waits until the other end has read everything written (FlushFileBuffers on a
// goroutine, unless the pipe's outbound buffer is empty already), and then
//
//   - a pipe that cannot be read is closed, which the other end sees as the end;
//   - a readable pipe is left open for the other end's answer, and its reads start the end
//     timer: if nothing comes for eofTimeout while a read waits, the pipe is closed and the
//     reader gets EOF (libuv's eof_timer), so that two ends that both shut down still see
//     the end.

// eofTimeout is how long a shut-down pipe waits for its peer to write or close (libuv's 50 ms).
const eofTimeout = 50

// pipeShutdownStarted is the shutdown callback the Sock's drain calls when it started the
// flush: the caller's callback runs when the flush is done, unless starting it failed.
func (s *Sock) pipeShutdownStarted(err error) {
	ps := s.ext
	if ps.flushing && err == nil {
		return
	}
	ps.flushing = false
	cb := ps.shutCb
	ps.shutCb = nil
	if cb != nil {
		cb(err)
	}
}

func (pipeDriver) shutdown(s *Sock) error {
	ps := s.ext
	if s.fd == windows.InvalidHandle {
		return EPIPE
	}
	if !ps.sync {
		var info filePipeLocalInfo
		if queryFile(s.fd, filePipeLocalInformation, &info) == nil && info.outboundQuota == info.writeQuotaAvailable {
			// Everything written was read: no need to wait (libuv's short cut).
			ps.flushing = true
			s.loop.RegisterRequest()
			s.loop.QueuePending(ps.flushDone(s, nil))
			return nil
		}
	}
	cur := windows.CurrentProcess()
	var h windows.Handle
	if err := windows.DuplicateHandle(cur, s.fd, cur, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return TranslateSysError(err)
	}
	var ferr error
	err := ps.call.start(s.loop, func() {
		ferr = windows.FlushFileBuffers(h)
		windows.CloseHandle(h)
	}, func() {
		if ps.flushing && s.ext == ps {
			s.pipeFlushed(ferr)
		}
	}, nil, true)
	if err != nil {
		windows.CloseHandle(h)
		return err
	}
	ps.flushing = true
	s.loop.RegisterRequest()
	return nil
}

// flushDone returns a pending entry that completes the shutdown with e.
func (ps *pipeState) flushDone(s *Sock, e error) *Pending {
	p := &Pending{}
	p.Init(func() {
		if ps.flushing && s.ext == ps {
			s.pipeFlushed(e)
		}
	})
	return p
}

// pipeFlushed completes a shutdown whose flush is done.
func (s *Sock) pipeFlushed(err error) {
	ps := s.ext
	ps.flushing = false
	s.loop.UnregisterRequest()
	cb := ps.shutCb
	ps.shutCb = nil
	if err == windows.ERROR_BROKEN_PIPE || err == windows.ERROR_NO_DATA {
		err = nil // the other end closed: nothing more to wait for
	}
	if err != nil {
		err = TranslateSysError(err)
	} else if s.flags&sockClosed == 0 {
		if ps.readable {
			ps.eofArmed = true
			if !ps.eofInit {
				ps.eofInit = true
				ps.eof.Init(s.loop, s.pipeEOFTimer)
			}
			if s.rd != nil && s.rd.inFlight() {
				ps.eof.Start(eofTimeout)
			}
		} else {
			s.dropPipeHandle()
		}
	}
	if cb != nil {
		cb(err)
	}
}

// startEOFTimer runs when a zero read starts.
func (s *Sock) startEOFTimer() {
	if ps := s.ext; ps != nil && ps.eofArmed {
		ps.eof.Start(eofTimeout)
	}
}

// stopEOFTimer runs when a zero read completes.
func (s *Sock) stopEOFTimer() {
	if ps := s.ext; ps != nil && ps.eofInit {
		ps.eof.Stop()
	}
}

// pipeEOFTimer is libuv's eof_timer_cb: the peer neither wrote nor closed in time after a
// shutdown, so the pipe is closed, which makes it see the end, and the reader gets EOF.
func (s *Sock) pipeEOFTimer() {
	r := s.rd
	if s.flags&sockClosed != 0 || r == nil || !r.inFlight() {
		return // the read completed: its completion is on its way
	}
	s.dropPipeHandle()
	// (libuv reports the end even to a reader that stopped meanwhile.)
	s.readErr = EOF
	if s.flags&sockReading != 0 {
		s.notifyReadable()
	}
}

// dropPipeHandle closes the pipe's handle while the Sock stays open: reads then end with EOF,
// writes fail with EPIPE. The zero read in flight is orphaned.
func (s *Sock) dropPipeHandle() {
	if s.fd == windows.InvalidHandle {
		return
	}
	if s.ext.sync {
		s.stopSyncZeroRead()
	}
	if s.rd != nil && s.rd.busy() {
		s.rd.orphan()
		s.rd = nil
	}
	delete(s.loop.os.socks, s.fd)
	if !s.ext.sync {
		windows.CancelIoEx(s.fd, nil)
	}
	windows.CloseHandle(s.fd)
	s.fd = windows.InvalidHandle
	s.ext.gone = true
	s.stopEOFTimer()
}
