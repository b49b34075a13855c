package uv

import (
	"os"
	"runtime"
	"sync"
)

// A loop's thread spends its idle time blocked in the backend's poll (epoll_wait, kevent,
// GetQueuedCompletionStatusEx) with its P in the system-call state. When every other P is
// busy, Go's sysmon takes that P back after 20 µs and hands it to a fresh thread; the loop
// then pays two context switches each time it wakes, and the threadpool's workers lose a P
// for as long as the loop sleeps. libuv's loop thread competes with nobody for such a slot,
// so while at least one loop is open the package raises GOMAXPROCS by one (one in all, not
// one per loop) and gives it back when the last loop is closed. A program that set the
// GOMAXPROCS environment variable keeps exactly what it asked for, and one that changed
// GOMAXPROCS itself while loops were open keeps its own value when they close. Setting
// GOMAXPROCS ends the runtime's own updates of it (to follow a changed CPU limit); a program
// that wants them back calls runtime.SetDefaultGOMAXPROCS after closing its loops.

var procs struct {
	mu     sync.Mutex
	loops  int // open loops holding the reservation
	raised int // the value set when the first loop opened; 0 when none was set
}

// reserveProc is called by NewLoop for each loop it opens.
func reserveProc() {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	procs.loops++
	if procs.loops > 1 {
		return
	}
	procs.raised = 0
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	procs.raised = runtime.GOMAXPROCS(0) + 1
	runtime.GOMAXPROCS(procs.raised)
}

// releaseProc is called by Close for each loop NewLoop opened.
func releaseProc() {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	if procs.loops == 0 {
		return
	}
	procs.loops--
	if procs.loops > 0 || procs.raised == 0 {
		return
	}
	if runtime.GOMAXPROCS(0) == procs.raised {
		runtime.GOMAXPROCS(procs.raised - 1)
	}
	procs.raised = 0
}
