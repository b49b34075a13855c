package stream

// Settling: for an owner that ends a stream nobody else watches and would otherwise spend
// two ticks and a dozen calls on callbacks only it listens to. An HTTP server's request and
// response are such streams: for most requests, nothing but the server looks at them, and
// the server can do what their finish and close callbacks would do itself, in one step.
//
// Settling runs no callback: the owner does the work of its own finish and close callbacks.
// The callbacks of others are what it must not skip, so each settling step refuses (and
// changes nothing) while any of them is set: see Watched.

// Watched reports whether anything but the owner's finish and close callbacks watches the
// Writable: a drain or error callback, or a pipe into it.
func (w *Writable) Watched() bool {
	return w.onDrain != nil || w.c.onError != nil || len(w.upstreams) > 0
}

// HoldEnd ends the Writable as End(nil) would for those who look (WritableEnded, IsWritable,
// Write after end), but runs none of the end: no Final, no finish. The owner must then call
// Settle or ReleaseEnd. It refuses (false) unless the stream is a standalone Writable (a
// Duplex's end concerns its readable side too) and idle: not ending, destroyed or errored,
// with nothing in flight, buffered or corked, and unwatched.
func (w *Writable) HoldEnd() bool {
	c := w.c
	if c.r != nil || w.ending || c.destroyed || c.errored != nil || w.writing || w.length != 0 || w.corked != 0 ||
		w.pendingcb != 0 || c.tq != 0 || w.Watched() {
		return false
	}
	w.ending, w.ended = true, true
	w.held = true
	return true
}

// ReleaseEnd carries on with an end HoldEnd held, as End(nil) would have: Final, then the
// finish callback.
func (w *Writable) ReleaseEnd() {
	if !w.held {
		return
	}
	w.held = false
	w.ending, w.ended = false, false
	w.End(nil)
}

// Settle completes an end HoldEnd held, at once and without callbacks: the stream is
// finished, destroyed and closed, as the finish and close callbacks would leave it. It
// refuses (false, the end still held) if the stream was destroyed meanwhile or is now
// watched; the owner then calls ReleaseEnd.
func (w *Writable) Settle() bool {
	c := w.c
	if !w.held || c.destroyed || c.tq != 0 || w.Watched() {
		return false
	}
	w.held = false
	w.prefinished, w.finished = true, true
	c.destroyed, c.closed, c.closeEmitted = true, true, true
	return true
}

// Watched reports whether anything but the owner's close callback watches the Readable: a
// data, end, readable or error callback, a pipe, or a consumer that resumed or paused it.
func (r *Readable) Watched() bool {
	return r.onData != nil || r.dataSink != nil || r.onEnd != nil || r.onReadable != nil || r.c.onError != nil ||
		len(r.pipes) > 0 || r.flowing != flowUnset || r.paused
}

// Settle destroys and closes an ended Readable with nothing buffered, at once and without
// callbacks, as Destroy and its close callback would leave it. It refuses (false, nothing
// changed) unless the stream is a standalone Readable (not a Duplex's side), PushEOF was
// called, nothing is buffered or queued, and the stream is unwatched and not destroyed.
func (r *Readable) Settle() bool {
	c := r.c
	if c.w != nil || !r.ended || r.length() != 0 || c.destroyed || c.tq != 0 || r.Watched() {
		return false
	}
	c.destroyed, c.closed, c.closeEmitted = true, true, true
	return true
}
