package handles

import (
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/threadpool"
)

// Work runs a function on the shared threadpool and then a callback on the loop (libuv's
// uv_work_t). It is a request, not a handle: while queued or running it keeps the loop alive.
type Work struct {
	req    uv.WorkReq
	work   func(*Work)
	after  func(w *Work, err error)
	runFn  func() // w.run and w.done, bound once so resubmitting allocates nothing
	doneFn func(error)

	// Data is free for the user, as libuv's req->data.
	Data any
}

// QueueWork runs work on a threadpool worker, then after on the loop with a nil error, or
// with ECANCELED if Cancel removed it from the queue first (libuv's uv_queue_work). work must
// not touch the loop or its handles. It returns EINVAL for a nil work function, a closed loop
// or a request already queued. after may be nil.
func QueueWork(l *uv.Loop, w *Work, work func(*Work), after func(w *Work, err error)) error {
	if w == nil || work == nil {
		return uv.EINVAL
	}
	if w.req.Busy() {
		return uv.EINVAL
	}
	w.work, w.after = work, after
	if w.runFn == nil {
		w.runFn, w.doneFn = w.run, w.done
	}
	return w.req.Submit(l, threadpool.CPU, w.runFn, w.doneFn)
}

// Cancel cancels the request while it is still queued (libuv's uv_cancel): its after
// callback gets ECANCELED. A request already running or done gets EBUSY.
func (w *Work) Cancel() error { return w.req.Cancel() }

// Type returns uv.TypeWork.
func (w *Work) Type() uv.ReqType { return uv.TypeWork }

func (w *Work) run() { w.work(w) }

func (w *Work) done(err error) {
	if w.after != nil {
		w.after(w, err)
	}
}
