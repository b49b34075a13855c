package handles

import (
	"crypto/rand"
	"math"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/threadpool"
)

// Random is a request for cryptographically strong random bytes (libuv's uv_random_t),
// filled on the threadpool's CPU lane from crypto/rand (the operating system's generator).
type Random struct {
	work      uv.WorkReq
	buf       []byte
	cb        func(r *Random, err error, buf []byte)
	err       error
	submitted bool // went to the threadpool at least once, for Cancel
	runFn     func()
	doneFn    func(error)

	// Data is free for the user, as libuv's req->data.
	Data any
}

// maxRandom is the most bytes one GetRandom call fills, as in libuv.
const maxRandom = math.MaxInt32

// GetRandom fills buf with random bytes (libuv's uv_random). With a nil cb it fills buf at once
// in the calling goroutine and returns the result; l and req are then not used and may be nil.
// Otherwise the bytes are read on a threadpool worker and cb runs on the loop with a nil error
// and buf, or with ECANCELED if Cancel removed the request from the queue first; buf must not
// be touched until then. flags must be 0 (EINVAL otherwise, reserved as in libuv) and buf at
// most 2^31-1 bytes (E2BIG). An empty buf is valid: cb still runs. EINVAL also for a nil req
// with a callback, a closed loop, or a request already queued.
func GetRandom(l *uv.Loop, req *Random, buf []byte, flags uint, cb func(r *Random, err error, buf []byte)) error {
	if len(buf) > maxRandom {
		return uv.E2BIG
	}
	if flags != 0 {
		return uv.EINVAL
	}
	if cb == nil {
		return fillRandom(buf)
	}
	if req == nil || req.work.Busy() {
		return uv.EINVAL
	}
	req.buf, req.cb, req.err = buf, cb, nil
	if req.runFn == nil {
		req.runFn, req.doneFn = req.run, req.done
	}
	if err := req.work.Submit(l, threadpool.CPU, req.runFn, req.doneFn); err != nil {
		req.buf, req.cb = nil, nil
		return err
	}
	req.submitted = true
	return nil
}

// Cancel cancels the request while it is still queued (libuv's uv_cancel): its callback then
// gets ECANCELED and the untouched buffer. A request that is running or has finished gets
// EBUSY, one never queued EINVAL.
func (r *Random) Cancel() error {
	if r == nil {
		return uv.EINVAL
	}
	if r.work.Busy() {
		return r.work.Cancel()
	}
	if r.submitted {
		return uv.EBUSY
	}
	return uv.EINVAL
}

// Type returns uv.TypeRandom.
func (r *Random) Type() uv.ReqType { return uv.TypeRandom }

func (r *Random) run() { r.err = fillRandom(r.buf) }

func (r *Random) done(err error) {
	if err == nil {
		err = r.err
	}
	cb, buf := r.cb, r.buf
	r.cb, r.buf = nil, nil
	cb(r, err, buf)
}

// fillRandom fills buf from the operating system's generator.
func fillRandom(buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	if _, err := rand.Read(buf); err != nil {
		return uv.EIO
	}
	return nil
}
