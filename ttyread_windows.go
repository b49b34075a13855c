package uv

import (
	"runtime"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TTYReader reads a console input handle for a TTY handle, with the shape of Sock's reading
// side: StartRead's callback runs when data (or the end) is there, and Read then takes it
// until EAGAIN. A console cannot be read with overlapped I/O, so, as libuv reads it on a
// thread of its own, a goroutine does the blocking ReadConsoleW (ReadFile for a handle that
// is not a console), converts UTF-16 to UTF-8 and hands the bytes to the loop through an
// AsyncWatcher; the callback then runs in the pending phase, where libuv runs TTY reads. The
// goroutine starts a read only while the loop wants data and holds at most ttyReadMax bytes
// the loop has not taken. For handle implementations.
type TTYReader struct {
	loop    *Loop
	async   AsyncWatcher
	pend    Pending
	cb      func()
	reading bool
	started bool // the goroutine runs

	mu      sync.Mutex
	wake    sync.Cond
	h       windows.Handle // the goroutine's handle, a duplicate it closes when it ends
	thread  windows.Handle // the goroutine's thread while it runs, for CancelSynchronousIo
	console bool
	want    bool
	closed  bool
	// again: the read in progress was cancelled to be started again (restart), not ended.
	again bool
	// inRead: the goroutine is in (or about to enter) its read.
	inRead bool
	// held: a mode change is under way; no read starts until it is done (hold, release).
	held bool
	data []byte
	off  int
	err  error // the end (EOF) or the error that ended the reads, after data
}

// ttyReadMax bounds what the reader holds that the loop has not taken.
const ttyReadMax = 64 * 1024

var procCancelSynchronousIo = modkernel32.NewProc("CancelSynchronousIo")

// Init binds the reader to the loop and handle fd, which it duplicates: fd stays the
// caller's.
func (r *TTYReader) Init(l *Loop, fd OSFd) error {
	if l == nil || l.closed || r.started {
		return EINVAL
	}
	h := windows.Handle(fd)
	if h == 0 || h == windows.InvalidHandle {
		return EBADF
	}
	cur := windows.CurrentProcess()
	var dup windows.Handle
	if err := windows.DuplicateHandle(cur, h, cur, &dup, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return TranslateSysError(err)
	}
	*r = TTYReader{loop: l, h: dup, console: consoleInput(dup)}
	r.wake.L = &r.mu
	r.pend.Init(r.deliver)
	return r.async.Init(l, r.arrived)
}

// StartRead asks for data; cb runs on the loop when some (or the end) is there, and then
// each time more comes while reading. EINVAL once closed.
func (r *TTYReader) StartRead(cb func()) error {
	if r.loop == nil || cb == nil {
		return EINVAL
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return EINVAL
	}
	r.cb, r.reading, r.want = cb, true, true
	ready := r.off < len(r.data) || r.err != nil
	r.wake.Signal()
	r.mu.Unlock()
	if !r.started {
		r.started = true
		go r.run()
	}
	if ready {
		r.loop.QueuePending(&r.pend)
	}
	return nil
}

// StopRead stops asking for data. A read the goroutine is in keeps what it gets for the next
// StartRead.
func (r *TTYReader) StopRead() {
	if r.loop == nil {
		return
	}
	r.reading = false
	r.mu.Lock()
	r.want = false
	r.mu.Unlock()
	r.loop.CancelPending(&r.pend)
}

// Read takes what the goroutine read: EAGAIN when nothing is there yet, EOF (or the read's
// error) once everything before the end was taken.
func (r *TTYReader) Read(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.off < len(r.data) {
		n := copy(b, r.data[r.off:])
		r.off += n
		if r.off == len(r.data) {
			r.data, r.off = r.data[:0], 0
			r.wake.Signal()
		}
		return n, nil
	}
	if r.err != nil {
		return 0, r.err
	}
	return 0, EAGAIN
}

// Close stops the reader. A read in progress is cancelled where the system allows;
// otherwise the goroutine ends (and closes its handle) when that read returns, and what it
// read is dropped.
func (r *TTYReader) Close() {
	if r.loop == nil {
		return
	}
	r.StopRead()
	r.async.Close()
	r.mu.Lock()
	r.closed = true
	r.wake.Signal()
	// A goroutine about to enter its read is not in it yet: cancel until it has left (a
	// tenth of a second at most, as a handle whose reads cannot be cancelled must not hold
	// the loop).
	for i := 0; r.thread != 0 && r.inRead && i < 100; i++ {
		procCancelSynchronousIo.Call(uintptr(r.thread))
		r.mu.Unlock()
		windows.SleepEx(1, false)
		r.mu.Lock()
	}
	if !r.started && r.h != 0 {
		windows.CloseHandle(r.h)
		r.h = 0
	}
	r.mu.Unlock()
}

// hold ends a console read in progress and keeps the goroutine from starting another until
// release, so that a mode change takes effect for the next read (libuv's
// uv__cancel_read_console): as libuv, it types Enter into the console, which ends a line read
// as well as a raw one, and what that read returns is dropped. It waits (at most a second) for
// the read to return. It may run on any goroutine.
func (r *TTYReader) hold() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held = true
	if r.closed || !r.console || !r.inRead {
		return
	}
	r.again = true
	h := r.h
	r.mu.Unlock()
	writeConsoleEnter(h)
	r.mu.Lock()
	for i := 0; i < 1000 && r.inRead && !r.closed; i++ {
		r.mu.Unlock()
		windows.SleepEx(1, false)
		r.mu.Lock()
	}
}

// release lets the goroutine read again after hold.
func (r *TTYReader) release() {
	r.mu.Lock()
	r.held = false
	r.wake.Signal()
	r.mu.Unlock()
}

var procWriteConsoleInputW = modkernel32.NewProc("WriteConsoleInputW")

// writeConsoleEnter types Enter into console input h.
func writeConsoleEnter(h windows.Handle) {
	type keyEvent struct { // INPUT_RECORD with a KEY_EVENT_RECORD
		eventType uint16
		_         uint16
		keyDown   int32
		repeat    uint16
		vk        uint16
		scan      uint16
		char      uint16
		ctrl      uint32
	}
	ev := &keyEvent{eventType: 1, keyDown: 1, repeat: 1, vk: windows.VK_RETURN, scan: 0x1c, char: '\r'}
	var n uint32
	procWriteConsoleInputW.Call(uintptr(h), uintptr(unsafe.Pointer(ev)), 1, uintptr(unsafe.Pointer(&n)))
}

// arrived runs on the loop after the goroutine handed over data.
func (r *TTYReader) arrived() {
	if r.reading {
		r.loop.QueuePending(&r.pend)
	}
}

// deliver runs the callback in the pending phase if there is still something to take.
func (r *TTYReader) deliver() {
	if !r.reading {
		return
	}
	r.mu.Lock()
	ready := r.off < len(r.data) || r.err != nil
	r.mu.Unlock()
	if !ready {
		return
	}
	r.cb()
	// A reader may stop short of EAGAIN (a stream stops after a short read), and the Sends
	// that came meanwhile were coalesced: while something is left, say so again, as a zero
	// read that completes at once does.
	r.mu.Lock()
	ready = r.off < len(r.data) || r.err != nil
	r.mu.Unlock()
	if ready && r.reading && r.loop != nil {
		r.loop.QueuePending(&r.pend)
	}
}

// run is the reading goroutine. It keeps its OS thread, so that Close can cancel the
// blocking read the thread is in.
func (r *TTYReader) run() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if t, err := windows.OpenThread(windows.THREAD_TERMINATE, false, windows.GetCurrentThreadId()); err == nil {
		r.mu.Lock()
		r.thread = t
		r.mu.Unlock()
	}
	var wbuf []uint16
	var bbuf []byte
	var high uint16 // a high surrogate the last console read ended with
	for {
		r.mu.Lock()
		for !r.closed && (r.held || !r.want || len(r.data)-r.off >= ttyReadMax || r.err != nil) {
			r.wake.Wait()
		}
		if r.closed {
			r.mu.Unlock()
			break
		}
		h, console := r.h, r.console
		r.again, r.inRead = false, true
		r.mu.Unlock()

		var got []byte
		var err error
		if console {
			if wbuf == nil {
				wbuf = make([]uint16, 8192)
			}
			var n uint32
			err = windows.ReadConsole(h, &wbuf[0], uint32(len(wbuf)), &n, nil)
			if err == nil {
				units := wbuf[:n]
				if high != 0 {
					units = append([]uint16{high}, units...)
					high = 0
				}
				if k := len(units); k > 0 && utf16.IsSurrogate(rune(units[k-1])) && units[k-1] < 0xDC00 {
					high, units = units[k-1], units[:k-1]
				}
				got = utf16ToUTF8(units)
				// A console read that ends with nothing is Ctrl+Z at the start of a line or a
				// cancelled read: both end the input, as in libuv.
				if n == 0 {
					err = EOF
				}
			}
		} else {
			if bbuf == nil {
				bbuf = make([]byte, 64*1024)
			}
			var n uint32
			err = windows.ReadFile(h, bbuf, &n, nil)
			if err == nil && n == 0 {
				err = EOF
			}
			got = bbuf[:n]
		}
		if err != nil && err != EOF {
			err = TranslateSysError(err) // a broken pipe is EOF there
		}

		r.mu.Lock()
		r.inRead = false
		if r.closed {
			r.mu.Unlock()
			break
		}
		if r.again {
			// Ended by hold: what it read is the Enter hold typed (after what the user had
			// typed of a line, which is dropped too, as in libuv); read again after release.
			r.again = false
			r.mu.Unlock()
			continue
		}
		r.data = append(r.data, got...)
		r.err = err
		r.mu.Unlock()
		r.async.Send()
		if err != nil {
			break
		}
	}
	r.mu.Lock()
	windows.CloseHandle(r.h)
	r.h = 0
	if r.thread != 0 {
		windows.CloseHandle(r.thread)
		r.thread = 0
	}
	r.mu.Unlock()
}

func utf16ToUTF8(u []uint16) []byte {
	b := make([]byte, 0, len(u)*3/2)
	for _, r := range utf16.Decode(u) {
		b = utf8.AppendRune(b, r)
	}
	return b
}
