package stream

// Destination is what a Readable pipes into: a *Writable, a *Duplex, or any type that
// embeds one (net.Socket does).
type Destination interface{ destination() *Writable }

// pipe is one destination of a Readable.
type pipe struct {
	w        *Writable
	end      bool
	awaiting bool // the destination's Write returned false; waiting for its drain
}

// PipeOptions tune Pipe.
type PipeOptions struct {
	// KeepOpen leaves the destination open when the source ends (Node's { end: false }).
	KeepOpen bool
}

// Pipe sends everything read from r to dest (Node's pipe) and ends dest when r ends. It
// honours backpressure both ways: when dest.Write returns false r pauses (a socket then
// stops reading from the kernel), and dest's drain resumes it. Piping stops when dest
// finishes, closes or fails. Errors of r are not passed on to dest (use the error
// callbacks), as in Node.
func (r *Readable) Pipe(dest Destination) { r.PipeWith(dest, PipeOptions{}) }

// PipeWith is Pipe with options.
func (r *Readable) PipeWith(dest Destination, o PipeOptions) {
	w := dest.destination()
	for i := range r.pipes {
		if r.pipes[i].w == w {
			return
		}
	}
	if r.endEmitted {
		if !o.KeepOpen {
			w.End(nil)
		}
		return
	}
	r.pipes = append(r.pipes, pipe{w: w, end: !o.KeepOpen})
	w.upstreams = append(w.upstreams, r)
	if w.needDrain {
		r.pipePause(w)
	} else if r.flowing != flowOn {
		r.Resume()
	}
}

// Unpipe stops piping into dest (all destinations if dest is nil). A source left with no
// destination pauses, as in Node.
func (r *Readable) Unpipe(dest Destination) {
	if len(r.pipes) == 0 {
		return
	}
	if dest == nil {
		for len(r.pipes) > 0 {
			r.unpipe(len(r.pipes) - 1)
		}
		r.Pause()
		return
	}
	w := dest.destination()
	for i := range r.pipes {
		if r.pipes[i].w == w {
			r.unpipe(i)
			if len(r.pipes) == 0 {
				r.Pause()
			} else {
				r.maybeResumePipes()
			}
			return
		}
	}
}

func (r *Readable) unpipe(i int) {
	w := r.pipes[i].w
	r.pipes = append(r.pipes[:i], r.pipes[i+1:]...)
	for j, u := range w.upstreams {
		if u == r {
			w.upstreams = append(w.upstreams[:j], w.upstreams[j+1:]...)
			break
		}
	}
}

func (r *Readable) pipePause(w *Writable) {
	for i := range r.pipes {
		if r.pipes[i].w == w {
			r.pipes[i].awaiting = true
			r.Pause()
			return
		}
	}
}

// pipeDrained is dest's drain reaching its source.
func (r *Readable) pipeDrained(w *Writable) {
	for i := range r.pipes {
		if r.pipes[i].w == w {
			r.pipes[i].awaiting = false
		}
	}
	r.maybeResumePipes()
}

func (r *Readable) maybeResumePipes() {
	for i := range r.pipes {
		if r.pipes[i].awaiting {
			return
		}
	}
	if r.hasDataConsumer() && r.flowing != flowOn {
		r.Resume()
	}
}

func (r *Readable) clearAwaitDrain() {
	for i := range r.pipes {
		r.pipes[i].awaiting = false
	}
}

// pipesEnd ends (or unpipes) the destinations when r ends.
func (r *Readable) pipesEnd() {
	for i := 0; i < len(r.pipes); {
		p := r.pipes[i]
		r.unpipe(i)
		if p.end {
			p.w.End(nil)
		}
	}
}
