package uv

// Handle flags, as libuv's UV_HANDLE_* lifecycle flags.
const (
	flagActive uint16 = 1 << iota
	flagRef
	flagClosing
	flagClosed
	flagInternal
	flagCloseDeferred
)

// Handle is the lifecycle every handle type shares (libuv's uv_handle_t). Handle types embed it
// and call Init once; users call Close, Ref, Unref and the queries.
//
// The zero Handle is not registered with any loop: methods on it return EINVAL or report
// false.
type Handle struct {
	// What Close and the closing phase touch comes first, together in 56 bytes (where a
	// handle type puts them matters when a million are closed: see handles.Timer). The close
	// hooks are shared per handle type (HandleHooks), which keeps a Handle at 88 bytes.
	loop     *Loop
	flags    uint16
	typ      handleType
	hooks    *HandleHooks
	closeCb  func()
	nextDone *Handle
	prev     *Handle
	next     *Handle

	owner any

	// Data is free for the user, as libuv's handle->data.
	Data any
}

// Init registers h with the loop as a handle of type t. owner is what Walk and Owner report
// (the handle type's own struct). onClose runs inside Close (stop watchers, release OS
// resources); onClosed runs in the closing phase just before the close callback (fail queued
// requests with ECANCELED). Either may be nil. Init returns EINVAL if h is already registered
// and not closed, or if the loop is closed. For handle implementations.
//
// Init allocates a small HandleHooks for each call that has a hook, on top of what binding
// the hooks cost (a method value is an allocation per handle); InitHooks, with hooks shared
// by the handle type, is the form that allocates nothing.
func (h *Handle) Init(l *Loop, t HandleType, owner any, onClose, onClosed func()) error {
	var hooks *HandleHooks
	if onClose != nil || onClosed != nil {
		hooks = &HandleHooks{onClose: onClose, onClosed: onClosed}
		if onClose != nil {
			hooks.Close = runOnClose
		}
		if onClosed != nil {
			hooks.Closed = runOnClosed
		}
	}
	return h.InitHooks(l, t, owner, hooks)
}

// runOnClose and runOnClosed run the functions given to Init; being plain functions, they
// cost Init no closure.
func runOnClose(h *Handle)  { h.hooks.onClose() }
func runOnClosed(h *Handle) { h.hooks.onClosed() }

// HandleHooks are the close hooks of a handle type, as functions of the handle (h.Owner() is
// the handle type's struct): Close runs inside Close (stop watchers, release OS resources);
// Closed runs in the closing phase just before the close callback (fail queued requests with
// ECANCELED). Either may be nil. One value serves every handle of the type: InitHooks stores a
// pointer to it, so, unlike Init's per-handle functions, it costs a handle no allocation and
// no field beyond that pointer. For handle implementations.
type HandleHooks struct {
	Close  func(h *Handle)
	Closed func(h *Handle)

	onClose, onClosed func() // Init's, run by runOnClose and runOnClosed
}

// InitHooks is Init with close hooks shared by the handle type (usually a package-level
// variable); hooks may be nil. It allocates nothing.
func (h *Handle) InitHooks(l *Loop, t HandleType, owner any, hooks *HandleHooks) error {
	if l == nil || l.closed || t <= UnknownHandle || t >= handleTypeMax {
		return EINVAL
	}
	if h.loop != nil && h.flags&flagClosed == 0 {
		return EINVAL
	}
	*h = Handle{loop: l, typ: handleType(t), flags: flagRef, hooks: hooks, owner: owner, Data: h.Data}
	l.handleQ.insertTail(h)
	if l.ins != nil {
		l.ins.handle(h, HandleInit)
	}
	return nil
}

// handleType is a HandleType stored in a byte, beside the flags.
type handleType uint8

const _ = handleType(handleTypeMax) // fails to compile once the types outgrow the byte

// Loop returns the loop the handle belongs to (nil before Init).
func (h *Handle) Loop() *Loop { return h.loop }

// Type returns the handle's type.
func (h *Handle) Type() HandleType { return HandleType(h.typ) }

// Owner returns the handle type's struct given to Init (for example a *handles.Timer).
func (h *Handle) Owner() any { return h.owner }

// IsActive reports whether the handle is active: started timers and watchers, I/O handles
// that are reading, writing, connecting or listening, and async handles until closed.
func (h *Handle) IsActive() bool { return h.flags&flagActive != 0 }

// IsClosing reports whether Close was called (the handle is closing or closed).
func (h *Handle) IsClosing() bool { return h.flags&(flagClosing|flagClosed) != 0 }

// IsClosed reports whether the close callback phase has run for the handle.
func (h *Handle) IsClosed() bool { return h.flags&flagClosed != 0 }

// HasRef reports whether the handle is referenced.
func (h *Handle) HasRef() bool { return h.flags&flagRef != 0 }

// Ref makes an active handle keep the loop alive again. Idempotent.
func (h *Handle) Ref() {
	if h.loop == nil || h.flags&flagRef != 0 {
		return
	}
	h.flags |= flagRef
	if h.flags&flagClosing != 0 {
		return
	}
	if h.flags&flagActive != 0 {
		h.loop.activeHandles++
	}
}

// Unref stops an active handle from keeping the loop alive. Idempotent.
func (h *Handle) Unref() {
	if h.loop == nil || h.flags&flagRef == 0 {
		return
	}
	h.flags &^= flagRef
	if h.flags&flagClosing != 0 {
		return
	}
	if h.flags&flagActive != 0 {
		h.loop.activeHandles--
	}
}

// Activate marks the handle active (libuv's uv__handle_start). For handle implementations.
func (h *Handle) Activate() {
	if h.flags&flagActive != 0 {
		return
	}
	h.flags |= flagActive
	if h.flags&flagRef != 0 {
		h.loop.activeHandles++
	}
	if in := h.loop.ins; in != nil && in.tracer != nil {
		in.notes = append(in.notes, handleNote{h, HandleStart}) // see instr.flush
	}
}

// Deactivate marks the handle inactive (libuv's uv__handle_stop). For handle implementations.
func (h *Handle) Deactivate() {
	if h.flags&flagActive == 0 {
		return
	}
	h.flags &^= flagActive
	if h.flags&flagRef != 0 {
		h.loop.activeHandles--
	}
	if in := h.loop.ins; in != nil && in.tracer != nil {
		in.notes = append(in.notes, handleNote{h, HandleStop}) // see instr.flush
	}
}

// SetInternal hides the handle from Walk and from Loop.Close's busy check, as libuv does for
// its own internal handles. For handle implementations.
func (h *Handle) SetInternal() { h.flags |= flagInternal }

// Close closes the handle. The handle type's close hook runs now (watchers stop, file
// descriptors close); cb, which may be nil, runs later in the loop's closing phase, never
// inside Close. Closing a handle that is closing or closed, or one never initialised, returns
// EINVAL and changes nothing.
func (h *Handle) Close(cb func()) error {
	if h.loop == nil || h.flags&(flagClosing|flagClosed) != 0 {
		return EINVAL
	}
	h.flags |= flagClosing
	h.closeCb = cb
	if h.loop.ins != nil {
		h.loop.ins.handle(h, HandleClose)
	}
	if h.hooks != nil && h.hooks.Close != nil {
		h.hooks.Close(h)
	}
	h.Deactivate()
	if h.flags&flagCloseDeferred == 0 {
		h.loop.queueClosing(h)
	}
	return nil
}

// DeferClose, called from a close hook, keeps the handle out of the closing phase until the
// implementation calls FinishDeferredClose (libuv's fs_poll waits for an in-flight stat this
// way). For handle implementations.
func (h *Handle) DeferClose() { h.flags |= flagCloseDeferred }

// FinishDeferredClose queues a handle whose close was deferred for the closing phase.
func (h *Handle) FinishDeferredClose() {
	if h.flags&flagCloseDeferred == 0 || h.flags&flagClosing == 0 {
		return
	}
	h.flags &^= flagCloseDeferred
	h.loop.queueClosing(h)
}

func (l *Loop) queueClosing(h *Handle) {
	h.nextDone = l.closing
	l.closing = h
}

// finishClose is the closing phase for one handle (libuv's uv__finish_close).
func (l *Loop) finishClose(h *Handle) {
	h.flags |= flagClosed
	if h.hooks != nil && h.hooks.Closed != nil {
		h.hooks.Closed(h)
	}
	h.Unref()
	l.handleQ.remove(h)
	if l.ins != nil {
		l.ins.handle(h, HandleClosed)
	}
	cb := h.closeCb
	h.closeCb = nil
	if cb != nil {
		cb()
	}
}

// handleQueue is a circular intrusive list of handles with a sentinel.
type handleQueue struct{ s Handle }

func (q *handleQueue) init()       { q.s.prev, q.s.next = &q.s, &q.s }
func (q *handleQueue) empty() bool { return q.s.next == &q.s }

func (q *handleQueue) insertTail(h *Handle) {
	h.prev = q.s.prev
	h.next = &q.s
	q.s.prev.next = h
	q.s.prev = h
}

func (q *handleQueue) remove(h *Handle) {
	if h.next == nil {
		return
	}
	h.prev.next = h.next
	h.next.prev = h.prev
	h.prev, h.next = nil, nil
}
