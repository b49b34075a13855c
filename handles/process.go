package handles

import (
	uv "github.com/uv-go/uv"
)

// Stdio flags for a child descriptor (libuv's uv_stdio_flags).
const (
	StdioIgnore        = 0x00
	StdioCreatePipe    = 0x01
	StdioInheritFd     = 0x02
	StdioInheritStream = 0x04
	// StdioReadablePipe and StdioWritablePipe are from the child's point of view.
	StdioReadablePipe = 0x10
	StdioWritablePipe = 0x20
	// StdioNonblockPipe (libuv's UV_NONBLOCK_PIPE, once UV_OVERLAPPED_PIPE) asks for the
	// child's end non-blocking; as in libuv, only Windows honours it.
	StdioNonblockPipe = 0x40
)

// StdioContainer says what one child descriptor is (libuv's uv_stdio_container_t): ignored
// (stdin, stdout and stderr then use /dev/null), a new pipe whose parent end becomes Stream
// (an initialised Pipe; the child's end is a blocking socket, on Windows a non-overlapped
// named pipe end unless StdioNonblockPipe), the parent's Fd, or Stream's
// descriptor. A child's stdin, stdout and stderr are made blocking, as libuv's child makes
// them: for an inherited descriptor that changes this process's open file too.
type StdioContainer struct {
	Flags  int
	Stream *Stream
	Fd     uv.OSFd
}

// ProcessOptions describe a child (libuv's uv_process_options_t).
type ProcessOptions struct {
	// File is the program, looked up in PATH when it has no slash.
	File string
	// Args is the argument vector, Args[0] included; empty means {File}.
	Args []string
	// Env is the environment; nil inherits this process's.
	Env []string
	// Cwd is the working directory; "" keeps this process's.
	Cwd string
	// Flags are uv.Process* flags.
	Flags int
	// UID and GID apply with uv.ProcessSetUID and uv.ProcessSetGID.
	UID, GID int
	// Stdio describes descriptors 0, 1, 2, ...; missing entries are ignored.
	Stdio []StdioContainer
	// Exit runs on the loop when the child has ended, with its exit status or the signal
	// that terminated it.
	Exit func(p *Process, exitStatus int64, termSignal int)
}

// Process is a child process (libuv's uv_process_t). It is active until the child exits;
// closing it stops watching the child but does not kill it.
type Process struct {
	uv.Handle
	pid    int
	exit   func(p *Process, exitStatus int64, termSignal int)
	w      uv.ProcessWatcher
	exitFd uv.OSFd // the descriptor SpawnProcess gave to learn of the exit, or InvalidSock
	reaped bool
	exitFn func(uv.ProcessExit, error)
}

// Spawn starts a child (libuv's uv_spawn). The handle is initialised even when the spawn
// fails (it is then inactive and must still be closed); errors the child meets before it
// runs the program (ENOENT, EACCES, EPERM, ...) are returned here, as libuv does. As in
// libuv, the streams of StdioCreatePipe entries are opened even when the program could not
// be run (reading them then gives EOF); EINVAL for a bad stdio entry opens none.
func Spawn(l *uv.Loop, p *Process, o *ProcessOptions) error {
	if p == nil || o == nil {
		return uv.EINVAL
	}
	if err := p.Handle.InitHooks(l, uv.TypeProcess, p, &processHooks); err != nil {
		return err
	}
	p.pid, p.exit, p.exitFd, p.reaped = 0, o.Exit, uv.InvalidSock, false
	if p.exitFn == nil {
		p.exitFn = p.onExit
	}
	args := o.Args
	if len(args) == 0 {
		args = []string{o.File}
	}
	n := len(o.Stdio)
	if n < 3 {
		n = 3
	}
	stdio := make([]uv.OSFd, n)
	parentEnds := make([]uv.OSSock, len(o.Stdio))
	for i := range parentEnds {
		parentEnds[i] = uv.InvalidSock
	}
	var childEnds []uv.OSSock
	closeAll := func(fds []uv.OSSock) {
		for _, fd := range fds {
			if fd != uv.InvalidSock {
				uv.CloseSocket(fd)
			}
		}
	}
	for i := range stdio {
		stdio[i] = uv.OSFd(uv.InvalidSock)
		if i >= len(o.Stdio) {
			continue
		}
		c := o.Stdio[i]
		switch c.Flags & (StdioCreatePipe | StdioInheritFd | StdioInheritStream) {
		case StdioIgnore:
		case StdioCreatePipe:
			if c.Stream == nil || c.Stream.Type() != uv.TypeNamedPipe || c.Stream.hasSock() || c.Stream.IsClosing() {
				closeAll(parentEnds[:i])
				closeAll(childEnds)
				return uv.EINVAL
			}
			parent, child, err := uv.NewStdioPipe(c.Flags & (StdioReadablePipe | StdioWritablePipe | StdioNonblockPipe))
			if err != nil {
				closeAll(parentEnds[:i])
				closeAll(childEnds)
				return err
			}
			parentEnds[i] = parent
			childEnds = append(childEnds, child)
			stdio[i] = uv.OSFd(child)
		case StdioInheritFd:
			if c.Fd < 0 {
				closeAll(parentEnds[:i])
				closeAll(childEnds)
				return uv.EINVAL
			}
			// A C runtime descriptor (1 for stdout) names its handle on Windows, as libuv's
			// uv__get_osfhandle does; on unix this is c.Fd itself.
			stdio[i] = uv.StdioHandle(c.Fd)
		case StdioInheritStream:
			var err error
			if c.Stream == nil {
				err = uv.EINVAL
			} else if stdio[i], err = c.Stream.Fileno(); err != nil {
				err = uv.EINVAL
			}
			if err != nil {
				closeAll(parentEnds[:i])
				closeAll(childEnds)
				return err
			}
		default:
			closeAll(parentEnds[:i])
			closeAll(childEnds)
			return uv.EINVAL
		}
	}
	pid, exitFd, spawnErr := uv.SpawnProcess(&uv.SpawnOptions{File: o.File, Args: args, Env: o.Env,
		Cwd: o.Cwd, Flags: o.Flags, UID: o.UID, GID: o.GID, Stdio: stdio})
	closeAll(childEnds)
	if spawnErr == nil {
		p.pid, p.exitFd = pid, exitFd
		if err := p.w.Start(l, pid, exitFd, p.exitFn); err != nil {
			// The child runs but its exit cannot be learned: stop it rather than lose it.
			uv.KillProcess(pid, 9)
			for {
				if _, done, err := uv.ReapProcess(pid); done || err != nil {
					break
				}
			}
			p.pid, p.reaped = 0, true
			p.stopWatching()
			spawnErr = err
		} else {
			p.Activate()
		}
	}
	// Hand the parent ends to their streams, whether or not the program runs.
	var openErr error
	for i, fd := range parentEnds {
		if fd == uv.InvalidSock {
			continue
		}
		c := o.Stdio[i]
		var flags uint8
		if c.Flags&StdioWritablePipe != 0 {
			flags |= streamReadable
		}
		if c.Flags&StdioReadablePipe != 0 {
			flags |= streamWritable
		}
		if err := c.Stream.openSock(fd, c.Stream.isIPC(), flags); err != nil {
			uv.CloseSocket(fd)
			if openErr == nil {
				openErr = err
			}
		}
	}
	if spawnErr != nil {
		return spawnErr
	}
	return openErr
}

// Pid returns the child's process id.
func (p *Process) Pid() int { return p.pid }

// Kill sends a signal to the child (libuv's uv_process_kill); ESRCH once it has been reaped.
func (p *Process) Kill(sig int) error {
	if p.pid == 0 {
		return uv.EINVAL
	}
	if p.reaped {
		return uv.ESRCH
	}
	return uv.KillProcess(p.pid, sig)
}

// Kill sends a signal to any process (libuv's uv_kill).
func Kill(pid, sig int) error { return uv.KillProcess(pid, sig) }

func (p *Process) onExit(st uv.ProcessExit, err error) {
	// An error is ECHILD: something else reaped the child. libuv then never reports the
	// exit; here it is reported with status 0.
	p.reaped = true
	p.stopWatching()
	p.Deactivate()
	if p.exit != nil {
		p.exit(p, st.Status, st.Signal)
	}
}

// processHooks: closing stops watching for the exit (the child keeps running, as in libuv).
var processHooks = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*Process).stopWatching() }}

func (p *Process) stopWatching() {
	p.w.Stop()
	if p.exitFd != uv.InvalidSock {
		uv.FsClose(p.exitFd)
		p.exitFd = uv.InvalidSock
	}
}
