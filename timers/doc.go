// Package timers is the timer queue of the uv event loop: a min-heap of
// timers ordered as libuv orders them (by absolute due time, then by start
// order, so timers due at the same time fire first-started-first and a
// restarted timer goes behind its equals), plus the ready queue that one
// timer phase collects due timers into before running their callbacks. It
// is pure data-structure code with no OS access; it imports only the
// standard library and nothing from the rest of the project. A Timer is
// embedded in (or pointed to by) its owner and carries its own heap index,
// so starting, stopping and collecting timers allocates nothing once the
// heap's and the ready queue's backing arrays have grown to size.
package timers
