package conformance_test

import (
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

const ttyIoctlGetTermios = unix.TCGETS

// ttyOpenPTY opens a pseudo-terminal pair through /dev/ptmx: the master, the slave (both
// blocking and close-on-exec) and the slave's path. The test is skipped if the system has no
// pseudo-terminals. The caller closes the descriptors.
func ttyOpenPTY(t testing.TB) (master, slave int, path string) {
	t.Helper()
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pty available: %v", err)
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(m)
		t.Skipf("cannot unlock the pty: %v", err)
	}
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	if err != nil {
		unix.Close(m)
		t.Skipf("cannot get the pty number: %v", err)
	}
	path = "/dev/pts/" + strconv.Itoa(n)
	s, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(m)
		t.Skipf("cannot open the pty slave %s: %v", path, err)
	}
	return m, s, path
}
