package uv

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/windows"
)

// ProcessWatcher on Windows, as libuv's: RegisterWaitForSingleObject waits for the child's
// process handle on a thread of the system's pool, and its callback posts a packet for the
// watcher's request to the loop's completion port; the exit is then collected and reported
// in the pending phase.

var (
	procRegisterWaitForSingleObject = modkernel32.NewProc("RegisterWaitForSingleObject")
	procUnregisterWaitEx            = modkernel32.NewProc("UnregisterWaitEx")
)

const (
	wtExecuteInWaitThread = 0x00000004 // WT_EXECUTEINWAITTHREAD
	wtExecuteOnlyOnce     = 0x00000008 // WT_EXECUTEONLYONCE
)

// procExitReq is the request a watched child's exit completes.
type procExitReq struct {
	iocpReq
	child   *winChild
	w       *ProcessWatcher // nil once the watcher stopped
	wait    windows.Handle  // the registered wait
	id      uintptr
	fired   atomic.Bool // the wait callback posted the packet
	counted bool        // registered as a request of the loop while its packet comes back
}

// exitWaits maps the context the wait callback gets to what it needs to post the packet. The
// callback runs on a thread of the system's pool and reads only this table, under its lock.
var exitWaits struct {
	mu   sync.Mutex
	next uintptr
	m    map[uintptr]*exitWait
	cb   uintptr // the callback, made once
}

type exitWait struct {
	port windows.Handle
	ov   *windows.Overlapped
	req  *procExitReq
}

// exitWaitCallback is the WAITORTIMERCALLBACK: the child has exited.
func exitWaitCallback(ctx, timedOut uintptr) uintptr {
	exitWaits.mu.Lock()
	if e := exitWaits.m[ctx]; e != nil {
		delete(exitWaits.m, ctx)
		e.req.fired.Store(true)
		windows.PostQueuedCompletionStatus(e.port, 0, keyIO, e.ov)
	}
	exitWaits.mu.Unlock()
	return 0
}

func (l *Loop) watchProcess(w *ProcessWatcher, exitFd OSFd) error {
	winChildren.mu.Lock()
	defer winChildren.mu.Unlock()
	c := lookupChild(w.pid)
	if c == nil {
		return ESRCH
	}
	if c.exit != nil {
		return EBUSY
	}
	r := &procExitReq{child: c, w: w}
	r.init(l, r.complete)
	ov := r.begin()

	exitWaits.mu.Lock()
	if exitWaits.m == nil {
		exitWaits.m = make(map[uintptr]*exitWait)
		exitWaits.cb = windows.NewCallback(exitWaitCallback)
	}
	exitWaits.next++
	r.id = exitWaits.next
	exitWaits.m[r.id] = &exitWait{port: l.be.port, ov: ov, req: r}
	cb := exitWaits.cb
	exitWaits.mu.Unlock()

	ok, _, e := procRegisterWaitForSingleObject.Call(uintptr(unsafe.Pointer(&r.wait)), uintptr(c.h), cb, r.id,
		uintptr(windows.INFINITE), wtExecuteInWaitThread|wtExecuteOnlyOnce)
	if ok == 0 {
		exitWaits.mu.Lock()
		delete(exitWaits.m, r.id)
		exitWaits.mu.Unlock()
		r.abandon()
		return TranslateSysError(e)
	}
	c.exit = r
	return nil
}

// unregister ends the wait, waiting for a callback that is running, and reports whether the
// callback posted the packet.
func (r *procExitReq) unregister() (fired bool) {
	exitWaits.mu.Lock()
	delete(exitWaits.m, r.id)
	exitWaits.mu.Unlock()
	if r.wait != 0 {
		procUnregisterWaitEx.Call(uintptr(r.wait), uintptr(windows.InvalidHandle))
		r.wait = 0
	}
	return r.fired.Load()
}

// unwatchProcess stops watching before the exit was reported: as libuv closing a process
// handle, the child's process handle is closed and the child forgotten (KillProcess still
// finds it by pid while it runs).
func (l *Loop) unwatchProcess(w *ProcessWatcher) {
	winChildren.mu.Lock()
	defer winChildren.mu.Unlock()
	c := lookupChild(w.pid)
	if c == nil || c.exit == nil || c.exit.w != w {
		return
	}
	r := c.exit
	r.w = nil
	if !r.unregister() {
		r.abandon() // no packet will come
	} else {
		// The packet is on its way and complete finds the watcher gone; until then it counts
		// as an active request, so that the loop takes it back before it can close.
		r.counted = true
		l.RegisterRequest()
	}
	c.exit = nil
	forgetChild(c)
}

// complete runs in the pending phase once the child has exited.
func (r *procExitReq) complete(*iocpReq) {
	r.unregister()
	if r.counted {
		r.counted = false
		r.loop.UnregisterRequest()
	}
	w := r.w
	if w == nil {
		return
	}
	r.w = nil
	c := r.child
	winChildren.mu.Lock()
	exit := ProcessExit{Signal: c.signal}
	var code uint32
	var err error
	if e := windows.GetExitCodeProcess(c.h, &code); e != nil {
		err = TranslateSysError(e)
	}
	exit.Status = int64(code)
	c.exit = nil
	forgetChild(c)
	winChildren.mu.Unlock()
	w.finish(exit, err)
}
