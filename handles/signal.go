package handles

import (
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"

	uv "github.com/uv-go/uv"
)

// Signal calls a function when the process receives a signal (libuv's uv_signal_t). Go's
// runtime owns the process's signal handlers, so signals reach the handles through
// os/signal: while at least one handle watches a signal number, that number is relayed by
// os/signal to a process-wide dispatcher, which hands every caught signal to each handle
// started for it, on the handle's own loop. When the last handle for a number stops, the
// number is given back to the Go runtime's default handling (signal.Stop).
//
// Signals of the same number that arrive close together may be merged into one, by the
// kernel or by the Go runtime, as with any Unix signal handler. SIGKILL and SIGSTOP cannot be
// watched. Signals the Go runtime keeps to itself (SIGPROF, and on Linux 32 to 34) can be
// watched but are never delivered. On Windows only what os/signal reports (SIGINT for CTRL+C
// and CTRL+BREAK, SIGTERM for console close, logoff and shutdown) is ever delivered.
type Signal struct {
	uv.Handle
	sl *signalLoop

	// Loop goroutine only.
	cb      func(s *Signal, signum int)
	signum  int
	oneshot bool

	// Guarded by sigDispatch.mu.
	regSignum  int
	regOneshot bool
}

// NewSignal creates a signal handle on the loop.
func NewSignal(l *uv.Loop) (*Signal, error) {
	return newHandle[Signal](l)
}

// Init initialises a declared signal handle (libuv's uv_signal_init).
func (s *Signal) Init(l *uv.Loop) error {
	sl, err := signalLoopOf(l)
	if err != nil {
		return err
	}
	if err := s.Handle.InitHooks(l, uv.TypeSignal, s, &signalHooks); err != nil {
		return err
	}
	s.sl = sl
	s.cb, s.signum, s.oneshot = nil, 0, false
	return nil
}

// Start watches signum and calls cb on the loop each time the signal arrives. Starting a
// started handle replaces the callback; with another signal number it switches the handle to
// it. It returns EINVAL for a closing handle, a nil callback, or a signal number that is not
// positive, too large for the system, or uncatchable (SIGKILL, SIGSTOP).
func (s *Signal) Start(cb func(s *Signal, signum int), signum int) error {
	return s.start(cb, signum, false)
}

// StartOneshot is Start for one signal only: the handle is stopped when the signal arrives,
// before its callback runs (libuv's uv_signal_start_oneshot), so the callback may start it
// again.
func (s *Signal) StartOneshot(cb func(s *Signal, signum int), signum int) error {
	return s.start(cb, signum, true)
}

// Stop stops watching. Signals caught for the handle but not delivered yet are dropped,
// unless the handle is started again for the same signal before the loop gets to them (as in
// libuv). Stopping a stopped handle does nothing.
func (s *Signal) Stop() error {
	if s.Loop() == nil {
		return uv.EINVAL
	}
	s.stop()
	return nil
}

// Signum returns the signal number the handle watches, or 0 if it is stopped (libuv's
// uv_signal_t.signum).
func (s *Signal) Signum() int { return s.signum }

func (s *Signal) start(cb func(*Signal, int), signum int, oneshot bool) error {
	if s.Loop() == nil || s.IsClosing() || cb == nil || !signalValid(signum) {
		return uv.EINVAL
	}
	sigDispatch.register(s, signum, oneshot)
	s.cb, s.signum, s.oneshot = cb, signum, oneshot
	s.Activate()
	return nil
}

func (s *Signal) stop() {
	if s.signum == 0 {
		return
	}
	sigDispatch.unregister(s)
	s.signum, s.oneshot = 0, false
	s.Deactivate()
}

var signalHooks = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*Signal).closeHook() }}

// closeHook stops the handle and drops the signals queued for it.
func (s *Signal) closeHook() {
	s.stop()
	s.sl.purge(s)
}

// deliver runs on the loop for a signal caught while s watched signum.
func (s *Signal) deliver(signum int) {
	if s.signum != signum || s.IsClosing() {
		return
	}
	if s.oneshot {
		s.stop()
	}
	s.cb(s, signum)
}

// Signal numbers.

// nsig is one more than the largest signal number a handle may watch: what the OS and the Go
// runtime can both deliver (libuv's NSIG on Windows).
var nsig = func() int {
	switch runtime.GOOS {
	case "windows":
		return 29 // SIGWINCH (28) is libuv's largest on Windows
	case "darwin", "ios":
		return 32
	case "freebsd", "netbsd", "openbsd", "dragonfly":
		return 33
	default:
		return 65
	}
}()

// sigStop is SIGSTOP's number, which differs between systems (0: none).
var sigStop = func() int {
	switch runtime.GOOS {
	case "linux":
		if strings.HasPrefix(runtime.GOARCH, "mips") {
			return 23
		}
		return 19
	case "solaris", "illumos":
		return 23
	case "windows", "plan9", "js", "wasip1":
		return 0
	default:
		return 17
	}
}()

func signalValid(signum int) bool {
	if signum <= 0 || signum >= nsig {
		return false
	}
	if runtime.GOOS == "windows" {
		return true // libuv accepts every number there; most simply never arrive
	}
	return signum != int(syscall.SIGKILL) && signum != sigStop
}

// The process-wide dispatcher.

// sigWatch relays one signal number from os/signal to the handles started for it.
type sigWatch struct {
	signum  int
	ch      chan os.Signal
	handles []*Signal
	stopped bool
}

type dispatcher struct {
	mu      sync.Mutex
	watches map[int]*sigWatch
}

var sigDispatch dispatcher

// register makes s receive signum. A handle that already receives signum keeps its place (no
// signal can be lost while it switches between Start and StartOneshot).
func (d *dispatcher) register(s *Signal, signum int, oneshot bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.regSignum == signum {
		s.regOneshot = oneshot
		return
	}
	if s.regSignum != 0 {
		d.unregisterLocked(s)
	}
	w := d.watches[signum]
	if w == nil {
		w = &sigWatch{signum: signum, ch: make(chan os.Signal, 16)}
		if d.watches == nil {
			d.watches = make(map[int]*sigWatch)
		}
		d.watches[signum] = w
		signal.Notify(w.ch, syscall.Signal(signum))
		go d.relay(w)
	}
	w.handles = append(w.handles, s)
	s.regSignum, s.regOneshot = signum, oneshot
}

func (d *dispatcher) unregister(s *Signal) {
	d.mu.Lock()
	if s.regSignum != 0 {
		d.unregisterLocked(s)
	}
	d.mu.Unlock()
}

func (d *dispatcher) unregisterLocked(s *Signal) {
	w := d.watches[s.regSignum]
	s.regSignum, s.regOneshot = 0, false
	for i, h := range w.handles {
		if h == s {
			n := copy(w.handles[i:], w.handles[i+1:])
			w.handles[i+n] = nil
			w.handles = w.handles[:i+n]
			break
		}
	}
	if len(w.handles) == 0 {
		d.release(w)
	}
}

// release gives the signal back to the Go runtime; the relay goroutine ends once it has
// drained the channel.
func (d *dispatcher) release(w *sigWatch) {
	delete(d.watches, w.signum)
	w.stopped = true
	signal.Stop(w.ch)
	close(w.ch) // safe: after Stop, os/signal never sends on it again
}

// relay hands each signal of w to every handle started for it, one-shot handles included
// only once.
func (d *dispatcher) relay(w *sigWatch) {
	for range w.ch {
		d.mu.Lock()
		if !w.stopped {
			keep := w.handles[:0]
			for _, h := range w.handles {
				h.sl.push(h, w.signum)
				if h.regOneshot {
					h.regSignum, h.regOneshot = 0, false
				} else {
					keep = append(keep, h)
				}
			}
			clear(w.handles[len(keep):])
			w.handles = keep
			if len(keep) == 0 {
				d.release(w)
			}
		}
		d.mu.Unlock()
	}
}

// The per-loop side.

type signalLoopKey struct{}

type delivery struct {
	h      *Signal
	signum int
}

// signalLoop queues caught signals for one loop and wakes it through an internal
// AsyncWatcher, which is no handle: it neither keeps the loop alive nor shows in Walk.
type signalLoop struct {
	w      uv.AsyncWatcher
	mu     sync.Mutex
	q      []delivery // guarded by mu
	closed bool       // guarded by mu
	batch  []delivery // loop goroutine only: spare buffer swapped with q
}

func signalLoopOf(l *uv.Loop) (*signalLoop, error) {
	if l == nil || l.Closed() {
		return nil, uv.EINVAL
	}
	if sl, ok := l.Attached(signalLoopKey{}).(*signalLoop); ok {
		return sl, nil
	}
	sl := &signalLoop{}
	if err := sl.w.Init(l, sl.run); err != nil {
		return nil, err
	}
	l.Attach(signalLoopKey{}, sl)
	return sl, nil
}

// push queues a signal for h and wakes the loop. Any goroutine.
func (sl *signalLoop) push(h *Signal, signum int) {
	sl.mu.Lock()
	if sl.closed {
		sl.mu.Unlock()
		return
	}
	sl.q = append(sl.q, delivery{h, signum})
	sl.mu.Unlock()
	sl.w.Send()
}

// run delivers the queued signals, on the loop.
func (sl *signalLoop) run() {
	sl.mu.Lock()
	b := sl.q
	sl.q = sl.batch[:0]
	sl.mu.Unlock()
	for i := range b {
		d := b[i]
		b[i] = delivery{}
		d.h.deliver(d.signum)
	}
	sl.batch = b[:0]
}

// purge drops the queued signals of h, on the loop.
func (sl *signalLoop) purge(h *Signal) {
	sl.mu.Lock()
	keep := sl.q[:0]
	for _, d := range sl.q {
		if d.h != h {
			keep = append(keep, d)
		}
	}
	clear(sl.q[len(keep):])
	sl.q = keep
	sl.mu.Unlock()
}

// LoopClosed releases the loop's signal state (uv.LoopCloser). Every signal handle of the
// loop is closed by then, so none is registered with the dispatcher.
func (sl *signalLoop) LoopClosed() {
	sl.mu.Lock()
	sl.closed = true
	sl.q, sl.batch = nil, nil
	sl.mu.Unlock()
	sl.w.Close()
}
