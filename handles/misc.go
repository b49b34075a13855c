package handles

import uv "github.com/uv-go/uv"

// libuv's calls on any handle (uv_fileno) and the socket buffer sizes of UDP handles
// (uv_send_buffer_size, uv_recv_buffer_size; streams have theirs in tcp.go).

// filenoer is a handle type with a descriptor: TCP, Pipe and TTY (through Stream), UDP and
// Poll.
type filenoer interface {
	Fileno() (uv.OSFd, error)
}

// Fileno returns the descriptor of any handle (libuv's uv_fileno): EBADF if it has none yet
// or is closing, EINVAL for a handle type that has none (timers, idle, async, ...).
func Fileno(h *uv.Handle) (uv.OSFd, error) {
	if h == nil {
		return uv.OSFd(uv.InvalidSock), uv.EINVAL
	}
	f, ok := h.Owner().(filenoer)
	if !ok {
		return uv.OSFd(uv.InvalidSock), uv.EINVAL
	}
	return f.Fileno()
}

// Fileno returns the descriptor the handle polls (libuv's uv_fileno); EBADF once it is
// closing.
func (p *Poll) Fileno() (uv.OSFd, error) {
	if p.Loop() == nil || p.IsClosing() {
		return uv.OSFd(uv.InvalidSock), uv.EBADF
	}
	return uv.OSFd(p.w.Fd()), nil
}

// SendBufferSize returns the socket's send buffer size (libuv's uv_send_buffer_size with 0);
// EBADF before the socket exists.
func (u *UDP) SendBufferSize() (int, error) { return bufferSize(u.hasSock(), &u.sock, true) }

// RecvBufferSize returns the socket's receive buffer size; EBADF before the socket exists.
func (u *UDP) RecvBufferSize() (int, error) { return bufferSize(u.hasSock(), &u.sock, false) }

// SetSendBufferSize sets the socket's send buffer size (libuv's uv_send_buffer_size with a
// value; Linux doubles what it is given). EINVAL for n <= 0.
func (u *UDP) SetSendBufferSize(n int) error { return setBufferSize(u.hasSock(), &u.sock, true, n) }

// SetRecvBufferSize sets the socket's receive buffer size. EINVAL for n <= 0.
func (u *UDP) SetRecvBufferSize(n int) error { return setBufferSize(u.hasSock(), &u.sock, false, n) }

// bufferSize and setBufferSize are the buffer-size calls of streams and UDP handles: EBADF
// while the handle has no socket.
func bufferSize(has bool, s *uv.Sock, send bool) (int, error) {
	switch {
	case !has:
		return 0, uv.EBADF
	case send:
		return s.SendBufferSize()
	}
	return s.RecvBufferSize()
}

func setBufferSize(has bool, s *uv.Sock, send bool, n int) error {
	switch {
	case !has:
		return uv.EBADF
	case n <= 0:
		return uv.EINVAL
	case send:
		return s.SetSendBufferSize(n)
	}
	return s.SetRecvBufferSize(n)
}

// IDNAToASCII converts a host name to the ASCII form GetAddrInfo resolves it under, as
// libuv's getaddrinfo converts it (uv__idna_toascii): each label (separated by "." or the
// ideographic and full-width full stops, which become ".") that holds a non-ASCII character
// becomes "xn--" and its Punycode (RFC 3492); ASCII labels, and their case, are kept. Like
// libuv it does no further IDNA mapping or validation. EINVAL for an empty name, invalid
// UTF-8 or a result longer than 255 bytes.
func IDNAToASCII(name string) (string, error) {
	if name == "" {
		return "", uv.EINVAL
	}
	return idnaToASCII(name)
}
