package uv

import (
	"sync/atomic"

	"github.com/uv-go/uv/threadpool"
)

// WorkReq runs a function on the shared threadpool and then a callback on the loop: the
// mechanism under libuv's uv_work_t and its fs and DNS requests. While submitted it counts as
// an active request, so it keeps the loop alive. Completions reach the loop through one
// internal, unreferenced wakeup per loop: a burst of completions costs the loop one wakeup.
// For request implementations.
type WorkReq struct {
	tp        threadpool.Work
	loop      *Loop
	done      func(err error)
	next      *WorkReq
	submitted bool // ever submitted: cancelling a finished request is EBUSY, as in libuv
}

// workQueue is a loop's list of completed requests, filled from worker goroutines.
type workQueue struct {
	once     bool
	inflight int // submitted requests whose done callback has not run (loop goroutine only)
	async    AsyncWatcher
	// done is a lock-free stack of completed requests, newest first, linked through next:
	// workers push with one compare-and-swap, the loop takes all of them with one swap and
	// reverses them. A mutex here was taken twice per request (by the worker and the loop)
	// and, when contended, parked a worker in the middle of a completion.
	done atomic.Pointer[WorkReq]
}

// Submit queues fn on the default threadpool in the given lane; done runs on the loop once fn
// has returned (with a nil error) or after a successful Cancel (with ECANCELED). It returns
// EINVAL for a closed loop, a nil fn or done, or a request already submitted.
func (r *WorkReq) Submit(l *Loop, kind threadpool.Kind, fn func(), done func(err error)) error {
	if l == nil || l.closed || fn == nil || done == nil || r.loop != nil {
		return EINVAL
	}
	if !l.wq.once {
		if err := l.wq.async.Init(l, l.workDone); err != nil {
			return err
		}
		l.wq.once = true
	}
	r.tp.Kind, r.tp.Fn, r.tp.To = kind, fn, r
	r.loop, r.done, r.submitted = l, done, true
	if err := threadpool.Default().Submit(&r.tp); err != nil {
		r.loop, r.done = nil, nil
		return EINVAL
	}
	l.RegisterRequest()
	l.wq.inflight++
	return nil
}

// Cancel cancels a request that is still queued: its done callback then gets ECANCELED on
// the loop. A request already running or finished cannot be cancelled: EBUSY. A request never
// submitted gets EINVAL.
func (r *WorkReq) Cancel() error {
	if r.loop == nil {
		if r.submitted {
			return EBUSY
		}
		return EINVAL
	}
	if !threadpool.Default().Cancel(&r.tp) {
		return EBUSY
	}
	return nil
}

// Busy reports whether the request is submitted and its done callback has not run yet.
func (r *WorkReq) Busy() bool { return r.loop != nil }

// Complete is called by the threadpool, on a worker goroutine (or the one that cancelled
// the request), when the work has run or was cancelled. It queues the request for its loop.
func (r *WorkReq) Complete(*threadpool.Work) {
	wq := &r.loop.wq // read before the push: from then on the loop owns r
	for {
		head := wq.done.Load()
		r.next = head
		if wq.done.CompareAndSwap(head, r) {
			break
		}
	}
	wq.async.Send()
}

// workDone runs the done callbacks of completed requests, in completion order.
func (l *Loop) workDone() {
	var r *WorkReq
	for s := l.wq.done.Swap(nil); s != nil; { // reverse the stack: oldest first
		next := s.next
		s.next = r
		r, s = s, next
	}
	n := 0
	for r != nil {
		next := r.next
		r.next = nil
		var err error
		if r.tp.Cancelled() {
			err = ECANCELED
		}
		done := r.done
		r.loop, r.done = nil, nil
		l.UnregisterRequest()
		l.wq.inflight--
		n++
		done(err)
		r = next
	}
	// The wakeup itself was counted as one event; count the rest, as libuv does.
	if n > 1 {
		l.metrics.events += uint64(n - 1)
		if l.pollTimeout == 0 {
			l.metrics.eventsWaiting += uint64(n - 1)
		}
	}
}
