//go:build unix

package uv

import (
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// lookPath finds file as execvp would, in the PATH of env (or of this process).
func lookPath(file string, env []string) (string, error) {
	if file == "" {
		return "", EINVAL
	}
	if strings.Contains(file, "/") {
		return file, nil
	}
	path, found := "", false
	if env != nil {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				path, found = v, true
			}
		}
	}
	if !found {
		path = os.Getenv("PATH")
		if path == "" {
			path = "/usr/local/bin:/bin:/usr/bin"
		}
	}
	var denied bool
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + file
		var st unix.Stat_t
		if unix.Stat(p, &st) != nil || st.Mode&unix.S_IFMT == unix.S_IFDIR {
			continue
		}
		if unix.Access(p, unix.X_OK) != nil {
			denied = true
			continue
		}
		return p, nil
	}
	if denied {
		return "", EACCES
	}
	return "", ENOENT
}

// SpawnProcess starts a child. Errors the child meets before exec (ENOENT, EACCES, a bad
// working directory, EPERM for SetUID) are returned here, as libuv returns them from
// uv_spawn. It returns the child's pid and a descriptor that becomes readable when the child
// exits (a pidfd on Linux), owned by the caller.
func SpawnProcess(o *SpawnOptions) (pid int, exitFd OSFd, err error) {
	if o == nil || o.File == "" || len(o.Args) == 0 || o.Flags&^processFlagsAll != 0 {
		return 0, -1, EINVAL
	}
	for _, s := range append([]string{o.File, o.Cwd}, o.Args...) {
		if hasNUL(s) {
			return 0, -1, EINVAL
		}
	}
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	path, err := lookPath(o.File, o.Env)
	if err != nil {
		return 0, -1, err
	}
	files := make([]uintptr, len(o.Stdio))
	var devnull []int
	defer func() {
		for _, fd := range devnull {
			unix.Close(fd)
		}
	}()
	for i, fd := range o.Stdio {
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
			devnull = append(devnull, n)
			fd = n
		}
		files[i] = uintptr(fd)
	}
	sys := &syscall.SysProcAttr{Setsid: o.Flags&ProcessDetached != 0}
	if o.Flags&(ProcessSetUID|ProcessSetGID) != 0 {
		cred := &syscall.Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid()), NoSetGroups: true}
		if o.Flags&ProcessSetUID != 0 {
			cred.Uid = uint32(o.UID)
		}
		if o.Flags&ProcessSetGID != 0 {
			cred.Gid = uint32(o.GID)
		}
		sys.Credential = cred
	}
	exitFd = -1
	setExitFd(sys, &exitFd)
	pid, err = syscall.ForkExec(path, o.Args, &syscall.ProcAttr{Dir: o.Cwd, Env: env, Files: files, Sys: sys})
	if err != nil {
		return 0, -1, TranslateSysError(err)
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
