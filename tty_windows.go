package uv

import "golang.org/x/sys/windows"

// Windows consoles are not terminals with termios: their TTY handles come with the IOCP
// backend. Until then the mode and size calls return ENOSYS.

// TTYState is the terminal state one TTY handle keeps. For handle implementations.
type TTYState struct {
	mode TTYMode
}

// IsTTY reports whether fd is a console handle.
func IsTTY(fd OSFd) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(fd), &mode) == nil
}

// GuessHandle reports which handle type suits fd (libuv's uv_guess_handle): TypeTTY for a
// console, TypeFile for disk files and other character devices, TypeNamedPipe for pipes,
// UnknownHandle otherwise. Sockets are not told apart yet.
func GuessHandle(fd OSFd) HandleType {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return UnknownHandle
	}
	if IsTTY(fd) {
		return TypeTTY
	}
	t, err := windows.GetFileType(h)
	if err != nil {
		return UnknownHandle
	}
	switch t {
	case windows.FILE_TYPE_DISK, windows.FILE_TYPE_CHAR:
		return TypeFile
	case windows.FILE_TYPE_PIPE:
		return TypeNamedPipe
	}
	return UnknownHandle
}

// OpenTTY returns ENOSYS until the IOCP backend exists.
func OpenTTY(fd OSFd) (TTYFd, error) { return TTYFd{}, ENOSYS }

// SetMode returns ENOSYS until the IOCP backend exists.
func (s *TTYState) SetMode(fd OSFd, mode TTYMode) error {
	if mode < TTYModeNormal || mode > TTYModeRawVT {
		return EINVAL
	}
	return ENOSYS
}

// Mode returns the mode last set.
func (s *TTYState) Mode() TTYMode { return s.mode }

// Reset forgets the state, for a handle being initialised again.
func (s *TTYState) Reset() { *s = TTYState{} }

// Close is the TTY handle's close hook; nothing to restore yet.
func (s *TTYState) Close(fd OSFd) {}

// TTYResetMode has nothing to restore on Windows (as in libuv): it returns nil.
func TTYResetMode() error { return nil }

// TTYWinSize returns ENOSYS until the IOCP backend exists.
func TTYWinSize(fd OSFd) (width, height int, err error) { return 0, 0, ENOSYS }
