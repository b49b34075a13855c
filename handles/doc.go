// Package handles holds libuv's handle and request types (timer, idle, prepare, check, async,
// poll, signal; streams, processes and file-system requests as they land), built on the
// platform-neutral primitives of the root package uv. It imports only uv, timers, threadpool,
// the standard library and golang.org/x/sys for portable constants; nothing here is
// OS-specific.
//
// Each handle type embeds uv.Handle, so Close, Ref, Unref, HasRef, IsActive, IsClosing, Type
// and Loop work on all of them. Create a handle with its New function, or declare one (for
// example inside your own struct, so it costs no extra allocation) and call Init. As in
// libuv, every method must be called on the loop's goroutine, except Async.Send.
// Callbacks receive the handle, so they need not be closures.
package handles

import uv "github.com/uv-go/uv"

// newHandle allocates a handle of type T and initialises it on the loop.
func newHandle[T any, P interface {
	*T
	Init(*uv.Loop) error
}](l *uv.Loop) (*T, error) {
	h := P(new(T))
	if err := h.Init(l); err != nil {
		return nil, err
	}
	return h, nil
}
