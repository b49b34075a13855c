package conformance_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The Windows half of the process tests: handles instead of descriptors, TerminateProcess
// instead of signals, no set-uid. The child helpers that libuv writes with C's stdio and
// _get_osfhandle use the standard handles and the C runtime's descriptor table here.

func init() {
	childHelpers["spawn_helper3"] = spawnHelper3
	childHelpers["spawn_helper5"] = func() int {
		out := []byte("fourth stdio!\n")
		h := childCRTHandle(3)
		var n uint32
		err := windows.WriteFile(h, out, &n, nil)
		childCheck(err == nil && int(n) == len(out), "write to fd 3 (handle %#x): %d, %v", h, n, err)
		return 1
	}
	childHelpers["spawn_helper8"] = spawnHelper8
	childHelpers["spawn_helper9"] = spawnHelper9
	childHelpers["spawn_tcp_server_helper"] = spawnTCPServerHelper
}

// spawnTCPServerHelper listens on the TCP socket it gets as C runtime descriptor 3.
func spawnTCPServerHelper() int {
	l, err := uv.NewLoop()
	childCheck(err == nil, "loop: %v", err)
	tcp, err := handles.NewTCP(l)
	childCheck(err == nil, "tcp: %v", err)
	err = tcp.Open(uv.OSSock(childCRTHandle(3)))
	childCheck(err == nil, "open descriptor 3: %v", err)
	err = tcp.Listen(windows.SOMAXCONN, func(*handles.Stream, error) {})
	childCheck(err == nil, "listen on the inherited socket: %v", err)
	return 1
}

// childCRTHandle returns the handle of C runtime descriptor fd that this process's parent
// passed in the STARTUPINFO (lpReserved2: a count, a flag byte per descriptor, then the
// handles), as a C child's _get_osfhandle would; Go's os package ignores that table.
func childCRTHandle(fd int) windows.Handle {
	// STARTUPINFOW with the reserved fields named, which x/sys leaves blank.
	var si struct {
		cb                      uint32
		reserved, desktop, text *uint16
		pos                     [8]uint32
		showWindow, cbReserved2 uint16
		lpReserved2             *byte
		std                     [3]windows.Handle
	}
	childCheck(windows.GetStartupInfo((*windows.StartupInfo)(unsafe.Pointer(&si))) == nil, "GetStartupInfo")
	childCheck(si.lpReserved2 != nil && si.cbReserved2 >= 4, "no C runtime descriptor table")
	b := unsafe.Slice(si.lpReserved2, si.cbReserved2)
	n := int(binary.LittleEndian.Uint32(b))
	childCheck(fd < n && len(b) >= 4+n+8*n, "descriptor %d not in a table of %d", fd, n)
	return windows.Handle(binary.LittleEndian.Uint64(b[4+n+8*fd:]))
}

// spawnHelper3 is fgets of one line (at most 254 bytes) from stdin, then fputs of it to
// stdout: the bytes up to the first NUL.
func spawnHelper3() int {
	line, err := bufio.NewReaderSize(io.LimitReader(os.Stdin, 254), 256).ReadBytes('\n')
	childCheck(len(line) > 0, "fgets: %v", err)
	if i := strings.IndexByte(string(line), 0); i >= 0 {
		line = line[:i]
	}
	_, err = os.Stdout.Write(line)
	childCheck(err == nil, "write: %v", err)
	return 1
}

var procGetHandleInformation = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetHandleInformation")

// spawnHelper8 reads two handle values from stdin, one not inheritable in the parent and one
// inheritable: neither may be open here, since a child inherits its stdio only.
func spawnHelper8() int {
	var b [16]byte
	n, err := io.ReadFull(os.Stdin, b[:])
	childCheck(err == nil, "read: %d, %v", n, err)
	for i, what := range []string{"not inheritable", "inheritable"} {
		h := windows.Handle(binary.LittleEndian.Uint64(b[8*i:]))
		childCheck(h != 0, "handle %d is 0", i)
		var flags uint32
		ok, _, err := procGetHandleInformation.Call(uintptr(h), uintptr(unsafe.Pointer(&flags)))
		if ok == 0 {
			childCheck(err == windows.ERROR_INVALID_HANDLE, "the %s handle %#x: %v", what, h, err)
			continue
		}
		// The number may be that of a handle of this process's own (libuv's C child has
		// few; a Go program has many): only a character device that is none of its stdio
		// would be NUL inherited.
		t, _ := windows.GetFileType(h)
		childCheck(t != windows.FILE_TYPE_CHAR || isChildStdio(h), "the %s handle %#x reached the child", what, h)
	}
	return 1
}

// isChildStdio reports whether h is one of this process's standard handles.
func isChildStdio(h windows.Handle) bool {
	for _, n := range procStdHandles {
		if s, err := windows.GetStdHandle(n); err == nil && s == h {
			return true
		}
	}
	return false
}

// spawnHelper9 copies stdin to stdout until the end.
func spawnHelper9() int {
	var buf [1024]byte
	for {
		n, err := os.Stdin.Read(buf[:])
		if n == 0 && err == io.EOF {
			return 1
		}
		childCheck(err == nil && n > 0, "read: %d, %v", n, err)
		_, err = os.Stdout.Write(buf[:n])
		childCheck(err == nil, "write: %v", err)
	}
}

// procKilledStatus is the exit status of a child ended by Kill: libuv terminates it with
// status 1.
const procKilledStatus = int64(1)

// procSystemEnv reports whether a variable in a child's empty environment is one libuv adds
// on Windows because programs need it (SYSTEMROOT, TEMP, PATH, ...), or one Wine adds to
// every process (WINELOADER, WINECONFIGDIR, ...).
func procSystemEnv(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	if strings.HasPrefix(name, "WINE") {
		return true
	}
	for _, v := range []string{"HOMEDRIVE", "HOMEPATH", "LOGONSERVER", "PATH", "SYSTEMDRIVE",
		"SYSTEMROOT", "TEMP", "USERDOMAIN", "USERNAME", "USERPROFILE", "WINDIR"} {
		if strings.EqualFold(name, v) {
			return true
		}
	}
	return false
}

var procStdHandles = [3]uint32{windows.STD_INPUT_HANDLE, windows.STD_OUTPUT_HANDLE, windows.STD_ERROR_HANDLE}

// procStdFd returns this process's standard handle n (0 stdin, 1 stdout, 2 stderr): what
// the C runtime's descriptor n is.
func procStdFd(n int) uv.OSFd {
	h, _ := windows.GetStdHandle(procStdHandles[n])
	return uv.OSFd(h)
}

// openOutputFile creates name in a temporary directory for reading and writing. (Not in
// t.TempDir: Wine 8 cannot run the RemoveAll of its cleanup.)
func openOutputFile(t *testing.T, name string) uv.OSFd {
	f, err := os.CreateTemp("", name)
	require.NoError(t, err)
	path := f.Name()
	require.NoError(t, f.Close())
	t.Cleanup(func() { os.Remove(path) })
	p, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil,
		windows.CREATE_ALWAYS, windows.FILE_ATTRIBUTE_NORMAL, 0)
	require.NoError(t, err)
	return uv.OSFd(h)
}

// readOutputFile reads what the file holds from offset 0.
func readOutputFile(t *testing.T, fd uv.OSFd) string {
	_, err := windows.Seek(windows.Handle(fd), 0, 0)
	require.NoError(t, err)
	var buf [1024]byte
	var n uint32
	require.NoError(t, windows.ReadFile(windows.Handle(fd), buf[:], &n, nil))
	return string(buf[:n])
}

func closeOutputFile(t *testing.T, fd uv.OSFd) {
	require.NoError(t, windows.CloseHandle(windows.Handle(fd)))
}

// replaceFd makes file this process's standard handle n (libuv's test dup2s onto the C
// runtime's descriptor) and returns a function that puts the original back.
func replaceFd(t *testing.T, file uv.OSFd, n int) (restore func()) {
	saved, err := windows.GetStdHandle(procStdHandles[n])
	require.NoError(t, err)
	require.NoError(t, windows.SetStdHandle(procStdHandles[n], windows.Handle(file)))
	return func() { windows.SetStdHandle(procStdHandles[n], saved) }
}

// reapLeftover ends pid if it still runs.
func reapLeftover(pid int) {
	if pid <= 0 {
		return
	}
	h, err := windows.OpenProcess(windows.PROCESS_TERMINATE|windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return
	}
	defer windows.CloseHandle(h)
	if windows.TerminateProcess(h, 1) == nil {
		windows.WaitForSingleObject(h, 10000)
	}
}

func spawnFailsCheckForWaitpidCleanup(t *testing.T) {
	t.Skip("Windows has no waitpid and a failed CreateProcess leaves no child: libuv does not run this test there")
}

// spawnDetached: libuv starts a detached child (DETACHED_PROCESS, a process group of its
// own, outside the job that ends the children with this process); the loop does not wait for
// it, and it runs until killed.
func spawnDetached(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", detachCb)
	st.opts.Flags |= uv.ProcessDetached
	require.NoError(t, st.spawn())
	st.proc.Unref()
	run(t, st.l, uv.RunDefault)
	require.Zero(t, st.exitCalls)
	pid := st.proc.Pid()
	require.Positive(t, pid)
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	require.NoError(t, err)
	defer windows.CloseHandle(h)
	require.NoError(t, handles.Kill(pid, 0))
	require.NoError(t, handles.Kill(pid, procSIGTERM))
	// libuv leaves the child to the test runner; here its end is awaited.
	ev, err := windows.WaitForSingleObject(h, 10000)
	require.NoError(t, err)
	require.Equal(t, uint32(windows.WAIT_OBJECT_0), ev)
	var code uint32
	require.NoError(t, windows.GetExitCodeProcess(h, &code))
	require.Equal(t, uint32(1), code)
}

// spawnClosedProcessIO: libuv closes the C runtime's descriptor 0; here this process's
// standard input handle is taken away for the spawn (and put back), which is what the child's
// stdio is made from.
func spawnClosedProcessIO(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper3", exitCb)
	in := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe)}
	saved, err := windows.GetStdHandle(windows.STD_INPUT_HANDLE)
	require.NoError(t, err)
	require.NoError(t, windows.SetStdHandle(windows.STD_INPUT_HANDLE, windows.InvalidHandle))
	err = st.spawn()
	windows.SetStdHandle(windows.STD_INPUT_HANDLE, saved)
	require.NoError(t, err)
	buffer := "hello-from-spawn_stdin\n\x00"
	var req handles.WriteReq
	require.NoError(t, in.Write(&req, [][]byte{[]byte(buffer)}, st.writeCb))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls) // process, child stdin
}

// killTest is libuv's kill on Windows: signal 0 checks that the child runs, SIGTERM ends it.
func killTest(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", killCb)
	require.NoError(t, st.spawn())
	require.NoError(t, handles.Kill(st.proc.Pid(), 0))
	require.NoError(t, handles.Kill(st.proc.Pid(), procSIGTERM))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

func spawnSetuidSetgid(t *testing.T) {
	t.Skip("Windows has no uid or gid: SetUID and SetGID give ENOTSUP (TestSpawnSetuidFails)")
}

// runSetIDFails is libuv's spawn_setuid_fails and spawn_setgid_fails on Windows: the flag
// gives ENOTSUP, and no callback runs.
func runSetIDFails(t *testing.T, flag int, mode string) {
	st := newSpawnTest(t, "spawn_helper1", failCb)
	st.opts.Flags |= flag
	st.opts.UID, st.opts.GID = -42424242, -42424242
	require.ErrorIs(t, st.spawn(), uv.ENOTSUP)
	require.False(t, st.proc.IsActive())
	run(t, st.l, uv.RunDefault)
	require.Zero(t, st.closeCalls)
}

// spawnFsOpen is libuv's test on Windows: the child gets the values of a handle FsOpen made
// (not inheritable) and of an inheritable duplicate, and neither is open there.
func spawnFsOpen(t *testing.T) {
	fd, err := uv.FsOpen("NUL", uv.FsORdwr, 0)
	require.NoError(t, err)
	st := newSpawnTest(t, "spawn_helper8", exitCb)
	in := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe)}
	cur := windows.CurrentProcess()
	var dup windows.Handle
	require.NoError(t, windows.DuplicateHandle(cur, windows.Handle(fd), cur, &dup, 0, true, windows.DUPLICATE_SAME_ACCESS))
	defer windows.CloseHandle(dup)
	require.NoError(t, st.spawn())
	var b1, b2 [8]byte
	binary.LittleEndian.PutUint64(b1[:], uint64(fd))
	binary.LittleEndian.PutUint64(b2[:], uint64(dup))
	var req1, req2 handles.WriteReq
	require.NoError(t, in.Write(&req1, [][]byte{b1[:]}, func(_ *handles.WriteReq, err error) { assert.NoError(t, err) }))
	require.NoError(t, in.Write(&req2, [][]byte{b2[:]}, st.writeCb))
	run(t, st.l, uv.RunDefault)
	require.NoError(t, uv.FsClose(fd))
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls) // in, process
}

// closedFdEvents is libuv's test on Windows: the read end of a non-overlapped pipe, shared
// with a child, is read by this process's pipe handle (on a goroutine, as libuv's thread);
// once closed, a write to the pipe wakes nothing before a 10 ms timer.
func closedFdEvents(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", exitCb)
	fds, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	defer windows.CloseHandle(windows.Handle(fds[1]))
	st.opts.Stdio = []handles.StdioContainer{inheritFd(fds[0]), {}, {}}
	require.NoError(t, st.spawn())
	st.proc.Unref()

	pipe := st.newPipe()
	require.NoError(t, pipe.Open(fds[0])) // the pipe owns fds[0] now
	require.NoError(t, pipe.ReadStart(st.onAlloc, func(s *handles.Stream, buf []byte, err error) {
		s.ReadStop()
		st.onRead(s, buf, err)
	}))
	var n uint32
	require.NoError(t, windows.WriteFile(windows.Handle(fds[1]), []byte{0}, &n, nil))
	require.Equal(t, uint32(1), n)
	require.False(t, run(t, st.l, uv.RunOnce))
	require.Equal(t, 1, st.used)

	pipe.Close(st.closeCb)
	require.NoError(t, windows.WriteFile(windows.Handle(fds[1]), []byte{0}, &n, nil))
	require.Equal(t, uint32(1), n)
	timerCalls := 0
	tm, err := handles.NewTimer(st.l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(*handles.Timer) { timerCalls++ }, 10, 0))
	if run(t, st.l, uv.RunOnce) {
		run(t, st.l, uv.RunOnce)
	}
	require.Equal(t, 1, timerCalls)

	require.NoError(t, st.proc.Kill(procSIGTERM))
}
