package uv

import (
	"encoding/binary"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Processes on Windows (libuv's src/win/process.c and process-stdio.c): CreateProcessW with
// libuv's command line quoting, sorted environment block and executable search, the child's
// stdio handed over both as its standard handles and as the C runtime's descriptor table
// (STARTUPINFO's lpReserved2), and the exit learned by waiting on the process handle
// (procwatch_windows.go). A child is known by its pid, but this process keeps its process
// handle until the exit is collected, so the pid cannot be reused meanwhile.

// Signals as the Windows C runtime numbers them (and libuv uses); nsig is its NSIG.
const (
	sigINT  = 2
	sigQUIT = 3
	sigKILL = 9
	sigTERM = 15
	nsig    = 23

	stillActive = 259 // STILL_ACTIVE: the exit status of a process that runs
)

// winChild is a child this process spawned and has not collected yet.
type winChild struct {
	pid int
	h   windows.Handle // the process handle
	// signal is the last signal KillProcess ended the child with, reported with its exit as
	// libuv reports the signal uv_process_kill sent.
	signal int
	exit   *procExitReq // the wait of the ProcessWatcher watching the child, if any
}

// winChildren holds the children by pid. Its lock also guards their process handles, which
// KillProcess may use from any goroutine.
var winChildren struct {
	mu sync.Mutex
	m  map[int]*winChild
}

// lookupChild returns the record of pid; winChildren.mu must be held.
func lookupChild(pid int) *winChild { return winChildren.m[pid] }

// forgetChild drops c and closes its process handle; winChildren.mu must be held.
func forgetChild(c *winChild) {
	if winChildren.m[c.pid] == c {
		delete(winChildren.m, c.pid)
	}
	if c.h != 0 {
		windows.CloseHandle(c.h)
		c.h = 0
	}
}

// processJob is libuv's global job: children that are not detached are put in it, and since
// only this process holds it, they are killed when this process ends.
var processJob struct {
	once sync.Once
	h    windows.Handle
}

func jobHandle() windows.Handle {
	processJob.once.Do(func() {
		h, err := windows.CreateJobObject(nil, nil)
		if err != nil {
			return
		}
		var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
		info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_BREAKAWAY_OK |
			windows.JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK |
			windows.JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION |
			windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
		if _, err := windows.SetInformationJobObject(h, windows.JobObjectExtendedLimitInformation,
			uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
			windows.CloseHandle(h)
			return
		}
		processJob.h = h
	})
	return processJob.h
}

// startupInfoEx is STARTUPINFOEXW with the reserved fields that carry the C runtime's
// descriptor table named (x/sys leaves them blank).
type startupInfoEx struct {
	cb            uint32
	reserved      *uint16
	desktop       *uint16
	title         *uint16
	x, y          uint32
	xSize, ySize  uint32
	xChars        uint32
	yChars        uint32
	fillAttribute uint32
	flags         uint32
	showWindow    uint16
	cbReserved2   uint16
	lpReserved2   *byte
	stdInput      windows.Handle
	stdOutput     windows.Handle
	stdErr        windows.Handle
	attrList      *windows.ProcThreadAttributeList
}

// The C runtime's descriptor flags in lpReserved2.
const (
	crtFOPEN = 0x01
	crtFPIPE = 0x08
	crtFDEV  = 0x40
)

// childStdio is what the child gets: one inheritable handle (or InvalidHandle) and C runtime
// flags per descriptor. The handles are this process's copies, closed after the spawn.
type childStdio struct {
	h     []windows.Handle
	flags []byte
}

func (c *childStdio) close() {
	for i, h := range c.h {
		if h != windows.InvalidHandle {
			windows.CloseHandle(h)
			c.h[i] = windows.InvalidHandle
		}
	}
}

// buffer is the lpReserved2 block: the count, the flags, then the handles, unaligned.
func (c *childStdio) buffer() []byte {
	n := len(c.h)
	b := make([]byte, 4+n+8*n)
	binary.LittleEndian.PutUint32(b, uint32(n))
	copy(b[4:], c.flags)
	for i, h := range c.h {
		binary.LittleEndian.PutUint64(b[4+n+8*i:], uint64(h))
	}
	return b
}

// nulHandle opens NUL for a child's ignored stdin (read) or stdout/stderr (write).
func nulHandle(write bool) (windows.Handle, error) {
	access := uint32(windows.FILE_GENERIC_READ)
	if write {
		access = windows.FILE_GENERIC_WRITE | windows.FILE_READ_ATTRIBUTES
	}
	sa := &windows.SecurityAttributes{InheritHandle: 1}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	h, err := windows.CreateFile(windows.StringToUTF16Ptr("NUL"), access,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, sa, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return windows.InvalidHandle, TranslateSysError(err)
	}
	return h, nil
}

// makeChildStdio prepares the child's descriptors as libuv's uv__stdio_create: NUL for an
// ignored stdin, stdout or stderr, an inheritable duplicate of each handle given, typed for
// the C runtime by GetFileType. An invalid handle given for descriptors 0-2 leaves that one
// closed, as libuv does for a closed standard descriptor.
func makeChildStdio(stdio []OSFd) (*childStdio, error) {
	n := max(len(stdio), 3)
	if n > 256 {
		return nil, ENOTSUP
	}
	c := &childStdio{h: make([]windows.Handle, n), flags: make([]byte, n)}
	for i := range c.h {
		c.h[i] = windows.InvalidHandle
	}
	cur := windows.CurrentProcess()
	for i := 0; i < n; i++ {
		h := windows.InvalidHandle
		if i < len(stdio) {
			h = windows.Handle(stdio[i])
		}
		if h == windows.InvalidHandle {
			if i > 2 {
				continue
			}
			nul, err := nulHandle(i > 0)
			if err != nil {
				c.close()
				return nil, err
			}
			c.h[i], c.flags[i] = nul, crtFOPEN|crtFDEV
			continue
		}
		var dup windows.Handle
		var err error = windows.ERROR_INVALID_HANDLE
		if h != 0 && h != windows.Handle(^uintptr(1)) { // -2: what a missing CRT descriptor gives
			err = windows.DuplicateHandle(cur, h, cur, &dup, 0, true, windows.DUPLICATE_SAME_ACCESS)
		}
		if err != nil {
			if i <= 2 && err == windows.ERROR_INVALID_HANDLE {
				continue
			}
			c.close()
			return nil, TranslateSysError(err)
		}
		c.h[i] = dup
		t, err := windows.GetFileType(dup)
		switch {
		case t == windows.FILE_TYPE_DISK:
			c.flags[i] = crtFOPEN
		case t == windows.FILE_TYPE_PIPE:
			c.flags[i] = crtFOPEN | crtFPIPE
		case t == windows.FILE_TYPE_UNKNOWN && err != nil && err != syscall.EINVAL:
			// (x/sys reports "no error" as EINVAL.)
			c.close()
			return nil, TranslateSysError(err)
		default:
			c.flags[i] = crtFOPEN | crtFDEV
		}
	}
	return c, nil
}

// SpawnProcess starts a child (libuv's uv_spawn on Windows). File is searched as libuv's
// search_path does (see searchExe); ENOENT if it is not found. Args become the command line
// with libuv's quoting, or joined by spaces with ProcessWindowsVerbatimArguments. A non-nil
// Env becomes a sorted environment block to which the variables Windows programs need
// (SYSTEMROOT, PATH, ...) are added from this process's environment when missing. Stdio
// gives, per child descriptor, a handle the child gets a copy of, or InvalidSock for NUL
// (stdin, stdout, stderr) or nothing. ProcessSetUID and ProcessSetGID give ENOTSUP, as in
// libuv. The returned exit descriptor is always InvalidSock: the child's process handle stays
// with this package until ReapProcess or a ProcessWatcher collects its exit.
func SpawnProcess(o *SpawnOptions) (pid int, exitFd OSFd, err error) {
	if o == nil {
		return 0, InvalidSock, EINVAL
	}
	if o.Flags&(ProcessSetUID|ProcessSetGID) != 0 {
		return 0, InvalidSock, ENOTSUP
	}
	if o.File == "" || len(o.Args) == 0 || o.Flags&^processFlagsAll != 0 || hasNUL(o.File) || hasNUL(o.Cwd) {
		return 0, InvalidSock, EINVAL
	}
	for _, s := range o.Args {
		if hasNUL(s) {
			return 0, InvalidSock, EINVAL
		}
	}
	for _, s := range o.Env {
		if hasNUL(s) {
			return 0, InvalidSock, EINVAL
		}
	}
	cmdline, err := windows.UTF16PtrFromString(commandLine(o.Args, o.Flags&ProcessWindowsVerbatimArguments != 0))
	if err != nil {
		return 0, InvalidSock, EINVAL
	}
	var envBlock *uint16
	path, havePath := "", false
	if o.Env != nil {
		block := environmentBlock(o.Env)
		envBlock = &block[0]
		path, havePath = envLookup(o.Env, "PATH")
	}
	if !havePath {
		// As libuv: the child's environment without PATH is searched with this process's
		// PATH (which environmentBlock adds to the child's as a required variable).
		path = os.Getenv("PATH")
	}
	cwd := o.Cwd
	if cwd == "" {
		if cwd, err = os.Getwd(); err != nil {
			return 0, InvalidSock, TranslateSysError(err)
		}
	}
	cwd16, err := windows.UTF16PtrFromString(shortCwd(cwd))
	if err != nil {
		return 0, InvalidSock, EINVAL
	}
	stdio, err := makeChildStdio(o.Stdio)
	if err != nil {
		return 0, InvalidSock, err
	}
	defer stdio.close()
	app := searchExe(o.File, cwd, path, o.Flags)
	if app == "" {
		return 0, InvalidSock, ENOENT
	}
	app16, err := windows.UTF16PtrFromString(app)
	if err != nil {
		return 0, InvalidSock, EINVAL
	}

	reserved := stdio.buffer()
	si := &startupInfoEx{
		flags:       windows.STARTF_USESTDHANDLES | windows.STARTF_USESHOWWINDOW,
		cbReserved2: uint16(len(reserved)),
		lpReserved2: &reserved[0],
		stdInput:    stdio.h[0],
		stdOutput:   stdio.h[1],
		stdErr:      stdio.h[2],
		showWindow:  windows.SW_SHOWDEFAULT,
	}
	si.cb = uint32(unsafe.Sizeof(*si))
	// Only the child's stdio is inherited, whatever other inheritable handles exist.
	var inherit []windows.Handle
	for _, h := range stdio.h {
		if h != windows.InvalidHandle {
			inherit = append(inherit, h)
		}
	}
	createFlags := uint32(windows.CREATE_UNICODE_ENVIRONMENT)
	if len(inherit) > 0 {
		attrs, err := windows.NewProcThreadAttributeList(1)
		if err != nil {
			return 0, InvalidSock, TranslateSysError(err)
		}
		defer attrs.Delete()
		if err := attrs.Update(windows.PROC_THREAD_ATTRIBUTE_HANDLE_LIST, unsafe.Pointer(&inherit[0]),
			uintptr(len(inherit))*unsafe.Sizeof(inherit[0])); err != nil {
			return 0, InvalidSock, TranslateSysError(err)
		}
		si.attrList = attrs.List()
		createFlags |= windows.EXTENDED_STARTUPINFO_PRESENT
	}
	if o.Flags&(ProcessWindowsHide|ProcessWindowsHideConsole) != 0 && !inheritsConsole(stdio.h) {
		// No console window for a child that is not given this process's console.
		createFlags |= windows.CREATE_NO_WINDOW
	}
	if o.Flags&(ProcessWindowsHide|ProcessWindowsHideGUI) != 0 {
		si.showWindow = windows.SW_HIDE
	}
	if o.Flags&ProcessDetached != 0 {
		createFlags |= windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP | windows.CREATE_SUSPENDED
	}
	var pi windows.ProcessInformation
	for try := 1; ; try++ {
		err = windows.CreateProcess(app16, cmdline, nil, nil, true, createFlags, envBlock, cwd16,
			(*windows.StartupInfo)(unsafe.Pointer(si)), &pi)
		// Wine reports a child that died while Wine was still setting it up, before any of
		// its code ran, as ERROR_INTERNAL_ERROR; it happens under load. Starting it again is
		// safe.
		if err == nil || try == 3 || err != windows.ERROR_INTERNAL_ERROR {
			break
		}
	}
	if err != nil {
		return 0, InvalidSock, TranslateSysError(err)
	}
	defer windows.CloseHandle(pi.Thread)
	if o.Flags&ProcessDetached == 0 {
		if job := jobHandle(); job != 0 {
			// Fails when this process's own job forbids it; the child then simply outlives us.
			windows.AssignProcessToJobObject(job, pi.Process)
		}
	} else if _, err := windows.ResumeThread(pi.Thread); err != nil {
		windows.TerminateProcess(pi.Process, 1)
		windows.CloseHandle(pi.Process)
		return 0, InvalidSock, TranslateSysError(err)
	}
	pid = int(pi.ProcessId)
	noteStdioPeers(o.Stdio, pi.ProcessId) // the peer of an IPC pipe (sock_pipeipcpeer_windows.go)
	winChildren.mu.Lock()
	if winChildren.m == nil {
		winChildren.m = make(map[int]*winChild)
	}
	if old := winChildren.m[pid]; old != nil {
		// A record left by a child whose exit nobody collected: its pid is free again only
		// if its handle is closed, so this cannot be the same process.
		forgetChild(old)
	}
	winChildren.m[pid] = &winChild{pid: pid, h: pi.Process}
	winChildren.mu.Unlock()
	return pid, InvalidSock, nil
}

// inheritsConsole reports whether one of the child's handles is a console.
func inheritsConsole(hs []windows.Handle) bool {
	for _, h := range hs {
		var mode uint32
		if h != windows.InvalidHandle && windows.GetConsoleMode(h, &mode) == nil {
			return true
		}
	}
	return false
}

// shortCwd gives a working directory CreateProcess accepts: one of MAX_PATH characters or
// more is replaced by its short form, as libuv does.
func shortCwd(cwd string) string {
	p, err := windows.UTF16FromString(cwd)
	if err != nil || len(p)-1 < windows.MAX_PATH {
		return cwd
	}
	buf := make([]uint16, len(p))
	n, err := windows.GetShortPathName(&p[0], &buf[0], uint32(len(buf)))
	if err != nil || n == 0 || int(n) >= len(buf) {
		return cwd
	}
	return windows.UTF16ToString(buf[:n])
}

// ReapProcess collects a child that has exited; done is false while it runs. ESRCH for a
// pid this process did not spawn or has collected already. A child a ProcessWatcher watches
// is only looked at: the watcher collects it.
func ReapProcess(pid int) (exit ProcessExit, done bool, err error) {
	winChildren.mu.Lock()
	defer winChildren.mu.Unlock()
	c := lookupChild(pid)
	if c == nil {
		return ProcessExit{}, false, ESRCH
	}
	ev, err := windows.WaitForSingleObject(c.h, 0)
	if err != nil {
		return ProcessExit{}, false, TranslateSysError(err)
	}
	if ev != windows.WAIT_OBJECT_0 {
		return ProcessExit{}, false, nil
	}
	exit = ProcessExit{Signal: c.signal}
	var code uint32
	if err := windows.GetExitCodeProcess(c.h, &code); err != nil {
		return ProcessExit{}, false, TranslateSysError(err)
	}
	exit.Status = int64(code)
	if c.exit == nil {
		forgetChild(c)
	}
	return exit, true, nil
}

// KillProcess sends signal sig to pid as libuv's uv_kill does on Windows: SIGTERM, SIGKILL,
// SIGINT and SIGQUIT terminate the process (exit status 1), 0 checks that it still runs
// (ESRCH if not), other signals below NSIG (23) give ENOSYS. pid 0 is this process. For a
// child spawned here, the signal is what its exit reports.
func KillProcess(pid, sig int) error {
	if sig < 0 || sig >= nsig {
		return EINVAL
	}
	winChildren.mu.Lock()
	defer winChildren.mu.Unlock()
	if c := lookupChild(pid); c != nil {
		err := killHandle(c.h, sig)
		if err == nil && sig != 0 {
			c.signal = sig
		}
		return err
	}
	h := windows.CurrentProcess()
	if pid != 0 {
		var err error
		h, err = windows.OpenProcess(windows.PROCESS_TERMINATE|windows.PROCESS_QUERY_INFORMATION|windows.SYNCHRONIZE,
			false, uint32(pid))
		if err == windows.ERROR_INVALID_PARAMETER {
			return ESRCH
		}
		if err != nil {
			return TranslateSysError(err)
		}
		defer windows.CloseHandle(h)
	}
	return killHandle(h, sig)
}

// killHandle is libuv's uv__kill on a process handle.
func killHandle(h windows.Handle, sig int) error {
	switch sig {
	case sigINT, sigQUIT, sigKILL, sigTERM:
		err := windows.TerminateProcess(h, 1)
		if err == nil {
			return nil
		}
		if err == windows.ERROR_ACCESS_DENIED && processExited(h) {
			// The process had already ended.
			return ESRCH
		}
		return TranslateSysError(err)
	case 0:
		var code uint32
		if err := windows.GetExitCodeProcess(h, &code); err != nil {
			return TranslateSysError(err)
		}
		if code != stillActive {
			return ESRCH
		}
		ev, err := windows.WaitForSingleObject(h, 0)
		switch {
		case err != nil:
			return TranslateSysError(err)
		case ev == windows.WAIT_OBJECT_0:
			return ESRCH
		case ev == uint32(windows.WAIT_TIMEOUT):
			return nil
		}
		return UNKNOWN
	}
	return ENOSYS
}

// processExited reports whether process h has ended (an exit status of STILL_ACTIVE, 259,
// is told apart by the handle being signalled).
func processExited(h windows.Handle) bool {
	var code uint32
	if windows.GetExitCodeProcess(h, &code) == nil && code != stillActive {
		return true
	}
	ev, err := windows.WaitForSingleObject(h, 0)
	return err == nil && ev == windows.WAIT_OBJECT_0
}

// NewStdioPipe creates the pipe behind a child's stdio pipe as libuv's
// uv__create_stdio_pipe_pair: parent is the overlapped server end of a uniquely named pipe,
// for a Pipe handle of the loop; child is its client end, not inheritable (SpawnProcess gives
// the child an inheritable duplicate), non-overlapped unless flags hold StdioChildOverlapped,
// as a child expects of its stdio. StdioChildReads and StdioChildWrites say which way the
// data flows; with neither the pipe is duplex.
func NewStdioPipe(flags int) (parent, child OSSock, err error) {
	server, client := 0, 0
	if flags&StdioChildReads != 0 {
		server, client = server|pipeWrite, client|pipeRead
	}
	if flags&StdioChildWrites != 0 {
		server, client = server|pipeRead, client|pipeWrite
	}
	if server == 0 {
		server, client = pipeRead|pipeWrite, pipeRead|pipeWrite
	}
	s, c, err := createPipePair(server, client, true, flags&StdioChildOverlapped != 0)
	if err != nil {
		return InvalidSock, InvalidSock, err
	}
	return OSSock(s), OSSock(c), nil
}

// StdioPipe is NewStdioPipe of a duplex pipe.
func StdioPipe() (parent, child OSSock, err error) {
	return NewStdioPipe(StdioChildReads | StdioChildWrites)
}
