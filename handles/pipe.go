package handles

import (
	"os"
	"strings"

	uv "github.com/uv-go/uv"
)

// Pipe flags for Bind2 and Connect2 (libuv's uv_pipe_flags).
const (
	// PipeNoTruncate makes a name longer than a socket address holds an error (EINVAL)
	// instead of truncating it.
	PipeNoTruncate = 1
)

// NonblockPipe, in the flags of PipePair, makes that end non-blocking (libuv's
// UV_NONBLOCK_PIPE).
const NonblockPipe = uv.NonblockPipe

// Pipe is a local stream (libuv's uv_pipe_t): a unix domain socket, named by a file-system
// path or, on Linux, by an abstract name that starts with a NUL byte; or any stream
// descriptor adopted with Open, such as an end of PipePair. On Windows it is a named pipe,
// \\.\pipe\name (pipe_windows.go). An IPC pipe (ipc true at Init) also carries handles:
// Write2 sends a TCP or pipe stream with the data, and the receiver finds it with PendingCount
// and PendingType and takes it with Accept (on Windows, as in libuv, only TCP handles travel:
// ENOTSUP for a pipe).
type Pipe struct {
	Stream
	ipc   bool
	fname string // the bound path, removed on close; "" for abstract names
	pipeOS
}

// NewPipe creates a pipe handle; ipc makes it an IPC pipe.
func NewPipe(l *uv.Loop, ipc bool) (*Pipe, error) {
	p := new(Pipe)
	if err := p.Init(l, ipc); err != nil {
		return nil, err
	}
	return p, nil
}

// Init initialises a declared pipe handle (libuv's uv_pipe_init).
func (p *Pipe) Init(l *uv.Loop, ipc bool) error {
	if err := p.initStream(l, uv.TypeNamedPipe, p, &pipeHooks); err != nil {
		return err
	}
	p.ipc, p.fname = ipc, ""
	return nil
}

// closePipe is the pipe's close hook: the bound path is removed before the socket is closed, so
// that a socket another process binds to the same path meanwhile is not the one removed.
func (p *Pipe) closePipe() {
	if p.fname != "" {
		os.Remove(p.fname)
		p.fname = ""
	}
	p.closeStream()
}

// IPC reports whether the pipe passes handles.
func (p *Pipe) IPC() bool { return p.ipc }

// Open adopts an open descriptor: a socket or a pipe end (libuv's uv_pipe_open). It is
// readable and writable as the descriptor's access mode allows, and made non-blocking.
// EEXIST if the loop already watches fd, EBUSY if the pipe has a descriptor, EBADF if fd is
// not open. On Windows, 0, 1 and 2 name the standard input, output and error handles, as the
// C runtime's descriptors do for libuv there.
func (p *Pipe) Open(fd uv.OSFd) error {
	if p.Loop() == nil || p.IsClosing() {
		return uv.EINVAL
	}
	if p.hasSock() {
		return uv.EBUSY
	}
	fd = uv.StdioHandle(fd)
	r, w, err := uv.FdAccess(fd)
	if err != nil {
		return err
	}
	var flags uint8
	if r {
		flags |= streamReadable
	}
	if w {
		flags |= streamWritable
	}
	return p.openSock(uv.OSSock(fd), p.ipc, flags)
}

// checkName applies libuv's name rules: no NUL byte in a path, an empty name only where
// it autobinds (bind on Linux), and names longer than uv.MaxPipeName truncated, or refused
// with PipeNoTruncate.
func checkName(name string, flags int, bind bool) (string, error) {
	if flags&^PipeNoTruncate != 0 {
		return "", uv.EINVAL
	}
	if name == "" && !(bind && uv.AbstractPipeNames) {
		return "", uv.EINVAL
	}
	if name != "" && !(name[0] == 0 && uv.AbstractPipeNames) && strings.IndexByte(name, 0) >= 0 {
		return "", uv.EINVAL
	}
	if len(name) > uv.MaxPipeName {
		if flags&PipeNoTruncate != 0 {
			return "", uv.EINVAL
		}
		name = name[:uv.MaxPipeName]
	}
	return name, nil
}

// Bind binds the pipe to name (libuv's uv_pipe_bind): a path, or on Linux an abstract name
// starting with "\x00". A name too long for a socket address is truncated. The path is
// removed when the pipe closes. EINVAL if the pipe already has a descriptor or is closing;
// EADDRINUSE if the name is taken; EACCES if the path's directory does not exist.
func (p *Pipe) Bind(name string) error { return p.Bind2(name, 0) }

// Bind2 is Bind with flags (libuv's uv_pipe_bind2): PipeNoTruncate refuses a name that is
// too long with EINVAL. On Linux an empty name binds to a unique abstract name, which
// Sockname returns.
func (p *Pipe) Bind2(name string, flags int) error {
	name, err := checkName(name, flags, true)
	if err != nil {
		return err
	}
	if p.Loop() == nil || p.IsClosing() || p.hasSock() {
		return uv.EINVAL
	}
	return p.bind(name) // pipe_unix.go, pipe_windows.go
}

// Listen starts accepting connections on a bound pipe (libuv's uv_listen); cb runs for each
// connection, which Accept takes into a Pipe. EINVAL if the pipe is not bound, is an IPC
// pipe or is closing.
func (p *Pipe) Listen(backlog int, cb func(server *Stream, err error)) error {
	if p.Loop() == nil || p.IsClosing() || !p.hasSock() || p.ipc {
		return uv.EINVAL
	}
	return p.listen(backlog, cb)
}

// Connect connects to the pipe name (libuv's uv_pipe_connect). Every outcome reaches cb on
// the loop, a bad name included: EINVAL for an empty name, ENOENT if nothing is bound there,
// ECONNREFUSED if nobody listens, ECANCELED if the pipe closes first. It returns an error
// only when cb cannot be called: EINVAL for a nil request or a closing pipe, EALREADY while
// a connect is in progress, or when no socket can be created.
func (p *Pipe) Connect(req *ConnectReq, name string, cb func(req *ConnectReq, err error)) error {
	if err := p.canConnect(req); err != nil {
		return err
	}
	name, err := checkName(name, 0, false)
	if err != nil {
		return p.failConnect(req, err, cb)
	}
	return p.connect(req, name, cb)
}

// Connect2 is Connect with flags (libuv's uv_pipe_connect2): an invalid name or flag is
// returned (EINVAL), not given to cb; PipeNoTruncate refuses a name that is too long.
func (p *Pipe) Connect2(req *ConnectReq, name string, flags int, cb func(req *ConnectReq, err error)) error {
	if err := p.canConnect(req); err != nil {
		return err
	}
	name, err := checkName(name, flags, false)
	if err != nil {
		return err
	}
	return p.connect(req, name, cb)
}

func (p *Pipe) canConnect(req *ConnectReq) error {
	if p.Loop() == nil || p.IsClosing() || req == nil {
		return uv.EINVAL
	}
	if p.connReq != nil {
		return uv.EALREADY
	}
	return nil
}

// failConnect delivers err to cb on the loop's next pending phase, as libuv does for
// connect errors.
func (p *Pipe) failConnect(req *ConnectReq, err error, cb func(*ConnectReq, error)) error {
	if e := p.ensureSock(); e != nil {
		return e
	}
	req.stream, req.cb = &p.Stream, cb
	if e := p.sock.FailConnect(err, p.connectCb()); e != nil {
		return e
	}
	p.connReq = req
	p.Activate()
	return nil
}

// Sockname returns the name the pipe is bound to (libuv's uv_pipe_getsockname): "" for a
// connected client, an abstract name with its leading NUL byte. EBADF if the pipe has no
// descriptor.
func (p *Pipe) Sockname() (string, error) { return p.pipeName(false) }

// Peername returns the name of the pipe's peer (libuv's uv_pipe_getpeername). ENOTCONN if
// the pipe is not connected, EBADF if it has no descriptor.
func (p *Pipe) Peername() (string, error) { return p.pipeName(true) }

// PendingCount returns how many handles an IPC pipe has received and not yet accepted
// (libuv's uv_pipe_pending_count); 0 for other pipes.
func (p *Pipe) PendingCount() int {
	if !p.ipc {
		return 0
	}
	return p.sock.PendingFds()
}

// PendingType returns the type of the next handle Accept would take from an IPC pipe
// (libuv's uv_pipe_pending_type): uv.TypeTCP, uv.TypeNamedPipe or uv.TypeUDP, or
// uv.UnknownHandle if none waits or the pipe is not an IPC pipe.
func (p *Pipe) PendingType() uv.HandleType {
	if !p.ipc {
		return uv.UnknownHandle
	}
	fd, ok := p.sock.PeekFd()
	if !ok {
		return uv.UnknownHandle
	}
	t, err := uv.SockTypeOf(fd)
	if err != nil {
		return uv.UnknownHandle
	}
	return t
}

// Chmod makes the bound pipe's path readable, writable or both by everyone (libuv's
// uv_pipe_chmod): mode is Readable, Writable or Readable|Writable. EBADF if the pipe has no
// descriptor, EINVAL for another mode, ENOENT for a pipe with no path (an abstract name).
func (p *Pipe) Chmod(mode int) error {
	if p == nil {
		return uv.EBADF
	}
	fd, err := p.Fileno()
	if err != nil {
		return uv.EBADF
	}
	if mode != Readable && mode != Writable && mode != Readable|Writable {
		return uv.EINVAL
	}
	return p.chmod(fd, mode)
}

// PipePair creates an anonymous pipe (libuv's uv_pipe): fds[0] is the read end, fds[1] the
// write end, both close-on-exec; an end whose flags hold NonblockPipe is non-blocking. Adopt
// an end with Pipe.Open.
func PipePair(readFlags, writeFlags int) ([2]uv.OSFd, error) {
	return uv.PipePair(readFlags, writeFlags)
}
