package uv

import (
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/windows"
)

// Sockets received over an IPC pipe (sock_pipeipc_windows.go). WSADuplicateSocketW gives the
// receiver a handle to the sender's socket object, and that object is on the sender's
// completion port already (a port of another process, or of another loop): a handle can be
// on one port only, so the receiving loop cannot take it on its own. As libuv does for such a
// socket (UV_HANDLE_EMULATE_IOCP), its overlapped calls then signal an event of their own,
// with the event's low bit set so that no packet goes to the other port, and a goroutine
// waits for the event and posts the request's packet to this loop's port: from there the
// completion goes the way of any other. A call that completes at once completes as on a
// socket that skips the port on success.

// A socket sent or received has other holders: one of them closing must not cancel the calls
// of the others (CancelIoEx on the handle cancels every call on the socket object, even
// those made through another handle of this process), so a shared sock cancels its own calls
// one by one (cancelShared), as libuv's shared TCP sockets do.

// handleSet is a set of handles with a lock-free test for emptiness, so that the Init or
// Close of any other socket takes no lock.
type handleSet struct {
	mu sync.Mutex
	m  map[windows.Handle]struct{}
	n  atomic.Int32 // len(m)
}

func (hs *handleSet) add(h windows.Handle) {
	hs.mu.Lock()
	if hs.m == nil {
		hs.m = make(map[windows.Handle]struct{})
	}
	hs.m[h] = struct{}{}
	hs.n.Store(int32(len(hs.m)))
	hs.mu.Unlock()
}

// take reports whether h is in the set, and removes it.
func (hs *handleSet) take(h windows.Handle) bool {
	if hs.n.Load() == 0 {
		return false
	}
	hs.mu.Lock()
	_, ok := hs.m[h]
	delete(hs.m, h)
	hs.n.Store(int32(len(hs.m)))
	hs.mu.Unlock()
	return ok
}

// imported holds the sockets this process received and no Sock has taken yet: only those may
// be emulated (any other socket on another port is refused with EEXIST, as before); exported
// the sockets of this process sent to another holder, until their Sock closes.
var imported, exported handleSet

func noteImported(h windows.Handle)      { imported.add(h) }
func takeImported(h windows.Handle) bool { return imported.take(h) }
func noteExported(h windows.Handle)      { exported.add(h) }
func takeExported(h windows.Handle) bool { return exported.take(h) }

// cancelShared is Close's part for a shared socket, before its requests are orphaned: it
// cancels the sock's own calls in flight, one by one.
func (s *Sock) cancelShared() {
	if s.flags&sockShared == 0 && !takeExported(s.fd) {
		return
	}
	s.flags |= sockShared
	if s.rd != nil {
		s.cancelOwn(&s.rd.sockReq)
	}
	for w := s.wqHead; w != nil; w = w.next {
		s.cancelOwn(&w.sockReq)
	}
	if s.cn != nil {
		s.cancelOwn(&s.cn.sockReq)
	}
	if s.acc != nil {
		for _, r := range s.acc.reqs {
			s.cancelOwn(&r.sockReq)
		}
	}
}

func (s *Sock) cancelOwn(r *sockReq) {
	if r.inFlight() {
		windows.CancelIoEx(s.fd, &r.ov)
	}
}

// emuSockDriver is the sockDriver of a received socket that another port has: Winsock's
// calls, each on an event of its own.
type emuSockDriver struct{ winsockDriver }

func (d emuSockDriver) startRead(s *Sock, r *readReq) syscall.Errno {
	ev, e := emuEvent(&r.sockReq)
	if e != 0 {
		return e
	}
	return emuWait(s, &r.sockReq, ev, d.winsockDriver.startRead(s, r))
}

func (d emuSockDriver) startWrite(s *Sock, w *writeReq) syscall.Errno {
	ev, e := emuEvent(&w.sockReq)
	if e != 0 {
		return e
	}
	return emuWait(s, &w.sockReq, ev, d.winsockDriver.startWrite(s, w))
}

func (d emuSockDriver) startAccept(s *Sock, a *acceptReq) syscall.Errno {
	ev, e := emuEvent(&a.sockReq)
	if e != 0 {
		return e
	}
	return emuWait(s, &a.sockReq, ev, d.winsockDriver.startAccept(s, a))
}

// acceptCount is 1: a socket shared with another process accepts one connection at a time,
// as libuv's shared TCP sockets do.
func (emuSockDriver) acceptCount(s *Sock) int { return 1 }

// emuEvent gives r's OVERLAPPED an event of its own, with the low bit set.
func emuEvent(r *sockReq) (windows.Handle, syscall.Errno) {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return 0, err.(syscall.Errno)
	}
	r.ov.HEvent = ev | 1
	return ev, 0
}

// emuWait follows the call that returned e on r: if the kernel took it, a goroutine waits for
// the event and posts r's packet to the loop's port; otherwise the event is not needed.
func emuWait(s *Sock, r *sockReq, ev windows.Handle, e syscall.Errno) syscall.Errno {
	if e != windows.ERROR_IO_PENDING {
		windows.CloseHandle(ev)
		r.ov.HEvent = 0
		return e
	}
	port, ov := s.loop.be.port, &r.ov
	go func() {
		windows.WaitForSingleObject(ev, windows.INFINITE)
		windows.CloseHandle(ev)
		// The request stays on the loop's in-flight list (so ov stays put) until this packet
		// comes; closing the socket cancels the call, which signals the event.
		windows.PostQueuedCompletionStatus(port, uint32(ov.InternalHigh), keyIO, ov)
	}()
	return e
}
