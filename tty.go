package uv

// TTYMode is a terminal mode (libuv's uv_tty_mode_t), in libuv's numbering.
type TTYMode int

const (
	// TTYModeNormal is the mode the terminal had before the first switch: line editing,
	// echo and signal keys as the user configured them.
	TTYModeNormal TTYMode = iota
	// TTYModeRaw turns off line editing, echo and signal keys; input arrives byte by byte
	// (libuv's UV_TTY_MODE_RAW). Output still maps "\n" to "\r\n".
	TTYModeRaw
	// TTYModeIO is binary-safe raw mode for I/O through a terminal (libuv's
	// UV_TTY_MODE_IO, cfmakeraw): no input or output processing at all.
	TTYModeIO
	// TTYModeRawVT is raw mode with virtual-terminal input sequences on Windows consoles
	// (libuv's UV_TTY_MODE_RAW_VT); elsewhere it is TTYModeRaw.
	TTYModeRawVT
)

// String returns libuv's name for the mode.
func (m TTYMode) String() string {
	switch m {
	case TTYModeNormal:
		return "normal"
	case TTYModeRaw:
		return "raw"
	case TTYModeIO:
		return "io"
	case TTYModeRawVT:
		return "raw_vt"
	}
	return ""
}

// TTYFd is what OpenTTY decided for a descriptor handed to a TTY handle.
type TTYFd struct {
	// Fd is the descriptor the handle uses: a fresh open of the same terminal when the
	// given one could be reopened, else the given one.
	Fd OSFd
	// Reopened reports that Fd is a new descriptor the handle owns (the caller's descriptor
	// now refers to the reopened terminal too, and stays the caller's to close).
	Reopened bool
	// Readable and Writable follow the descriptor's access mode.
	Readable, Writable bool
	// BlockingWrites is set when a writable terminal could not be reopened: it is shared
	// with whoever else holds it, so it stays in blocking mode and writes block (libuv's
	// UV_HANDLE_BLOCKING_WRITES).
	BlockingWrites bool
}
