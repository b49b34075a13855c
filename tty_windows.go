package uv

import (
	"runtime"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/sys/windows"
)

// Console support for TTY handles (libuv's src/win/tty.c): a TTY handle on Windows is a
// console handle, the input buffer (readable) or a screen buffer (writable). Modes are console
// input modes, the size is the screen buffer's width by its window's height, writes convert
// UTF-8 to UTF-16 for WriteConsoleW, and reads run on a goroutine (TTYReader, ttyread_windows.go),
// since a console cannot be read with overlapped I/O. libuv's own emulation of ANSI escape
// sequences and of VT input for function keys is not done: consoles that support virtual
// terminal sequences (Windows 10 and later, Wine) are switched to process them themselves.

// TTYState is the console state one TTY handle keeps: its current mode, and what it needs to
// write UTF-8 to the console. The zero value is normal mode. For handle implementations.
type TTYState struct {
	mode TTYMode
	// partial holds the start of a UTF-8 sequence the last Write ended in the middle of.
	partial  [utf8.UTFMax]byte
	npartial int
}

// The first console input switched out of normal mode records its mode here, for
// TTYResetMode (which may run on any goroutine). lock guards h and mode.
var ttySaved struct {
	lock atomic.Bool
	h    windows.Handle // 0: nothing saved
	mode uint32
}

func ttyLock() {
	for !ttySaved.lock.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
}

func ttyUnlock() { ttySaved.lock.Store(false) }

// consoleInput reports whether h is a console input buffer.
func consoleInput(h windows.Handle) bool {
	var n uint32
	return windows.GetNumberOfConsoleInputEvents(h, &n) == nil
}

// IsTTY reports whether fd is a console handle.
func IsTTY(fd OSFd) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(fd), &mode) == nil
}

// GuessHandle reports which handle type suits fd (libuv's uv_guess_handle): TypeTTY for a
// console, TypeFile for disk files and other character devices, TypeNamedPipe for pipes
// (sockets, which GetFileType reports as pipes, too, as in libuv), UnknownHandle otherwise.
func GuessHandle(fd OSFd) HandleType {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return UnknownHandle
	}
	t, err := windows.GetFileType(h)
	if err != nil && t == windows.FILE_TYPE_UNKNOWN {
		return UnknownHandle
	}
	switch t {
	case windows.FILE_TYPE_CHAR:
		if IsTTY(fd) {
			return TypeTTY
		}
		return TypeFile
	case windows.FILE_TYPE_DISK:
		return TypeFile
	case windows.FILE_TYPE_PIPE:
		return TypeNamedPipe
	}
	return UnknownHandle
}

// OpenTTY prepares console handle fd for a TTY handle as libuv's uv_tty_init does on
// Windows: the handle gets a duplicate of fd of its own (Reopened), so that closing it leaves
// fd, which stays the caller's, open. A console input buffer is readable, a screen buffer
// writable; a screen buffer is switched to process virtual-terminal sequences where the
// console can. Anything but a console fails with the error of the console call (EBADF for
// files and pipes); an invalid handle gives EBADF. Writes to a console are synchronous
// (BlockingWrites).
func OpenTTY(fd OSFd) (TTYFd, error) {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return TTYFd{}, EBADF
	}
	readable := consoleInput(h)
	if !readable {
		var info windows.ConsoleScreenBufferInfo
		if err := windows.GetConsoleScreenBufferInfo(h, &info); err != nil {
			return TTYFd{}, TranslateSysError(err)
		}
	}
	cur := windows.CurrentProcess()
	var dup windows.Handle
	if err := windows.DuplicateHandle(cur, h, cur, &dup, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return TTYFd{}, TranslateSysError(err)
	}
	if !readable {
		var mode uint32
		if windows.GetConsoleMode(dup, &mode) == nil && mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING == 0 {
			windows.SetConsoleMode(dup, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING)
		}
	}
	return TTYFd{Fd: OSFd(dup), Reopened: true, Readable: readable, Writable: !readable,
		BlockingWrites: !readable}, nil
}

// SetMode switches console input fd to mode (libuv's uv_tty_set_mode on Windows): normal is
// line input with echo and Ctrl+C processing, raw gives each key as it is typed, raw VT also
// asks the console for virtual-terminal sequences for special keys (falling back to raw where
// it has none). TTYModeIO gives ENOTSUP and a screen buffer EINVAL, as in libuv. The first
// switch out of normal mode in the process records the console's input mode for
// TTYResetMode. A TTY handle's read in progress starts again in the new mode.
func (s *TTYState) SetMode(fd OSFd, mode TTYMode) error {
	if mode < TTYModeNormal || mode > TTYModeRawVT {
		return EINVAL
	}
	h := windows.Handle(fd)
	if !consoleInput(h) {
		return EINVAL
	}
	if s.mode == mode {
		return nil
	}
	var flags, try uint32
	switch mode {
	case TTYModeNormal:
		flags = windows.ENABLE_ECHO_INPUT | windows.ENABLE_LINE_INPUT | windows.ENABLE_PROCESSED_INPUT
	case TTYModeRawVT:
		try = windows.ENABLE_VIRTUAL_TERMINAL_INPUT
		flags = windows.ENABLE_WINDOW_INPUT
	case TTYModeRaw:
		flags = windows.ENABLE_WINDOW_INPUT
	case TTYModeIO:
		return ENOTSUP
	}
	if mode != TTYModeNormal {
		var orig uint32
		if err := windows.GetConsoleMode(h, &orig); err != nil {
			return TranslateSysError(err)
		}
		ttyLock()
		if ttySaved.h == 0 {
			ttySaved.h, ttySaved.mode = h, orig
		}
		ttyUnlock()
	}
	// A TTY handle's read that waits in the old mode is ended first and starts again in the
	// new one, as libuv stops and restarts reading around the change.
	if r := consoleReader(h); r != nil {
		r.hold()
		defer r.release()
	}
	if err := windows.SetConsoleMode(h, flags|try); err != nil {
		if try == 0 {
			return TranslateSysError(err)
		}
		if err := windows.SetConsoleMode(h, flags); err != nil {
			return TranslateSysError(err)
		}
	}
	s.mode = mode
	return nil
}

// Mode returns the mode last set.
func (s *TTYState) Mode() TTYMode { return s.mode }

// Reset forgets the state, for a handle being initialised again.
func (s *TTYState) Reset() { *s = TTYState{} }

// Close is the TTY handle's close hook, run before its handle closes: if it is the console
// input whose mode TTYResetMode would restore, the mode is restored now and forgotten.
func (s *TTYState) Close(fd OSFd) {
	h := windows.Handle(fd)
	if h == 0 || h == windows.InvalidHandle {
		return
	}
	ttyLock()
	if ttySaved.h == h {
		windows.SetConsoleMode(h, ttySaved.mode)
		ttySaved.h = 0
	}
	ttyUnlock()
}

// TTYResetMode restores the input mode of the first console any TTY handle switched out of
// normal mode (libuv's uv_tty_reset_mode: shells restore output modes after a program, not
// always input modes). It may be called from any goroutine; EBUSY if a mode change or a TTY
// close is under way on another goroutine at that moment, nil if nothing was switched.
func TTYResetMode() error {
	if ttySaved.lock.Swap(true) {
		return EBUSY
	}
	var err error
	if ttySaved.h != 0 {
		err = TranslateSysError(windows.SetConsoleMode(ttySaved.h, ttySaved.mode))
	}
	ttyUnlock()
	return err
}

// TTYWinSize returns the console's size in character cells as libuv reports it: the screen
// buffer's width and its visible window's height.
func TTYWinSize(fd OSFd) (width, height int, err error) {
	var info windows.ConsoleScreenBufferInfo
	if err := windows.GetConsoleScreenBufferInfo(windows.Handle(fd), &info); err != nil {
		return 0, 0, TranslateSysError(err)
	}
	return int(info.Size.X), int(info.Window.Bottom-info.Window.Top) + 1, nil
}

// ttyWriteChunk is how many UTF-16 units one WriteConsoleW writes at most (libuv's buffer).
const ttyWriteChunk = 8192

// Write writes b to fd synchronously and returns how much of b it consumed (all of it
// unless it fails). To a console, UTF-8 is converted to UTF-16 for WriteConsoleW; a sequence
// cut at the end of b is completed by the next Write, and invalid bytes become U+FFFD. To
// anything else (a TTY handle whose output is redirected) the bytes go as they are.
func (s *TTYState) Write(fd OSFd, b []byte) (int, error) {
	h := windows.Handle(fd)
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return ttyWriteFile(h, b)
	}
	buf := make([]uint16, 0, min(len(b)+2, ttyWriteChunk+2))
	flush := func() error {
		for len(buf) > 0 {
			var n uint32
			if err := windows.WriteConsole(h, &buf[0], uint32(len(buf)), &n, nil); err != nil {
				return TranslateSysError(err)
			}
			buf = buf[n:]
		}
		buf = buf[:0]
		return nil
	}
	in := b
	if s.npartial > 0 {
		// Complete the sequence the last write ended in.
		var tmp [utf8.UTFMax]byte
		n := copy(tmp[:], s.partial[:s.npartial])
		n += copy(tmp[n:utf8Len(tmp[0])], in)
		if !utf8.FullRune(tmp[:n]) {
			s.npartial = copy(s.partial[:], tmp[:n])
			return len(b), nil
		}
		r, size := utf8.DecodeRune(tmp[:n])
		if r == utf8.RuneError && size <= 1 {
			// Not completed after all: one replacement for it, and the bytes after it are
			// taken as they come.
			buf = append(buf, uint16(utf8.RuneError))
		} else {
			buf = utf16.AppendRune(buf, r)
			in = in[size-s.npartial:]
		}
		s.npartial = 0
	}
	for len(in) > 0 {
		r, size := utf8.DecodeRune(in)
		if r == utf8.RuneError && size <= 1 && !utf8.FullRune(in) {
			// The rest is the start of a sequence: keep it for the next write.
			s.npartial = copy(s.partial[:], in)
			break
		}
		buf = utf16.AppendRune(buf, r)
		in = in[size:]
		if len(buf) >= ttyWriteChunk {
			if err := flush(); err != nil {
				return len(b) - len(in), err
			}
		}
	}
	if err := flush(); err != nil {
		return len(b) - len(in), err
	}
	return len(b), nil
}

// utf8Len is the length of the UTF-8 sequence that starts with c (1 for an invalid start).
func utf8Len(c byte) int {
	switch {
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 3
	case c&0xF8 == 0xF0:
		return 4
	}
	return 1
}

// ttyWriteFile writes all of b to a handle opened for synchronous I/O.
func ttyWriteFile(h windows.Handle, b []byte) (int, error) {
	done := 0
	for done < len(b) {
		var n uint32
		if err := windows.WriteFile(h, b[done:], &n, nil); err != nil {
			return done, TranslateSysError(err)
		}
		done += int(n)
	}
	return done, nil
}
