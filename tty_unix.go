//go:build unix

package uv

import (
	"runtime"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Terminal support for TTY handles (libuv's src/unix/tty.c): the reopen rule of uv_tty_init,
// termios modes, the window size, and the process-wide saved mode behind uv_tty_reset_mode.

// TTYState is the terminal state one TTY handle keeps: its current mode and the attributes
// the terminal had before the handle first left normal mode (libuv's tty->mode and
// tty->orig_termios). The zero value is normal mode. For handle implementations.
type TTYState struct {
	mode TTYMode
	orig unix.Termios
}

// The first handle to leave normal mode records the terminal's attributes here, for
// TTYResetMode (which may run on any goroutine, for example one handling a fatal signal).
// lock guards fd and tio: the mode setters wait for it, TTYResetMode does not.
var ttySaved struct {
	lock atomic.Bool
	fd   int // -1: nothing saved
	tio  unix.Termios
}

func init() { ttySaved.fd = -1 }

func ttyLock() {
	for !ttySaved.lock.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
}

func ttyUnlock() { ttySaved.lock.Store(false) }

func tcgetattr(fd int) (*unix.Termios, error) {
	for {
		t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, TranslateSysError(err)
		}
		return t, nil
	}
}

// tcsetattr applies t at once (TCSANOW).
func tcsetattr(fd int, t *unix.Termios) error {
	for {
		err := unix.IoctlSetTermios(fd, ioctlSetTermios, t)
		if err != unix.EINTR {
			return TranslateSysError(err)
		}
	}
}

// IsTTY reports whether fd refers to a terminal (isatty).
func IsTTY(fd OSFd) bool {
	if fd < 0 {
		return false
	}
	_, err := tcgetattr(fd)
	return err == nil
}

// GuessHandle reports which handle type suits fd (libuv's uv_guess_handle): TypeTTY for a
// terminal, TypeFile for regular files and other character devices, TypeNamedPipe for FIFOs
// and unix-domain stream sockets, TypeTCP and TypeUDP for IP sockets, UnknownHandle for
// anything else and for invalid descriptors.
func GuessHandle(fd OSFd) HandleType {
	if fd < 0 {
		return UnknownHandle
	}
	if IsTTY(fd) {
		return TypeTTY
	}
	var st unix.Stat_t
	if err := fstat(fd, &st); err != nil {
		return UnknownHandle
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFCHR:
		return TypeFile
	case unix.S_IFIFO:
		return TypeNamedPipe
	case unix.S_IFSOCK:
	default:
		return UnknownHandle
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return UnknownHandle
	}
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return UnknownHandle
	}
	switch sa.(type) {
	case *unix.SockaddrInet4, *unix.SockaddrInet6:
		switch typ {
		case unix.SOCK_DGRAM:
			return TypeUDP
		case unix.SOCK_STREAM:
			return TypeTCP
		}
	case *unix.SockaddrUnix:
		if typ == unix.SOCK_STREAM {
			return TypeNamedPipe
		}
	}
	return UnknownHandle
}

func fstat(fd int, st *unix.Stat_t) error {
	for {
		err := unix.Fstat(fd, st)
		if err != unix.EINTR {
			return err
		}
	}
}

// OpenTTY prepares fd for a TTY handle as libuv's uv_tty_init does. Regular files, other
// character devices and invalid descriptors give EINVAL. A terminal that is the slave side
// of a pseudo-terminal (or a real terminal) is opened again by its path and the new open
// file is duplicated onto fd, so the handle can make its own descriptor non-blocking without
// changing the mode of the file other processes share (`node | cat`: fd 0 of one process and
// fd 1 of the other are one open file). A pty master is never reopened (that would allocate
// a new pair), nor a terminal whose path cannot be found: those keep fd and get blocking
// writes. The handle then owns Fd, which is a new descriptor if Reopened.
func OpenTTY(fd OSFd) (TTYFd, error) {
	typ := GuessHandle(fd)
	if typ == TypeFile || typ == UnknownHandle {
		return TTYFd{}, EINVAL
	}
	var mode int
	for {
		fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return TTYFd{}, TranslateSysError(err)
		}
		mode = fl & unix.O_ACCMODE
		break
	}
	r := TTYFd{Fd: fd, Readable: mode != unix.O_WRONLY, Writable: mode != unix.O_RDONLY}
	if typ != TypeTTY { // a pipe or socket is used as it is
		return r, nil
	}
	newfd := -1
	if ttyIsSlave(fd) {
		if path, ok := ttyName(fd); ok {
			if nfd, err := openNoCTTY(path, mode); err == nil {
				newfd = nfd
			}
		}
	}
	if newfd < 0 {
		r.BlockingWrites = r.Writable
		return r, nil
	}
	// fd now refers to the reopened terminal too (EINVAL: newfd == fd, because another
	// goroutine closed fd and the number came back; then there is nothing to duplicate).
	if err := dup2Cloexec(newfd, fd); err != nil && err != unix.EINVAL {
		unix.Close(newfd)
		return TTYFd{}, TranslateSysError(err)
	}
	r.Fd, r.Reopened = newfd, true
	return r, nil
}

func openNoCTTY(path string, mode int) (int, error) {
	for {
		fd, err := unix.Open(path, mode|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// ttyNameScan finds the device node of terminal fd in /dev/pts or /dev (the classic
// ttyname search): the first character device with the same device number.
func ttyNameScan(fd int) (string, bool) {
	var st unix.Stat_t
	if fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return "", false
	}
	for _, dir := range [...]string{"/dev/pts/", "/dev/"} {
		if name, ok := scanDir(dir, &st); ok {
			return name, true
		}
	}
	return "", false
}

func scanDir(dir string, want *unix.Stat_t) (string, bool) {
	d, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", false
	}
	defer unix.Close(d)
	buf := make([]byte, 8192)
	var names []string
	for {
		n, err := unix.ReadDirent(d, buf)
		if err != nil || n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	for _, name := range names {
		p := dir + name
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == want.Rdev {
			return p, true
		}
	}
	return "", false
}

// SetMode switches the terminal fd to mode (libuv's uv_tty_set_mode). TTYModeRawVT is
// TTYModeRaw here. Leaving normal mode records the terminal's attributes, for the way back
// and, the first time in the process, for TTYResetMode. Modes other than the four give
// EINVAL; a descriptor that is not a terminal gives ENOTTY (EBADF once closed).
func (s *TTYState) SetMode(fd OSFd, mode TTYMode) error {
	if mode < TTYModeNormal || mode > TTYModeRawVT {
		return EINVAL
	}
	if mode == TTYModeRawVT {
		mode = TTYModeRaw
	}
	if s.mode == mode {
		return nil
	}
	if s.mode == TTYModeNormal {
		t, err := tcgetattr(fd)
		if err != nil {
			return err
		}
		s.orig = *t
		ttyLock()
		if ttySaved.fd == -1 {
			ttySaved.tio, ttySaved.fd = *t, fd
		}
		ttyUnlock()
	}
	t := s.orig
	switch mode {
	case TTYModeRaw:
		t.Iflag &^= unix.BRKINT | unix.ICRNL | unix.INPCK | unix.ISTRIP | unix.IXON
		t.Oflag |= unix.ONLCR
		t.Cflag |= unix.CS8
		t.Lflag &^= unix.ECHO | unix.ICANON | unix.IEXTEN | unix.ISIG
		t.Cc[unix.VMIN] = 1
		t.Cc[unix.VTIME] = 0
	case TTYModeIO:
		makeRaw(&t)
	}
	if err := tcsetattr(fd, &t); err != nil {
		return err
	}
	s.mode = mode
	return nil
}

// Mode returns the mode last set.
func (s *TTYState) Mode() TTYMode { return s.mode }

// Reset forgets the state, for a handle being initialised again.
func (s *TTYState) Reset() { *s = TTYState{} }

// Close is the TTY handle's close hook, run before its descriptor closes: if fd is the
// terminal whose attributes TTYResetMode would restore, they are restored now and forgotten
// (libuv's uv__tty_close).
func (s *TTYState) Close(fd OSFd) {
	if fd < 0 {
		return
	}
	ttyLock()
	if ttySaved.fd == fd {
		tcsetattr(fd, &ttySaved.tio)
		ttySaved.fd = -1
	}
	ttyUnlock()
}

// TTYResetMode restores the attributes the first terminal switched out of normal mode had
// (libuv's uv_tty_reset_mode), typically at exit or from a fatal signal's handler. It may be
// called from any goroutine. It returns EBUSY if a mode change or a TTY close is under way
// on another goroutine at that moment, and nil if no terminal left normal mode.
func TTYResetMode() error {
	if ttySaved.lock.Swap(true) {
		return EBUSY
	}
	var err error
	if ttySaved.fd != -1 {
		err = tcsetattr(ttySaved.fd, &ttySaved.tio)
	}
	ttyUnlock()
	return err
}

// TTYWinSize returns the terminal's width and height in character cells (TIOCGWINSZ).
func TTYWinSize(fd OSFd) (width, height int, err error) {
	for {
		ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, 0, TranslateSysError(err)
		}
		return int(ws.Col), int(ws.Row), nil
	}
}
