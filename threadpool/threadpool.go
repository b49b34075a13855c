package threadpool

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is the lane a Work item runs in.
type Kind uint8

const (
	// CPU is user work: uv_queue_work and uv_random.
	CPU Kind = iota
	// FastIO is file-system work: every uv_fs_* request that goes through the pool.
	FastIO
	// SlowIO is DNS work (getaddrinfo, getnameinfo). At most (size+1)/2 SlowIO items run at
	// once, so that slow lookups always leave workers for the other lanes.
	SlowIO

	numKinds
)

// String returns the lane's name.
func (k Kind) String() string {
	switch k {
	case CPU:
		return "cpu"
	case FastIO:
		return "fast-io"
	case SlowIO:
		return "slow-io"
	}
	return "invalid"
}

// Size limits, as in libuv.
const (
	// MinSize is the smallest pool.
	MinSize = 1
	// MaxSize is the largest pool (libuv's MAX_THREADPOOL_SIZE).
	MaxSize = 1024
)

// Errors returned by Submit and SetDefaultSize.
var (
	// ErrClosed is returned by Submit after Close.
	ErrClosed = errors.New("threadpool: pool closed")
	// ErrBusy is returned by Submit when the item is already queued or running (in any pool).
	ErrBusy = errors.New("threadpool: work already queued or running")
	// ErrInvalid is returned by Submit for a nil item, a nil Fn or To, or an unknown Kind.
	ErrInvalid = errors.New("threadpool: invalid work item")
	// ErrStarted is returned by SetDefaultSize once the default pool exists.
	ErrStarted = errors.New("threadpool: default pool already started")
)

// Completer receives finished or cancelled work. A loop implements it: it queues w and wakes
// itself. Complete is called on a worker goroutine, or on the goroutine that called Cancel, so
// it must be safe for concurrent use and cheap; it must not block on the pool (no Close, no
// waiting for other work). The pool no longer touches w once Complete is called, so the owner
// may resubmit it from then on.
type Completer interface {
	Complete(w *Work)
}

// Item states. stateCancelled is an idle state that remembers the last run was cancelled.
const (
	stateIdle uint32 = iota
	stateQueued
	stateRunning
	stateCancelled
)

// Work is one item. The owner embeds it (or keeps it alive) and fills Kind, Fn and To before
// Submit; the pool links items through the embedded fields, so submitting allocates nothing.
// The exported fields must not change while the item is queued or running. A Work must not be
// copied once it has been submitted.
type Work struct {
	Kind Kind
	// Fn runs on a worker goroutine. A panic in Fn is not recovered (see the package doc).
	Fn func()
	// To is told when Fn has returned, or when the item was cancelled.
	To Completer

	state atomic.Uint32        // stateIdle/Queued/Running/Cancelled
	pool  atomic.Pointer[Pool] // the pool it is queued or running in; nil when idle
	// The rest is guarded by the owning pool's mutex.
	prev, next *Work
	seq        uint64 // submission order, to keep FIFO across the two queues
}

// Cancelled reports whether the item's last submission was cancelled before it ran. It is
// meaningful once Complete has been called for the item, and resets at the next Submit.
func (w *Work) Cancelled() bool { return w.state.Load() == stateCancelled }

// Busy reports whether the item is queued or running.
func (w *Work) Busy() bool {
	s := w.state.Load()
	return s == stateQueued || s == stateRunning
}

// queue is an intrusive doubly-linked FIFO of Work items.
type queue struct {
	head, tail *Work
	n          int
}

func (q *queue) push(w *Work) {
	w.next = nil
	w.prev = q.tail
	if q.tail == nil {
		q.head = w
	} else {
		q.tail.next = w
	}
	q.tail = w
	q.n++
}

func (q *queue) remove(w *Work) {
	if w.prev == nil {
		q.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		q.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
	q.n--
}

// Stats is a snapshot of a pool's counters.
type Stats struct {
	Size        int    // configured number of workers
	Workers     int    // live worker goroutines (started on demand, at most Size)
	Queued      int    // items waiting to run, all lanes
	QueuedSlow  int    // of which SlowIO
	Running     int    // items whose Fn is running, all lanes
	RunningSlow int    // of which SlowIO
	Submitted   uint64 // accepted Submit calls
	Completed   uint64 // items whose Fn returned (their Complete may still be in progress)
	Cancelled   uint64 // items removed from the queue by Cancel
}

// Pool is a fixed-size set of worker goroutines running Work items. All methods are safe for
// concurrent use.
type Pool struct {
	size    int
	slowMax int // (size+1)/2

	mu      sync.Mutex
	cond    sync.Cond // workers wait here for work
	main    queue     // CPU and FastIO items
	slow    queue     // SlowIO items
	seq     uint64
	workers int  // goroutines started and not exited
	idle    int  // workers waiting on cond that nobody has signalled yet
	running int  // items running
	slowRun int  // SlowIO items running
	closed  bool // Close was called
	wg      sync.WaitGroup

	// spinning is the number of workers (0 or 1) polling kick for new work before they wait
	// on cond: Submit sets kick for them instead of signalling, as they look at the queues
	// again before they wait. spinFails counts the last spins that found no work, spinSkip
	// the idle workers left to park without spinning.
	spinning            int
	spinFails, spinSkip int
	kick                atomic.Bool // set by Submit and Close to end a spin early

	submitted, completed, cancelled uint64
}

// ClampSize clamps n to MinSize..MaxSize.
func ClampSize(n int) int {
	return min(max(n, MinSize), MaxSize)
}

// New returns a pool of size workers (clamped to 1..1024). No goroutine starts until the first
// Submit; workers are then started one at a time while work is waiting and none is idle.
func New(size int) *Pool {
	size = ClampSize(size)
	p := &Pool{size: size, slowMax: (size + 1) / 2}
	p.cond.L = &p.mu
	return p
}

// Size returns the number of workers the pool may run.
func (p *Pool) Size() int { return p.size }

// Submit queues w to run on a worker. It returns ErrInvalid for a nil item, nil Fn or To or an
// unknown Kind, ErrBusy if w is already queued or running (in this or another pool), and
// ErrClosed after Close. On success w.To.Complete(w) is called exactly once, after Fn returns
// or when Cancel removes the item.
func (p *Pool) Submit(w *Work) error {
	if w == nil || w.Fn == nil || w.To == nil || w.Kind >= numKinds {
		return ErrInvalid
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	s := w.state.Load()
	if (s != stateIdle && s != stateCancelled) || !w.state.CompareAndSwap(s, stateQueued) {
		p.mu.Unlock()
		return ErrBusy
	}
	w.pool.Store(p)
	p.seq++
	w.seq = p.seq
	p.submitted++
	if w.Kind == SlowIO {
		p.slow.push(w)
		// Wake someone only if this item can start now: with the lane full, a SlowIO worker
		// that finishes picks it up itself.
		if p.slow.n <= p.slowMax-p.slowRun {
			p.wakeOne()
		}
	} else {
		p.main.push(w)
		p.wakeOne()
	}
	p.mu.Unlock()
	return nil
}

// spinLimit bounds a worker's spin: about the time a loop takes to run a completion and
// submit the next item, far less than parking a worker and waking it again costs when the
// wakeup needs a futex call and an interprocessor interrupt (tens of microseconds on a
// virtual machine).
const spinLimit = 20 * time.Microsecond

// spin polls kick for up to spinLimit and reports whether it was set. p.mu is not held.
func (p *Pool) spin() bool {
	start := time.Now()
	for {
		for range 256 {
			if p.kick.Load() {
				return true
			}
		}
		if time.Since(start) > spinLimit {
			return false
		}
	}
}

// wakeOne hands waiting work to an idle worker, or starts a new worker if none is idle and the
// pool is not full. p.mu must be held.
func (p *Pool) wakeOne() {
	if p.spinning > 0 {
		p.kick.Store(true)
		return
	}
	if p.idle > 0 {
		// The signaller, not the waiter, takes the worker off the idle count, so that a second
		// Submit before the first wakeup lands wakes (or starts) another worker.
		p.idle--
		p.cond.Signal()
		return
	}
	if p.workers < p.size {
		p.workers++
		p.wg.Add(1)
		go p.worker()
	}
}

// next removes and returns the oldest item that may start now, or nil. SlowIO items are
// skipped while the SlowIO lane is at its limit. p.mu must be held.
func (p *Pool) next() *Work {
	m, s := p.main.head, p.slow.head
	if s != nil && p.slowRun >= p.slowMax {
		s = nil
	}
	var w *Work
	switch {
	case m == nil && s == nil:
		return nil
	case s == nil || (m != nil && m.seq < s.seq):
		w = m
		p.main.remove(w)
	default:
		w = s
		p.slow.remove(w)
		p.slowRun++
	}
	p.running++
	w.state.Store(stateRunning)
	// If more work can start, make sure another worker sees it.
	if p.main.head != nil || (p.slow.head != nil && p.slowRun < p.slowMax) {
		p.wakeOne()
	}
	return w
}

// worker is the body of one worker goroutine. No lock is held while Fn or Complete runs.
func (p *Pool) worker() {
	defer p.wg.Done()
	p.mu.Lock()
	spun := false
	for {
		w := p.next()
		if w == nil {
			if p.closed && p.main.n == 0 && p.slow.n == 0 {
				p.workers--
				// Others may be parked waiting for throttled SlowIO work that is gone now.
				if p.idle > 0 {
					p.idle = 0
					p.cond.Broadcast()
				}
				p.mu.Unlock()
				return
			}
			if !spun && p.spinning == 0 && p.running == 0 && !p.closed {
				spun = true
				if p.spinSkip > 0 {
					p.spinSkip--
				} else if runtime.NumCPU() > 1 && runtime.GOMAXPROCS(0) > 1 {
					// The pool is idle: one worker polls for new work before it parks.
					p.spinning++
					p.kick.Store(false)
					p.mu.Unlock()
					ok := p.spin()
					p.mu.Lock()
					p.spinning--
					if ok {
						p.spinFails = 0
					} else {
						p.spinFails = min(p.spinFails+1, 6)
						p.spinSkip = 1<<p.spinFails - 1
					}
					continue
				}
			}
			p.idle++
			p.cond.Wait()
			spun = false
			continue
		}
		spun = false
		p.mu.Unlock()
		// While there is work, finishing one item and taking the next share one lock.
		for w != nil {
			w.Fn()
			to := w.To
			p.mu.Lock()
			p.running--
			if w.Kind == SlowIO {
				p.slowRun--
			}
			p.completed++
			w.pool.Store(nil)
			w.state.Store(stateIdle)
			n := p.next()
			p.mu.Unlock()
			to.Complete(w) // w may be resubmitted from here on; do not touch it again
			w = n
		}
		p.mu.Lock()
	}
}

// Cancel removes w from the queue if it has not started yet: it then marks it Cancelled, calls
// w.To.Complete(w) on the caller's goroutine and returns true. It returns false if w is
// running, done, never submitted or queued in another pool (libuv's uv_cancel returns EBUSY
// then).
func (p *Pool) Cancel(w *Work) bool {
	if w == nil {
		return false
	}
	p.mu.Lock()
	if w.pool.Load() != p || w.state.Load() != stateQueued {
		p.mu.Unlock()
		return false
	}
	if w.Kind == SlowIO {
		p.slow.remove(w)
	} else {
		p.main.remove(w)
	}
	p.cancelled++
	to := w.To
	w.pool.Store(nil)
	w.state.Store(stateCancelled)
	p.mu.Unlock()
	to.Complete(w)
	return true
}

// Close stops accepting work, lets the queued work drain, and waits until every worker
// goroutine has exited. It is idempotent. It must not be called from a Fn or a Completer of
// this pool (that would wait for itself). Do not Close the Default pool.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.kick.Store(true)
	if p.idle > 0 {
		p.idle = 0
		p.cond.Broadcast()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Size:        p.size,
		Workers:     p.workers,
		Queued:      p.main.n + p.slow.n,
		QueuedSlow:  p.slow.n,
		Running:     p.running,
		RunningSlow: p.slowRun,
		Submitted:   p.submitted,
		Completed:   p.completed,
		Cancelled:   p.cancelled,
	}
}
