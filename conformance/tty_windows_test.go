package conformance_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The tty tests on Windows. A TTY handle there is a console handle, read and written through
// uv.TTYReader and TTYState.Write; the stream code of handles.TTY does not use them yet (it
// reads and writes through the Windows Sock, which does not take consoles), and the test
// process has no console under Wine anyway. The console calls themselves are tested in the
// uv package (TestTTYConsole, which gives a child a pseudo console).

const ttyNoConsoleStream = "needs a console TTY handle: handles.TTY on Windows waits for its console stream path " +
	"(uv.TTYReader and TTYState.Write under the Windows Sock); uv's TestTTYConsole covers the console calls"

func ttyTest(t *testing.T) { t.Skip(ttyNoConsoleStream) }

// ttyFile: libuv's test checks nothing on Windows; here a file, NUL and a closed handle are
// refused, which needs no console.
func ttyFile(t *testing.T) {
	l := newLoop(t)
	var tty handles.TTY
	f, err := os.CreateTemp("", "empty_file")
	require.NoError(t, err)
	defer os.Remove(f.Name())
	require.Error(t, tty.Init(l, uv.OSFd(f.Fd()), true))
	require.NoError(t, f.Close())
	require.Error(t, tty.Init(l, uv.OSFd(windows.InvalidHandle), true), "an invalid handle")
	nul, err := windows.CreateFile(windows.StringToUTF16Ptr("NUL"), windows.GENERIC_READ, windows.FILE_SHARE_READ, nil,
		windows.OPEN_EXISTING, 0, 0)
	require.NoError(t, err)
	defer windows.CloseHandle(nul)
	require.Error(t, tty.Init(l, uv.OSFd(nul), true), "NUL is no console")
}

func ttyPty(t *testing.T) {
	t.Skip("Windows has no pseudo-terminal devices (libuv runs tty_pty on unix only)")
}

func ttyPtyPartial(t *testing.T) {
	t.Skip("Windows has no pseudo-terminal devices (libuv runs tty_pty_partial on unix only)")
}

func ttyRaw(t *testing.T) { t.Skip(ttyNoConsoleStream) }

func ttyRawCancel(t *testing.T) { t.Skip(ttyNoConsoleStream) }

func ttyEmptyWrite(t *testing.T) { t.Skip(ttyNoConsoleStream) }

func ttyLargeWrite(t *testing.T) { t.Skip(ttyNoConsoleStream) }
