package handles

import uv "github.com/uv-go/uv"

// Async wakes the loop from any goroutine and runs a callback on it (libuv's uv_async_t).
// Send is the one method safe from other goroutines. Sends are coalesced: several before the
// loop gets to them run the callback once. An async handle is active from creation until it
// is closed, so it keeps the loop alive unless unreferenced.
type Async struct {
	uv.Handle
	w      uv.AsyncWatcher
	cb     func(*Async)
	fireFn func() // a.fire, bound at the first Init and kept for the next ones
}

// NewAsync creates an async handle; cb may be nil (then sends only wake the loop).
func NewAsync(l *uv.Loop, cb func(*Async)) (*Async, error) {
	a := &Async{}
	if err := a.Init(l, cb); err != nil {
		return nil, err
	}
	return a, nil
}

// Init initialises a declared async handle.
func (a *Async) Init(l *uv.Loop, cb func(*Async)) error {
	if err := a.Handle.InitHooks(l, uv.TypeAsync, a, &asyncHooks); err != nil {
		return err
	}
	a.cb = cb
	if a.fireFn == nil {
		a.fireFn = a.fire
	}
	if err := a.w.Init(l, a.fireFn); err != nil {
		return err
	}
	a.Activate()
	return nil
}

// Send asks the loop to run the callback. Safe from any goroutine; after Close it does
// nothing. It returns EINVAL only for a handle that was never initialised.
func (a *Async) Send() error {
	if a.Loop() == nil {
		return uv.EINVAL
	}
	a.w.Send()
	return nil
}

// asyncHooks: closing releases the wakeup (an async handle is active until closed).
var asyncHooks = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*Async).w.Close() }}

func (a *Async) fire() {
	if a.cb != nil {
		a.cb(a)
	}
}
