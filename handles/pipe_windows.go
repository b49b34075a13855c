package handles

import (
	uv "github.com/uv-go/uv"
)

// The Windows half of Pipe: named pipes (\\.\pipe\name), through the root package's pipe
// Sock (uv.Sock.BindPipe, InitPipe, ConnectPipe, PipeName), as libuv's src/win/pipe.c.

// pipeOS is what a Pipe needs only on Windows: the number of instances a server keeps ready.
type pipeOS struct {
	instances int
}

// bind makes the pipe a server bound to name.
func (p *Pipe) bind(name string) error {
	return p.sock.BindPipe(p.Loop(), name, p.instances)
}

// ensureSock gives the pipe a Sock without a handle, which a connect then opens.
func (p *Pipe) ensureSock() error {
	if p.hasSock() {
		return nil
	}
	return p.sock.InitPipe(p.Loop(), p.ipc)
}

func (p *Pipe) connect(req *ConnectReq, name string, cb func(*ConnectReq, error)) error {
	if err := p.ensureSock(); err != nil {
		return err
	}
	req.stream, req.cb = &p.Stream, cb
	if err := p.sock.ConnectPipe(name, p.connectCb()); err != nil {
		return p.failConnect(req, err, cb)
	}
	p.connReq = req
	p.Activate()
	return nil
}

// pipeName is the pipe's own name or its peer's, as libuv's uv_pipe_getsockname and
// uv_pipe_getpeername on Windows.
func (p *Pipe) pipeName(peer bool) (string, error) {
	if !p.hasSock() || p.IsClosing() {
		return "", uv.EBADF
	}
	return p.sock.PipeName(peer)
}

// PendingInstances sets the number of pipe instances a pipe server keeps ready for clients
// (libuv's uv_pipe_pending_instances; 4 unless set). It has no effect once the pipe listens.
func (p *Pipe) PendingInstances(n int) {
	if n <= 0 {
		return
	}
	p.instances = n
	p.sock.SetPipeInstances(n)
}

// chmod gives everyone the access mode asks for to the bound pipe (libuv's uv_pipe_chmod: an
// entry in the pipe's DACL).
func (p *Pipe) chmod(fd uv.OSFd, mode int) error {
	return uv.PipeChmod(fd, mode&Readable != 0, mode&Writable != 0)
}
