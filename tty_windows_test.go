package uv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// The console tests: what can be checked without a console runs in the test process (under
// Wine it has none); the console itself is tested in a child that gets one, a pseudo console
// this process reads the output of.

func TestTTYWithoutConsole(t *testing.T) {
	f, err := os.CreateTemp("", "uvtty")
	require.NoError(t, err)
	defer os.Remove(f.Name())
	defer f.Close()
	file := OSFd(f.Fd())
	var r, w windows.Handle
	require.NoError(t, windows.CreatePipe(&r, &w, nil, 0))
	defer windows.CloseHandle(r)
	defer windows.CloseHandle(w)
	nul, err := nulHandle(true)
	require.NoError(t, err)
	defer windows.CloseHandle(nul)

	require.False(t, IsTTY(file))
	require.False(t, IsTTY(OSFd(r)))
	require.Equal(t, TypeFile, GuessHandle(file))
	require.Equal(t, TypeNamedPipe, GuessHandle(OSFd(r)))
	require.Equal(t, TypeFile, GuessHandle(OSFd(nul)), "NUL is a character device, not a console")
	require.Equal(t, UnknownHandle, GuessHandle(OSFd(windows.InvalidHandle)))

	_, err = OpenTTY(file)
	require.Error(t, err)
	_, err = OpenTTY(OSFd(r))
	require.Error(t, err)
	_, err = OpenTTY(OSFd(windows.InvalidHandle))
	require.ErrorIs(t, err, EBADF)
	_, _, err = TTYWinSize(file)
	require.Error(t, err)

	var s TTYState
	require.ErrorIs(t, s.SetMode(OSFd(r), TTYModeRaw), EINVAL)
	require.ErrorIs(t, s.SetMode(OSFd(r), TTYMode(7)), EINVAL)
	require.NoError(t, TTYResetMode())

	// A redirected TTY handle gets the bytes as they are.
	n, err := s.Write(OSFd(w), []byte("h\xc3"))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	var buf [8]byte
	var got uint32
	require.NoError(t, windows.ReadFile(r, buf[:], &got, nil))
	require.Equal(t, "h\xc3", string(buf[:got]))
}

// TTYReader reads anything ReadFile can, too: a pipe's data reaches the loop in the pending
// phase, a stopped reader keeps what came meanwhile, and the end is EOF.
func TestTTYReaderPipe(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	var r, w windows.Handle
	require.NoError(t, windows.CreatePipe(&r, &w, nil, 0))
	defer windows.CloseHandle(r)
	var tr TTYReader
	require.NoError(t, tr.Init(l, OSFd(r)))
	var got []byte
	var end error
	var buf [4]byte
	onData := func() {
		for {
			n, err := tr.Read(buf[:])
			got = append(got, buf[:n]...)
			if errors.Is(err, EAGAIN) {
				break
			}
			if err != nil {
				end = err
				tr.Close()
				l.UnregisterRequest()
				return
			}
		}
		if bytes.Equal(got, []byte("hello")) {
			tr.StopRead()
			l.UnregisterRequest()
		}
	}
	l.RegisterRequest() // the reader keeps nothing alive; its handle would
	require.NoError(t, tr.StartRead(onData))
	var n uint32
	require.NoError(t, windows.WriteFile(w, []byte("hello"), &n, nil))
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
	require.Equal(t, "hello", string(got))

	require.NoError(t, windows.WriteFile(w, []byte(" world"), &n, nil))
	require.NoError(t, windows.CloseHandle(w))
	l.RegisterRequest()
	require.NoError(t, tr.StartRead(onData))
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
	require.Equal(t, "hello world", string(got))
	require.ErrorIs(t, end, EOF)
	require.ErrorIs(t, tr.StartRead(onData), EINVAL)
}

// Closing a reader whose goroutine is blocked in a read cancels the read.
func TestTTYReaderCloseCancels(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	var r, w windows.Handle
	require.NoError(t, windows.CreatePipe(&r, &w, nil, 0))
	defer windows.CloseHandle(r)
	defer windows.CloseHandle(w)
	var tr TTYReader
	require.NoError(t, tr.Init(l, OSFd(r)))
	require.NoError(t, tr.StartRead(func() { t.Error("nothing was written") }))
	_, err = l.Run(RunNoWait)
	require.NoError(t, err)
	tr.Close()
	// The goroutine ends: its handle and thread are released.
	for {
		tr.mu.Lock()
		h := tr.h
		tr.mu.Unlock()
		if h == 0 {
			break
		}
		windows.SleepEx(1, false) // nothing to wait on: the goroutine ends on its own
	}
}

// ttyChildEnv names the file a console child writes its failures to.
const ttyChildEnv = "UV_TEST_TTY_RESULT"

// consoleChild runs in a pseudo console: it checks the console calls and prints text for the
// parent to find in the console's output. Failures go to the file ttyChildEnv names.
func consoleChild() int {
	var fails []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			fails = append(fails, fmt.Sprintf(format, args...))
		}
	}
	defer func() {
		os.WriteFile(os.Getenv(ttyChildEnv), []byte(strings.Join(fails, "\n")), 0o644)
	}()
	open := func(name string) windows.Handle {
		h, err := windows.CreateFile(windows.StringToUTF16Ptr(name), windows.GENERIC_READ|windows.GENERIC_WRITE,
			windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
		check(err == nil, "open %s: %v", name, err)
		return h
	}
	in, out := open("CONIN$"), open("CONOUT$")
	if len(fails) > 0 {
		return 1
	}
	check(IsTTY(OSFd(in)) && IsTTY(OSFd(out)), "IsTTY")
	check(GuessHandle(OSFd(in)) == TypeTTY, "guess CONIN$: %v", GuessHandle(OSFd(in)))
	check(GuessHandle(OSFd(out)) == TypeTTY, "guess CONOUT$: %v", GuessHandle(OSFd(out)))
	ti, err := OpenTTY(OSFd(in))
	check(err == nil && ti.Readable && !ti.Writable && ti.Reopened && ti.Fd != OSFd(in), "open input: %+v %v", ti, err)
	to, err := OpenTTY(OSFd(out))
	check(err == nil && !to.Readable && to.Writable && to.BlockingWrites, "open output: %+v %v", to, err)
	w, h, err := TTYWinSize(to.Fd)
	check(err == nil && w == 80 && h == 25, "size %dx%d %v", w, h, err)

	var orig uint32
	check(windows.GetConsoleMode(in, &orig) == nil, "mode")
	var si, so TTYState
	check(errors.Is(so.SetMode(to.Fd, TTYModeRaw), EINVAL), "raw mode of a screen buffer")
	check(errors.Is(si.SetMode(ti.Fd, TTYModeIO), ENOTSUP), "io mode")
	check(si.SetMode(ti.Fd, TTYModeRaw) == nil && si.Mode() == TTYModeRaw, "raw mode")
	var m uint32
	check(windows.GetConsoleMode(in, &m) == nil && m&windows.ENABLE_LINE_INPUT == 0, "raw mode is %#x", m)

	// Written in pieces that split a UTF-8 sequence.
	text := []byte("h\xc3\xa9llo w\xc3\xb6rld\r\n")
	for _, part := range [][]byte{text[:2], text[2:9], text[9:]} {
		n, err := so.Write(to.Fd, part)
		check(err == nil && n == len(part), "write %q: %d %v", part, n, err)
	}

	// Keys typed into the console reach a reader in raw mode.
	l, err := NewLoop()
	check(err == nil, "loop: %v", err)
	var tr TTYReader
	check(tr.Init(l, ti.Fd) == nil, "reader")
	var got []byte
	var buf [16]byte
	check(tr.StartRead(func() {
		for {
			n, err := tr.Read(buf[:])
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		if len(got) >= 3 {
			tr.Close()
			l.UnregisterRequest()
		}
	}) == nil, "start read")
	l.RegisterRequest()
	type keyEvent struct {
		eventType uint16
		_         uint16
		keyDown   int32
		repeat    uint16
		vk        uint16
		scan      uint16
		char      uint16
		ctrl      uint32
	}
	var evs []keyEvent
	for _, c := range "aé!" {
		evs = append(evs, keyEvent{eventType: 1, keyDown: 1, repeat: 1, char: uint16(c)},
			keyEvent{eventType: 1, repeat: 1, char: uint16(c)})
	}
	var n uint32
	r, _, e := modkernel32.NewProc("WriteConsoleInputW").Call(uintptr(in), uintptr(unsafe.Pointer(&evs[0])),
		uintptr(len(evs)), uintptr(unsafe.Pointer(&n)))
	check(r != 0, "WriteConsoleInputW: %v", e)
	_, err = l.Run(RunDefault)
	check(err == nil, "run: %v", err)
	check(string(got) == "a\xc3\xa9!", "read %q", got)
	check(l.Close() == nil, "loop close")

	// Closing a reader blocked in a line-mode console read cancels the read.
	check(si.SetMode(ti.Fd, TTYModeNormal) == nil, "normal mode")
	l, err = NewLoop()
	check(err == nil, "loop: %v", err)
	var tr2 TTYReader
	check(tr2.Init(l, ti.Fd) == nil, "reader")
	check(tr2.StartRead(func() { check(false, "nothing was typed") }) == nil, "start read")
	l.Run(RunNoWait)
	for i := 0; i < 100; i++ { // let the goroutine get into its read
		tr2.mu.Lock()
		t := tr2.thread
		tr2.mu.Unlock()
		if t != 0 {
			break
		}
		windows.SleepEx(1, false)
	}
	windows.SleepEx(20, false)
	tr2.mu.Lock()
	check(tr2.h != 0 && tr2.err == nil && len(tr2.data) == 0, "the reader is not blocked in its read: %v", tr2.err)
	tr2.mu.Unlock()
	tr2.Close()
	ended := false
	for i := 0; i < 2000 && !ended; i++ {
		tr2.mu.Lock()
		ended = tr2.h == 0
		tr2.mu.Unlock()
		windows.SleepEx(1, false)
	}
	check(ended, "the console read was not cancelled")
	check(l.Close() == nil, "loop close")
	check(si.SetMode(ti.Fd, TTYModeRaw) == nil, "raw mode")

	check(TTYResetMode() == nil, "reset")
	check(windows.GetConsoleMode(in, &m) == nil && m == orig, "reset mode %#x, want %#x", m, orig)
	si.Close(ti.Fd)
	windows.CloseHandle(windows.Handle(ti.Fd))
	windows.CloseHandle(windows.Handle(to.Fd))
	if len(fails) > 0 {
		return 1
	}
	return 0
}

// TestTTYConsole runs consoleChild in a pseudo console.
func TestTTYConsole(t *testing.T) {
	var inR, inW, outR, outW windows.Handle
	require.NoError(t, windows.CreatePipe(&inR, &inW, nil, 0))
	require.NoError(t, windows.CreatePipe(&outR, &outW, nil, 0))
	defer windows.CloseHandle(inW)
	// The console host process may inherit this process's inheritable handles: keep it from
	// holding go test's output pipes, which would make go test wait for it after this
	// process has exited.
	getInfo := modkernel32.NewProc("GetHandleInformation")
	for _, n := range []uint32{windows.STD_INPUT_HANDLE, windows.STD_OUTPUT_HANDLE, windows.STD_ERROR_HANDLE} {
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
		t.Skipf("no pseudo console: %v", err)
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
	ok, _, e := modkernel32.NewProc("UpdateProcThreadAttribute").Call(uintptr(unsafe.Pointer(attrs.List())), 0,
		windows.PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, uintptr(pc), unsafe.Sizeof(pc), 0, 0)
	require.NotZero(t, ok, "UpdateProcThreadAttribute: %v", e)
	si := &windows.StartupInfoEx{ProcThreadAttributeList: attrs.List()}
	si.Cb = uint32(unsafe.Sizeof(*si))
	exe, err := os.Executable()
	require.NoError(t, err)
	env := environmentBlock(append(os.Environ(), testChildEnv+"=console", ttyChildEnv+"="+result))
	var pi windows.ProcessInformation
	require.NoError(t, windows.CreateProcess(nil, windows.StringToUTF16Ptr(commandLine([]string{exe}, false)), nil, nil,
		false, windows.EXTENDED_STARTUPINFO_PRESENT|windows.CREATE_UNICODE_ENVIRONMENT, &env[0], nil, &si.StartupInfo, &pi))
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
	require.Equal(t, uint32(windows.WAIT_OBJECT_0), ev, "the console child hung")
	require.Zero(t, code, "console child: %s", fails)
	// The console interleaves its own escape sequences (cursor hiding) between the writes.
	text := regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]").ReplaceAllString(output.String(), "")
	require.Contains(t, text, "h\xc3\xa9llo w\xc3\xb6rld", "the console's output")
}
