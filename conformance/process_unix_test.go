//go:build unix

package conformance_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The unix half of the process tests: the C-like child helpers, descriptors, signals and
// set-uid.

func init() {
	childHelpers["spawn_helper3"] = spawnHelper3
	childHelpers["spawn_helper5"] = func() int {
		out := []byte("fourth stdio!\n")
		n, err := childWrite(3, out)
		childCheck(err == nil && n == len(out), "write to fd 3: %d, %v", n, err)
		unix.Fsync(3)
		return 1
	}
	childHelpers["spawn_helper8"] = spawnHelper8
	childHelpers["spawn_helper9"] = spawnHelper9
	childHelpers["spawn_tcp_server_helper"] = spawnTCPServerHelper
	childHelpers["spawn_helper_setuid_setgid"] = func() int {
		childCheck(len(os.Args) == 3, "arguments %q", os.Args)
		uid, err1 := strconv.Atoi(os.Args[1])
		gid, err2 := strconv.Atoi(os.Args[2])
		childCheck(err1 == nil && err2 == nil, "arguments %q", os.Args)
		childCheck(os.Getuid() == uid, "uid %d, want %d", os.Getuid(), uid)
		childCheck(os.Getgid() == gid, "gid %d, want %d", os.Getgid(), gid)
		return 1
	}
	childHelpers["spawn_setuid_fails"] = func() int { return spawnSetIDFails(uv.ProcessSetUID) }
	childHelpers["spawn_setgid_fails"] = func() int { return spawnSetIDFails(uv.ProcessSetGID) }
}

// procKilledStatus is the exit status a child killed by a signal reports: none, on unix.
const procKilledStatus = int64(0)

// procSystemEnv reports whether a variable in a child's empty environment was put there by
// the system: never on unix.
func procSystemEnv(kv string) bool { return false }

// procStdFd returns this process's descriptor n (0, 1, 2).
func procStdFd(n int) uv.OSFd { return n }

// closeOutputFile closes a file of openOutputFile.
func closeOutputFile(t *testing.T, fd uv.OSFd) { require.NoError(t, uv.FsClose(fd)) }

// childWrite writes all of b to fd with write(2), as the C helpers do.
func childWrite(fd int, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		w, err := unix.Write(fd, b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += w
	}
	return n, nil
}

// childRead reads from fd with read(2), retrying EINTR.
func childRead(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Read(fd, b)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// childBlocking checks that fd is in blocking mode: libuv's C helpers read their stdio with
// plain read(2) and fgets, which fail on a non-blocking descriptor (EAGAIN); a Go program
// would not notice, so the helpers check it.
func childBlocking(fd int) {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	childCheck(err == nil, "fcntl(%d): %v", fd, err)
	childCheck(fl&unix.O_NONBLOCK == 0, "fd %d is non-blocking", fd)
}

// spawnHelper3 is fgets of one line (at most 254 bytes) from stdin, then fputs of it to
// stdout: the bytes up to the first NUL.
func spawnHelper3() int {
	childBlocking(0)
	line, err := bufio.NewReaderSize(io.LimitReader(os.Stdin, 254), 256).ReadBytes('\n')
	childCheck(len(line) > 0, "fgets: %v", err)
	if i := strings.IndexByte(string(line), 0); i >= 0 {
		line = line[:i]
	}
	_, err = childWrite(1, line)
	childCheck(err == nil, "write: %v", err)
	return 1
}

// spawnHelper8 reads two descriptor numbers from stdin: the first is close-on-exec in the
// parent and must not be usable here.
func spawnHelper8() int {
	childBlocking(0)
	var b [8]byte
	n, err := io.ReadFull(os.Stdin, b[:])
	childCheck(err == nil, "read: %d, %v", n, err)
	closedFd := int(int32(binary.NativeEndian.Uint32(b[:4])))
	openFd := int(int32(binary.NativeEndian.Uint32(b[4:])))
	childCheck(openFd > 2 && closedFd > 2, "descriptors %d, %d", closedFd, openFd)
	_, err = unix.Write(closedFd, []byte("x"))
	childCheck(err != nil, "write to the close-on-exec descriptor %d succeeded", closedFd)
	return 1
}

// spawnHelper9 copies stdin to stdout until EOF with read(2) and write(2).
func spawnHelper9() int {
	childBlocking(0)
	childBlocking(1)
	var buf [1024]byte
	for {
		n, err := childRead(0, buf[:])
		if n == 0 && err == nil {
			return 1
		}
		childCheck(err == nil && n > 0, "read: %d, %v", n, err)
		_, err = childWrite(1, buf[:n])
		childCheck(err == nil, "write: %v", err)
	}
}

// spawnTCPServerHelper listens on the TCP socket it gets as fd 3.
func spawnTCPServerHelper() int {
	l, err := uv.NewLoop()
	childCheck(err == nil, "loop: %v", err)
	tcp, err := handles.NewTCP(l)
	childCheck(err == nil, "tcp: %v", err)
	childCheck(tcp.Open(3) == nil, "open fd 3")
	err = tcp.Listen(unix.SOMAXCONN, func(*handles.Stream, error) {})
	childCheck(err == nil, "listen on the inherited socket: %v", err)
	return 1
}

// spawnSetIDFails is libuv's spawn_setuid_fails and spawn_setgid_fails, run in a child so
// that becoming "nobody" does not affect the test process: as nobody, a spawn asking for
// uid (or gid) 0 fails with EPERM, the Windows flags being ignored.
func spawnSetIDFails(flag int) int {
	if os.Getuid() == 0 {
		pw, err := user.Lookup("nobody")
		childCheck(err == nil, "no user nobody: %v", err)
		uid, _ := strconv.Atoi(pw.Uid)
		gid, _ := strconv.Atoi(pw.Gid)
		childCheck(syscall.Setgid(gid) == nil, "setgid(%d)", gid)
		childCheck(syscall.Setuid(uid) == nil, "setuid(%d)", uid)
	}
	l, err := uv.NewLoop()
	childCheck(err == nil, "loop: %v", err)
	file, args, env := childCommand("spawn_helper1")
	var p handles.Process
	closes := 0
	err = handles.Spawn(l, &p, &handles.ProcessOptions{File: file, Args: args, Env: env,
		Flags: flag | uv.ProcessWindowsHide | uv.ProcessWindowsHideConsole | uv.ProcessWindowsHideGUI |
			uv.ProcessWindowsVerbatimArguments,
		Exit: func(*handles.Process, int64, int) { childCheck(false, "exit callback called") }})
	childCheck(errors.Is(err, uv.EPERM), "spawn: %v, want EPERM", err)
	_, err = l.Run(uv.RunDefault)
	childCheck(err == nil, "run: %v", err)
	childCheck(closes == 0, "close callbacks")
	p.Close(nil)
	l.Run(uv.RunDefault)
	childCheck(l.Close() == nil, "loop close")
	return 0
}

// reapLeftover kills and reaps pid if it is a child of this process that has not been reaped.
func reapLeftover(pid int) {
	if pid <= 0 {
		return
	}
	var ws unix.WaitStatus
	r, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	if err != nil || r == pid {
		return // not ours any more, or now reaped
	}
	unix.Kill(pid, unix.SIGKILL)
	unix.Wait4(pid, &ws, 0, nil)
}

// openOutputFile opens name in a temporary directory for reading and writing.
func openOutputFile(t *testing.T, name string) uv.OSFd {
	fd, err := uv.FsOpen(filepath.Join(t.TempDir(), name), unix.O_CREAT|unix.O_RDWR, 0o600)
	require.NoError(t, err)
	return fd
}

// readOutputFile reads what fd holds from offset 0.
func readOutputFile(t *testing.T, fd uv.OSFd) string {
	var buf [1024]byte
	n, err := unix.Pread(fd, buf[:], 0)
	require.NoError(t, err)
	return string(buf[:n])
}

// replaceFd puts a copy of file at fd (libuv's tests dup2 files onto this process's stdout
// and stderr) and returns a function that puts the original back.
func replaceFd(t *testing.T, file, fd int) (restore func()) {
	saved, err := unix.Dup(fd)
	require.NoError(t, err)
	unix.CloseOnExec(saved)
	require.NoError(t, dup2(file, fd))
	return func() {
		dup2(saved, fd)
		unix.Close(saved)
	}
}

func spawnFailsCheckForWaitpidCleanup(t *testing.T) {
	st := spawnFails(t)
	run(t, st.l, uv.RunDefault)
	require.Zero(t, st.proc.Pid())
	var ws unix.WaitStatus
	_, err := unix.Wait4(0, &ws, unix.WNOHANG, nil)
	require.ErrorIs(t, err, unix.ECHILD)
	st.proc.Close(nil)
	run(t, st.l, uv.RunDefault)
}

func spawnDetached(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", detachCb)
	st.opts.Flags |= uv.ProcessDetached
	require.NoError(t, st.spawn())
	st.proc.Unref()
	run(t, st.l, uv.RunDefault)
	require.Zero(t, st.exitCalls)
	pid := st.proc.Pid()
	require.Positive(t, pid)
	sid, err := unix.Getsid(pid)
	require.NoError(t, err)
	require.Equal(t, pid, sid, "a detached child leads a new session")
	require.NoError(t, handles.Kill(pid, 0))
	require.NoError(t, handles.Kill(pid, procSIGTERM))
	// libuv leaves the child to the test runner; here it is reaped.
	var ws unix.WaitStatus
	_, err = unix.Wait4(pid, &ws, 0, nil)
	require.NoError(t, err)
	require.Equal(t, unix.SIGTERM, ws.Signal())
}

func spawnClosedProcessIO(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper3", exitCb)
	in := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe)}
	saved, err := unix.Dup(0)
	require.NoError(t, err)
	unix.CloseOnExec(saved)
	require.NoError(t, unix.Close(0))
	t.Cleanup(func() {
		if _, err := unix.FcntlInt(0, unix.F_GETFD, 0); err != nil { // fd 0 free again
			dup2(saved, 0)
		}
		unix.Close(saved)
	})
	require.NoError(t, st.spawn())
	buffer := "hello-from-spawn_stdin\n\x00"
	var req handles.WriteReq
	require.NoError(t, in.Write(&req, [][]byte{[]byte(buffer)}, st.writeCb))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls) // process, child stdin
}

func killTest(t *testing.T) {
	st := newSpawnTest(t, "", killCb)
	st.opts.File, st.opts.Args, st.opts.Env = "sleep", []string{"sleep", "1000"}, nil
	unblock, _ := blockSignalOnThread(unix.SIGTERM)
	signal.Ignore(unix.SIGTERM)
	err := st.spawn()
	signal.Reset(unix.SIGTERM)
	unblock()
	require.NoError(t, err)
	require.NoError(t, handles.Kill(st.proc.Pid(), 0))
	require.NoError(t, handles.Kill(st.proc.Pid(), procSIGTERM))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

func spawnSetuidSetgid(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root")
	}
	pw, err := user.Lookup("nobody")
	require.NoError(t, err)
	uid, err := strconv.Atoi(pw.Uid)
	require.NoError(t, err)
	gid, err := strconv.Atoi(pw.Gid)
	require.NoError(t, err)
	st := newSpawnTest(t, "spawn_helper_setuid_setgid", exitCb)
	dir, err := os.MkdirTemp("", "uvsetuid")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	exe := filepath.Join(dir, "helper")
	data, err := os.ReadFile(st.opts.File)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exe, data, 0o755))
	st.opts.File = exe
	st.opts.Args = []string{exe, pw.Uid, pw.Gid}
	st.opts.Cwd = dir
	st.opts.UID, st.opts.GID = uid, gid
	st.opts.Flags = uv.ProcessSetUID | uv.ProcessSetGID
	err = st.spawn()
	if errors.Is(err, uv.EACCES) {
		t.Skip("user nobody cannot run the test binary")
	}
	require.NoError(t, err)
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

func spawnFsOpen(t *testing.T) {
	fd, err := uv.FsOpen(os.DevNull, unix.O_RDWR, 0)
	require.NoError(t, err)
	st := newSpawnTest(t, "spawn_helper8", exitCb)
	in := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{createPipe(in, handles.StdioReadablePipe)}
	dupFd, err := unix.Dup(fd) // inheritable
	require.NoError(t, err)
	defer unix.Close(dupFd)
	require.NoError(t, st.spawn())
	var b1, b2 [4]byte
	binary.NativeEndian.PutUint32(b1[:], uint32(fd))
	binary.NativeEndian.PutUint32(b2[:], uint32(dupFd))
	var req1, req2 handles.WriteReq
	require.NoError(t, in.Write(&req1, [][]byte{b1[:]}, func(_ *handles.WriteReq, err error) { assert.NoError(t, err) }))
	require.NoError(t, in.Write(&req2, [][]byte{b2[:]}, st.writeCb))
	run(t, st.l, uv.RunDefault)
	require.NoError(t, uv.FsClose(fd))
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 2, st.closeCalls) // in, process
}

func closedFdEvents(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper4", exitCb)
	fds, err := handles.PipePair(0, 0)
	require.NoError(t, err)
	require.Greater(t, fds[0], 2)
	require.Greater(t, fds[1], 2)
	defer unix.Close(fds[1])
	st.opts.Stdio = []handles.StdioContainer{inheritFd(fds[0]), {}, {}}
	require.NoError(t, st.spawn())
	st.proc.Unref()

	pipe := st.newPipe()
	require.NoError(t, pipe.Open(fds[0])) // the pipe owns fds[0] now
	require.NoError(t, pipe.ReadStart(st.onAlloc, func(s *handles.Stream, buf []byte, err error) {
		s.ReadStop()
		st.onRead(s, buf, err)
	}))
	n, err := unix.Write(fds[1], []byte{0})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.False(t, run(t, st.l, uv.RunOnce))
	require.Equal(t, 1, st.used)

	pipe.Close(st.closeCb)
	n, err = unix.Write(fds[1], []byte{0})
	require.NoError(t, err)
	require.Equal(t, 1, n)
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

// runSetIDFails runs mode in a child of its own, which becomes nobody (libuv's test changes
// the whole test process) and checks there that the spawn with flag fails with EPERM.
func runSetIDFails(t *testing.T, flag int, mode string) {
	st := newSpawnTest(t, mode, func(st *spawnTest, p *handles.Process, status int64, sig int) {
		st.exitCalls++
		assert.Zero(t, status, "the child's checks failed (see its stderr)")
		assert.Zero(t, sig)
		p.Close(st.closeCb)
	})
	st.opts.Stdio = []handles.StdioContainer{{}, inheritFd(1), inheritFd(2)}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
}
