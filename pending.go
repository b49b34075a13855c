package uv

// Pending is a deferred callback for the loop's pending phase: libuv runs write and shutdown
// completions and some connect errors there, never inside the call that started them. Embed
// one per request or handle; queueing allocates nothing. For handle implementations.
type Pending struct {
	fn   func()
	prev *Pending
	next *Pending
}

// Init sets the callback.
func (p *Pending) Init(fn func()) { p.fn = fn }

// Queued reports whether p waits in a loop's pending queue.
func (p *Pending) Queued() bool { return p.next != nil }

// QueuePending appends p to the pending queue unless it is already there.
func (l *Loop) QueuePending(p *Pending) {
	if p.next != nil {
		return
	}
	q := &l.pendingQ
	p.prev = q.prev
	p.next = q
	q.prev.next = p
	q.prev = p
}

// CancelPending removes p from the pending queue if it is there.
func (l *Loop) CancelPending(p *Pending) {
	if p.next == nil {
		return
	}
	p.prev.next = p.next
	p.next.prev = p.prev
	p.prev, p.next = nil, nil
}

func (l *Loop) pendingEmpty() bool { return l.pendingQ.next == &l.pendingQ }

// runPending runs the callbacks queued before it started; callbacks queued meanwhile wait for
// the next run.
func (l *Loop) runPending() {
	q := &l.pendingQ
	if q.next == q {
		return
	}
	tmp := &l.pendingTmp
	tmp.next, tmp.prev = q.next, q.prev
	tmp.next.prev = tmp
	tmp.prev.next = tmp
	q.next, q.prev = q, q
	for tmp.next != tmp {
		p := tmp.next
		p.prev.next = p.next
		p.next.prev = p.prev
		p.prev, p.next = nil, nil
		if l.ins != nil {
			l.ins.call(p.fn, p)
			continue
		}
		p.fn()
	}
}
