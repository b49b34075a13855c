//go:build !(darwin || dragonfly || freebsd || linux || netbsd)

package conformance_test

import (
	"runtime"
	"testing"
)

// osxSelect skips where there is no /dev/tty with TIOCSTI to type into (see
// misc_tty_test.go).
func osxSelect(t *testing.T, _ int) {
	if runtime.GOOS == "windows" {
		t.Skip("unix-only: typing into /dev/tty with TIOCSTI (libuv runs it on macOS only)")
	}
	t.Skip("no TIOCSTI to type into /dev/tty on " + runtime.GOOS)
}
