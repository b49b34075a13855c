package stream

// A Task is a deferred call queued on a TickQueue (one call of Node's process.nextTick).
// Embed one per kind of deferred work: queueing it allocates nothing, and a task already
// queued is not queued twice.
type Task struct {
	fn     func()
	queued bool
}

// Init sets the function the task runs.
func (t *Task) Init(fn func()) { t.fn = fn }

// Queued reports whether the task waits in a queue.
func (t *Task) Queued() bool { return t.queued }

func (t *Task) run() {
	if !t.queued {
		return // cancelled
	}
	t.queued = false
	if t.fn != nil {
		t.fn()
	}
}

// entry is one queued call: a Task, or a kind of a stream's own work (the stream package's
// streams carry a bit per kind instead of a Task each). A close queued right behind another
// stream's close rides in the same entry (c2): the two would run back to back anyway, as
// anything the first queues goes behind the second (an HTTP request's close and its
// response's are queued together).
type entry struct {
	t    *Task
	c    *core
	c2   *core // a second stream whose close runs right after c's
	kind uint8
}

// TickQueue is a FIFO of deferred tasks, Node's nextTick queue. Its host drains it after
// each callback it makes into stream code (as Node drains after each call from libuv into
// JavaScript), and whenever the wake function asks: wake runs when a task is queued on an
// empty queue outside Drain, so the host can schedule a drain (net queues one on the loop's
// pending phase). Tasks queued while draining run in the same Drain.
//
// The queue is a ring of calls that grows to the most ever queued at once and is then
// reused, so queueing allocates nothing once warm.
type TickQueue struct {
	ring     []entry // len is 0 or a power of two
	head, n  int
	wake     func()
	draining bool

	// next is a close queued during Drain while the ring was empty: it runs before the
	// ring's entries, all queued after it. It saves the ring's round trip for the most
	// common close, that of a stream destroyed by its own finish or end task.
	next entry
}

// NewTickQueue returns a queue that calls wake (which may be nil) when it needs draining.
func NewTickQueue(wake func()) *TickQueue { return &TickQueue{wake: wake} }

// Init initialises a declared queue; see NewTickQueue.
func (q *TickQueue) Init(wake func()) { *q = TickQueue{wake: wake} }

// Defer queues t unless it is queued already.
func (q *TickQueue) Defer(t *Task) {
	if t.queued {
		return
	}
	t.queued = true
	q.push(entry{t: t})
}

func (q *TickQueue) push(e entry) {
	if q.n == len(q.ring) {
		q.grow()
	}
	q.ring[(q.head+q.n)&(len(q.ring)-1)] = e
	q.n++
	if q.n == 1 && !q.draining && q.wake != nil {
		q.wake()
	}
}

func (q *TickQueue) grow() {
	size := 2 * len(q.ring)
	if size == 0 {
		size = 16
	}
	ring := make([]entry, size)
	for i := 0; i < q.n; i++ {
		ring[i] = q.ring[(q.head+i)&(len(q.ring)-1)]
	}
	q.ring, q.head = ring, 0
}

// Cancel removes t from the queue if it is there.
func (q *TickQueue) Cancel(t *Task) {
	if !t.queued {
		return
	}
	t.queued = false
	mask := len(q.ring) - 1
	for i := 0; i < q.n; i++ {
		if q.ring[(q.head+i)&mask].t != t {
			continue
		}
		for j := i; j+1 < q.n; j++ {
			q.ring[(q.head+j)&mask] = q.ring[(q.head+j+1)&mask]
		}
		q.n--
		q.ring[(q.head+q.n)&mask] = entry{}
		return
	}
}

// Pending reports whether tasks wait.
func (q *TickQueue) Pending() bool { return q.n > 0 || q.next.c != nil }

// Drain runs queued tasks, and those they queue, until none is left. A Drain called from a
// task returns at once (the outer one carries on).
func (q *TickQueue) Drain() {
	if q.draining || q.n == 0 && q.next.c == nil {
		return
	}
	q.draining = true
	defer func() { q.draining = false }()
	for {
		if q.next.c != nil {
			e := q.next
			q.next = entry{}
			e.c.runTask(taskClose)
			if e.c2 != nil {
				e.c2.runTask(taskClose)
			}
			continue
		}
		if q.n == 0 {
			return
		}
		i := q.head
		e := q.ring[i]
		q.ring[i] = entry{}
		q.head = (i + 1) & (len(q.ring) - 1)
		q.n--
		if e.c != nil {
			e.c.runTask(e.kind)
			if e.c2 != nil {
				e.c2.runTask(taskClose)
			}
		} else {
			e.t.run()
		}
	}
}
