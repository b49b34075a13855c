package uv

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// A Sock on a console handle, for TTY handles (libuv's src/win/tty.c): the console input
// buffer is read by a goroutine (TTYReader: ReadConsoleW, whole lines in normal mode, keys as
// they are typed in raw mode), and a screen buffer is written synchronously through
// TTYState.Write, UTF-8 converted to UTF-16; a write's callback still runs in the pending
// phase, as libuv's do. Consoles neither listen nor connect.

// initConsole is Init for console handle h.
func (s *Sock) initConsole(l *Loop, h windows.Handle) error {
	ps := &pipeState{console: true, readable: consoleInput(h)}
	s.bind(l, h, consoleDriver{}, ps)
	// Writes complete at once and no packet ever comes for them.
	s.flags |= sockSkipPort | sockBlockingWrites
	s.track(h)
	return nil
}

// consoleReaders finds the reader of a console input handle, so that a mode change can
// restart a read that waits in the old mode (libuv's uv_tty_set_mode stops and restarts
// reading).
var consoleReaders struct {
	mu sync.Mutex
	m  map[windows.Handle]*TTYReader
}

func registerConsoleReader(h windows.Handle, r *TTYReader) {
	consoleReaders.mu.Lock()
	if consoleReaders.m == nil {
		consoleReaders.m = make(map[windows.Handle]*TTYReader)
	}
	if r == nil {
		delete(consoleReaders.m, h)
	} else {
		consoleReaders.m[h] = r
	}
	consoleReaders.mu.Unlock()
}

// consoleReader returns the reader of console input h, or nil.
func consoleReader(h windows.Handle) *TTYReader {
	consoleReaders.mu.Lock()
	defer consoleReaders.mu.Unlock()
	return consoleReaders.m[h]
}

// startReader starts reading a console input through a TTYReader.
func (s *Sock) startReader(cb func()) error {
	ps := s.ext
	if ps.rdr == nil {
		r := &TTYReader{}
		if err := r.Init(s.loop, OSFd(s.fd)); err != nil {
			return err
		}
		ps.rdr = r
		if ps.console {
			registerConsoleReader(s.fd, r)
		}
	}
	s.onReadable, s.reader = cb, nil
	s.flags |= sockReading
	return ps.rdr.StartRead(cb)
}

// consoleDriver is the sockDriver of consoles.
type consoleDriver struct{}

func (consoleDriver) startRead(s *Sock, r *readReq) syscall.Errno { return windows.ERROR_NOT_SUPPORTED }

func (consoleDriver) read(s *Sock, b []byte) (int, error) {
	if s.ext.rdr == nil {
		return 0, EAGAIN
	}
	return s.ext.rdr.Read(b)
}

func (consoleDriver) startWrite(s *Sock, w *writeReq) syscall.Errno {
	w.abandon()
	for _, v := range w.bufs {
		if v.Len == 0 {
			continue
		}
		if _, err := s.ext.out.Write(OSFd(s.fd), unsafe.Slice(v.Buf, v.Len)); err != nil {
			if w.op.err == nil {
				w.op.err = err
			}
			break
		}
	}
	return 0
}

func (consoleDriver) tryWrite(s *Sock, bufs [][]byte, to *windows.RawSockaddrAny) (int, error) {
	n := 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		k, err := s.ext.out.Write(OSFd(s.fd), b)
		n += k
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
	}
	return n, nil
}

func (consoleDriver) shutdown(s *Sock) error            { return nil }
func (consoleDriver) listen(s *Sock, backlog int) error { return EINVAL }
func (consoleDriver) acceptCount(s *Sock) int           { return 0 }
func (consoleDriver) startAccept(s *Sock, a *acceptReq) syscall.Errno {
	return windows.ERROR_NOT_SUPPORTED
}
func (consoleDriver) finishAccept(s *Sock, a *acceptReq) error { return EINVAL }

func (consoleDriver) close(s *Sock) {
	if s.ext.rdr != nil {
		registerConsoleReader(s.fd, nil)
	}
	windows.CloseHandle(s.fd)
}
