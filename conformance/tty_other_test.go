//go:build unix && !linux

package conformance_test

import (
	"testing"

	"golang.org/x/sys/unix"
)

const ttyIoctlGetTermios = unix.TIOCGETA

// ttyOpenPTY is implemented for Linux (/dev/ptmx) only so far; elsewhere the tests that need a
// pseudo-terminal are skipped.
func ttyOpenPTY(t testing.TB) (master, slave int, path string) {
	t.Helper()
	t.Skip("pseudo-terminal helper not implemented on this system")
	return -1, -1, ""
}
