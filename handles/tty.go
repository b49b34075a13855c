package handles

import (
	uv "github.com/uv-go/uv"
)

// TTYMode is a terminal mode (libuv's uv_tty_mode_t).
type TTYMode = uv.TTYMode

// Terminal modes, as libuv's UV_TTY_MODE_*.
const (
	TTYModeNormal = uv.TTYModeNormal
	TTYModeRaw    = uv.TTYModeRaw
	TTYModeIO     = uv.TTYModeIO
	TTYModeRawVT  = uv.TTYModeRawVT
)

// VTermState says whether the console interprets virtual-terminal sequences itself (libuv's
// uv_tty_vtermstate_t; it matters only for Windows consoles).
type VTermState int

// Console virtual-terminal states.
const (
	VTermStateSupported VTermState = iota
	VTermStateUnsupported
)

// TTY is a terminal stream (libuv's uv_tty_t): reads and writes go through the Stream code,
// so everything said there holds, plus terminal modes and the window size.
type TTY struct {
	Stream
	state    uv.TTYState
	blocking bool
}

// NewTTY creates a TTY handle on fd (libuv's uv_tty_init). readable is ignored, as in libuv
// (it is a deprecated parameter there): whether the handle reads and writes follows the
// descriptor's access mode.
func NewTTY(l *uv.Loop, fd uv.OSFd, readable bool) (*TTY, error) {
	t := new(TTY)
	if err := t.Init(l, fd, readable); err != nil {
		return nil, err
	}
	return t, nil
}

// Init initialises a declared TTY handle on fd (libuv's uv_tty_init). Regular files, other
// character devices (/dev/null, /dev/zero) and invalid descriptors give EINVAL; pipes and
// sockets are accepted. A terminal that can be reopened by its path (a real terminal or the
// slave side of a pseudo-terminal) is: the handle then owns a descriptor of its own that it
// makes non-blocking, and fd, which now refers to the reopened terminal too, stays the
// caller's. Otherwise (a pty master) the handle takes fd itself, keeps it in blocking mode so
// other holders of the same open file see no change, and its writes block (BlockingWrites).
// A handle that is initialised and not closed gives EINVAL.
func (t *TTY) Init(l *uv.Loop, fd uv.OSFd, readable bool) error {
	if l == nil || l.Closed() {
		return uv.EINVAL
	}
	if t.Loop() != nil && !t.IsClosed() {
		return uv.EINVAL
	}
	info, err := uv.OpenTTY(fd)
	if err != nil {
		return err
	}
	if err := t.sock.Init(l, uv.OSSock(info.Fd), uv.SockStream, false); err != nil {
		if info.Reopened {
			uv.CloseSocket(uv.OSSock(info.Fd))
		}
		return err
	}
	if err := t.initStream(l, uv.TypeTTY, t, &ttyHooks); err != nil {
		return err
	}
	t.state.Reset()
	t.blocking = false
	if info.Readable {
		t.flags |= streamReadable
	}
	if info.Writable {
		t.flags |= streamWritable
	}
	if info.BlockingWrites {
		if err := t.SetBlocking(true); err != nil {
			t.Close(nil)
			return err
		}
	}
	return nil
}

// closeTTY is the TTY's close hook: give back the terminal's saved mode if this handle's terminal
// holds it (libuv's uv__tty_close), then close as any stream.
func (t *TTY) closeTTY() {
	t.state.Close(t.sock.Fd())
	t.closeStream()
}

// SetMode switches the terminal to mode (libuv's uv_tty_set_mode). On unix TTYModeRawVT is
// TTYModeRaw. The first switch out of normal mode records the terminal's attributes: the
// way back to TTYModeNormal, and what ResetMode restores. EINVAL for an unknown mode; EBADF
// once closing.
func (t *TTY) SetMode(mode TTYMode) error {
	if mode < TTYModeNormal || mode > TTYModeRawVT {
		return uv.EINVAL
	}
	fd, err := t.Fileno()
	if err != nil {
		return err
	}
	return t.state.SetMode(fd, mode)
}

// Mode returns the mode last set (TTYModeRaw after a switch to TTYModeRawVT on unix).
func (t *TTY) Mode() TTYMode { return t.state.Mode() }

// WinSize returns the terminal's width and height in character cells (libuv's
// uv_tty_get_winsize). A pseudo-terminal whose size was never set reports 0 x 0.
func (t *TTY) WinSize() (width, height int, err error) {
	fd, err := t.Fileno()
	if err != nil {
		return 0, 0, err
	}
	return uv.TTYWinSize(fd)
}

// BlockingWrites reports whether writes to the terminal block until written (libuv's
// UV_HANDLE_BLOCKING_WRITES): set by Init when the terminal could not be reopened, and by
// SetBlocking.
func (t *TTY) BlockingWrites() bool { return t.blocking }

// SetBlocking makes writes block (true) or not (libuv's uv_stream_set_blocking).
func (t *TTY) SetBlocking(blocking bool) error {
	if err := t.Stream.SetBlocking(blocking); err != nil {
		return err
	}
	t.blocking = blocking
	return nil
}

// ResetMode restores the attributes of the first terminal any TTY handle switched out of
// normal mode (libuv's uv_tty_reset_mode): call it before exiting, or from the goroutine
// that handles a fatal signal. It may be called from any goroutine. It returns EBUSY if a
// mode change or a TTY close is under way on another goroutine at that moment (try again),
// and nil when no terminal left normal mode.
func ResetMode() error { return uv.TTYResetMode() }

// SetVTermState tells libuv whether the Windows console handles virtual-terminal sequences
// itself (libuv's uv_tty_set_vterm_state). It does nothing on other systems, as in libuv,
// and nothing yet on Windows.
func SetVTermState(state VTermState) {}

// GetVTermState returns the console's virtual-terminal state (libuv's
// uv_tty_get_vterm_state): ENOTSUP except on Windows consoles, as in libuv; uv-go leaves
// virtual-terminal processing to the console and does not track it, so ENOTSUP everywhere.
func GetVTermState() (VTermState, error) { return VTermStateUnsupported, uv.ENOTSUP }
