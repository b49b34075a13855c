package stream

// Writable is Node's stream.Writable for bytes. Write hands a chunk to the implementation
// (Options.Write) when nothing is in flight, and otherwise copies it into the stream's
// buffer; the buffered bytes go to the implementation in one piece when the write in flight
// is done. Write never keeps the caller's slice, so it may be reused at once.
//
// Write returns false once the bytes in flight and buffered reach the highWaterMark; the
// drain callback runs when they are all written. Writing on regardless is allowed (as in
// Node), but a writer that waits for drain keeps memory bounded by the highWaterMark plus
// one chunk.
type Writable struct {
	// What a write handed straight to the implementation reads comes first.
	c      *core
	hwm    int
	length int // bytes in flight and buffered
	corked int

	writing     bool
	sync        bool
	endWrite    bool // End is writing its own chunk
	ending      bool
	ended       bool
	finished    bool
	finalCalled bool
	finalDone   bool
	prefinished bool
	needDrain   bool
	held        bool // HoldEnd: ended, the rest left to the owner (see settle.go)
	pendingcb   int
	afterWrites int

	buf      []byte // bytes not yet handed to the implementation
	inflight []byte // the stream's own buffer, handed to the implementation (retained)
	writelen int
	own      *core // a standalone Writable's core, made by the first Init and kept

	writeHook func(chunk []byte, retained bool)
	finalHook func()

	onDrain  func()
	onFinish func()

	upstreams []*Readable // sources piped into this stream
}

// Init initialises a standalone Writable. It returns ErrNoTicks without Options.Ticks and
// ErrNotImplemented without Options.Write (or Options.Impl).
func (w *Writable) Init(o Options) error {
	if o.Ticks == nil {
		return ErrNoTicks
	}
	if o.Write == nil && o.Impl == nil {
		return ErrNotImplemented
	}
	own := w.own
	if own == nil {
		own = new(core)
	}
	*w = Writable{own: own}
	own.init(&o)
	own.w = w
	w.setup(own, &o)
	return nil
}

// Reinit makes an initialised standalone Writable new again, as Init with the Options of its
// last Init would (the callbacks set since are removed); see Readable.Reinit. It returns
// ErrNoTicks if the Writable was never initialised.
func (w *Writable) Reinit() error {
	own := w.own
	if own == nil || own.ticks == nil {
		return ErrNoTicks
	}
	hwm, writeHook, finalHook := w.hwm, w.writeHook, w.finalHook // see Readable.Reinit
	*w = Writable{}
	w.c, w.own, w.hwm, w.writeHook, w.finalHook = own, own, hwm, writeHook, finalHook
	own.reinit()
	return nil
}

// NewWritable allocates and initialises a Writable.
func NewWritable(o Options) (*Writable, error) {
	w := new(Writable)
	if err := w.Init(o); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writable) setup(c *core, o *Options) {
	w.c = c
	w.hwm = hwmOf(o.WritableHighWaterMark, o.HighWaterMark)
	if o.Impl == nil {
		w.writeHook, w.finalHook = o.Write, o.Final
	}
}

func (w *Writable) runTask(kind uint8) {
	switch kind {
	case wTaskAfterWrite:
		n := w.afterWrites
		w.afterWrites = 0
		w.afterWrite(n)
	case wTaskFinishCheck:
		if w.needFinish() {
			w.finish()
		} else {
			w.pendingcb--
		}
	case wTaskFinish:
		if w.c.destroyed {
			w.pendingcb--
			return
		}
		w.finish()
	}
}

func (w *Writable) destination() *Writable { return w }

// Write writes chunk (Node's write): it reports whether the caller may keep writing, false
// from the highWaterMark on (the drain callback follows) and after an error. After End it
// destroys the stream with ErrWriteAfterEnd; after Destroy it does nothing. The chunk is not
// kept after Write returns.
func (w *Writable) Write(chunk []byte) bool {
	c := w.c
	if w.ending {
		c.errorOrDestroy(ErrWriteAfterEnd)
		return false
	}
	if c.destroyed {
		return false
	}
	w.length += len(chunk)
	ret := w.length < w.hwm
	if !ret {
		w.needDrain = true
	}
	if len(chunk) > 0 {
		if w.writing || w.corked > 0 || c.errored != nil {
			w.buf = append(w.buf, chunk...)
		} else {
			w.dispatch(chunk, false)
		}
	}
	return ret && c.errored == nil && !c.destroyed
}

func (w *Writable) dispatch(chunk []byte, retained bool) {
	w.writelen = len(chunk)
	w.writing, w.sync = true, true
	w.pendingcb++
	if w.writeHook != nil {
		w.writeHook(chunk, retained)
	} else {
		w.c.impl.Write(chunk, retained)
	}
	w.sync = false
}

// WriteDone tells the stream that the chunk handed to Options.Write is written, or failed
// with err (which destroys the stream). For implementations; it may be called from inside
// Options.Write.
func (w *Writable) WriteDone(err error) {
	if !w.writing {
		return
	}
	c := w.c
	sync := w.sync
	w.writing = false
	w.length -= w.writelen
	w.writelen = 0
	if cap(w.inflight) > shrinkAbove(w.hwm) {
		w.inflight = nil
	}
	if err != nil {
		w.pendingcb--
		w.dropBuffer()
		c.errorOrDestroy(err)
		return
	}
	if len(w.buf) > 0 {
		w.clearBuffer()
	}
	if sync {
		if w.endWrite {
			// End's own chunk, written at once: the stream is ending, so afterWrite would
			// emit no drain, and End checks for the finish itself; no tick is needed.
			w.pendingcb--
			return
		}
		w.afterWrites++
		c.later(wTaskAfterWrite)
	} else {
		w.afterWrite(1)
	}
}

// clearBuffer hands the buffered bytes to the implementation as one retained chunk.
func (w *Writable) clearBuffer() {
	if w.corked > 0 || w.c.destroyed || w.writing || len(w.buf) == 0 {
		return
	}
	chunk := w.buf
	w.buf, w.inflight = w.inflight[:0], chunk
	w.dispatch(chunk, true)
}

// dropBuffer forgets the buffered bytes (after an error or Destroy).
func (w *Writable) dropBuffer() {
	w.length -= len(w.buf)
	w.buf = w.buf[:0]
}

func (w *Writable) afterWrite(count int) {
	c := w.c
	if !w.ending && !c.destroyed && w.length == 0 && w.needDrain {
		w.needDrain = false
		if w.onDrain != nil {
			w.onDrain()
		}
		for i := 0; i < len(w.upstreams); i++ {
			w.upstreams[i].pipeDrained(w)
		}
	}
	w.pendingcb -= count
	if c.destroyed {
		w.dropBuffer()
	}
	w.finishMaybe(false)
}

// Cork buffers writes until Uncork (Node's cork), so that they go out together.
func (w *Writable) Cork() { w.corked++ }

// Uncork undoes one Cork; the last one flushes the buffer.
func (w *Writable) Uncork() {
	if w.corked > 0 {
		w.corked--
		if !w.writing {
			w.clearBuffer()
		}
	}
}

// End writes chunk if it is not empty, then ends the stream (Node's end): the Final option
// runs when all is written, then the finish callback. Ending twice does nothing, but End
// with a chunk after End is a write after end.
func (w *Writable) End(chunk []byte) {
	c := w.c
	if len(chunk) > 0 {
		if w.ending {
			c.errorOrDestroy(ErrWriteAfterEnd)
			return
		}
		if c.destroyed {
			return
		}
		w.endWrite = true
		w.Write(chunk)
		w.endWrite = false
	}
	if w.corked > 0 {
		w.corked = 1
		w.Uncork()
	}
	if c.errored == nil && !w.ending {
		w.ending = true
		w.finishMaybe(true)
		w.ended = true
	}
}

func (w *Writable) needFinish() bool {
	c := w.c
	return w.ending && !c.destroyed && w.length == 0 && c.errored == nil && len(w.buf) == 0 &&
		!w.finished && !w.writing && !c.errorEmitted && !c.closeEmitted
}

func (w *Writable) finishMaybe(sync bool) {
	if !w.needFinish() {
		return
	}
	w.prefinish()
	if w.pendingcb != 0 {
		return
	}
	if sync {
		w.pendingcb++
		w.c.later(wTaskFinishCheck)
	} else if w.needFinish() {
		w.pendingcb++
		w.finish()
	}
}

func (w *Writable) prefinish() {
	if w.prefinished || w.finalCalled {
		return
	}
	if (w.finalHook != nil || w.c.impl != nil) && !w.c.destroyed {
		w.finalCalled = true
		w.sync = true
		w.pendingcb++
		if w.finalHook != nil {
			w.finalHook()
		} else {
			w.c.impl.Final()
		}
		w.sync = false
		return
	}
	w.prefinished = true
}

// FinalDone tells the stream that Options.Final is done, or failed with err (which destroys
// the stream). For implementations.
func (w *Writable) FinalDone(err error) {
	if !w.finalCalled || w.finalDone {
		return
	}
	w.finalDone = true
	w.pendingcb--
	if err != nil {
		w.c.errorOrDestroy(err)
		return
	}
	if w.needFinish() {
		w.prefinished = true
		w.pendingcb++
		w.c.later(wTaskFinish)
	}
}

func (w *Writable) finish() {
	c := w.c
	w.pendingcb--
	w.finished = true
	if w.onFinish != nil {
		w.onFinish()
	}
	if len(w.upstreams) > 0 {
		w.unpipeUpstreams()
	}
	if r := c.r; r == nil || r.endEmitted {
		c.destroy(nil)
	}
}

func (w *Writable) unpipeUpstreams() {
	for i := len(w.upstreams) - 1; i >= 0; i-- {
		if i < len(w.upstreams) {
			w.upstreams[i].Unpipe(w)
		}
	}
}

// OnDrain sets the drain callback: everything written so far is written, after a Write that
// returned false.
func (w *Writable) OnDrain(fn func()) { w.onDrain = fn }

// OnFinish sets the finish callback: End was called and everything is written.
func (w *Writable) OnFinish(fn func()) { w.onFinish = fn }

// WritableLength returns the bytes written but not yet done (in flight and buffered).
func (w *Writable) WritableLength() int { return w.length }

// WritableHighWaterMark returns the writable side's highWaterMark.
func (w *Writable) WritableHighWaterMark() int { return w.hwm }

// WritableNeedDrain reports whether a Write returned false and the drain callback is due.
func (w *Writable) WritableNeedDrain() bool { return w.needDrain }

// NeedDrain makes the drain callback due, as a Write that returned false does: it runs once
// nothing is in flight or buffered. For an owner whose own Write reports backpressure from
// below the stream, as an HTTP response reports its socket's; it does nothing to an ended or
// destroyed stream.
func (w *Writable) NeedDrain() {
	if !w.ending && !w.c.destroyed {
		w.needDrain = true
	}
}

// WritableEnded reports whether End was called.
func (w *Writable) WritableEnded() bool { return w.ending }

// WritableFinished reports whether the finish callback ran.
func (w *Writable) WritableFinished() bool { return w.finished }

// WritableCorked returns how many Uncork calls the buffer waits for.
func (w *Writable) WritableCorked() int { return w.corked }

// IsWritable reports whether Write may be called (Node's writable property): not ended,
// destroyed or errored.
func (w *Writable) IsWritable() bool {
	return !w.c.destroyed && w.c.errored == nil && !w.ending && !w.ended
}

// Destroy destroys the stream (Node's destroy): buffered data is dropped; the error
// callback (if err is not nil) and then the close callback run on the next tick.
func (w *Writable) Destroy(err error) { w.c.destroy(err) }

// Destroyed reports whether Destroy was called.
func (w *Writable) Destroyed() bool { return w.c.destroyed }

// Errored returns the error the stream was destroyed with, or nil.
func (w *Writable) Errored() error { return w.c.errored }

// Closed reports whether the close callback ran.
func (w *Writable) Closed() bool { return w.c.closeEmitted }

// OnError sets the error callback. Unlike Node, an error without a callback is dropped,
// not thrown.
func (w *Writable) OnError(fn func(err error)) { w.c.onError = fn }

// OnClose sets the close callback, the stream's last.
func (w *Writable) OnClose(fn func()) { w.c.onClose = fn }

// CloseDone reports the close with Options.ManualClose; see Readable.CloseDone.
func (w *Writable) CloseDone() { w.c.closeDone() }
