//go:build unix

package handles_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

func TestSpawnExitStatusAndSignal(t *testing.T) {
	l := mustLoop(t)
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()

	type exit struct {
		status int64
		sig    int
	}
	var got []exit
	onExit := func(p *handles.Process, st int64, sig int) {
		got = append(got, exit{st, sig})
		p.Close(nil)
	}
	var a, b handles.Process
	require.NoError(t, handles.Spawn(l, &a, &handles.ProcessOptions{File: "sh", Args: []string{"sh", "-c", "echo hi; exit 3"},
		Stdio: []handles.StdioContainer{{}, {Flags: handles.StdioInheritFd, Fd: uv.OSFd(f.Fd())}}, Exit: onExit}))
	require.Greater(t, a.Pid(), 0)
	require.True(t, a.IsActive())
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, handles.Spawn(l, &b, &handles.ProcessOptions{File: "sh", Args: []string{"sh", "-c", "kill -TERM $$"}, Exit: onExit}))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, []exit{{3, 0}, {0, 15}}, got)
	data, _ := os.ReadFile(out)
	require.Equal(t, "hi\n", string(data))

	var c handles.Process
	err = handles.Spawn(l, &c, &handles.ProcessOptions{File: "program-that-had-better-not-exist"})
	require.ErrorIs(t, err, uv.ENOENT)
	require.False(t, c.IsActive())
	require.NoError(t, c.Close(nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// procLoop is a loop closed, with every handle, when the test ends. A run still going after
// 10 s is stopped and fails the test (closing the handles then ends the children's pipes).
func procLoop(t *testing.T) *uv.Loop {
	l := mustLoop(t)
	watchdog, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, watchdog.Start(func(*handles.Timer) {
		t.Error("loop still running after 10 s")
		l.Stop()
	}, 10000, 0))
	watchdog.Unref()
	t.Cleanup(func() {
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
		_, err := l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.NoError(t, l.Close())
	})
	return l
}

// spawnErr spawns o on a fresh handle, which it closes, and returns Spawn's error.
func spawnErr(t *testing.T, l *uv.Loop, o *handles.ProcessOptions) error {
	var p handles.Process
	err := handles.Spawn(l, &p, o)
	if err == nil {
		p.Close(nil)
		t.Cleanup(func() { unix.Kill(p.Pid(), unix.SIGKILL); unix.Wait4(p.Pid(), nil, 0, nil) })
		return nil
	}
	require.False(t, p.IsActive())
	p.Close(nil)
	return err
}

// writeProgram writes a shell script named name into dir with mode perm.
func writeProgram(t *testing.T, dir, name string, perm os.FileMode) {
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\nexit 7\n"), perm))
}

// TestSpawnPathSearch checks the execvp search libuv emulates: the child's PATH (or
// /usr/bin:/bin when its environment has none, not this process's PATH), EACCES for an
// entry that holds something that cannot run, and the search going on past it.
func TestSpawnPathSearch(t *testing.T) {
	l := procLoop(t)
	noexec, dirs, good := t.TempDir(), t.TempDir(), t.TempDir()
	writeProgram(t, noexec, "uvprog", 0o644)
	require.NoError(t, os.Mkdir(filepath.Join(dirs, "uvprog"), 0o755))
	writeProgram(t, good, "uvprog", 0o755)

	// Only in this process's PATH: the child's environment has no PATH.
	t.Setenv("PATH", good+":"+os.Getenv("PATH"))
	require.ErrorIs(t, spawnErr(t, l, &handles.ProcessOptions{File: "uvprog", Env: []string{"A=1"}}), uv.ENOENT)
	// Not an executable file, or a directory: EACCES.
	require.ErrorIs(t, spawnErr(t, l, &handles.ProcessOptions{File: "uvprog", Env: []string{"PATH=" + noexec}}), uv.EACCES)
	require.ErrorIs(t, spawnErr(t, l, &handles.ProcessOptions{File: "uvprog", Env: []string{"PATH=" + dirs}}), uv.EACCES)
	// The first PATH of the environment counts.
	require.ErrorIs(t, spawnErr(t, l, &handles.ProcessOptions{File: "uvprog",
		Env: []string{"PATH=/nonexistent", "PATH=" + good}}), uv.ENOENT)
	require.ErrorIs(t, spawnErr(t, l, &handles.ProcessOptions{File: strings.Repeat("x", 256), Env: []string{"PATH=" + good}}), uv.ENAMETOOLONG)

	// Past the entries that fail, the program is found and runs.
	var p handles.Process
	status := int64(-1)
	require.NoError(t, handles.Spawn(l, &p, &handles.ProcessOptions{File: "uvprog",
		Env:  []string{"PATH=/nonexistent:" + noexec + ":" + dirs + ":" + good},
		Exit: func(p *handles.Process, st int64, _ int) { status = st; p.Close(nil) }}))
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, int64(7), status)

	// With no environment given, this process's PATH is searched.
	require.NoError(t, handles.Spawn(l, &p, &handles.ProcessOptions{File: "uvprog",
		Exit: func(p *handles.Process, st int64, _ int) { status = st; p.Close(nil) }}))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, int64(7), status)
}

// TestSpawnBadInput checks the errors of bad options and stdio entries, and that none leaks
// a descriptor or leaves the handle active.
func TestSpawnBadInput(t *testing.T) {
	l := procLoop(t)
	closed, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	closed.Close(nil)
	tcp, err := handles.NewTCP(l)
	require.NoError(t, err)
	unopened, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	fds := procFds()
	cases := []struct {
		name string
		o    handles.ProcessOptions
		want error
	}{
		{"empty file", handles.ProcessOptions{}, uv.EINVAL},
		{"NUL in file", handles.ProcessOptions{File: "s\x00h"}, uv.EINVAL},
		{"NUL in argument", handles.ProcessOptions{File: "sh", Args: []string{"sh", "a\x00"}}, uv.EINVAL},
		{"NUL in environment", handles.ProcessOptions{File: "sh", Env: []string{"A=\x00"}}, uv.EINVAL},
		{"NUL in cwd", handles.ProcessOptions{File: "sh", Cwd: "/\x00"}, uv.EINVAL},
		{"unknown flag", handles.ProcessOptions{File: "sh", Flags: 1 << 20}, uv.EINVAL},
		{"missing cwd", handles.ProcessOptions{File: "/bin/sh", Cwd: "/nonexistent-dir"}, uv.ENOENT},
		{"pipe without stream", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioCreatePipe}}}, uv.EINVAL},
		{"pipe on a TCP handle", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioCreatePipe, Stream: &tcp.Stream}}}, uv.EINVAL},
		{"pipe on a closed handle", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioCreatePipe, Stream: &closed.Stream}}}, uv.EINVAL},
		{"inherit nil stream", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioInheritStream}}}, uv.EINVAL},
		{"inherit stream without fd", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioInheritStream, Stream: &unopened.Stream}}}, uv.EINVAL},
		{"inherit bad fd", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioInheritFd, Fd: -1}}}, uv.EINVAL},
		{"inherit closed fd", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioInheritFd, Fd: 1000}}}, uv.EBADF},
		{"two kinds", handles.ProcessOptions{File: "sh", Stdio: []handles.StdioContainer{{Flags: handles.StdioInheritFd | handles.StdioCreatePipe}}}, uv.EINVAL},
	}
	for _, c := range cases {
		err := spawnErr(t, l, &c.o)
		require.ErrorIs(t, err, c.want, c.name)
	}
	require.ErrorIs(t, handles.Spawn(l, nil, &handles.ProcessOptions{File: "sh"}), uv.EINVAL)
	var p handles.Process
	require.ErrorIs(t, handles.Spawn(l, &p, nil), uv.EINVAL)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, fds, procFds(), "descriptors leaked")

	// A closed loop.
	cl := mustLoop(t)
	require.NoError(t, cl.Close())
	require.Error(t, handles.Spawn(cl, &p, &handles.ProcessOptions{File: "sh"}))
}

// procFds counts this process's open descriptors, or -1 where that cannot be read.
func procFds() int {
	ents, err := os.ReadDir("/dev/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestSpawnFailedExecOpensStreams checks libuv's behaviour when the program cannot be run:
// the pipes are opened anyway, and read EOF.
func TestSpawnFailedExecOpensStreams(t *testing.T) {
	l := procLoop(t)
	out, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	var p handles.Process
	err = handles.Spawn(l, &p, &handles.ProcessOptions{File: "program-that-had-better-not-exist",
		Stdio: []handles.StdioContainer{{}, {Flags: handles.StdioCreatePipe | handles.StdioWritablePipe, Stream: &out.Stream}}})
	require.ErrorIs(t, err, uv.ENOENT)
	require.True(t, out.IsReadable())
	var readErr error
	require.NoError(t, out.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		if err != nil {
			readErr = err
			s.Close(nil)
		}
	}))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.ErrorIs(t, readErr, uv.EOF)
}

// TestSpawnOutputOutlivesExit checks that a child's output is not lost when the child exits
// before it is read: the exit callback closes the process handle, and the pipe is read to
// EOF after (first with the output all waiting in the pipe, then with a child writing more
// than the pipe holds, read as it comes).
func TestSpawnOutputOutlivesExit(t *testing.T) {
	for _, c := range []struct {
		name          string
		size          int
		readAfterExit bool
	}{{"waiting", 16 << 10, true}, {"streaming", 4 << 20, false}} {
		t.Run(c.name, func(t *testing.T) {
			l := procLoop(t)
			out, err := handles.NewPipe(l, false)
			require.NoError(t, err)
			total, eof, exits := 0, false, 0
			read := func() {
				require.NoError(t, out.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
					total += len(buf)
					if errors.Is(err, uv.EOF) {
						eof = true
						s.Close(nil)
					}
				}))
			}
			var p handles.Process
			require.NoError(t, handles.Spawn(l, &p, &handles.ProcessOptions{File: "head",
				Args:  []string{"head", "-c", strconv.Itoa(c.size), "/dev/zero"},
				Stdio: []handles.StdioContainer{{}, {Flags: handles.StdioCreatePipe | handles.StdioWritablePipe, Stream: &out.Stream}},
				Exit: func(p *handles.Process, st int64, sig int) {
					exits++
					require.Zero(t, st)
					p.Close(nil)
					if c.readAfterExit {
						require.Zero(t, total)
						read()
					}
				}}))
			if !c.readAfterExit {
				read()
			}
			_, err = l.Run(uv.RunDefault)
			require.NoError(t, err)
			require.Equal(t, 1, exits)
			require.True(t, eof)
			require.Equal(t, c.size, total)
		})
	}
}

// TestSpawnChildStdioBlocking checks that the child gets its stdio blocking, as libuv's child
// makes it, both for pipes made for it and for descriptors of this process's non-blocking
// streams.
func TestSpawnChildStdioBlocking(t *testing.T) {
	l := procLoop(t)
	fds, err := handles.PipePair(handles.NonblockPipe, handles.NonblockPipe)
	require.NoError(t, err)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	in, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	// The shell reads stdin with read(2): a non-blocking stdin with nothing in it would end
	// the read with EAGAIN, and the line would be empty.
	var p handles.Process
	status := int64(-1)
	require.NoError(t, handles.Spawn(l, &p, &handles.ProcessOptions{File: "sh",
		Args: []string{"sh", "-c", `read x; [ "$x" = ping ] && echo pong`},
		Stdio: []handles.StdioContainer{
			{Flags: handles.StdioCreatePipe | handles.StdioReadablePipe, Stream: &in.Stream},
			{Flags: handles.StdioInheritFd, Fd: fds[1]},
		},
		Exit: func(p *handles.Process, st int64, _ int) { status = st; p.Close(nil) }}))
	// As in libuv, the inherited descriptor was made blocking: it is shared with the child.
	fl, err := unix.FcntlInt(uintptr(fds[1]), unix.F_GETFL, 0)
	require.NoError(t, err)
	require.Zero(t, fl&unix.O_NONBLOCK)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	var req handles.WriteReq
	require.NoError(t, timer.Start(func(tm *handles.Timer) {
		require.NoError(t, in.Write(&req, [][]byte{[]byte("ping\n")}, nil))
		tm.Close(nil)
	}, 20, 0))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Zero(t, status)
	var buf [16]byte
	n, err := unix.Read(fds[0], buf[:])
	require.NoError(t, err)
	require.Equal(t, "pong\n", string(buf[:n]))
}
