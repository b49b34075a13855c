package handles

import uv "github.com/uv-go/uv"

// phaseHandle is what Idle, Prepare and Check share: a handle with a watcher in one phase.
type phaseHandle struct {
	uv.Handle
	w    uv.PhaseWatcher
	fire func() // calls the owner's callback; made at the first Init, kept for the next ones
}

func (p *phaseHandle) init(l *uv.Loop, t uv.HandleType, ph uv.Phase, owner any, hooks *uv.HandleHooks) error {
	if err := p.Handle.InitHooks(l, t, owner, hooks); err != nil {
		return err
	}
	p.w.Init(l, ph, p.fire)
	return nil
}

// start reports EINVAL for a closing handle or a nil callback; a started watcher is left as
// it is.
func (p *phaseHandle) start(hasCb bool) error {
	if p.Loop() == nil || p.IsClosing() {
		return uv.EINVAL
	}
	if p.IsActive() {
		return nil
	}
	if !hasCb {
		return uv.EINVAL
	}
	p.w.Start()
	p.Activate()
	return nil
}

// Stop stops the watcher; stopping a stopped one does nothing.
func (p *phaseHandle) Stop() error {
	if p.Loop() == nil {
		return uv.EINVAL
	}
	p.stop()
	return nil
}

func (p *phaseHandle) stop() {
	p.w.Stop()
	p.Deactivate()
}

// The close hooks of each type: closing stops the watcher.
var (
	idleHooks    = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*Idle).stop() }}
	prepareHooks = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*Prepare).stop() }}
	checkHooks   = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*Check).stop() }}
)

// Idle runs a callback once per loop iteration, before prepare handles (libuv's uv_idle_t).
// While an idle handle is started the loop polls for I/O without blocking.
type Idle struct {
	phaseHandle
	cb func(*Idle)
}

// NewIdle creates an idle handle on the loop.
func NewIdle(l *uv.Loop) (*Idle, error) {
	return newHandle[Idle](l)
}

// Init initialises a declared idle handle.
func (h *Idle) Init(l *uv.Loop) error {
	if h.fire == nil {
		h.fire = func() { h.cb(h) }
	}
	return h.init(l, uv.TypeIdle, uv.PhaseIdle, h, &idleHooks)
}

// Start starts the handle with cb; starting a started handle does nothing.
func (h *Idle) Start(cb func(*Idle)) error {
	if !h.IsActive() && cb != nil {
		h.cb = cb
	}
	return h.start(cb != nil)
}

// Prepare runs a callback once per loop iteration, right before the loop polls for I/O
// (libuv's uv_prepare_t).
type Prepare struct {
	phaseHandle
	cb func(*Prepare)
}

// NewPrepare creates a prepare handle on the loop.
func NewPrepare(l *uv.Loop) (*Prepare, error) {
	return newHandle[Prepare](l)
}

// Init initialises a declared prepare handle.
func (h *Prepare) Init(l *uv.Loop) error {
	if h.fire == nil {
		h.fire = func() { h.cb(h) }
	}
	return h.init(l, uv.TypePrepare, uv.PhasePrepare, h, &prepareHooks)
}

// Start starts the handle with cb; starting a started handle does nothing.
func (h *Prepare) Start(cb func(*Prepare)) error {
	if !h.IsActive() && cb != nil {
		h.cb = cb
	}
	return h.start(cb != nil)
}

// Check runs a callback once per loop iteration, right after the loop polled for I/O
// (libuv's uv_check_t).
type Check struct {
	phaseHandle
	cb func(*Check)
}

// NewCheck creates a check handle on the loop.
func NewCheck(l *uv.Loop) (*Check, error) {
	return newHandle[Check](l)
}

// Init initialises a declared check handle.
func (h *Check) Init(l *uv.Loop) error {
	if h.fire == nil {
		h.fire = func() { h.cb(h) }
	}
	return h.init(l, uv.TypeCheck, uv.PhaseCheck, h, &checkHooks)
}

// Start starts the handle with cb; starting a started handle does nothing.
func (h *Check) Start(cb func(*Check)) error {
	if !h.IsActive() && cb != nil {
		h.cb = cb
	}
	return h.start(cb != nil)
}
