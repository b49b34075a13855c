package uv

import (
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/windows"
)

// Delayed errors that travel with TCP sockets over IPC pipes: libuv's Windows TCP handle
// keeps a bind error for its next listen or connect (delayed_error), and sends it in the
// record of the frame that carries the socket, so that the receiver's listen fails as the
// sender's would have. Each entry is keyed by a socket handle: one to be sent, or one received.
var delayedErrs struct {
	mu sync.Mutex
	m  map[windows.Handle]syscall.Errno
	n  atomic.Int32 // len(m): most sends and accepts find none without taking the lock
}

// SendDelayedError records err, the error a TCP handle keeps for its next listen or connect
// (libuv's delayed_error), to travel with socket fd the next time fd is sent over an IPC
// pipe; nil forgets it. Windows carries it in the frame, as libuv does. On unix nothing
// travels with a descriptor and this does nothing.
func SendDelayedError(fd OSSock, err error) {
	var code syscall.Errno
	if err != nil {
		code = windows.WSAEINVAL // an error without a Windows code
		if e, n := asError(err); e != nil && e.sys != 0 {
			code = e.sys
		} else if n != 0 {
			code = n
		}
	}
	setDelayed(windows.Handle(fd), code)
}

// ReceivedDelayedError returns, and forgets, the delayed error that came with socket fd over
// an IPC pipe (Pipe.Accept hands it to the TCP handle that takes fd), or nil.
func ReceivedDelayedError(fd OSSock) error {
	if code := takeDelayed(windows.Handle(fd)); code != 0 {
		return TranslateSysError(code)
	}
	return nil
}

func setDelayed(h windows.Handle, code syscall.Errno) {
	delayedErrs.mu.Lock()
	defer delayedErrs.mu.Unlock()
	if code == 0 {
		delete(delayedErrs.m, h)
	} else {
		if delayedErrs.m == nil {
			delayedErrs.m = make(map[windows.Handle]syscall.Errno)
		}
		delayedErrs.m[h] = code
	}
	delayedErrs.n.Store(int32(len(delayedErrs.m)))
}

func takeDelayed(h windows.Handle) syscall.Errno {
	if delayedErrs.n.Load() == 0 {
		return 0
	}
	delayedErrs.mu.Lock()
	defer delayedErrs.mu.Unlock()
	code := delayedErrs.m[h]
	delete(delayedErrs.m, h)
	delayedErrs.n.Store(int32(len(delayedErrs.m)))
	return code
}
