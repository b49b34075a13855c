package stream

// Duplex is Node's stream.Duplex: a Readable and a Writable sharing one life. It is
// destroyed, and closes, when both sides are done (the end and finish callbacks ran), on an
// error, or on Destroy. Without AllowHalfOpen, the writable side is ended after the
// readable side's end callback.
type Duplex struct {
	Readable
	Writable
	core          core
	allowHalfOpen bool
}

// Init initialises a Duplex. It returns ErrNoTicks without Options.Ticks and
// ErrNotImplemented without Options.Write (or Options.Impl).
func (d *Duplex) Init(o Options) error {
	if o.Ticks == nil {
		return ErrNoTicks
	}
	if o.Write == nil && o.Impl == nil {
		return ErrNotImplemented
	}
	*d = Duplex{allowHalfOpen: o.AllowHalfOpen}
	d.core.init(&o)
	d.core.r, d.core.w, d.core.d = &d.Readable, &d.Writable, d
	d.Readable.setup(&d.core, &o)
	d.Writable.setup(&d.core, &o)
	return nil
}

// NewDuplex allocates and initialises a Duplex.
func NewDuplex(o Options) (*Duplex, error) {
	d := new(Duplex)
	if err := d.Init(o); err != nil {
		return nil, err
	}
	return d, nil
}

// endWritable ends the writable side after the readable side's end (no AllowHalfOpen).
func (d *Duplex) endWritable() {
	if d.Writable.IsWritable() && !d.core.destroyed {
		d.Writable.End(nil)
	}
}

// AllowHalfOpen reports whether the writable side stays open after the readable side ends.
func (d *Duplex) AllowHalfOpen() bool { return d.allowHalfOpen }

// SetAllowHalfOpen changes AllowHalfOpen.
func (d *Duplex) SetAllowHalfOpen(on bool) { d.allowHalfOpen = on }

// Destroy destroys both sides (Node's destroy): buffered data is dropped; the error
// callback (if err is not nil) and then the close callback run on the next tick.
func (d *Duplex) Destroy(err error) { d.core.destroy(err) }

// Destroyed reports whether Destroy was called.
func (d *Duplex) Destroyed() bool { return d.core.destroyed }

// Errored returns the error the stream was destroyed with, or nil.
func (d *Duplex) Errored() error { return d.core.errored }

// Closed reports whether the close callback ran.
func (d *Duplex) Closed() bool { return d.core.closeEmitted }

// OnError sets the error callback. Unlike Node, an error without a callback is dropped,
// not thrown.
func (d *Duplex) OnError(fn func(err error)) { d.core.onError = fn }

// OnClose sets the close callback, the stream's last.
func (d *Duplex) OnClose(fn func()) { d.core.onClose = fn }

// CloseDone reports the close with Options.ManualClose; see Readable.CloseDone.
func (d *Duplex) CloseDone() { d.core.closeDone() }
