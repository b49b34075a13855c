package uv

import (
	"runtime"
	"sync"

	"golang.org/x/sys/windows"
)

// blockingCall runs the blocking system calls of a pipe Sock (WaitNamedPipe while a server has
// no free instance, FlushFileBuffers for a shutdown, the zero-byte ReadFile and the WriteFile
// of a non-overlapped pipe) one at a time on a goroutine of their own, as libuv runs them on
// threads of the system's pool (QueueUserWorkItem): they may block for as long as the peer
// does nothing, which would starve the shared threadpool. The goroutine keeps its OS thread
// while it runs the call, so that the loop can cancel it (CancelSynchronousIo); the result
// reaches the loop through an AsyncWatcher. The methods without a receiver comment run on the
// loop's goroutine.
type blockingCall struct {
	async AsyncWatcher
	ready bool       // async is initialised
	cur   *blockOp   // the call started last
	mu    sync.Mutex // guards the ops' goroutine-side fields
}

// blockOp is one call.
type blockOp struct {
	done    func() // on the loop, after the call
	cleanup func() // instead of done, if the call was given up; on either side
	cancel  bool   // giving the call up cancels it
	settled bool   // done ran, or the call was given up (loop side)

	// Under blockingCall.mu:
	thread    windows.Handle // the goroutine's thread while the call runs
	finished  bool
	abandoned bool
}

// busy reports whether a call runs or its done has not run yet.
func (b *blockingCall) busy() bool { return b.cur != nil && !b.cur.settled }

// start runs fn on a new goroutine; done runs on the loop once it returned. cleanup, which may
// be nil, releases what fn acquired if the call is given up; cancel says whether giving it up
// cancels it (a connect's wait is left to finish, as libuv's is, so that the server still sees
// the connection).
func (b *blockingCall) start(l *Loop, fn, done, cleanup func(), cancel bool) error {
	if !b.ready {
		if err := b.async.Init(l, b.complete); err != nil {
			return err
		}
		b.ready = true
	}
	op := &blockOp{done: done, cleanup: cleanup, cancel: cancel}
	b.cur = op
	go b.run(op, fn)
	return nil
}

// run is the goroutine.
func (b *blockingCall) run(op *blockOp, fn func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t, err := windows.OpenThread(windows.THREAD_TERMINATE, false, windows.GetCurrentThreadId())
	if err != nil {
		t = 0
	}
	b.mu.Lock()
	op.thread = t
	b.mu.Unlock()
	fn()
	b.mu.Lock()
	op.thread = 0
	op.finished = true
	abandoned := op.abandoned
	b.mu.Unlock()
	if t != 0 {
		windows.CloseHandle(t)
	}
	if abandoned {
		if op.cleanup != nil {
			op.cleanup()
		}
		return
	}
	b.async.Send()
}

// complete runs on the loop after a Send: the current call's done, if it has finished. (A
// Send of a call given up meanwhile finds the next call unfinished and does nothing; that
// call's own Send comes later.)
func (b *blockingCall) complete() {
	op := b.cur
	if op == nil || op.settled {
		return
	}
	b.mu.Lock()
	finished := op.finished
	b.mu.Unlock()
	if !finished {
		return
	}
	op.settled = true
	op.done()
}

// giveUp gives the current call up: a call that may be cancelled is, and with wait the loop
// waits (a second at most) until the goroutine has left it, as libuv's uv__pipe_interrupt_read
// does, so that nothing of it can race with what the loop does next on the handle. What the
// call acquired is released instead of delivered.
func (b *blockingCall) giveUp(wait bool) {
	op := b.cur
	if op == nil || op.settled {
		return
	}
	op.settled = true
	b.mu.Lock()
	op.abandoned = true
	// A goroutine that finishes from now on sees the flag and releases the result itself.
	finishedBefore := op.finished
	for i := 0; op.cancel && !op.finished && i < 1000; i++ {
		if op.thread != 0 {
			procCancelSynchronousIo.Call(uintptr(op.thread))
		}
		if !wait {
			break
		}
		b.mu.Unlock()
		windows.SleepEx(1, false)
		b.mu.Lock()
	}
	b.mu.Unlock()
	if finishedBefore && op.cleanup != nil {
		// The goroutine finished before the flag: its result waits for the loop.
		op.cleanup()
	}
}

// close gives the current call up (without waiting) and stops the watcher, for a closing sock.
func (b *blockingCall) close() {
	b.giveUp(false)
	if b.ready {
		b.async.Close()
	}
}
