//go:build unix

package uv

import (
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// defaultPath is searched when the child's environment has no PATH (the C library's
// _PATH_DEFPATH, which libuv uses).
const defaultPath = "/usr/bin:/bin"

// nameMax is the longest file name a PATH search accepts (NAME_MAX).
const nameMax = 255

// searchPath returns the PATH a child's file is looked up in: that of env, or of this process
// when env is nil, or defaultPath when that environment has none. As libuv, the first PATH
// entry of env counts.
func searchPath(env []string) string {
	if env == nil {
		if p, ok := os.LookupEnv("PATH"); ok {
			return p
		}
		return defaultPath
	}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return v
		}
	}
	return defaultPath
}

// statCandidate says what exec would say about path without forking for it: ENOENT or
// ENOTDIR if it does not exist, EACCES if it is not a regular file. A relative path is taken
// in cwd, where the child will be when it runs exec.
func statCandidate(path, cwd string) error {
	if cwd != "" && !strings.HasPrefix(path, "/") {
		path = cwd + "/" + path
	}
	var st unix.Stat_t
	for {
		err := unix.Stat(path, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return TranslateSysError(err)
		}
		break
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return EACCES
	}
	return nil
}

// NewStdioPipe is StdioPipe: on unix the pair is the same whatever flags say (a socket pair
// reads and writes both ways; StdioChildOverlapped means nothing, as in libuv).
func NewStdioPipe(flags int) (parent, child OSSock, err error) { return StdioPipe() }

// StdioPipe creates the socket pair behind a child's pipe (libuv's UV_CREATE_PIPE): parent is
// non-blocking, child is blocking (a child expects blocking stdio), both are close-on-exec
// and have libuv's 64 KiB socket buffers.
func StdioPipe() (parent, child OSSock, err error) {
	// Hold ForkLock so that no child spawned meanwhile inherits the pair before it is
	// close-on-exec (not every system creates sockets close-on-exec atomically).
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, -1, TranslateSysError(err)
	}
	for _, fd := range fds {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 64*1024)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 64*1024)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return -1, -1, TranslateSysError(err)
	}
	return fds[0], fds[1], nil
}

// SpawnProcess starts a child. Errors the child meets before it runs the program (ENOENT,
// EACCES, a bad working directory, EPERM for SetUID) are returned here, as libuv returns them
// from uv_spawn. It returns the child's pid and a descriptor that becomes readable when the
// child exits, owned by the caller: a pidfd on Linux (on kernels without pidfds, a pipe that
// a goroutine closes once the child has exited), InvalidSock on the kqueue systems, where the
// backend watches the pid. The child is left for ReapProcess to collect.
//
// As libuv, the child starts with every signal below 32 at its default action and no signal
// blocked, and with its stdin, stdout and stderr blocking (which, for a descriptor inherited
// from this process, changes it here too, since the two share the open file). A file without
// a slash is searched in the child's PATH the way execvp does: entries that hold no such
// file are skipped, and EACCES is returned if an entry held one that could not be run.
func SpawnProcess(o *SpawnOptions) (pid int, exitFd OSFd, err error) {
	if o == nil || o.File == "" || len(o.Args) == 0 || o.Flags&^processFlagsAll != 0 {
		return 0, -1, EINVAL
	}
	if hasNUL(o.File) || hasNUL(o.Cwd) {
		return 0, -1, EINVAL
	}
	for _, s := range o.Args {
		if hasNUL(s) {
			return 0, -1, EINVAL
		}
	}
	for _, s := range o.Env {
		if hasNUL(s) {
			return 0, -1, EINVAL
		}
	}
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	stdio := o.Stdio
	for len(stdio) < 3 {
		stdio = append(stdio[:len(stdio):len(stdio)], InvalidSock)
	}
	files := make([]uintptr, len(stdio))
	var devnull [3]int // descriptor+1 of each /dev/null opened for fds 0-2
	defer func() {
		for _, fd := range devnull {
			if fd > 0 {
				unix.Close(fd - 1)
			}
		}
	}()
	for i, fd := range stdio {
		if fd == InvalidSock {
			if i > 2 {
				files[i] = ^uintptr(0) // closed in the child
				continue
			}
			mode := unix.O_RDWR
			if i == 0 {
				mode = unix.O_RDONLY
			}
			n, err := unix.Open("/dev/null", mode|unix.O_CLOEXEC, 0)
			if err != nil {
				return 0, -1, TranslateSysError(err)
			}
			devnull[i] = n + 1
			fd = n
		} else if i <= 2 {
			// libuv's child makes its stdio blocking before exec; the file is shared.
			unix.SetNonblock(fd, false)
		}
		files[i] = uintptr(fd)
	}
	sys := &syscall.SysProcAttr{Setsid: o.Flags&ProcessDetached != 0}
	if o.Flags&(ProcessSetUID|ProcessSetGID) != 0 {
		// libuv drops supplementary groups when it can (as root) and ignores the failure
		// otherwise; Go's setgroups failure would be fatal, so it is skipped when not root.
		cred := &syscall.Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid()),
			NoSetGroups: os.Geteuid() != 0}
		if o.Flags&ProcessSetUID != 0 {
			cred.Uid = uint32(o.UID)
		}
		if o.Flags&ProcessSetGID != 0 {
			cred.Gid = uint32(o.GID)
		}
		sys.Credential = cred
	}
	attr := &syscall.ProcAttr{Dir: o.Cwd, Env: env, Files: files, Sys: sys}
	if strings.Contains(o.File, "/") {
		return forkExec(o.File, o.Args, attr)
	}
	if len(o.File) > nameMax {
		return 0, -1, ENAMETOOLONG
	}
	// execvp's search, as libuv emulates it: ENOENT and ENOTDIR go on to the next entry,
	// EACCES too but is remembered, anything else ends the search.
	seenEACCES := false
	err = ENOENT
	for _, dir := range strings.Split(searchPath(o.Env), ":") {
		path := o.File
		if dir != "" {
			path = dir + "/" + o.File
		}
		e := statCandidate(path, o.Cwd)
		if e == nil {
			pid, exitFd, e = forkExec(path, o.Args, attr)
			if e == nil {
				return pid, exitFd, nil
			}
		}
		switch e {
		case EACCES:
			seenEACCES = true
		case ENOENT, ENOTDIR:
		default:
			return 0, -1, e
		}
		err = e
	}
	if seenEACCES {
		return 0, -1, EACCES
	}
	return 0, -1, err
}

// spawnMu serialises spawns: while one runs, the signals this process ignores are briefly
// caught instead (see forkExec).
var spawnMu sync.Mutex

// forkExec runs path in a child with libuv's signal state: Go's fork resets to the default
// action only the signals the runtime catches and gives the child the forking thread's
// signal mask, so ignored signals are caught (and dropped) for the duration of the fork,
// and the thread's mask is cleared.
func forkExec(path string, args []string, attr *syscall.ProcAttr) (pid int, exitFd OSFd, err error) {
	spawnMu.Lock()
	defer spawnMu.Unlock()
	var ignored []os.Signal
	for s := 1; s < 32; s++ {
		if s == int(unix.SIGKILL) || s == int(unix.SIGSTOP) {
			continue
		}
		if signal.Ignored(syscall.Signal(s)) {
			ignored = append(ignored, syscall.Signal(s))
		}
	}
	if len(ignored) > 0 {
		drop := make(chan os.Signal, 1)
		signal.Notify(drop, ignored...)
		defer func() {
			signal.Ignore(ignored...) // before Stop, which would restore the default action
			signal.Stop(drop)
		}()
	}
	restore := clearThreadSigmask()
	defer restore()
	exitFd = -1
	setExitFd(attr.Sys, &exitFd)
	pid, err = syscall.ForkExec(path, args, attr)
	if err != nil {
		return 0, -1, TranslateSysError(err)
	}
	if exitFd < 0 {
		if exitFd, err = exitNotifier(pid); err != nil {
			// The child runs but its exit cannot be watched: stop it rather than lose it.
			unix.Kill(pid, unix.SIGKILL)
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, 0, nil)
			return 0, -1, err
		}
	}
	return pid, exitFd, nil
}

// ReapProcess collects a child that has exited; done is false while it runs.
func ReapProcess(pid int) (exit ProcessExit, done bool, err error) {
	var ws unix.WaitStatus
	for {
		r, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return ProcessExit{}, false, TranslateSysError(err)
		}
		if r == 0 {
			return ProcessExit{}, false, nil
		}
		break
	}
	switch {
	case ws.Exited():
		return ProcessExit{Status: int64(ws.ExitStatus())}, true, nil
	case ws.Signaled():
		return ProcessExit{Signal: int(ws.Signal())}, true, nil
	}
	return ProcessExit{}, false, nil
}

// KillProcess sends signal sig to pid (libuv's uv_kill); sig 0 checks that it exists.
func KillProcess(pid, sig int) error {
	if sig < 0 || sig >= 65 {
		return EINVAL
	}
	return TranslateSysError(unix.Kill(pid, syscall.Signal(sig)))
}
