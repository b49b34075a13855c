//go:build darwin || dragonfly || freebsd || linux || netbsd

package conformance_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// osxSelect is libuv's osx_select and osx_select_many_fds: read three lines typed into the
// controlling terminal (injected with TIOCSTI), after binding nTCP sockets so that the
// terminal's descriptor is a high one. libuv runs them on macOS, where a terminal is read
// through a select() thread because kqueue does not take terminals; here they run wherever
// /dev/tty and TIOCSTI exist, and skip, as libuv does, without a terminal.
func osxSelect(t *testing.T, nTCP int) {
	l := newLoop(t)
	for range nTCP {
		tcp, err := handles.NewTCP(l)
		require.NoError(t, err)
		require.NoError(t, tcp.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
		tcp.Unref()
	}
	fd, err := unix.Open("/dev/tty", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("cannot open /dev/tty as read-only: %v", err)
	}
	tty, err := handles.NewTTY(l, fd, true)
	require.NoError(t, err)
	reads := 0
	slab := make([]byte, 1024)
	require.NoError(t, tty.ReadStart(func(*handles.Stream, int) []byte { return slab },
		func(s *handles.Stream, buf []byte, err error) {
			if len(buf) == 0 && err == nil {
				return
			}
			reads++
			if reads == 3 {
				s.Close(nil)
			}
		}))
	for _, c := range []byte("got some input\nwith a couple of lines\nfeel pretty happy\n") {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSTI, int(c)); err != nil {
			t.Skipf("TIOCSTI: %v (Linux may turn it off: dev.tty.legacy_tiocsti)", err)
		}
	}
	run(t, l, uv.RunDefault)
	require.Equal(t, 3, reads)
}
