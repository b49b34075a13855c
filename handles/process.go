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
	StdioNonblockPipe = 0x40
)

// StdioContainer says what one child descriptor is (libuv's uv_stdio_container_t): ignored
// (stdin, stdout and stderr then use /dev/null), a new pipe whose parent end becomes Stream
// (an initialised Pipe), the parent's Fd, or Stream's descriptor.
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
	w      uv.IOWatcher
	exitFd uv.OSFd
	status *uv.ProcessExit
}

// Spawn starts a child (libuv's uv_spawn). The handle is initialised even when the spawn
// fails (it is then inactive and must still be closed); errors the child meets before it
// runs the program (ENOENT, EACCES, ...) are returned here, as libuv does.
func Spawn(l *uv.Loop, p *Process, o *ProcessOptions) error {
	if p == nil || o == nil {
		return uv.EINVAL
	}
	if err := p.Handle.Init(l, uv.TypeProcess, p, p.stopWatching, nil); err != nil {
		return err
	}
	p.pid, p.exit, p.exitFd, p.status = 0, o.Exit, uv.InvalidSock, nil
	args := o.Args
	if len(args) == 0 {
		args = []string{o.File}
	}
	n := len(o.Stdio)
	if n < 3 {
		n = 3
	}
	stdio := make([]uv.OSFd, n)
	var parentEnds, childEnds []uv.OSSock
	cleanup := func() {
		for _, fd := range childEnds {
			uv.CloseSocket(fd)
		}
	}
	for i := range stdio {
		stdio[i] = uv.OSFd(uv.InvalidSock)
		if i >= len(o.Stdio) {
			continue
		}
		c := o.Stdio[i]
		switch c.Flags & (StdioCreatePipe | StdioInheritFd | StdioInheritStream) {
		case StdioCreatePipe:
			if c.Stream == nil || c.Stream.Type() != uv.TypeNamedPipe || c.Stream.hasSock() {
				cleanup()
				return uv.EINVAL
			}
			pair, err := uv.Socketpair(uv.SockStream)
			if err != nil {
				cleanup()
				return err
			}
			parentEnds = append(parentEnds, pair[0])
			childEnds = append(childEnds, pair[1])
			stdio[i] = uv.OSFd(pair[1])
		case StdioInheritFd:
			stdio[i] = c.Fd
		case StdioInheritStream:
			fd, err := c.Stream.Fileno()
			if err != nil {
				cleanup()
				return uv.EINVAL
			}
			stdio[i] = fd
		}
	}
	pid, exitFd, err := uv.SpawnProcess(&uv.SpawnOptions{File: o.File, Args: args, Env: o.Env,
		Cwd: o.Cwd, Flags: o.Flags, UID: o.UID, GID: o.GID, Stdio: stdio})
	cleanup()
	if err != nil {
		for _, fd := range parentEnds {
			uv.CloseSocket(fd)
		}
		return err
	}
	// Hand the parent ends to their streams.
	k := 0
	for i := range o.Stdio {
		c := o.Stdio[i]
		if c.Flags&(StdioCreatePipe|StdioInheritFd|StdioInheritStream) != StdioCreatePipe {
			continue
		}
		var flags uint8
		if c.Flags&StdioWritablePipe != 0 {
			flags |= streamReadable
		}
		if c.Flags&StdioReadablePipe != 0 {
			flags |= streamWritable
		}
		if err := c.Stream.openSock(parentEnds[k], c.Stream.isIPC(), flags); err != nil {
			uv.CloseSocket(parentEnds[k])
		}
		k++
	}
	p.pid, p.exitFd = pid, exitFd
	if exitFd != uv.InvalidSock {
		if err := p.w.Init(l, exitFd, p.onExit); err == nil {
			p.w.Start(uv.EventReadable)
		}
	}
	p.Activate()
	return nil
}

// Pid returns the child's process id.
func (p *Process) Pid() int { return p.pid }

// Kill sends a signal to the child (libuv's uv_process_kill); ESRCH once it has been reaped.
func (p *Process) Kill(sig int) error {
	if p.pid == 0 {
		return uv.EINVAL
	}
	if p.status != nil {
		return uv.ESRCH
	}
	return uv.KillProcess(p.pid, sig)
}

// Kill sends a signal to any process (libuv's uv_kill).
func Kill(pid, sig int) error { return uv.KillProcess(pid, sig) }

func (p *Process) onExit(int) {
	st, done, err := uv.ReapProcess(p.pid)
	if err != nil && !done {
		// Already reaped elsewhere (ECHILD): report what we can.
		st, done = uv.ProcessExit{}, true
	}
	if !done {
		return
	}
	p.status = &st
	p.stopWatching()
	p.Deactivate()
	if p.exit != nil {
		p.exit(p, st.Status, st.Signal)
	}
}

func (p *Process) stopWatching() {
	if p.exitFd != uv.InvalidSock {
		p.w.Close()
		uv.FsClose(p.exitFd)
		p.exitFd = uv.InvalidSock
	}
}
