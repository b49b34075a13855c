// Package uv is the core of uv-go: the event loop, libuv's run modes and phases, the handle and
// request lifecycle shared by every handle type, and the operating-system backend (epoll on
// Linux, kqueue on macOS and the BSDs; until the IOCP backend lands, NewLoop returns ENOSYS on
// Windows).
//
// It imports only the standard library, golang.org/x/sys and the pure packages timers and
// threadpool. OS-specific code lives only in this package, in files named after the OS
// (uv_linux.go; uv_kqueue.go with uv_darwin.go and uv_bsd.go; uv_windows.go; *_unix.go). The
// layer above (handles/) builds libuv's handle types on a small platform-neutral set of
// primitives exported here:
// Handle (lifecycle), PhaseWatcher (idle/prepare/check), TimerWatcher, Pending (deferred
// callbacks), AsyncWatcher (cross-goroutine wakeups) and IOWatcher (readiness of a socket or fd).
//
// # Threads
//
// A loop runs on the goroutine that calls Run, locked to its OS thread for the duration of the
// call, and every callback runs there. Nothing in this package is safe to call from another
// goroutine except AsyncWatcher.Send, Loop.MetricsIdleTime and HRTime; the threadpool's
// completion path reaches the loop through an AsyncWatcher. Everything else (starting and
// stopping handles, Close, Stop, Run) must happen on the loop's goroutine, or while the loop is
// not running.
package uv
