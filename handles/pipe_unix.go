//go:build unix

package handles

import (
	"errors"
	"os"

	uv "github.com/uv-go/uv"
)

// The unix half of Pipe: unix domain sockets, named by paths (or abstract names on Linux).

// pipeOS is what a Pipe needs only on some systems: nothing on unix.
type pipeOS struct{}

// bind creates the socket and binds it to name.
func (p *Pipe) bind(name string) error {
	fd, err := uv.OpenSocket(uv.DomainUnix, uv.SockStream)
	if err != nil {
		return err
	}
	if err := uv.BindPipe(fd, name); err != nil {
		uv.CloseSocket(fd)
		if errors.Is(err, uv.ENOENT) {
			return uv.EACCES // as libuv, for the same error as on Windows
		}
		return err
	}
	if err := p.openNewSock(fd, p.ipc, 0); err != nil {
		uv.CloseSocket(fd)
		return err
	}
	if name != "" && name[0] != 0 {
		p.fname = name
	}
	return nil
}

// ensureSock creates the pipe's socket if it has none.
func (p *Pipe) ensureSock() error {
	if p.hasSock() {
		return nil
	}
	fd, err := uv.OpenSocket(uv.DomainUnix, uv.SockStream)
	if err != nil {
		return err
	}
	if err := p.openNewSock(fd, p.ipc, 0); err != nil {
		uv.CloseSocket(fd)
		return err
	}
	return nil
}

func (p *Pipe) connect(req *ConnectReq, name string, cb func(*ConnectReq, error)) error {
	sa, err := uv.PipeConnectAddr(name)
	if err != nil {
		return p.failConnect(req, err, cb)
	}
	if err := p.ensureSock(); err != nil {
		return err
	}
	if err := p.connectSock(req, sa, cb); err != nil {
		return p.failConnect(req, err, cb)
	}
	return nil
}

// pipeName is getsockname (or getpeername) of the socket.
func (p *Pipe) pipeName(peer bool) (string, error) {
	fd, err := p.Fileno()
	if err != nil {
		return "", err
	}
	return uv.PipeName(uv.OSSock(fd), peer)
}

// PendingInstances sets the number of pipe instances a Windows pipe server keeps ready
// (libuv's uv_pipe_pending_instances). It does nothing on unix.
func (p *Pipe) PendingInstances(n int) {}

// chmod sets the permissions of the bound path.
func (p *Pipe) chmod(fd uv.OSFd, mode int) error {
	var perm os.FileMode
	if mode&Readable != 0 {
		perm |= 0o444
	}
	if mode&Writable != 0 {
		perm |= 0o222
	}
	name, err := uv.PipeName(uv.OSSock(fd), false)
	if err != nil {
		return err
	}
	if name == "" {
		name = p.fname
	}
	if name == "" || name[0] == 0 {
		return uv.ENOENT
	}
	return uv.TranslateSysError(os.Chmod(name, perm))
}
