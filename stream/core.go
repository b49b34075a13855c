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
	// ManualClose leaves the close callback to the implementation, which calls CloseDone
	// when its resources are gone (net sockets do so from their handle's close callback).
	ManualClose bool

	// AllowHalfOpen keeps a Duplex's writable side open after its readable side ends.
	// Unlike Node's Duplex, whose default is true, the zero value false is net.Socket's
	// default: the writable side is ended after the end callback.
	AllowHalfOpen bool
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

// core is what a Duplex's two sides share: destruction, the error and the close.
type core struct {
	ticks       *TickQueue
	r           *Readable
	w           *Writable
	d           *Duplex
	destroyHook func(error) error
	manualClose bool

	destroyed    bool
	destroying   bool // inside the Destroy option
	closeReady   bool // CloseDone was called inside the Destroy option
	closed       bool
	errored      error
	errorEmitted bool
	closeEmitted bool
	emitErr      error

	onError func(error)
	onClose func()

	tError, tClose Task
}

const (
	taskError uint8 = iota
	taskClose
)

func (c *core) init(o *Options) {
	*c = core{ticks: o.Ticks, destroyHook: o.Destroy, manualClose: o.ManualClose}
	c.tError.initOwned(c, taskError)
	c.tClose.initOwned(c, taskClose)
}

func (c *core) runTask(kind uint8) {
	switch kind {
	case taskError:
		c.emitError()
	case taskClose:
		c.emitClose()
	}
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
	if c.destroyHook != nil {
		c.destroying = true
		err = c.destroyHook(err)
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
		c.ticks.Defer(&c.tError)
	}
	if !c.manualClose || c.closeReady {
		c.ticks.Defer(&c.tClose)
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
	if c.w != nil {
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
	if c.w != nil {
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
	c.ticks.Defer(&c.tClose)
}
