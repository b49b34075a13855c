//go:build unix

package conformance_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// libuv's tty tests open /dev/tty and skip without a controlling terminal. The ports use
// /dev/tty when there is one, and otherwise the slave side of a new pseudo-terminal, which
// exercises the same code (a terminal that is reopened by its path). The tests libuv runs
// only on Windows (tty_raw, tty_raw_cancel, tty_empty_write, tty_large_write) are ported on a
// pseudo-terminal too: their behaviour is not Windows-specific.

// ttyTestPath returns the path of a terminal to open: /dev/tty if the process has a controlling
// terminal, else a new pseudo-terminal's slave. master is the pty's master (-1 for /dev/tty);
// the pty descriptors are closed when the test ends.
func ttyTestPath(t *testing.T) (path string, master int) {
	t.Helper()
	if fd, err := unix.Open("/dev/tty", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0); err == nil {
		unix.Close(fd)
		return "/dev/tty", -1
	}
	m, s, p := ttyOpenPTY(t)
	t.Cleanup(func() {
		unix.Close(s)
		unix.Close(m)
	})
	return p, m
}

func ttyOpenPath(t *testing.T, path string, mode int) int {
	t.Helper()
	fd, err := unix.Open(path, mode|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	return fd
}

// lflag returns the terminal's local-mode flags.
func ttyLflag(t *testing.T, fd int) uint64 {
	t.Helper()
	tio, err := unix.IoctlGetTermios(fd, ttyIoctlGetTermios)
	require.NoError(t, err)
	return uint64(tio.Lflag)
}

// TestTTY checks a terminal opened read-only and one opened write-only: readability follows
// the access mode, the window size is known, and raw mode can be set, left and reset.
func ttyTest(t *testing.T) {
	path, master := ttyTestPath(t)
	if master >= 0 {
		require.NoError(t, unix.IoctlSetWinsize(master, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}))
	}
	l := newLoop(t)
	in := ttyOpenPath(t, path, unix.O_RDONLY)
	defer unix.Close(in)
	out := ttyOpenPath(t, path, unix.O_WRONLY)
	defer unix.Close(out)

	require.Equal(t, uv.UnknownHandle, uv.GuessHandle(-1))
	require.Equal(t, uv.TypeTTY, uv.GuessHandle(in))
	require.Equal(t, uv.TypeTTY, uv.GuessHandle(out))

	ttyIn, err := handles.NewTTY(l, in, true)
	require.NoError(t, err)
	require.True(t, ttyIn.IsReadable())
	require.False(t, ttyIn.IsWritable())

	ttyOut, err := handles.NewTTY(l, out, false)
	require.NoError(t, err)
	require.False(t, ttyOut.IsReadable())
	require.True(t, ttyOut.IsWritable())

	width, height, err := ttyOut.WinSize()
	require.NoError(t, err)
	t.Logf("width=%d height=%d", width, height)
	if width == 0 && height == 0 {
		t.Skip("the terminal reports no size (some containers and CI runners do)")
	}
	require.Positive(t, width)
	require.Positive(t, height)
	if master >= 0 {
		require.Equal(t, 80, width)
		require.Equal(t, 24, height)
	}

	canonical := ttyLflag(t, in) & unix.ICANON
	require.NoError(t, ttyIn.SetMode(handles.TTYModeRaw))
	require.Zero(t, ttyLflag(t, in)&unix.ICANON, "raw mode turns line editing off")
	require.NoError(t, ttyIn.SetMode(handles.TTYModeNormal))
	require.Equal(t, canonical, ttyLflag(t, in)&unix.ICANON, "normal mode restores it")

	// Resetting repeatedly succeeds (libuv also checks that errno is left alone, which has
	// no Go counterpart).
	require.NoError(t, handles.ResetMode())
	require.NoError(t, handles.ResetMode())
	require.NoError(t, handles.ResetMode())

	require.NoError(t, ttyIn.Close(nil))
	require.NoError(t, ttyOut.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestTTYFile checks that files and character devices other than terminals are refused with
// EINVAL, as is a closed descriptor, and that a terminal opened read-write, read-only or
// write-only gives a handle readable and writable accordingly, which stays usable after the
// caller closes its descriptor.
func ttyFile(t *testing.T) {
	path, _ := ttyTestPath(t)
	l := newLoop(t)
	var tty, ttyRO, ttyWO handles.TTY

	empty := filepath.Join(t.TempDir(), "empty_file")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	fd := ttyOpenPath(t, empty, unix.O_RDONLY)
	require.ErrorIs(t, tty.Init(l, fd, true), uv.EINVAL)
	require.NoError(t, unix.Close(fd))
	require.ErrorIs(t, tty.Init(l, fd, true), uv.EINVAL, "a closed descriptor")

	for _, dev := range []string{"/dev/random", "/dev/zero"} {
		if fd, err := unix.Open(dev, unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
			require.ErrorIs(t, tty.Init(l, fd, true), uv.EINVAL, dev)
			require.NoError(t, unix.Close(fd))
		}
	}

	cases := []struct {
		h          *handles.TTY
		mode       int
		read, writ bool
	}{
		{&tty, unix.O_RDWR, true, true},
		{&ttyRO, unix.O_RDONLY, true, false},
		{&ttyWO, unix.O_WRONLY, false, true},
	}
	for _, c := range cases {
		fd := ttyOpenPath(t, path, c.mode)
		require.NoError(t, c.h.Init(l, fd, c.read))
		require.NoError(t, unix.Close(fd), "the handle has its own descriptor")
		require.Equal(t, c.read, c.h.IsReadable())
		require.Equal(t, c.writ, c.h.IsWritable())
		require.NoError(t, c.h.Close(nil))
		require.False(t, c.h.IsReadable())
		require.False(t, c.h.IsWritable())
	}
	run(t, l, uv.RunDefault)
}

// TestTTYPty checks that a pty slave is reopened (so its writes need not block) and a pty
// master never is (reopening /dev/ptmx would create a new pair), so its writes block.
func ttyPty(t *testing.T) {
	master, slave, _ := ttyOpenPTY(t)
	l := newLoop(t)

	slaveTTY, err := handles.NewTTY(l, slave, false)
	require.NoError(t, err)
	masterTTY, err := handles.NewTTY(l, master, false)
	require.NoError(t, err)
	require.True(t, slaveTTY.IsReadable())
	require.True(t, slaveTTY.IsWritable())
	require.True(t, masterTTY.IsReadable())
	require.True(t, masterTTY.IsWritable())
	require.False(t, slaveTTY.BlockingWrites(), "the slave was reopened")
	slaveFd, err := slaveTTY.Fileno()
	require.NoError(t, err)
	require.NotEqual(t, slave, slaveFd, "the slave handle has a descriptor of its own")
	require.True(t, masterTTY.BlockingWrites(), "the master is never reopened")
	masterFd, err := masterTTY.Fileno()
	require.NoError(t, err)
	require.Equal(t, master, masterFd)

	require.NoError(t, unix.Close(slave))
	require.NoError(t, slaveTTY.Close(nil))
	// libuv closes master_fd here too, although the handle owns it; in Go another goroutine
	// may reuse the number at once, so only the handle closes it.
	require.NoError(t, masterTTY.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestTTYPtyPartial reads 64 KiB written to a pty slave by another thread from the master in
// 64 KiB buffers, until the slave closes: every byte arrives even though each read returns
// only part of a buffer. libuv repeats it 10 times because the bug it guards against showed
// in about one run in three.
func ttyPtyPartial(t *testing.T) {
	for i := 0; i < 10; i++ {
		master, slave, _ := ttyOpenPTY(t)
		l, err := uv.NewLoop()
		require.NoError(t, err)

		masterTTY, err := handles.NewTTY(l, master, false)
		require.NoError(t, err)
		slab := make([]byte, 1<<16)
		count := 0
		require.NoError(t, masterTTY.ReadStart(
			func(*handles.Stream, int) []byte { return slab },
			func(s *handles.Stream, buf []byte, err error) {
				if len(buf) > 0 {
					count += len(buf)
					return
				}
				s.Close(nil)
			}))
		require.True(t, masterTTY.IsReadable())
		require.True(t, masterTTY.IsWritable())

		var wg sync.WaitGroup
		var feedErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := bytes.Repeat([]byte{'x'}, 1<<13)
			for j := 0; j < 8 && feedErr == nil; j++ {
				for n := 0; n < len(buf); {
					r, err := unix.Write(slave, buf[n:])
					if err == unix.EINTR {
						continue
					}
					if err != nil {
						feedErr = err
						break
					}
					n += r
				}
			}
			if err := unix.Close(slave); err != nil && feedErr == nil {
				feedErr = err
			}
		}()
		run(t, l, uv.RunDefault)
		wg.Wait()
		require.NoError(t, feedErr)
		require.Equal(t, 65536, count, "run %d", i)
		closeLoop(t, l)
	}
}

// TestTTYRaw starts reading a terminal in normal mode, switches it to raw mode and types a
// space: in raw mode the single byte is delivered at once, without waiting for a newline.
// (libuv runs this one on Windows consoles only.)
func ttyRaw(t *testing.T) {
	master, slave, path := ttyOpenPTY(t)
	defer unix.Close(master)
	defer unix.Close(slave)
	l := newLoop(t)
	in := ttyOpenPath(t, path, unix.O_RDONLY)
	defer unix.Close(in)
	require.Equal(t, uv.TypeTTY, uv.GuessHandle(in))

	ttyIn, err := handles.NewTTY(l, in, true)
	require.NoError(t, err)
	require.True(t, ttyIn.IsReadable())
	require.False(t, ttyIn.IsWritable())

	// A guard, so that a terminal left in line mode fails the test instead of hanging it.
	guard, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, guard.Start(func(g *handles.Timer) {
		t.Error("the byte was not delivered in raw mode")
		g.Close(nil)
		ttyIn.Close(nil)
	}, 5000, 0))
	reads := 0
	require.NoError(t, ttyIn.ReadStart(
		func(*handles.Stream, int) []byte { return make([]byte, 64) },
		func(s *handles.Stream, buf []byte, err error) {
			require.NoError(t, err)
			if len(buf) > 0 {
				require.Equal(t, []byte{' '}, buf)
				reads++
				s.Close(nil)
				guard.Close(nil)
			}
		}))
	require.NoError(t, ttyIn.SetMode(handles.TTYModeRaw))
	_, err = unix.Write(master, []byte{' '})
	require.NoError(t, err)
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, reads)
}

// TestTTYRawCancel switches a terminal to raw mode, starts reading and stops at once.
// (libuv runs this one on Windows consoles only, where stopping must cancel a blocked
// console read.)
func ttyRawCancel(t *testing.T) {
	master, slave, path := ttyOpenPTY(t)
	defer unix.Close(master)
	defer unix.Close(slave)
	l := newLoop(t)
	in := ttyOpenPath(t, path, unix.O_RDONLY)
	defer unix.Close(in)
	require.Equal(t, uv.TypeTTY, uv.GuessHandle(in))

	ttyIn, err := handles.NewTTY(l, in, true)
	require.NoError(t, err)
	require.NoError(t, ttyIn.SetMode(handles.TTYModeRaw))
	require.NoError(t, ttyIn.ReadStart(
		func(*handles.Stream, int) []byte { return make([]byte, 64) },
		func(*handles.Stream, []byte, error) { t.Error("read callback called") }))
	require.NoError(t, ttyIn.ReadStop())
	require.NoError(t, ttyIn.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestTTYEmptyWrite checks that TryWrite of an empty buffer to a terminal writes 0 bytes
// without error. (libuv runs this one on Windows consoles only.)
func ttyEmptyWrite(t *testing.T) {
	master, slave, path := ttyOpenPTY(t)
	defer unix.Close(master)
	defer unix.Close(slave)
	l := newLoop(t)
	out := ttyOpenPath(t, path, unix.O_WRONLY)
	defer unix.Close(out)
	require.Equal(t, uv.TypeTTY, uv.GuessHandle(out))

	ttyOut, err := handles.NewTTY(l, out, false)
	require.NoError(t, err)
	require.False(t, ttyOut.IsReadable())
	require.True(t, ttyOut.IsWritable())

	var dummy [1]byte
	n, err := ttyOut.TryWrite([][]byte{dummy[:0]})
	require.NoError(t, err)
	require.Zero(t, n)

	require.NoError(t, ttyOut.Close(nil))
	run(t, l, uv.RunDefault)
}

// TestTTYLargeWrite checks that TryWrite of 10000 bytes to a terminal writes them all. (libuv
// runs this one on Windows consoles only.) The terminal is first put in binary-safe mode:
// with output processing on, the newline becomes two bytes, and some pseudo-terminals (gVisor's)
// hold not much more than 10000 bytes, so a non-blocking write could fall one byte short.
func ttyLargeWrite(t *testing.T) {
	master, slave, path := ttyOpenPTY(t)
	defer unix.Close(master)
	defer unix.Close(slave)
	l := newLoop(t)
	out := ttyOpenPath(t, path, unix.O_WRONLY)
	defer unix.Close(out)
	require.Equal(t, uv.TypeTTY, uv.GuessHandle(out))

	ttyOut, err := handles.NewTTY(l, out, false)
	require.NoError(t, err)
	require.NoError(t, ttyOut.SetMode(handles.TTYModeIO))

	dummy := bytes.Repeat([]byte{'.'}, 10000)
	dummy[len(dummy)-1] = '\n'
	n, err := ttyOut.TryWrite([][]byte{dummy})
	require.NoError(t, err)
	require.Equal(t, 10000, n)

	require.NoError(t, ttyOut.Close(nil))
	run(t, l, uv.RunDefault)
}
