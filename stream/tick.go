package stream

// A Task is a deferred call queued on a TickQueue (one call of Node's process.nextTick).
// Embed one per kind of deferred work: queueing it allocates nothing, and a task already
// queued is not queued twice.
type Task struct {
	fn     func()
	owner  tasker
	kind   uint8
	queued bool
	next   *Task
}

// tasker runs the stream package's own tasks without a closure per task.
type tasker interface{ runTask(kind uint8) }

// Init sets the function the task runs.
func (t *Task) Init(fn func()) { t.fn, t.owner = fn, nil }

func (t *Task) initOwned(o tasker, kind uint8) { t.fn, t.owner, t.kind = nil, o, kind }

// Queued reports whether the task waits in a queue.
func (t *Task) Queued() bool { return t.queued }

func (t *Task) run() {
	if t.owner != nil {
		t.owner.runTask(t.kind)
	} else if t.fn != nil {
		t.fn()
	}
}

// TickQueue is a FIFO of deferred tasks, Node's nextTick queue. Its host drains it after
// each callback it makes into stream code (as Node drains after each call from libuv into
// JavaScript), and whenever the wake function asks: wake runs when a task is queued on an
// empty queue outside Drain, so the host can schedule a drain (net queues one on the loop's
// pending phase). Tasks queued while draining run in the same Drain.
type TickQueue struct {
	head, tail *Task
	wake       func()
	draining   bool
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
	t.queued, t.next = true, nil
	if q.tail == nil {
		q.head, q.tail = t, t
		if !q.draining && q.wake != nil {
			q.wake()
		}
		return
	}
	q.tail.next = t
	q.tail = t
}

// Cancel removes t from the queue if it is there.
func (q *TickQueue) Cancel(t *Task) {
	if !t.queued {
		return
	}
	var prev *Task
	for c := q.head; c != nil; prev, c = c, c.next {
		if c != t {
			continue
		}
		if prev == nil {
			q.head = c.next
		} else {
			prev.next = c.next
		}
		if q.tail == c {
			q.tail = prev
		}
		c.next, c.queued = nil, false
		return
	}
}

// Pending reports whether tasks wait.
func (q *TickQueue) Pending() bool { return q.head != nil }

// Drain runs queued tasks, and those they queue, until none is left. A Drain called from a
// task returns at once (the outer one carries on).
func (q *TickQueue) Drain() {
	if q.draining || q.head == nil {
		return
	}
	q.draining = true
	defer func() { q.draining = false }()
	for q.head != nil {
		t := q.head
		q.head = t.next
		if q.head == nil {
			q.tail = nil
		}
		t.next, t.queued = nil, false
		t.run()
	}
}
