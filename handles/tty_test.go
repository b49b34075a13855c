//go:build linux

package handles_test

import (
	"bytes"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// ttyOpenTestPTY opens a pseudo-terminal pair (blocking, close-on-exec) that is closed when the
// test ends, and returns the master, the slave and the slave's path.
func ttyOpenTestPTY(t testing.TB) (master, slave int, path string) {
	t.Helper()
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	t.Cleanup(func() { unix.Close(m) })
	require.NoError(t, unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	require.NoError(t, err)
	path = "/dev/pts/" + strconv.Itoa(n)
	s, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(s) })
	return m, s, path
}

func ttyTermios(t testing.TB, fd int) unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	require.NoError(t, err)
	return *tio
}

func ttyNonblocking(t testing.TB, fd int) bool {
	t.Helper()
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	require.NoError(t, err)
	return fl&unix.O_NONBLOCK != 0
}

// readFull reads n bytes from a blocking descriptor.
func ttyReadFull(t testing.TB, fd, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	for got := 0; got < n; {
		r, err := unix.Read(fd, buf[got:])
		if err == unix.EINTR {
			continue
		}
		require.NoError(t, err)
		require.Positive(t, r)
		got += r
	}
	return buf
}

func ttyCloseLoop(t testing.TB, l *uv.Loop, ttys ...*handles.TTY) {
	t.Helper()
	for _, tt := range ttys {
		if !tt.IsClosing() {
			require.NoError(t, tt.Close(nil))
		}
	}
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// The slave is reopened: the handle's descriptor is a new open file, which it makes
// non-blocking, while the open file the caller had (which other processes may share, here a
// dup standing in for them) stays blocking. The caller's descriptor number now refers to the
// reopened terminal.
func TestTTYReopenKeepsSharedFileBlocking(t *testing.T) {
	master, slave, _ := ttyOpenTestPTY(t)
	shared, err := unix.Dup(slave)
	require.NoError(t, err)
	defer unix.Close(shared)
	l := mustLoop(t)
	tt, err := handles.NewTTY(l, slave, true)
	require.NoError(t, err)
	defer ttyCloseLoop(t, l, tt)

	fd, err := tt.Fileno()
	require.NoError(t, err)
	require.NotEqual(t, slave, fd)
	require.True(t, ttyNonblocking(t, fd))
	require.False(t, ttyNonblocking(t, shared), "the shared open file must stay blocking")
	require.False(t, tt.BlockingWrites())
	require.Equal(t, uv.TypeTTY, tt.Type())
	require.Equal(t, handles.TTYModeNormal, tt.Mode())

	// The caller's descriptor now refers to the reopened terminal: writes from it arrive.
	_, err = unix.Write(slave, []byte("x"))
	require.NoError(t, err)
	require.Equal(t, []byte("x"), ttyReadFull(t, master, 1))

	// The master is not reopened: the handle keeps it blocking and its writes block.
	mt, err := handles.NewTTY(l, master, false)
	require.NoError(t, err)
	defer mt.Close(nil)
	require.True(t, mt.BlockingWrites())
	mfd, _ := mt.Fileno()
	require.Equal(t, master, mfd)
	require.False(t, ttyNonblocking(t, master))
}

// Writes through a TTY go through the stream code; output processing follows the mode.
func TestTTYWriteAndReadThroughModes(t *testing.T) {
	master, slave, _ := ttyOpenTestPTY(t)
	l := mustLoop(t)
	tt, err := handles.NewTTY(l, slave, true)
	require.NoError(t, err)
	defer ttyCloseLoop(t, l, tt)

	var req handles.WriteReq
	writes := 0
	write := func(s string) {
		require.NoError(t, tt.Write(&req, [][]byte{[]byte(s)}, func(_ *handles.WriteReq, err error) {
			require.NoError(t, err)
			writes++
		}))
		_, err := l.Run(uv.RunNoWait)
		require.NoError(t, err)
	}
	write("hi\n")
	require.Equal(t, []byte("hi\r\n"), ttyReadFull(t, master, 4), "normal mode maps NL to CR NL")
	require.NoError(t, tt.SetMode(handles.TTYModeIO))
	write("hi\n")
	require.Equal(t, []byte("hi\n"), ttyReadFull(t, master, 3), "IO mode is binary-safe")
	require.NoError(t, tt.SetMode(handles.TTYModeRaw))
	write("hi\n")
	require.Equal(t, []byte("hi\r\n"), ttyReadFull(t, master, 4), "raw mode keeps output processing")
	require.Equal(t, 3, writes)

	// Input: raw mode delivers bytes without a newline.
	var got []byte
	require.NoError(t, tt.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		require.NoError(t, err)
		got = append(got, buf...)
		if len(got) >= 3 {
			s.ReadStop()
		}
	}))
	_, err = unix.Write(master, []byte("abc"))
	require.NoError(t, err)
	for len(got) < 3 {
		_, err := l.Run(uv.RunOnce)
		require.NoError(t, err)
	}
	require.Equal(t, []byte("abc"), got)
}

// Mode changes: unknown modes are refused, RawVT is raw on unix, and normal mode and Close
// restore the terminal's attributes exactly.
func TestTTYSetModeRestores(t *testing.T) {
	_, slave, _ := ttyOpenTestPTY(t)
	orig := ttyTermios(t, slave)
	l := mustLoop(t)
	tt, err := handles.NewTTY(l, slave, true)
	require.NoError(t, err)

	require.ErrorIs(t, tt.SetMode(handles.TTYMode(-1)), uv.EINVAL)
	require.ErrorIs(t, tt.SetMode(handles.TTYMode(4)), uv.EINVAL)
	require.NoError(t, tt.SetMode(handles.TTYModeRawVT))
	require.Equal(t, handles.TTYModeRaw, tt.Mode())
	raw := ttyTermios(t, slave)
	require.Zero(t, raw.Lflag&(unix.ECHO|unix.ICANON|unix.ISIG|unix.IEXTEN))
	require.Zero(t, raw.Iflag&(unix.ICRNL|unix.IXON))
	require.Equal(t, uint8(1), raw.Cc[unix.VMIN])

	require.NoError(t, tt.SetMode(handles.TTYModeIO))
	io := ttyTermios(t, slave)
	require.Zero(t, io.Oflag&unix.OPOST)

	require.NoError(t, tt.SetMode(handles.TTYModeNormal))
	require.Equal(t, orig, ttyTermios(t, slave))

	require.NoError(t, tt.SetMode(handles.TTYModeRaw))
	require.NotEqual(t, orig, ttyTermios(t, slave))
	ttyCloseLoop(t, l, tt)
	require.Equal(t, orig, ttyTermios(t, slave), "closing the handle restores the terminal")

	require.ErrorIs(t, tt.SetMode(handles.TTYModeRaw), uv.EBADF)
	_, _, err = tt.WinSize()
	require.ErrorIs(t, err, uv.EBADF)
}

// ResetMode restores the first terminal switched out of normal mode, from any goroutine, and
// only while a handle holds it.
func TestTTYResetMode(t *testing.T) {
	_, slave, _ := ttyOpenTestPTY(t)
	orig := ttyTermios(t, slave)
	l := mustLoop(t)
	tt, err := handles.NewTTY(l, slave, true)
	require.NoError(t, err)
	require.NoError(t, tt.SetMode(handles.TTYModeRaw))

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				errs[i] = handles.ResetMode()
				if errs[i] != uv.EBUSY {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, orig, ttyTermios(t, slave))
	require.Equal(t, handles.TTYModeRaw, tt.Mode(), "the handle's own mode is not changed")

	ttyCloseLoop(t, l, tt)
	require.NoError(t, handles.ResetMode(), "nothing saved: nothing to do")
}

func TestTTYWinSize(t *testing.T) {
	master, slave, _ := ttyOpenTestPTY(t)
	l := mustLoop(t)
	tt, err := handles.NewTTY(l, slave, false)
	require.NoError(t, err)
	defer ttyCloseLoop(t, l, tt)
	require.NoError(t, unix.IoctlSetWinsize(master, unix.TIOCSWINSZ, &unix.Winsize{Row: 50, Col: 132}))
	w, h, err := tt.WinSize()
	require.NoError(t, err)
	require.Equal(t, 132, w)
	require.Equal(t, 50, h)
}

func TestTTYInitRules(t *testing.T) {
	_, slave, _ := ttyOpenTestPTY(t)
	l := mustLoop(t)
	_, err := handles.NewTTY(nil, slave, true)
	require.ErrorIs(t, err, uv.EINVAL)
	_, err = handles.NewTTY(l, -1, true)
	require.ErrorIs(t, err, uv.EINVAL)
	null, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer unix.Close(null)
	_, err = handles.NewTTY(l, null, true)
	require.ErrorIs(t, err, uv.EINVAL, "a character device that is not a terminal")

	var tt handles.TTY
	require.NoError(t, tt.Init(l, slave, true))
	require.ErrorIs(t, tt.Init(l, slave, true), uv.EINVAL, "already initialised")
	require.NoError(t, tt.Close(nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, tt.Init(l, slave, true), "a closed handle can be initialised again")

	// A pipe is accepted as it is; readability follows its access mode.
	var p [2]int
	require.NoError(t, unix.Pipe2(p[:], unix.O_CLOEXEC))
	pr, err := handles.NewTTY(l, p[0], true)
	require.NoError(t, err)
	require.True(t, pr.IsReadable())
	require.False(t, pr.IsWritable())
	pw, err := handles.NewTTY(l, p[1], false)
	require.NoError(t, err)
	require.False(t, pw.IsReadable())
	require.True(t, pw.IsWritable())
	require.False(t, pw.BlockingWrites())
	require.ErrorIs(t, pw.SetMode(handles.TTYModeRaw), uv.ENOTTY)

	ttyCloseLoop(t, l, &tt, pr, pw)
	_, err = handles.NewTTY(l, slave, true)
	require.ErrorIs(t, err, uv.EINVAL, "closed loop")
}

func TestTTYVTermState(t *testing.T) {
	handles.SetVTermState(handles.VTermStateSupported)
	_, err := handles.GetVTermState()
	require.ErrorIs(t, err, uv.ENOTSUP)
}

// Writing to and reading from a terminal allocates nothing in steady state.
func TestTTYReadWriteAllocs(t *testing.T) {
	master, slave, _ := ttyOpenTestPTY(t)
	l := mustLoop(t)
	tt, err := handles.NewTTY(l, slave, true)
	require.NoError(t, err)
	defer ttyCloseLoop(t, l, tt)
	require.NoError(t, tt.SetMode(handles.TTYModeIO))

	out := [][]byte{[]byte("ping")}
	in := []byte("pong")
	sink := make([]byte, 16)
	var req handles.WriteReq
	var wrote, read int
	writeCb := func(_ *handles.WriteReq, err error) {
		if err == nil {
			wrote++
		}
	}
	readCb := func(_ *handles.Stream, buf []byte, err error) {
		if err == nil {
			read += len(buf)
		}
	}
	require.NoError(t, tt.ReadStart(nil, readCb))
	round := func() {
		tt.Write(&req, out, writeCb)
		unix.Read(master, sink[:4])
		unix.Write(master, in)
		for want := read + 4; read < want; {
			l.Run(uv.RunOnce)
		}
	}
	round()
	allocs := testing.AllocsPerRun(100, round)
	require.Zero(t, allocs)
	require.Equal(t, 102, wrote) // AllocsPerRun runs round once more to warm up
	require.Equal(t, 4*102, read)
	require.True(t, bytes.Equal(sink[:4], []byte("ping")))
}
