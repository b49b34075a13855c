package conformance_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The tty tests on Windows. A TTY handle there is a console handle; libuv's tests open
// CONIN$ and CONOUT$, which a process has only with a console, and under Wine the test
// process has none. So each console test runs in a child of its own (this test binary in the
// tty_console helper mode) that gets a pseudo console: the child runs the test's body on
// handles.TTY and reports failures in a file, and the parent checks its exit status and the
// console's output.

func init() {
	childHelpers["tty_console"] = ttyConsoleChild
}

// ttyResultEnv names the file a console child writes its failures to.
const ttyResultEnv = "UV_CONFORMANCE_TTY_RESULT"

// ttyConsoleTests are the bodies the console child runs, by libuv test name.
var ttyConsoleTests = map[string]func(c *consoleT){
	"tty":             ttyConsoleBody,
	"tty_raw":         ttyRawBody,
	"tty_raw_cancel":  ttyRawCancelBody,
	"tty_empty_write": ttyEmptyWriteBody,
	"tty_large_write": ttyLargeWriteBody,
}

func ttyTest(t *testing.T)       { ttyInConsole(t, "tty") }
func ttyRaw(t *testing.T)        { ttyInConsole(t, "tty_raw") }
func ttyRawCancel(t *testing.T)  { ttyInConsole(t, "tty_raw_cancel") }
func ttyEmptyWrite(t *testing.T) { ttyInConsole(t, "tty_empty_write") }

func ttyLargeWrite(t *testing.T) {
	out := ttyInConsole(t, "tty_large_write")
	require.Equal(t, 9999, strings.Count(out, "."), "the console shows what was written")
}

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

// consoleT is what a console child's test body reports to: require's TestingT.
type consoleT struct{ fails []string }

type consoleFailNow struct{}

func (c *consoleT) Errorf(format string, args ...any) {
	c.fails = append(c.fails, fmt.Sprintf(format, args...))
}

func (c *consoleT) FailNow() { panic(consoleFailNow{}) }

// ttyConsoleChild runs the body named by its argument in the pseudo console it was given.
func ttyConsoleChild() int {
	c := &consoleT{}
	name := os.Args[len(os.Args)-1]
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(consoleFailNow); !ok {
					c.Errorf("panic: %v\n%s", r, debug.Stack())
				}
			}
		}()
		body, ok := ttyConsoleTests[name]
		if !ok {
			c.Errorf("no console test %q", name)
			return
		}
		body(c)
	}()
	os.WriteFile(os.Getenv(ttyResultEnv), []byte(strings.Join(c.fails, "\n")), 0o644)
	if len(c.fails) > 0 {
		return 1
	}
	return 0
}

// ttyInConsole runs the console test name in a child with a pseudo console, as the uv
// package's TestTTYConsole does, and returns the console's output (escape sequences removed).
func ttyInConsole(t *testing.T, name string) string {
	var inR, inW, outR, outW windows.Handle
	require.NoError(t, windows.CreatePipe(&inR, &inW, nil, 0))
	require.NoError(t, windows.CreatePipe(&outR, &outW, nil, 0))
	defer windows.CloseHandle(inW)
	// The console host may inherit this process's inheritable handles: keep it from holding
	// go test's output pipes, which would make go test wait for it.
	getInfo := windows.NewLazySystemDLL("kernel32.dll").NewProc("GetHandleInformation")
	for _, n := range procStdHandles {
		h, err := windows.GetStdHandle(n)
		var flags uint32
		if err != nil || h == 0 || h == windows.InvalidHandle {
			continue
		}
		if ok, _, _ := getInfo.Call(uintptr(h), uintptr(unsafe.Pointer(&flags))); ok == 0 || flags&windows.HANDLE_FLAG_INHERIT == 0 {
			continue
		}
		windows.SetHandleInformation(h, windows.HANDLE_FLAG_INHERIT, 0)
		defer windows.SetHandleInformation(h, windows.HANDLE_FLAG_INHERIT, windows.HANDLE_FLAG_INHERIT)
	}
	var pc windows.Handle
	if err := windows.CreatePseudoConsole(windows.Coord{X: 80, Y: 25}, inR, outW, 0, &pc); err != nil {
		windows.CloseHandle(inR)
		windows.CloseHandle(outW)
		windows.CloseHandle(outR)
		t.Skipf("no pseudo console to run the console test in: %v", err)
	}
	windows.CloseHandle(inR)
	windows.CloseHandle(outW)
	var output bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer windows.CloseHandle(outR)
		var b [4096]byte
		for {
			var n uint32
			if windows.ReadFile(outR, b[:], &n, nil) != nil || n == 0 {
				return
			}
			output.Write(b[:n])
		}
	}()

	f, err := os.CreateTemp("", "uvttyresult")
	require.NoError(t, err)
	result := f.Name()
	f.Close()
	defer os.Remove(result)
	attrs, err := windows.NewProcThreadAttributeList(1)
	require.NoError(t, err)
	defer attrs.Delete()
	// The attribute's value is the console handle itself, not a pointer to it.
	ok, _, e := windows.NewLazySystemDLL("kernel32.dll").NewProc("UpdateProcThreadAttribute").Call(
		uintptr(unsafe.Pointer(attrs.List())), 0, windows.PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, uintptr(pc),
		unsafe.Sizeof(pc), 0, 0)
	require.NotZero(t, ok, "UpdateProcThreadAttribute: %v", e)
	si := &windows.StartupInfoEx{ProcThreadAttributeList: attrs.List()}
	si.Cb = uint32(unsafe.Sizeof(*si))
	exe, args, env := childCommand("tty_console", name)
	var block []uint16
	for _, kv := range append(env, ttyResultEnv+"="+result) {
		block = append(block, windows.StringToUTF16(kv)...)
	}
	block = append(block, 0)
	var pi windows.ProcessInformation
	require.NoError(t, windows.CreateProcess(windows.StringToUTF16Ptr(exe), windows.StringToUTF16Ptr(windows.ComposeCommandLine(args)),
		nil, nil, false, windows.EXTENDED_STARTUPINFO_PRESENT|windows.CREATE_UNICODE_ENVIRONMENT, &block[0], nil,
		&si.StartupInfo, &pi))
	windows.CloseHandle(pi.Thread)
	ev, err := windows.WaitForSingleObject(pi.Process, 20000)
	require.NoError(t, err)
	if ev != windows.WAIT_OBJECT_0 {
		windows.TerminateProcess(pi.Process, 1)
	}
	var code uint32
	windows.GetExitCodeProcess(pi.Process, &code)
	windows.CloseHandle(pi.Process)
	windows.ClosePseudoConsole(pc)
	wg.Wait()
	fails, _ := os.ReadFile(result)
	if code != 0 {
		t.Logf("console output: %q", output.String())
	}
	require.Equal(t, uint32(windows.WAIT_OBJECT_0), ev, "the console child hung")
	require.Zero(t, code, "console child: %s", fails)
	return regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]").ReplaceAllString(output.String(), "")
}

// openConsole opens CONIN$ or CONOUT$ as libuv's tests do.
func openConsole(c *consoleT, name string) uv.OSFd {
	h, err := windows.CreateFile(windows.StringToUTF16Ptr(name), windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	require.NoError(c, err, "open %s", name)
	return uv.OSFd(h)
}

// consoleLoop is newLoop for a console child: the loop is checked and closed, with every
// handle left, by the returned function.
func consoleLoop(c *consoleT) (*uv.Loop, func()) {
	l, err := uv.NewLoop()
	require.NoError(c, err)
	// A watchdog, unreferenced: a read that never comes fails the test instead of hanging it.
	tm, err := handles.NewTimer(l)
	require.NoError(c, err)
	require.NoError(c, tm.Start(func(*handles.Timer) {
		c.Errorf("loop still running after 10 s")
		l.Stop()
	}, 10000, 0))
	tm.Unref()
	return l, func() {
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
		_, err := l.Run(uv.RunDefault)
		require.NoError(c, err)
		require.NoError(c, l.Close())
	}
}

// consoleInputMode returns the console input mode of h.
func consoleInputMode(c *consoleT, h uv.OSFd) uint32 {
	var m uint32
	require.NoError(c, windows.GetConsoleMode(windows.Handle(h), &m))
	return m
}

// ttyConsoleBody is libuv's tty on Windows: CONIN$ gives a readable handle, CONOUT$ a
// writable one, the console has a size, and raw mode can be set, left and reset.
func ttyConsoleBody(c *consoleT) {
	l, done := consoleLoop(c)
	in, out := openConsole(c, "CONIN$"), openConsole(c, "CONOUT$")
	defer windows.CloseHandle(windows.Handle(in))
	defer windows.CloseHandle(windows.Handle(out))
	require.Equal(c, uv.UnknownHandle, uv.GuessHandle(uv.OSFd(windows.InvalidHandle)))
	require.Equal(c, uv.TypeTTY, uv.GuessHandle(in))
	require.Equal(c, uv.TypeTTY, uv.GuessHandle(out))

	ttyIn, err := handles.NewTTY(l, in, true)
	require.NoError(c, err)
	require.True(c, ttyIn.IsReadable())
	require.False(c, ttyIn.IsWritable())
	ttyOut, err := handles.NewTTY(l, out, false)
	require.NoError(c, err)
	require.False(c, ttyOut.IsReadable())
	require.True(c, ttyOut.IsWritable())

	width, height, err := ttyOut.WinSize()
	require.NoError(c, err)
	require.Positive(c, width)
	require.Positive(c, height)

	line := consoleInputMode(c, in) & windows.ENABLE_LINE_INPUT
	require.NoError(c, ttyIn.SetMode(handles.TTYModeRaw))
	require.Zero(c, consoleInputMode(c, in)&windows.ENABLE_LINE_INPUT, "raw mode turns line input off")
	require.NoError(c, ttyIn.SetMode(handles.TTYModeNormal))
	require.Equal(c, line, consoleInputMode(c, in)&windows.ENABLE_LINE_INPUT, "normal mode turns it back on")

	require.NoError(c, handles.ResetMode())
	require.NoError(c, handles.ResetMode())
	require.NoError(c, handles.ResetMode())

	require.NoError(c, ttyIn.Close(nil))
	require.NoError(c, ttyOut.Close(nil))
	done()
}

// ttyRawBody is libuv's tty_raw: a read started in normal mode waits for a line; the switch
// to raw mode makes the space typed next arrive on its own.
func ttyRawBody(c *consoleT) {
	l, done := consoleLoop(c)
	in := openConsole(c, "CONIN$")
	defer windows.CloseHandle(windows.Handle(in))
	require.Equal(c, uv.TypeTTY, uv.GuessHandle(in))
	ttyIn, err := handles.NewTTY(l, in, true)
	require.NoError(c, err)
	require.True(c, ttyIn.IsReadable())
	require.False(c, ttyIn.IsWritable())
	reads := 0
	require.NoError(c, ttyIn.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		require.NoError(c, err)
		if len(buf) > 0 {
			require.Equal(c, " ", string(buf))
			reads++
			s.Close(nil)
		}
	}))
	// libuv's Sleep: let the reading goroutine block in its line read.
	time.Sleep(100 * time.Millisecond)
	require.NoError(c, ttyIn.SetMode(handles.TTYModeRaw))
	writeConsoleKey(c, in, ' ', windows.VK_SPACE)
	_, err = l.Run(uv.RunDefault)
	require.NoError(c, err)
	require.Equal(c, 1, reads)
	done()
}

// writeConsoleKey types one key into console input h.
func writeConsoleKey(c *consoleT, h uv.OSFd, char rune, vk uint16) {
	type keyEvent struct { // INPUT_RECORD with a KEY_EVENT_RECORD
		eventType uint16
		_         uint16
		keyDown   int32
		repeat    uint16
		vk        uint16
		scan      uint16
		char      uint16
		ctrl      uint32
	}
	ev := keyEvent{eventType: 1, keyDown: 1, repeat: 1, vk: vk, char: uint16(char)}
	var n uint32
	ok, _, e := windows.NewLazySystemDLL("kernel32.dll").NewProc("WriteConsoleInputW").Call(uintptr(h),
		uintptr(unsafe.Pointer(&ev)), 1, uintptr(unsafe.Pointer(&n)))
	require.NotZero(c, ok, "WriteConsoleInputW: %v", e)
}

// ttyRawCancelBody is libuv's tty_raw_cancel: reading starts in raw mode and stops at once;
// the loop then closes cleanly.
func ttyRawCancelBody(c *consoleT) {
	l, done := consoleLoop(c)
	in := openConsole(c, "CONIN$")
	defer windows.CloseHandle(windows.Handle(in))
	ttyIn, err := handles.NewTTY(l, in, true)
	require.NoError(c, err)
	require.NoError(c, ttyIn.SetMode(handles.TTYModeRaw))
	require.NoError(c, ttyIn.ReadStart(nil, func(*handles.Stream, []byte, error) {
		c.Errorf("nothing was typed")
	}))
	require.NoError(c, ttyIn.ReadStop())
	done()
	require.NoError(c, handles.ResetMode())
}

// ttyEmptyWriteBody is libuv's tty_empty_write: TryWrite of an empty buffer writes 0 bytes.
func ttyEmptyWriteBody(c *consoleT) {
	l, done := consoleLoop(c)
	out := openConsole(c, "CONOUT$")
	defer windows.CloseHandle(windows.Handle(out))
	require.Equal(c, uv.TypeTTY, uv.GuessHandle(out))
	ttyOut, err := handles.NewTTY(l, out, false)
	require.NoError(c, err)
	require.False(c, ttyOut.IsReadable())
	require.True(c, ttyOut.IsWritable())
	var dummy [1]byte
	n, err := ttyOut.TryWrite([][]byte{dummy[:0]})
	require.NoError(c, err)
	require.Zero(c, n)
	done()
}

// ttyLargeWriteBody is libuv's tty_large_write: TryWrite takes 10000 bytes whole.
func ttyLargeWriteBody(c *consoleT) {
	l, done := consoleLoop(c)
	out := openConsole(c, "CONOUT$")
	defer windows.CloseHandle(windows.Handle(out))
	require.Equal(c, uv.TypeTTY, uv.GuessHandle(out))
	ttyOut, err := handles.NewTTY(l, out, false)
	require.NoError(c, err)
	dummy := bytes.Repeat([]byte("."), 10000)
	dummy[len(dummy)-1] = '\n'
	n, err := ttyOut.TryWrite([][]byte{dummy})
	if errors.Is(err, uv.EAGAIN) {
		c.Errorf("TryWrite: EAGAIN")
	}
	require.NoError(c, err)
	require.Equal(c, 10000, n)
	done()
}
