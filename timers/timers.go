package timers

import (
	"cmp"
	"slices"
)

// arity is the branching factor of the heap. A 4-ary heap is half as deep as
// a binary one and keeps the four children of a node next to each other in
// memory, so one sift step reads one or two cache lines.
const arity = 4

// maxTimers bounds the heap so that 1+index always fits a Timer's int32.
const maxTimers = 1<<31 - 2

// Timer is one entry of a Heap. The zero value is a stopped timer. The owner
// embeds a Timer (or keeps a pointer to one); the Heap never allocates per
// timer. A Timer belongs to at most one Heap at a time and must not be copied
// while it is pending or ready.
type Timer struct {
	due uint64 // absolute due time given to the last Start
	// pos is where the timer is: 1 + its index in the heap array when it is
	// pending, -1 - its index in the ready queue's array from the moment
	// CollectDue moves it there until NextReady returns it or it is stopped
	// or restarted, and 0 when it is in neither (so the zero value is a
	// stopped timer). The start order lives only in the heap entry: a Timer
	// is 16 bytes, and the handles that embed one are that much smaller.
	pos int32
}

// Due returns the absolute due time last given to Start.
func (t *Timer) Due() uint64 { return t.due }

// Pending reports whether t is in the heap (libuv's "active" timer).
func (t *Timer) Pending() bool { return t.pos > 0 }

// Ready reports whether t has been collected into the ready queue and has
// not yet been returned by NextReady, stopped or restarted.
func (t *Timer) Ready() bool { return t.pos < 0 }

// entry is one heap slot. The sort keys are copied inline so that sifting
// compares neighbouring array slots without dereferencing the timers.
type entry struct {
	due uint64
	seq uint64
	t   *Timer
}

func less(a, b *entry) bool {
	return a.due < b.due || (a.due == b.due && a.seq < b.seq)
}

// compareEntries orders entries for slices.SortFunc; seq numbers are unique,
// so two distinct entries never compare equal.
func compareEntries(a, b entry) int {
	if a.due != b.due {
		return cmp.Compare(a.due, b.due)
	}
	return cmp.Compare(a.seq, b.seq)
}

// Heap is a min-heap of timers ordered by (due time, start order), plus the
// FIFO ready queue filled by CollectDue. The zero value is an empty heap.
// A Heap is not safe for concurrent use.
type Heap struct {
	heap []entry
	// ready is the ready queue; Stop and Start clear the slot of a ready
	// timer, so a nil slot is skipped.
	ready []*Timer
	head  int    // next slot of ready to look at
	seq   uint64 // next start sequence number
	// maxDue is an upper bound on the due times in the heap: the largest
	// due inserted since the heap was last empty. When it is <= now the
	// whole heap is due and CollectDue sorts it instead of popping it.
	maxDue uint64
}

// Start (re)schedules t at the absolute time due. It first removes t from
// the heap or the ready queue, then gives it the next start sequence number
// and inserts it into the heap.
func (h *Heap) Start(t *Timer, due uint64) {
	if t.pos < 0 {
		h.unready(t)
	}
	seq := h.seq
	h.seq++
	t.due = due
	e := entry{due: due, seq: seq, t: t}
	h.maxDue = max(h.maxDue, due)
	if t.pos > 0 {
		// Already in the heap: reuse its slot instead of removing the
		// entry and appending a new one. The new key is larger than the
		// old one unless due went down, so usually only a sift down is
		// needed.
		i := int(t.pos - 1)
		if i > 0 && less(&e, &h.heap[(i-1)/arity]) {
			h.siftUp(i, e)
		} else {
			h.siftDown(i, e)
		}
		return
	}
	if len(h.heap) >= maxTimers {
		panic("timers: too many timers in one heap")
	}
	h.heap = grow(h.heap)
	h.heap = append(h.heap, e)
	h.siftUp(len(h.heap)-1, e)
}

// grow makes room for one more element, doubling the capacity when it is full. append alone
// grows large slices by a quarter at a time, so a heap built up to a million timers would
// allocate (and fault in) about five times its final size in discarded arrays, enough garbage
// to start a collection that then marks every timer's owner.
func grow[E any](s []E) []E {
	if len(s) < cap(s) {
		return s
	}
	n := make([]E, len(s), max(2*cap(s), 64))
	copy(n, s)
	return n
}

// Stop removes t from the heap or the ready queue. It does nothing if t is
// in neither.
func (h *Heap) Stop(t *Timer) {
	if t.pos <= 0 {
		if t.pos < 0 {
			h.unready(t)
		}
		return
	}
	i := int(t.pos - 1)
	t.pos = 0
	last := len(h.heap) - 1
	e := h.heap[last]
	h.heap[last] = entry{}
	h.heap = h.heap[:last]
	if i == last {
		if last == 0 {
			h.maxDue = 0
		}
		return
	}
	if i > 0 && less(&e, &h.heap[(i-1)/arity]) {
		h.siftUp(i, e)
	} else {
		h.siftDown(i, e)
	}
}

// unready takes t, which is ready, out of the ready queue.
func (h *Heap) unready(t *Timer) {
	h.ready[-1-t.pos] = nil
	t.pos = 0
}

// Len returns the number of timers in the heap, not counting ready ones.
func (h *Heap) Len() int { return len(h.heap) }

// Peek returns the earliest due time in the heap; ok is false when the heap
// is empty.
func (h *Heap) Peek() (due uint64, ok bool) {
	if len(h.heap) == 0 {
		return 0, false
	}
	return h.heap[0].due, true
}

// CollectDue moves every timer in the heap whose due time is <= now to the
// back of the ready queue, in (due, start order) order. Collected timers are
// no longer Pending; they are Ready until NextReady returns them or they are
// stopped or restarted.
func (h *Heap) CollectDue(now uint64) {
	if len(h.heap) == 0 || h.heap[0].due > now {
		return
	}
	if h.head > 0 {
		// Left over from a pass that was not drained: move the live part
		// to the front so the queue does not creep through its array.
		n := copy(h.ready, h.ready[h.head:])
		clear(h.ready[n:])
		h.ready = h.ready[:n]
		h.head = 0
		for i, t := range h.ready {
			if t != nil {
				t.pos = int32(-1 - i)
			}
		}
	}
	if h.maxDue <= now {
		// Everything is due. Sorting the array is much cheaper than
		// popping it entry by entry (no sifting, no index updates) and
		// yields the same (due, seq) order.
		slices.SortFunc(h.heap, compareEntries)
		h.ready = slices.Grow(h.ready, len(h.heap))
		for i := range h.heap {
			h.collect(h.heap[i].t)
		}
		clear(h.heap)
		h.heap = h.heap[:0]
		h.maxDue = 0
		return
	}
	for len(h.heap) > 0 && h.heap[0].due <= now {
		t := h.heap[0].t
		h.popMin()
		h.collect(t)
	}
	if len(h.heap) == 0 {
		h.maxDue = 0
	}
}

// collect appends t, just taken out of the heap, to the ready queue.
func (h *Heap) collect(t *Timer) {
	h.ready = grow(h.ready)
	t.pos = int32(-1 - len(h.ready))
	h.ready = append(h.ready, t)
}

// NextReady pops the next timer from the ready queue, or returns nil when
// the queue is empty. Timers stopped or restarted after they were collected
// are skipped.
func (h *Heap) NextReady() *Timer {
	for h.head < len(h.ready) {
		t := h.ready[h.head]
		h.ready[h.head] = nil
		h.head++
		if t != nil {
			t.pos = 0
			return t
		}
	}
	h.ready = h.ready[:0]
	h.head = 0
	return nil
}

// Reset drops every timer from the heap and the ready queue, leaving each
// of them neither Pending nor Ready. The backing arrays are kept.
func (h *Heap) Reset() {
	for i := range h.heap {
		h.heap[i].t.pos = 0
	}
	for _, t := range h.ready[h.head:] {
		if t != nil {
			t.pos = 0
		}
	}
	clear(h.heap)
	clear(h.ready)
	h.heap = h.heap[:0]
	h.ready = h.ready[:0]
	h.head = 0
	h.maxDue = 0
}

// popMin removes the root. It walks the hole at the root down to a leaf
// along the smallest children, then sifts the former last entry up from
// there; the last entry is usually large, so this needs fewer comparisons
// than a plain sift down.
func (h *Heap) popMin() {
	hp := h.heap
	last := len(hp) - 1
	e := hp[last]
	hp[last] = entry{}
	hp = hp[:last]
	h.heap = hp
	if last == 0 {
		return
	}
	n := last
	i := 0
	for {
		c := i*arity + 1
		if c >= n {
			break
		}
		m := c
		end := c + arity
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if less(&hp[j], &hp[m]) {
				m = j
			}
		}
		hp[i] = hp[m]
		hp[i].t.pos = int32(i + 1)
		i = m
	}
	h.siftUp(i, e)
}

// siftUp places e at slot i or above, moving larger parents down.
func (h *Heap) siftUp(i int, e entry) {
	hp := h.heap
	for i > 0 {
		p := (i - 1) / arity
		if !less(&e, &hp[p]) {
			break
		}
		hp[i] = hp[p]
		hp[i].t.pos = int32(i + 1)
		i = p
	}
	hp[i] = e
	e.t.pos = int32(i + 1)
}

// siftDown places e at slot i or below, moving smaller children up.
func (h *Heap) siftDown(i int, e entry) {
	hp := h.heap
	n := len(hp)
	for {
		c := i*arity + 1
		if c >= n {
			break
		}
		m := c
		end := c + arity
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if less(&hp[j], &hp[m]) {
				m = j
			}
		}
		if !less(&hp[m], &e) {
			break
		}
		hp[i] = hp[m]
		hp[i].t.pos = int32(i + 1)
		i = m
	}
	hp[i] = e
	e.t.pos = int32(i + 1)
}
