package stream

import "io"

// Flowing states (Node's readableFlowing: null, false, true).
const (
	flowUnset int8 = iota
	flowOff
	flowOn
)

// Read modes: read(0), read() and a Go Read into a buffer.
const (
	modeZero uint8 = iota
	modeAll
	modeUpTo
)

// Readable is Node's stream.Readable for bytes. The implementation pushes data with Push
// and ends it with PushEOF; the consumer gets it in flowing mode (OnData, Resume, Pipe) or
// pulls it in paused mode (OnReadable and Read).
//
// A chunk given to the data callback is valid only during the callback. A chunk pushed while
// the stream flows with nothing buffered goes straight to the callback (no copy); otherwise
// it is copied into the stream's buffer, which Push reports as full (false) from the
// highWaterMark on. Callbacks run on the goroutine that drives the stream, never inside
// Init or the On* setters.
type Readable struct {
	// What a chunk pushed through to a data callback reads comes first, in one cache line
	// (a socket's Readable is cold at every request on a busy server).
	c                 *core
	flowing           int8
	continuous        bool // Options.Continuous
	paused            bool // Node's kPaused
	ended             bool
	endEmitted        bool
	reading           bool
	sync              bool
	needReadable      bool
	emittedReadable   bool
	readableListening bool
	resumeScheduled   bool
	readingMore       bool
	buf               []byte // buffered bytes are buf[off:]
	off               int
	onData            func([]byte)

	dataSink DataSink // instead of onData, see OnDataSink
	pipes    []pipe
	hwm      int
	emitting int   // data callbacks in progress: the buffer may not be compacted
	own      *core // a standalone Readable's core, made by the first Init and kept

	readHook  func()
	pauseHook func()

	onEnd      func()
	onReadable func()
}

// Init initialises a standalone Readable. It returns ErrNoTicks without Options.Ticks.
func (r *Readable) Init(o Options) error {
	if o.Ticks == nil {
		return ErrNoTicks
	}
	own := r.own
	if own == nil {
		own = new(core)
	}
	*r = Readable{own: own}
	own.init(&o)
	own.r = r
	r.setup(own, &o)
	return nil
}

// Reinit makes an initialised standalone Readable new again, as Init with the Options of its
// last Init would (the callbacks set since are removed), for a value that serves one stream
// after another, as an HTTP server's requests do: it costs less than Init. It returns
// ErrNoTicks if the Readable was never initialised.
func (r *Readable) Reinit() error {
	own := r.own
	if own == nil || own.ticks == nil {
		return ErrNoTicks
	}
	// Read into locals first: a literal that read r's fields would be built aside and copied.
	hwm, continuous, readHook, pauseHook := r.hwm, r.continuous, r.readHook, r.pauseHook
	*r = Readable{}
	r.c, r.own, r.hwm, r.continuous, r.readHook, r.pauseHook = own, own, hwm, continuous, readHook, pauseHook
	own.reinit()
	return nil
}

// NewReadable allocates and initialises a Readable.
func NewReadable(o Options) (*Readable, error) {
	r := new(Readable)
	if err := r.Init(o); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Readable) setup(c *core, o *Options) {
	r.c = c
	r.hwm = hwmOf(o.ReadableHighWaterMark, o.HighWaterMark)
	r.continuous = o.Continuous
	if o.Impl == nil {
		r.readHook, r.pauseHook = o.Read, o.Pause
	}
}

func (r *Readable) runTask(kind uint8) {
	switch kind {
	case rTaskEmitReadable:
		r.emitReadableNT()
	case rTaskEnd:
		r.endNT()
	case rTaskResume:
		r.resumeNT()
	case rTaskReadMore:
		r.readMore()
	case rTaskReadZero:
		r.read(modeZero, 0)
	}
}

func (r *Readable) length() int { return len(r.buf) - r.off }

func (r *Readable) hasDataConsumer() bool {
	return r.onData != nil || r.dataSink != nil || len(r.pipes) > 0
}

// Push adds chunk to the stream (Node's push): the data callback gets it now if the stream
// flows with nothing buffered, otherwise it is copied into the buffer. It reports whether
// more may be pushed: false from the highWaterMark on, after PushEOF, and once destroyed.
// Pushing after PushEOF destroys the stream with ErrPushAfterEOF. An empty chunk pushes
// nothing but counts as the answer to Read.
func (r *Readable) Push(chunk []byte) bool { return r.addChunk(chunk, false) }

// Unshift puts chunk back at the front of the buffer (Node's unshift), for a consumer that
// read more than it wanted. After the end callback it destroys the stream with
// ErrUnshiftAfterEnd.
func (r *Readable) Unshift(chunk []byte) { r.addChunk(chunk, true) }

// PushEOF ends the stream (Node's push(null)): once the buffered data is consumed, the end
// callback runs.
func (r *Readable) PushEOF() {
	r.reading = false
	if r.ended {
		return
	}
	r.ended = true
	if r.sync {
		r.emitReadable()
		return
	}
	r.needReadable = false
	r.emittedReadable = true
	r.emitReadableNT()
}

func (r *Readable) addChunk(chunk []byte, front bool) bool {
	c := r.c
	switch {
	case len(chunk) == 0:
		if !front {
			r.reading = false
			r.maybeReadMore()
		}
	case front:
		if r.endEmitted {
			c.errorOrDestroy(ErrUnshiftAfterEnd)
		} else if c.destroyed || c.errored != nil {
			return false
		} else {
			r.add(chunk, true)
		}
	case r.ended:
		c.errorOrDestroy(ErrPushAfterEOF)
	case c.destroyed || c.errored != nil:
		return false
	case r.continuous && r.reading && r.flowing == flowOn && r.length() == 0 && !r.sync && r.hasDataConsumer():
		// Straight through to a consumer while the implementation keeps producing: unless
		// the consumer paused the stream meanwhile, there is nothing to ask for.
		r.clearAwaitDrain()
		r.emitData(chunk)
		if !r.reading {
			r.maybeReadMore()
		}
	default:
		r.reading = false
		r.add(chunk, false)
	}
	return !r.ended && (r.length() < r.hwm || r.length() == 0)
}

func (r *Readable) add(chunk []byte, front bool) {
	if r.flowing == flowOn && r.length() == 0 && !r.sync && r.hasDataConsumer() {
		r.clearAwaitDrain()
		r.emitData(chunk)
	} else {
		if front {
			r.prepend(chunk)
		} else {
			r.appendBuf(chunk)
		}
		if r.needReadable {
			r.emitReadable()
		}
	}
	r.maybeReadMore()
}

// shrinkAbove is the capacity above which an emptied buffer is released rather than kept.
func shrinkAbove(hwm int) int { return max(4*hwm, 256*1024) }

func (r *Readable) appendBuf(b []byte) {
	if r.emitting == 0 {
		if r.off == len(r.buf) {
			r.buf, r.off = r.buf[:0], 0
		} else if r.off > 0 && len(r.buf)+len(b) > cap(r.buf) {
			n := copy(r.buf, r.buf[r.off:])
			r.buf, r.off = r.buf[:n], 0
		}
	}
	r.buf = append(r.buf, b...)
}

func (r *Readable) prepend(b []byte) {
	if r.off >= len(b) && r.emitting == 0 {
		r.off -= len(b)
		copy(r.buf[r.off:], b)
		return
	}
	nb := make([]byte, 0, len(b)+r.length()+r.hwm)
	nb = append(nb, b...)
	nb = append(nb, r.buf[r.off:]...)
	r.buf, r.off = nb, 0
}

// take removes n buffered bytes and returns them; the slice stays valid until the buffer is
// next appended to outside a data callback.
func (r *Readable) take(n int) []byte {
	b := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	if r.off == len(r.buf) && cap(r.buf) > shrinkAbove(r.hwm) {
		r.buf, r.off = nil, 0
	}
	return b
}

func (r *Readable) maybeReadMore() {
	if !r.readingMore {
		r.readingMore = true
		r.c.later(rTaskReadMore)
	}
}

func (r *Readable) readMore() {
	for !r.reading && !r.ended && (r.length() < r.hwm || (r.flowing == flowOn && r.length() == 0)) {
		n := r.length()
		r.read(modeZero, 0)
		if n == r.length() {
			break
		}
	}
	r.readingMore = false
}

func (r *Readable) howMuch(mode uint8, max int) int {
	l := r.length()
	if mode == modeZero || (l == 0 && r.ended) {
		return 0
	}
	if mode == modeUpTo && max < l {
		return max
	}
	return l
}

// read is Node's Readable.prototype.read for read(0), read() and a bounded read.
func (r *Readable) read(mode uint8, max int) []byte {
	c := r.c
	if mode != modeZero {
		r.emittedReadable = false
	}
	l := r.length()
	if mode == modeZero && r.needReadable && (l >= r.hwm || r.ended) {
		if l == 0 && r.ended {
			r.endReadable()
		} else {
			r.emitReadable()
		}
		return nil
	}
	n := r.howMuch(mode, max)
	if n == 0 && r.ended {
		if l == 0 {
			r.endReadable()
		}
		return nil
	}
	doRead := r.needReadable || l == 0 || l-n < r.hwm
	if r.ended || r.reading || c.destroyed || c.errored != nil {
		doRead = false
	} else if doRead {
		r.reading, r.sync = true, true
		if l == 0 {
			r.needReadable = true
		}
		if r.readHook != nil {
			r.readHook()
		} else if c.impl != nil {
			c.impl.Read()
		}
		r.sync = false
		if !r.reading || r.length() != l {
			n = r.howMuch(mode, max) // pushed during the call
		}
	}
	var ret []byte
	if n > 0 {
		ret = r.take(n)
		r.clearAwaitDrain()
	} else {
		r.needReadable = r.length() <= r.hwm
	}
	if r.length() == 0 {
		if !r.ended {
			r.needReadable = true
		}
		if mode != modeZero && r.ended {
			r.endReadable()
		}
	}
	if ret != nil && !c.errorEmitted && !c.closeEmitted {
		r.emitData(ret)
	}
	return ret
}

func (r *Readable) emitData(chunk []byte) {
	r.emitting++
	if s := r.dataSink; s != nil {
		s.StreamData(chunk)
	} else if r.onData != nil {
		r.onData(chunk)
	}
	for i := 0; i < len(r.pipes); i++ {
		w := r.pipes[i].w
		if !w.Write(chunk) {
			r.pipePause(w)
		}
	}
	r.emitting--
}

func (r *Readable) flow() {
	for r.flowing == flowOn && r.read(modeAll, 0) != nil {
	}
}

func (r *Readable) emitReadable() {
	r.needReadable = false
	if !r.emittedReadable {
		r.emittedReadable = true
		r.c.later(rTaskEmitReadable)
	}
}

func (r *Readable) emitReadableNT() {
	c := r.c
	if !c.destroyed && c.errored == nil && (r.length() > 0 || r.ended) {
		if r.onReadable != nil {
			r.onReadable()
		}
		r.emittedReadable = false
	}
	r.needReadable = r.flowing != flowOn && !r.ended && r.length() <= r.hwm
	r.flow()
}

func (r *Readable) endReadable() {
	if !r.endEmitted {
		r.ended = true
		r.c.later(rTaskEnd)
	}
}

func (r *Readable) endNT() {
	c := r.c
	if c.errored != nil || c.closeEmitted || r.endEmitted || r.length() != 0 {
		return
	}
	r.endEmitted = true
	if r.onEnd != nil {
		r.onEnd()
	}
	r.pipesEnd()
	if d := c.d; d != nil && d.Writable.IsWritable() && !d.allowHalfOpen {
		c.later(dTaskEndWritable)
	} else if w := c.w; w == nil || w.finished {
		c.destroy(nil)
	}
}

// Read copies up to len(p) buffered bytes into p (paused mode; Node's read()). It returns
// 0 and nil when nothing is buffered yet (the readable callback tells when to try again) and
// io.EOF once the stream has ended and everything was read. The bytes also go to the data
// callback and pipes, as in Node. Read with an empty p is Node's read(0): it asks the
// implementation for data without taking any.
func (r *Readable) Read(p []byte) (int, error) {
	if len(p) == 0 {
		r.read(modeZero, 0)
		return 0, nil
	}
	b := r.read(modeUpTo, len(p))
	if b == nil {
		if r.ended && r.length() == 0 {
			return 0, io.EOF
		}
		return 0, nil
	}
	return copy(p, b), nil
}

// Pause stops flowing mode (Node's pause): data is buffered until Resume, and the Pause
// option is told to stop producing.
func (r *Readable) Pause() {
	if r.flowing != flowOff {
		r.flowing = flowOff
		if r.pauseHook != nil {
			r.pauseHook()
			r.reading = false
		} else if impl := r.c.impl; impl != nil {
			impl.Pause()
			r.reading = false
		}
	}
	r.paused = true
}

// Resume starts flowing mode (Node's resume): buffered data and then new data go to the
// data callback and pipes, from the next tick on. Without a consumer, the data is dropped.
func (r *Readable) Resume() {
	if r.flowing != flowOn {
		if r.readableListening {
			r.flowing = flowOff
		} else {
			r.flowing = flowOn
		}
		if !r.resumeScheduled {
			r.resumeScheduled = true
			r.c.later(rTaskResume)
		}
	}
	r.paused = false
}

func (r *Readable) resumeNT() {
	if !r.reading {
		r.read(modeZero, 0)
	}
	r.resumeScheduled = false
	r.flow()
	if r.flowing == flowOn && !r.reading {
		r.read(modeZero, 0)
	}
}

// IsPaused reports whether the stream was paused (Node's isPaused).
func (r *Readable) IsPaused() bool { return r.paused || r.flowing == flowOff }

// IsFlowing reports whether the stream is in flowing mode (Node's readableFlowing === true).
func (r *Readable) IsFlowing() bool { return r.flowing == flowOn }

// OnData sets the data callback; setting one resumes the stream unless it was paused
// (Node's on('data')). The chunk is valid only during the callback.
func (r *Readable) OnData(fn func(chunk []byte)) {
	r.onData, r.dataSink = fn, nil
	if fn != nil && r.flowing != flowOff {
		r.Resume()
	}
}

// DataSink takes a Readable's data: OnDataSink's alternative to a data callback.
type DataSink interface {
	StreamData(chunk []byte)
}

// OnDataSink is OnData with each chunk given to s.StreamData. A consumer that takes every
// chunk of a busy stream implements it to spare the closure of a bound method value: a load
// from another cache line and a wrapper frame per chunk. A nil s removes it.
func (r *Readable) OnDataSink(s DataSink) {
	r.onData, r.dataSink = nil, s
	if s != nil && r.flowing != flowOff {
		r.Resume()
	}
}

// OnEnd sets the end callback: all data was consumed after PushEOF.
func (r *Readable) OnEnd(fn func()) { r.onEnd = fn }

// OnReadable sets the readable callback and switches to paused mode (Node's
// on('readable')): it runs when data can be Read, or the end was reached. A nil fn removes
// it, and the stream flows again if it has a data callback.
func (r *Readable) OnReadable(fn func()) {
	if fn == nil {
		r.onReadable = nil
		r.readableListening = false
		switch {
		case r.resumeScheduled && !r.paused:
			r.flowing = flowOn
		case r.hasDataConsumer():
			r.Resume()
		default:
			r.flowing = flowUnset
		}
		return
	}
	r.onReadable = fn
	if r.endEmitted || r.readableListening {
		return
	}
	r.readableListening, r.needReadable = true, true
	r.flowing = flowOff
	r.emittedReadable = false
	if r.length() > 0 {
		r.emitReadable()
	} else if !r.reading {
		r.c.later(rTaskReadZero)
	}
}

// ReadableLength returns the bytes buffered.
func (r *Readable) ReadableLength() int { return r.length() }

// ReadableHighWaterMark returns the readable side's highWaterMark.
func (r *Readable) ReadableHighWaterMark() int { return r.hwm }

// ReadableEnded reports whether the end callback ran (Node's readableEnded).
func (r *Readable) ReadableEnded() bool { return r.endEmitted }

// IsReadable reports whether reading is still possible (Node's readable property): not
// ended, destroyed or errored.
func (r *Readable) IsReadable() bool {
	return !r.c.destroyed && !r.c.errorEmitted && !r.endEmitted
}

// Destroy destroys the stream (Node's destroy): buffered data is dropped; the error
// callback (if err is not nil) and then the close callback run on the next tick.
func (r *Readable) Destroy(err error) { r.c.destroy(err) }

// Destroyed reports whether Destroy was called.
func (r *Readable) Destroyed() bool { return r.c.destroyed }

// Errored returns the error the stream was destroyed with, or nil.
func (r *Readable) Errored() error { return r.c.errored }

// Closed reports whether the close callback ran.
func (r *Readable) Closed() bool { return r.c.closeEmitted }

// OnError sets the error callback. Unlike Node, an error without a callback is dropped,
// not thrown.
func (r *Readable) OnError(fn func(err error)) { r.c.onError = fn }

// OnClose sets the close callback, the stream's last.
func (r *Readable) OnClose(fn func()) { r.c.onClose = fn }

// CloseDone reports the close with Options.ManualClose, once the implementation's
// resources are released; it runs the close callback on the next tick. It does nothing
// before Destroy.
func (r *Readable) CloseDone() { r.c.closeDone() }
