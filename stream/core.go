package stream

// DefaultHighWaterMark is Node's default highWaterMark for byte streams: 16 KiB.
const DefaultHighWaterMark = 16 * 1024

// Options configure a stream: Node's constructor options, with the implementation methods
// (_read, _write, _final, _destroy) as functions. Set them once, before Init; bind them to
// your value once (method values), so that running them allocates nothing.
type Options struct {
	// HighWaterMark is the buffer level, in bytes, at which Write returns false and Push
	// returns false; below 1 means DefaultHighWaterMark. ReadableHighWaterMark and
	// WritableHighWaterMark override it for one side of a Duplex.
	HighWaterMark         int
	ReadableHighWaterMark int
	WritableHighWaterMark int

	// Ticks runs the stream's deferred work (required). Streams that talk to each other, as
	// a pipe's ends do, must share one queue.
	Ticks *TickQueue

	// Read is Node's _read: produce data with Push (now or later) until Push returns false,
	// and PushEOF at the end. It is not called again until something was pushed, unless the
	// stream paused meanwhile (see Pause). Nil: data is only pushed from elsewhere.
	Read func()
	// Pause, if set, is called when the readable side pauses (an explicit Pause, or a pipe
	// whose destination is full): stop producing. The stream will call Read again when it
	// resumes, even if nothing was pushed meanwhile. net's sockets stop reading from the
	// kernel here.
	Pause func()

	// Write is Node's _write (required for a Writable or Duplex): write chunk, then call
	// WriteDone, now or later; the stream calls it again only after that. If retained is
	// true, chunk is the stream's own buffer and stays untouched until WriteDone; otherwise
	// it is the caller's and is valid only during the call, so keep a copy of what is not
	// written at once.
	Write func(chunk []byte, retained bool)
	// Final is Node's _final: called once after End, when every write is done; call
	// FinalDone, now or later. The finish callback runs after that. Nil: finish at once.
	Final func()
	// Destroy is Node's _destroy: release resources. It gets the error Destroy was given
	// (or nil) and returns the error to report (usually the same).
	Destroy func(err error) error
	// Continuous marks an implementation that, once Read was called, produces until Pause
	// (or until Push returns false), as a socket reading from the kernel does. A chunk
	// it pushes that goes straight to the data callback then needs no read(0) on the next
	// tick to ask for more, which Node makes after every push; the stream skips it.
	Continuous bool
	// ManualClose leaves the close callback to the implementation, which calls CloseDone
	// when its resources are gone (net sockets do so from their handle's close callback).
	ManualClose bool

	// AllowHalfOpen keeps a Duplex's writable side open after its readable side ends.
	// Unlike Node's Duplex, whose default is true, the zero value false is net.Socket's
	// default: the writable side is ended after the end callback.
	AllowHalfOpen bool

	// Impl, if set, is the implementation as one value, and Read, Pause, Write, Final and
	// Destroy are ignored: a type that has the methods costs no closure per stream (each
	// method value bound for the functions is an allocation), which matters for a server's
	// many sockets.
	Impl Impl
}

// Impl is a stream's implementation as the methods of one value; see Options.Impl. The
// methods are the Options functions of the same names, and are all called: Read and Pause
// may do nothing, Final must call FinalDone, and Destroy returns the error it gets unless it
// has a better one.
type Impl interface {
	Read()
	Pause()
	Write(chunk []byte, retained bool)
	Final()
	Destroy(err error) error
}

func hwmOf(side, both int) int {
	if side > 0 {
		return side
	}
	if both > 0 {
		return both
	}
	return DefaultHighWaterMark
}

// core is what a Duplex's two sides share: destruction, the error and the close, the
// implementation, and the deferred work of both sides (one bit per kind of task).
type core struct {
	// The state every push and write checks comes first.
	errored      error
	destroyed    bool
	manualClose  bool
	destroying   bool // inside the Destroy option
	closeReady   bool // CloseDone was called inside the Destroy option
	closed       bool
	errorEmitted bool
	closeEmitted bool
	tq           uint16 // the kinds of task queued (1 << kind)
	ticks        *TickQueue
	impl         Impl

	r           *Readable
	w           *Writable
	d           *Duplex
	destroyHook func(error) error
	emitErr     error

	onError func(error)
	onClose func()
}

// The kinds of deferred work, queued on the tick queue as (core, kind).
const (
	taskError uint8 = iota
	taskClose
	rTaskEmitReadable
	rTaskEnd
	rTaskResume
	rTaskReadMore
	rTaskReadZero
	wTaskAfterWrite
	wTaskFinishCheck
	wTaskFinish
	dTaskEndWritable
)

// Every kind has a bit in core.tq, a uint16: this fails to compile past 16 kinds.
var _ [15 - int(dTaskEndWritable)]struct{}

func (c *core) init(o *Options) {
	*c = core{ticks: o.Ticks, impl: o.Impl, manualClose: o.ManualClose}
	if o.Impl == nil {
		c.destroyHook = o.Destroy
	}
}

// reinit resets a standalone stream's core, keeping its options (ticks, impl, destroyHook,
// manualClose) and its side (r or w; d is nil): field by field, as the whole-struct copy
// costs twice as much on a hot path (an HTTP server resets two per request). A field added
// to core must be reset here too (TestCoreReinitResetsAll).
func (c *core) reinit() {
	c.tq = 0
	c.destroyed, c.destroying, c.closeReady, c.closed = false, false, false, false
	c.errorEmitted, c.closeEmitted = false, false
	c.errored, c.emitErr = nil, nil
	c.onError, c.onClose = nil, nil
}

// later queues a task of kind on the tick queue, unless one is queued already.
func (c *core) later(kind uint8) {
	bit := uint16(1) << (kind & 15) // kinds are below 16: the mask spares the shift its range check
	if c.tq&bit != 0 {
		return
	}
	c.tq |= bit
	q := c.ticks
	if kind == taskClose {
		switch {
		case q.n > 0:
			if t := &q.ring[(q.head+q.n-1)&(len(q.ring)-1)]; t.kind == taskClose && t.c != nil && t.c2 == nil {
				t.c2 = c // see entry
				return
			}
		case q.draining && q.next.c == nil:
			q.next.c = c // see TickQueue.next
			return
		case q.draining && q.next.c2 == nil:
			q.next.c2 = c
			return
		}
	}
	q.push(entry{c: c, kind: kind})
}

func (c *core) runTask(kind uint8) {
	bit := uint16(1) << (kind & 15) // kinds are below 16: the mask spares the shift its range check
	if c.tq&bit == 0 {
		return // queued before the stream was initialised again
	}
	c.tq &^= bit
	switch kind {
	case taskError:
		c.emitError()
	case taskClose:
		c.emitClose()
	case rTaskEmitReadable, rTaskEnd, rTaskResume, rTaskReadMore, rTaskReadZero:
		c.r.runTask(kind)
	case wTaskAfterWrite, wTaskFinishCheck, wTaskFinish:
		c.w.runTask(kind)
	case dTaskEndWritable:
		c.d.endWritable()
	}
}

func (c *core) callDestroy(err error) error {
	if c.impl != nil {
		return c.impl.Destroy(err)
	}
	return c.destroyHook(err)
}

// destroy is Node's destroy(): mark both sides destroyed, run _destroy, then report the
// error and the close on the tick queue.
func (c *core) destroy(err error) {
	if c.destroyed {
		return
	}
	if err != nil && c.errored == nil {
		c.errored = err
	}
	c.destroyed = true
	if c.impl != nil || c.destroyHook != nil {
		c.destroying = true
		err = c.callDestroy(err)
		c.destroying = false
		if err != nil && c.errored == nil {
			c.errored = err
		}
	}
	c.closed = true
	if c.w != nil {
		c.w.dropBuffer()
	}
	if err != nil {
		c.emitErr = err
		c.later(taskError)
	}
	if !c.manualClose || c.closeReady {
		c.later(taskClose)
	}
}

// errorOrDestroy is Node's errorOrDestroy: streams destroy themselves on error (autoDestroy).
func (c *core) errorOrDestroy(err error) {
	if c.destroyed {
		return
	}
	c.destroy(err)
}

func (c *core) emitError() {
	if c.errorEmitted || c.emitErr == nil {
		return
	}
	c.errorEmitted = true
	err := c.emitErr
	if c.w != nil && len(c.w.upstreams) > 0 {
		c.w.unpipeUpstreams()
	}
	if c.onError != nil {
		c.onError(err)
	}
}

func (c *core) emitClose() {
	if c.closeEmitted {
		return
	}
	c.closeEmitted = true
	if c.w != nil && len(c.w.upstreams) > 0 {
		c.w.unpipeUpstreams()
	}
	if c.onClose != nil {
		c.onClose()
	}
}

// closeDone is the implementation's signal, with ManualClose, that the close may be reported
// (after any error, which was queued first).
func (c *core) closeDone() {
	if !c.manualClose || c.closeEmitted || !c.destroyed {
		return
	}
	if c.destroying {
		c.closeReady = true // queued after the error, when the Destroy option returns
		return
	}
	c.later(taskClose)
}
