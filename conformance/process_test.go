package conformance_test

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The process tests (libuv's test-spawn.c, test-signal.c's kill_invalid_signum and
// test-ref.c's process_ref). libuv's runner re-runs its own binary as the child helpers
// (spawn_helper1, ...); here the test binary does the same through childHelpers, with the
// mode in the environment rather than in argv[1]. The files libuv creates in the working
// directory (stdout_file, ...) are created in a temporary directory. What differs between
// unix and Windows (descriptors against handles, signals, set-uid) is in
// process_unix_test.go and process_windows_test.go.

// procSIGTERM is SIGTERM, 15 on unix and in the Windows C runtime alike.
const procSIGTERM = 15

func init() {
	childHelpers["spawn_helper1"] = func() int { return 1 }
	childHelpers["spawn_helper2"] = func() int {
		fmt.Print("hello world\n")
		return 1
	}
	childHelpers["spawn_helper4"] = func() int {
		for { // never returns, as libuv's helper
			time.Sleep(10 * time.Second)
		}
	}
	childHelpers["spawn_helper6"] = func() int {
		_, err := os.Stdout.WriteString("hello world\n")
		childCheck(err == nil, "stdout: %v", err)
		_, err = os.Stderr.WriteString("hello errworld\n")
		childCheck(err == nil, "stderr: %v", err)
		return 1
	}
	childHelpers["spawn_helper7"] = func() int {
		v, ok := os.LookupEnv("ENV_TEST")
		childCheck(ok, "ENV_TEST is not set")
		fmt.Print(v)
		return 1
	}
	childHelpers["spawn_helper_empty_env"] = func() int {
		// Windows adds the variables its programs need (SYSTEMROOT, ...): see
		// procSystemEnv.
		var extra []string
		for _, kv := range os.Environ() {
			if kv != childEnv+"=spawn_helper_empty_env" && !procSystemEnv(kv) {
				extra = append(extra, kv)
			}
		}
		childCheck(len(extra) == 0, "environment %q", os.Environ())
		return 1
	}
}

// childCheck ends a child helper with status 99 and a message on stderr when ok is false.
func childCheck(ok bool, format string, args ...any) {
	if !ok {
		fmt.Fprintf(os.Stderr, "child helper %s: %s\n", os.Getenv(childEnv), fmt.Sprintf(format, args...))
		os.Exit(99)
	}
}

// spawnTest holds what libuv's test-spawn.c keeps in globals for one test.
type spawnTest struct {
	t          *testing.T
	l          *uv.Loop
	proc       handles.Process
	opts       handles.ProcessOptions
	exitCalls  int
	closeCalls int
	output     [1024]byte
	used       int
	timer      *handles.Timer
}

// newSpawnTest is libuv's init_process_options: the test binary in helper mode, with exit as
// the exit callback. A child still running when the test ends is killed and reaped.
func newSpawnTest(t *testing.T, mode string, exit func(*spawnTest, *handles.Process, int64, int)) *spawnTest {
	st := &spawnTest{t: t, l: newLoop(t)}
	file, args, env := childCommand(mode)
	st.opts = handles.ProcessOptions{File: file, Args: args, Env: quickExit(env)}
	if exit != nil {
		st.opts.Exit = func(p *handles.Process, status int64, sig int) { exit(st, p, status, sig) }
	}
	t.Cleanup(func() { reapLeftover(st.proc.Pid()) })
	procWatchdog(t, st.l, func() { reapLeftover(st.proc.Pid()) })
	return st
}

// quickExit sets, in env, the race detector's option that makes a child exit at once: by
// default a race-enabled program sleeps a second at exit.
func quickExit(env []string) []string {
	opts := "atexit_sleep_ms=0"
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GORACE="); ok {
			opts = v + " " + opts
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GORACE="+opts)
}

// procWatchdog stops the loop, failing the test, if it still runs after 10 s; kill ends the
// children first.
func procWatchdog(t *testing.T, l *uv.Loop, kill func()) {
	t.Helper()
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(*handles.Timer) {
		t.Error("loop still running after 10 s")
		if kill != nil {
			kill()
		}
		l.Stop()
	}, 10000, 0))
	tm.Unref()
}

func (st *spawnTest) spawn() error { return handles.Spawn(st.l, &st.proc, &st.opts) }

func (st *spawnTest) closeCb() { st.closeCalls++ }

// exitCb expects exit status 1 (the helpers' status) and no signal.
func exitCb(st *spawnTest, p *handles.Process, status int64, sig int) {
	st.exitCalls++
	assert.Equal(st.t, int64(1), status, "exit status")
	assert.Zero(st.t, sig, "term signal")
	p.Close(st.closeCb)
}

// killCb expects death by SIGTERM (with exit status 0 on unix, 1 on Windows, where libuv
// reports a terminated process so); the pid then no longer exists.
func killCb(st *spawnTest, p *handles.Process, status int64, sig int) {
	st.exitCalls++
	assert.Equal(st.t, procKilledStatus, status, "exit status")
	assert.Equal(st.t, procSIGTERM, sig, "term signal")
	p.Close(st.closeCb)
	assert.ErrorIs(st.t, handles.Kill(p.Pid(), 0), uv.ESRCH)
}

func failCb(st *spawnTest, _ *handles.Process, _ int64, _ int) {
	st.t.Error("exit callback must not run")
}

func detachCb(st *spawnTest, _ *handles.Process, _ int64, _ int) { st.exitCalls++ }

func (st *spawnTest) onAlloc(*handles.Stream, int) []byte { return st.output[st.used:] }

func (st *spawnTest) onRead(s *handles.Stream, buf []byte, err error) {
	if err == nil {
		st.used += len(buf)
		return
	}
	assert.ErrorIs(st.t, err, uv.EOF)
	s.Close(st.closeCb)
}

// writeCb closes the stream written to.
func (st *spawnTest) writeCb(req *handles.WriteReq, err error) {
	assert.NoError(st.t, err)
	req.Stream().Close(st.closeCb)
}

// killAfter is libuv's 500 ms timer that sends SIGTERM to the child and closes itself;
// shortened here to 50 ms.
func (st *spawnTest) killAfter() {
	tm, err := handles.NewTimer(st.l)
	require.NoError(st.t, err)
	st.timer = tm
	require.NoError(st.t, tm.Start(func(tm *handles.Timer) {
		assert.NoError(st.t, st.proc.Kill(procSIGTERM))
		tm.Close(st.closeCb)
	}, 50, 0))
}

func (st *spawnTest) out() string { return string(st.output[:st.used]) }

func (st *spawnTest) newPipe() *handles.Pipe {
	p, err := handles.NewPipe(st.l, false)
	require.NoError(st.t, err)
	return p
}

// createPipe is a stdio entry for a new pipe; flags are handles.StdioReadablePipe and
// handles.StdioWritablePipe, from the child's point of view.
func createPipe(p *handles.Pipe, flags int) handles.StdioContainer {
	return handles.StdioContainer{Flags: handles.StdioCreatePipe | flags, Stream: &p.Stream}
}

func inheritFd(fd uv.OSFd) handles.StdioContainer {
	return handles.StdioContainer{Flags: handles.StdioInheritFd, Fd: fd}
}

// spawnFails spawns a program that does not exist.
func spawnFails(t *testing.T) *spawnTest {
	st := newSpawnTest(t, "", failCb)
	st.opts.File = "program-that-had-better-not-exist"
	st.opts.Args = []string{st.opts.File}
	err := st.spawn()
	require.Error(t, err)
	require.True(t, errors.Is(err, uv.ENOENT) || errors.Is(err, uv.EACCES), "spawn error %v", err)
	require.False(t, st.proc.IsActive())
	return st
}

// TestSpawnFails checks that spawning a missing program returns ENOENT (or EACCES) from
// Spawn, leaving the handle inactive but open.
// libuv: spawn_fails
func TestSpawnFails(t *testing.T) {
	st := spawnFails(t)
	st.proc.Close(nil)
	run(t, st.l, uv.RunDefault)
}

// TestSpawnFailsCheckForWaitpidCleanup checks that the child of a failed spawn is already
// reaped: this process has no child left to wait for.
// libuv: spawn_fails_check_for_waitpid_cleanup
func TestSpawnFailsCheckForWaitpidCleanup(t *testing.T) { spawnFailsCheckForWaitpidCleanup(t) }

// TestSpawnEmptyEnv spawns with an empty environment. The helper mode has to travel in the
// environment, so the child's environment holds that one variable, and the helper checks
// that it holds nothing else.
// libuv: spawn_empty_env
func TestSpawnEmptyEnv(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper_empty_env", exitCb)
	st.opts.Env = []string{childEnv + "=spawn_helper_empty_env"}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

// TestSpawnExitCode checks the exit status reaching the exit callback.
// libuv: spawn_exit_code
func TestSpawnExitCode(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper1", exitCb)
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

// TestSpawnStdout reads the child's stdout through a pipe.
// libuv: spawn_stdout
func TestSpawnStdout(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper2", exitCb)
	out := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{{}, createPipe(out, handles.StdioWritablePipe)}
	require.NoError(t, st.spawn())
	require.NoError(t, out.ReadStart(st.onAlloc, st.onRead))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls)
	require.Equal(t, "hello world\n", st.out())
}

// TestSpawnStdoutToFile gives the child a file as stdout.
// libuv: spawn_stdout_to_file
func TestSpawnStdoutToFile(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper2", exitCb)
	file := openOutputFile(t, "stdout_file")
	st.opts.Stdio = []handles.StdioContainer{{}, inheritFd(file)}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
	require.Equal(t, "hello world\n", readOutputFile(t, file))
	closeOutputFile(t, file)
}

// TestSpawnStdoutAndStderrToFile gives the child one file as stdout and stderr.
// libuv: spawn_stdout_and_stderr_to_file
func TestSpawnStdoutAndStderrToFile(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper6", exitCb)
	file := openOutputFile(t, "stdout_file")
	st.opts.Stdio = []handles.StdioContainer{{}, inheritFd(file), inheritFd(file)}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
	require.Equal(t, "hello world\nhello errworld\n", readOutputFile(t, file))
	closeOutputFile(t, file)
}

// TestSpawnStdoutAndStderrToFile2 gives the child, as stdout and stderr, a file this process
// has as fd 2: a descriptor lower than one of the child descriptors it becomes. This
// process's stderr is put back right after the spawn.
// libuv: spawn_stdout_and_stderr_to_file2
func TestSpawnStdoutAndStderrToFile2(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper6", exitCb)
	file := openOutputFile(t, "stdout_file")
	restore := replaceFd(t, file, 2)
	st.opts.Stdio = []handles.StdioContainer{{}, inheritFd(procStdFd(2)), inheritFd(procStdFd(2))}
	err := st.spawn()
	restore()
	require.NoError(t, err)
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
	require.Equal(t, "hello world\nhello errworld\n", readOutputFile(t, file))
	closeOutputFile(t, file)
}

// TestSpawnStdoutAndStderrToFileSwap has this process's fds 1 and 2 on two files and gives
// them to the child swapped: its stdout is fd 2 here and its stderr fd 1.
// libuv: spawn_stdout_and_stderr_to_file_swap
func TestSpawnStdoutAndStderrToFileSwap(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper6", exitCb)
	stdoutFile := openOutputFile(t, "stdout_file")
	stderrFile := openOutputFile(t, "stderr_file")
	restore1 := replaceFd(t, stdoutFile, 1)
	restore2 := replaceFd(t, stderrFile, 2)
	st.opts.Stdio = []handles.StdioContainer{{}, inheritFd(procStdFd(2)), inheritFd(procStdFd(1))}
	err := st.spawn()
	restore2()
	restore1()
	require.NoError(t, err)
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
	require.True(t, strings.HasPrefix(readOutputFile(t, stdoutFile), "hello errworld\n"), readOutputFile(t, stdoutFile))
	require.True(t, strings.HasPrefix(readOutputFile(t, stderrFile), "hello world\n"), readOutputFile(t, stderrFile))
	closeOutputFile(t, stdoutFile)
	closeOutputFile(t, stderrFile)
}

// TestSpawnStdin writes to the child's stdin and reads it back from its stdout.
// libuv: spawn_stdin
func TestSpawnStdin(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper3", exitCb)
	out, in := st.newPipe(), st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe),
		createPipe(out, handles.StdioWritablePipe)}
	require.NoError(t, st.spawn())
	buffer := "hello-from-spawn_stdin\x00" // sizeof of the C array: with its NUL
	var req handles.WriteReq
	require.NoError(t, in.Write(&req, [][]byte{[]byte(buffer)}, st.writeCb))
	require.NoError(t, out.ReadStart(st.onAlloc, st.onRead))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 3, st.closeCalls)
	require.Equal(t, "hello-from-spawn_stdin", st.out())
}

// TestSpawnStdioGreaterThan3 reads what the child writes to its fd 3, a pipe.
// libuv: spawn_stdio_greater_than_3
func TestSpawnStdioGreaterThan3(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper5", exitCb)
	pipe := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{{}, {}, {}, createPipe(pipe, handles.StdioWritablePipe)}
	require.NoError(t, st.spawn())
	require.NoError(t, pipe.ReadStart(st.onAlloc, st.onRead))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls)
	require.Equal(t, "fourth stdio!\n", st.out())
}

// TestSpawnTCPServer passes a bound TCP socket to the child as fd 3, where it listens.
// libuv binds TEST_PORT; here the kernel picks a loopback port.
// libuv: spawn_tcp_server
func TestSpawnTCPServer(t *testing.T) {
	if fsUnderWine() {
		t.Skip("under Wine the socket given to a child as C runtime descriptor 3 is not a valid handle there " +
			"(the child's TCP Open gets EBADF); pipes given the same way are")
	}
	st := newSpawnTest(t, "spawn_tcp_server_helper", exitCb)
	server := new(handles.TCP)
	require.NoError(t, server.InitEx(st.l, uv.DomainInet))
	require.NoError(t, server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	fd, err := server.Fileno()
	require.NoError(t, err)
	require.Positive(t, fd)
	st.opts.Stdio = []handles.StdioContainer{inheritFd(procStdFd(0)), inheritFd(procStdFd(1)),
		inheritFd(procStdFd(2)), inheritFd(uv.OSFd(fd))}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

// TestSpawnIgnoredStdio spawns a child that writes to stdout and stderr with no stdio given:
// they go to /dev/null.
// libuv: spawn_ignored_stdio
func TestSpawnIgnoredStdio(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper6", exitCb)
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

// TestSpawnAndKill kills a running child with Process.Kill from a timer.
// libuv: spawn_and_kill
func TestSpawnAndKill(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", killCb)
	require.NoError(t, st.spawn())
	st.killAfter()
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls)
}

// TestSpawnPreserveEnv checks that a nil environment gives the child this process's.
// libuv: spawn_preserve_env
func TestSpawnPreserveEnv(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper7", exitCb)
	out := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{{}, createPipe(out, handles.StdioWritablePipe)}
	t.Setenv("ENV_TEST", "testval")
	t.Setenv(childEnv, "spawn_helper7") // the helper mode travels in the inherited environment
	st.opts.Env = nil
	require.NoError(t, st.spawn())
	require.NoError(t, out.ReadStart(st.onAlloc, st.onRead))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls)
	require.Equal(t, "testval", st.out())
}

// TestSpawnDetached spawns a detached child, unreferenced: the loop does not wait for it, and
// it runs on, in a session of its own, until killed.
// libuv: spawn_detached
func TestSpawnDetached(t *testing.T) { spawnDetached(t) }

// TestSpawnAndKillWithStd kills a child that has pipes as stdin, stdout and stderr.
// libuv: spawn_and_kill_with_std
func TestSpawnAndKillWithStd(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", killCb)
	in, out, errp := st.newPipe(), st.newPipe(), st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe),
		createPipe(out, handles.StdioWritablePipe), createPipe(errp, handles.StdioWritablePipe)}
	require.NoError(t, st.spawn())
	message := "Nancy's joining me because the message this evening is not my message but ours.\x00"
	var req handles.WriteReq
	require.NoError(t, in.Write(&req, [][]byte{[]byte(message)}, st.writeCb))
	require.NoError(t, out.ReadStart(st.onAlloc, st.onRead))
	require.NoError(t, errp.ReadStart(st.onAlloc, st.onRead))
	st.killAfter()
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 5, st.closeCalls) // process, timer, three pipes
}

// spawnAndPing writes TEST to a child that echoes a line, after checking with signal 0 that
// it runs.
func spawnAndPing(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper3", exitCb)
	in, out := st.newPipe(), st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe),
		createPipe(out, handles.StdioWritablePipe)}
	require.NoError(t, st.spawn())
	require.NoError(t, st.proc.Kill(0))
	var req handles.WriteReq
	require.NoError(t, in.Write(&req, [][]byte{[]byte("TEST")}, st.writeCb))
	require.NoError(t, out.ReadStart(st.onAlloc, st.onRead))
	require.Zero(t, st.exitCalls)
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, "TEST", st.out())
}

// TestSpawnAndPing echoes through a child.
// libuv: spawn_and_ping
func TestSpawnAndPing(t *testing.T) { spawnAndPing(t) }

// TestSpawnSameStdoutStderr is, as in libuv (whose stdio_count leaves stderr out), the same
// exchange as TestSpawnAndPing.
// libuv: spawn_same_stdout_stderr
func TestSpawnSameStdoutStderr(t *testing.T) { spawnAndPing(t) }

// TestSpawnClosedProcessIO spawns while this process's stdin is closed, so that the pipe
// made for the child may take fd 0. Stdin is put back when the test ends.
// libuv: spawn_closed_process_io
func TestSpawnClosedProcessIO(t *testing.T) { spawnClosedProcessIO(t) }

// TestKill checks that a child starts with SIGTERM at its default action and unblocked even
// though this process ignores it, and blocks it on the spawning thread, and that Kill then
// ends it. libuv's helper is a C program, which keeps an ignored or blocked signal so; a Go
// program resets both for SIGTERM, so this test runs sleep(1) instead.
// libuv: kill
func TestKill(t *testing.T) { killTest(t) }

// TestSpawnSetuidSetgid spawns the helper as user nobody, which checks its uid and gid. It
// needs root. The helper runs from a copy of the test binary in a directory nobody can
// enter (go test's build directory is private); if nobody still cannot run it, the test is
// skipped, as libuv's.
// libuv: spawn_setuid_setgid
func TestSpawnSetuidSetgid(t *testing.T) { spawnSetuidSetgid(t) }

// TestSpawnSetuidFails checks that a spawn asking for uid 0 fails with EPERM when not root.
// libuv: spawn_setuid_fails
func TestSpawnSetuidFails(t *testing.T) { runSetIDFails(t, uv.ProcessSetUID, "spawn_setuid_fails") }

// TestSpawnSetgidFails checks that a spawn asking for gid 0 fails with EPERM when not root.
// libuv: spawn_setgid_fails
func TestSpawnSetgidFails(t *testing.T) { runSetIDFails(t, uv.ProcessSetGID, "spawn_setgid_fails") }

// TestSpawnAutoUnref checks that a process handle without an exit callback stops being
// active when the child exits but is not closed.
// libuv: spawn_auto_unref
func TestSpawnAutoUnref(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper1", nil)
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.False(t, st.proc.IsClosing())
	st.proc.Close(nil)
	run(t, st.l, uv.RunDefault)
	require.True(t, st.proc.IsClosing())
}

// TestSpawnFsOpen checks that a descriptor opened with FsOpen (close-on-exec) does not reach
// the child, which gets its number, and that of an inheritable copy, through stdin.
// libuv: spawn_fs_open
func TestSpawnFsOpen(t *testing.T) { spawnFsOpen(t) }

// TestClosedFdEvents checks that a pipe closed here, whose other copy a child still holds,
// raises no more events: after the close, a write to the pipe must not wake the loop before
// a 10 ms timer.
// libuv: closed_fd_events
func TestClosedFdEvents(t *testing.T) { closedFdEvents(t) }

// TestSpawnReadsChildPath runs a file named without a directory, found through the PATH of
// the child's environment, not this process's.
// libuv: spawn_reads_child_path
func TestSpawnReadsChildPath(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper1", exitCb)
	dir, file := filepath.Split(st.opts.File)
	st.opts.File = file
	st.opts.Args = []string{file}
	st.opts.Env = []string{"PATH=" + dir, childEnv + "=spawn_helper1"}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

// TestSpawnInheritStreams gives the child the far ends of two pipes this process reads and
// writes, as streams, and checks that it copies 1023 bytes from one to the other. The child
// checks that it got them blocking, as libuv's C helper needs them.
// libuv: spawn_inherit_streams
func TestSpawnInheritStreams(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper9", exitCb)
	stdinChild, stdoutChild, stdinParent, stdoutParent := st.newPipe(), st.newPipe(), st.newPipe(), st.newPipe()
	fdsStdin, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	fdsStdout, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	require.NoError(t, stdinChild.Open(fdsStdin[0]))
	require.NoError(t, stdoutChild.Open(fdsStdout[1]))
	require.NoError(t, stdinParent.Open(fdsStdin[1]))
	require.NoError(t, stdoutParent.Open(fdsStdout[0]))
	require.True(t, stdinChild.IsReadable())
	require.True(t, stdoutChild.IsWritable())
	require.True(t, stdinParent.IsWritable())
	require.True(t, stdoutParent.IsReadable())
	bidir := stdinChild.IsWritable() // some systems' pipes go both ways
	require.Equal(t, bidir, stdoutChild.IsReadable())
	require.Equal(t, bidir, stdinParent.IsReadable())
	require.Equal(t, bidir, stdoutParent.IsWritable())

	st.opts.Stdio = []handles.StdioContainer{
		{Flags: handles.StdioInheritStream, Stream: &stdinChild.Stream},
		{Flags: handles.StdioInheritStream, Stream: &stdoutChild.Stream},
	}
	require.NoError(t, st.spawn())
	stdinChild.Close(nil)
	stdoutChild.Close(nil)

	ubuf := make([]byte, len(st.output)-1)
	for i := range ubuf {
		ubuf[i] = byte(i)
	}
	var req handles.WriteReq
	require.NoError(t, stdinParent.Write(&req, [][]byte{ubuf}, st.writeCb))
	require.NoError(t, stdoutParent.ReadStart(st.onAlloc, st.onRead))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 3, st.closeCalls)
	require.Equal(t, ubuf, st.output[:st.used])
}

// TestSpawnExerciseSigchldIssue spawns a child and then a hundred programs that do not exist
// (libuv's check for lost SIGCHLDs on macOS): the child's exit is still seen.
// libuv: spawn_exercise_sigchld_issue
func TestSpawnExerciseSigchldIssue(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper1", exitCb)
	require.NoError(t, st.spawn())
	var dummies [100]handles.Process
	for i := range dummies {
		err := handles.Spawn(st.l, &dummies[i], &handles.ProcessOptions{
			File: "program-that-had-better-not-exist", Args: []string{"program-that-had-better-not-exist"},
			Exit: func(*handles.Process, int64, int) { t.Error("exit callback must not run") }})
		require.True(t, errors.Is(err, uv.ENOENT) || errors.Is(err, uv.EACCES), "spawn error %v", err)
		dummies[i].Close(st.closeCb)
	}
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 101, st.closeCalls)
}

// TestSpawnRelativePath runs the helper as ./name from its own directory, given as Cwd.
// libuv: spawn_relative_path
func TestSpawnRelativePath(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper1", exitCb)
	dir, file := filepath.Split(st.opts.File)
	st.opts.Cwd = dir
	st.opts.File = "./" + file
	st.opts.Args = []string{st.opts.File}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

// TestKillInvalidSignum checks that Kill refuses signal numbers out of range with EINVAL.
// libuv: kill_invalid_signum
func TestKillInvalidSignum(t *testing.T) {
	pid := os.Getpid()
	require.ErrorIs(t, handles.Kill(pid, -1), uv.EINVAL)
	require.ErrorIs(t, handles.Kill(pid, 4096), uv.EINVAL)
}

// TestProcessRef checks that an unreferenced process handle does not keep the loop running,
// and that the child can still be killed through it.
// libuv: process_ref
func TestProcessRef(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", nil)
	require.NoError(t, st.spawn())
	st.proc.Unref()
	run(t, st.l, uv.RunDefault)
	require.NoError(t, st.proc.Kill(procSIGTERM))
	closed := false
	st.proc.Close(func() { closed = true })
	run(t, st.l, uv.RunDefault)
	require.True(t, closed)
}
