package conformance_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The Windows half of the process tests: handles instead of descriptors, TerminateProcess
// instead of signals, no set-uid.

// procKilledStatus is the exit status of a child ended by Kill: libuv terminates it with
// status 1.
const procKilledStatus = int64(1)

// procNeedPipes skips a test that gives the child a pipe: on Windows that is a named pipe
// whose parent end is a Pipe handle, which the IOCP stream code does not handle yet
// (uv.StdioPipe returns ENOTSUP).
func procNeedPipes(t *testing.T) {
	t.Helper()
	t.Skip("needs stdio pipes, which on Windows wait for the named-pipe Pipe handle (StdioPipe gives ENOTSUP)")
}

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

func spawnClosedProcessIO(t *testing.T) { procNeedPipes(t) }

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

func spawnFsOpen(t *testing.T) { procNeedPipes(t) }

func closedFdEvents(t *testing.T) { procNeedPipes(t) }
