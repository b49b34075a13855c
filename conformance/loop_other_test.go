//go:build !unix

package conformance_test

import uv "github.com/uv-go/uv"

// loopWaitBackend reports false: without a pollable backend descriptor an embedder runs the
// loop with RunOnce instead.
func loopWaitBackend(fd, timeout int) (bool, error) { return false, nil }

// loopBlockableSignal returns the argument libuv's test passes on Windows (0) and the error
// Loop.Configure(LoopBlockSignal, ...) must give there (ENOSYS).
func loopBlockableSignal() (int, error) { return 0, uv.ENOSYS }
