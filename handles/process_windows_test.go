package handles_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The process tests on Windows use the test binary itself as the child, in the mode given by
// procChildEnv (see TestMain), and cmd.exe.

const procChildEnv = "UV_HANDLES_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(procChildEnv); mode != "" {
		switch {
		case mode == "sleep":
			for {
				time.Sleep(time.Hour)
			}
		case strings.HasPrefix(mode, "exit:"):
			n, _ := strconv.Atoi(mode[5:])
			os.Exit(n)
		case mode == "echo":
			fmt.Print(strings.Join(os.Args[1:], "|"))
			os.Exit(0)
		case mode == "cat":
			_, err := io.Copy(os.Stdout, os.Stdin)
			if err != nil {
				os.Exit(98)
			}
			os.Exit(0)
		}
		os.Exit(99)
	}
	os.Exit(m.Run())
}

// procSelf is the file, arguments and environment that run the test binary in mode.
func procSelf(t *testing.T, mode string, args ...string) handles.ProcessOptions {
	exe, err := os.Executable()
	require.NoError(t, err)
	return handles.ProcessOptions{File: exe, Args: append([]string{exe}, args...),
		Env: append(os.Environ(), procChildEnv+"="+mode)}
}

// procLoop is a loop closed, with every handle, when the test ends. A run still going after
// 10 s is stopped and fails the test.
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

// procTempFile creates an empty file that is removed when the test ends (not in t.TempDir:
// Wine 8 cannot run the RemoveAll of its cleanup).
func procTempFile(t *testing.T) (path string, h windows.Handle) {
	f, err := os.CreateTemp("", "uvproc")
	require.NoError(t, err)
	path = f.Name()
	require.NoError(t, f.Close())
	t.Cleanup(func() { os.Remove(path) })
	p, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	h, err = windows.CreateFile(p, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, 0, 0)
	require.NoError(t, err)
	t.Cleanup(func() { windows.CloseHandle(h) })
	return path, h
}

// Descriptor 1 given to inherit is this process's standard output, as libuv maps C runtime
// descriptors to their handles (not the value 1 taken as a handle).
func TestSpawnInheritFdOneIsStdout(t *testing.T) {
	l := procLoop(t)
	out, h := procTempFile(t)
	old, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE)
	require.NoError(t, err)
	require.NoError(t, windows.SetStdHandle(windows.STD_OUTPUT_HANDLE, h))
	var p handles.Process
	o := procSelf(t, "echo", "to stdout")
	o.Stdio = []handles.StdioContainer{{}, {Flags: handles.StdioInheritFd, Fd: 1}}
	o.Exit = func(p *handles.Process, _ int64, _ int) { p.Close(nil) }
	err = handles.Spawn(l, &p, &o)
	require.NoError(t, windows.SetStdHandle(windows.STD_OUTPUT_HANDLE, old))
	require.NoError(t, err)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "to stdout", string(data))
}

func TestSpawnExitStatusAndSignal(t *testing.T) {
	l := procLoop(t)
	out, h := procTempFile(t)
	type exit struct {
		status int64
		sig    int
	}
	var got []exit
	onExit := func(p *handles.Process, st int64, sig int) {
		got = append(got, exit{st, sig})
		p.Close(nil)
	}
	var a, b, c handles.Process
	o := procSelf(t, "echo", "a b", `c"d`)
	o.Stdio = []handles.StdioContainer{{}, {Flags: handles.StdioInheritFd, Fd: uv.OSFd(h)}}
	o.Exit = onExit
	require.NoError(t, handles.Spawn(l, &a, &o))
	require.Greater(t, a.Pid(), 0)
	require.True(t, a.IsActive())
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, `a b|c"d`, string(data))

	o = procSelf(t, "exit:3")
	o.Exit = onExit
	require.NoError(t, handles.Spawn(l, &b, &o))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)

	// Killed: libuv reports exit status 1 and the signal sent.
	o = procSelf(t, "sleep")
	o.Exit = onExit
	require.NoError(t, handles.Spawn(l, &c, &o))
	require.NoError(t, c.Kill(0))
	require.ErrorIs(t, c.Kill(1), uv.ENOSYS)
	require.NoError(t, c.Kill(9))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, []exit{{0, 0}, {3, 0}, {1, 9}}, got)
	require.ErrorIs(t, c.Kill(0), uv.ESRCH)
	require.ErrorIs(t, handles.Kill(c.Pid(), 0), uv.ESRCH)
}

// cmd.exe is found through PATH with .exe appended, and ProcessWindowsVerbatimArguments
// hands it a command line it parses itself.
func TestSpawnCmdVerbatim(t *testing.T) {
	l := procLoop(t)
	status := int64(-1)
	var p handles.Process
	require.NoError(t, handles.Spawn(l, &p, &handles.ProcessOptions{File: "cmd",
		Args: []string{"cmd", "/c", `"exit 4"`}, Flags: uv.ProcessWindowsVerbatimArguments | uv.ProcessWindowsHide,
		Exit: func(p *handles.Process, st int64, _ int) { status = st; p.Close(nil) }}))
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, int64(4), status)
}

// The program is looked for in the PATH of the child's environment.
func TestSpawnPathSearch(t *testing.T) {
	l := procLoop(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	dir, file := filepath.Split(exe)
	var p handles.Process
	err = handles.Spawn(l, &p, &handles.ProcessOptions{File: strings.TrimSuffix(file, ".exe"),
		Env: []string{"PATH=C:\\nonexistent"}})
	require.ErrorIs(t, err, uv.ENOENT)
	require.False(t, p.IsActive())
	p.Close(nil)

	status := int64(-1)
	var q handles.Process
	require.NoError(t, handles.Spawn(l, &q, &handles.ProcessOptions{File: strings.TrimSuffix(file, ".exe"),
		Env:  []string{`PATH=C:\nonexistent;"` + dir + `"`, procChildEnv + "=exit:7"},
		Exit: func(p *handles.Process, st int64, _ int) { status = st; p.Close(nil) }}))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, int64(7), status)
}

// TestSpawnBadInput checks the errors of bad options and stdio entries, and that none leaves
// the handle active.
func TestSpawnBadInput(t *testing.T) {
	l := procLoop(t)
	closed, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	closed.Close(nil)
	pipe, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	cases := []struct {
		name string
		o    handles.ProcessOptions
		want error
	}{
		{"empty file", handles.ProcessOptions{}, uv.EINVAL},
		{"NUL in file", handles.ProcessOptions{File: "c\x00md"}, uv.EINVAL},
		{"NUL in argument", handles.ProcessOptions{File: "cmd", Args: []string{"cmd", "a\x00"}}, uv.EINVAL},
		{"NUL in environment", handles.ProcessOptions{File: "cmd", Env: []string{"A=\x00"}}, uv.EINVAL},
		{"NUL in cwd", handles.ProcessOptions{File: "cmd", Cwd: "C:\\\x00"}, uv.EINVAL},
		{"unknown flag", handles.ProcessOptions{File: "cmd", Flags: 1 << 20}, uv.EINVAL},
		{"set uid", handles.ProcessOptions{File: "cmd", Flags: uv.ProcessSetUID}, uv.ENOTSUP},
		{"set gid", handles.ProcessOptions{File: "cmd", Flags: uv.ProcessSetGID}, uv.ENOTSUP},
		{"missing cwd", handles.ProcessOptions{File: "cmd", Cwd: "C:\\nonexistent-dir"}, uv.ENOENT},
		{"missing program", handles.ProcessOptions{File: "program-that-had-better-not-exist"}, uv.ENOENT},
		{"pipe without stream", handles.ProcessOptions{File: "cmd", Stdio: []handles.StdioContainer{{Flags: handles.StdioCreatePipe}}}, uv.EINVAL},
		{"pipe on a closed handle", handles.ProcessOptions{File: "cmd", Stdio: []handles.StdioContainer{{Flags: handles.StdioCreatePipe, Stream: &closed.Stream}}}, uv.EINVAL},
		// The pipe is made (and opened) all the same, as in libuv.
		{"pipe to a missing program", handles.ProcessOptions{File: "program-that-had-better-not-exist",
			Stdio: []handles.StdioContainer{{Flags: handles.StdioCreatePipe, Stream: &pipe.Stream}}}, uv.ENOENT},
		{"inherit nil stream", handles.ProcessOptions{File: "cmd", Stdio: []handles.StdioContainer{{Flags: handles.StdioInheritStream}}}, uv.EINVAL},
		{"inherit closed handle", handles.ProcessOptions{File: "cmd", Stdio: []handles.StdioContainer{{}, {}, {}, {Flags: handles.StdioInheritFd, Fd: 0x7ffc}}}, uv.EBADF},
		{"two kinds", handles.ProcessOptions{File: "cmd", Stdio: []handles.StdioContainer{{Flags: handles.StdioInheritFd | handles.StdioCreatePipe}}}, uv.EINVAL},
	}
	for _, c := range cases {
		var p handles.Process
		err := handles.Spawn(l, &p, &c.o)
		require.ErrorIs(t, err, c.want, c.name)
		require.False(t, p.IsActive(), c.name)
		p.Close(nil)
	}
	require.ErrorIs(t, handles.Spawn(l, nil, &handles.ProcessOptions{File: "cmd"}), uv.EINVAL)
	var p handles.Process
	require.ErrorIs(t, handles.Spawn(l, &p, nil), uv.EINVAL)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)

	// A closed loop.
	cl := mustLoop(t)
	require.NoError(t, cl.Close())
	require.Error(t, handles.Spawn(cl, &p, &handles.ProcessOptions{File: "cmd"}))
}

// A child's stdin and stdout as pipes: what is written to one comes back from the other, then
// the end; the child sees the end of its input when the writing pipe shuts down.
func TestSpawnStdioPipes(t *testing.T) {
	l := procLoop(t)
	in, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	out, err := handles.NewPipe(l, false)
	require.NoError(t, err)
	o := procSelf(t, "cat")
	o.Stdio = []handles.StdioContainer{
		{Flags: handles.StdioCreatePipe | handles.StdioReadablePipe, Stream: &in.Stream},
		{Flags: handles.StdioCreatePipe | handles.StdioWritablePipe, Stream: &out.Stream},
	}
	status := int64(-1)
	o.Exit = func(p *handles.Process, st int64, sig int) {
		status = st
		p.Close(nil)
	}
	var p handles.Process
	require.NoError(t, handles.Spawn(l, &p, &o))
	require.True(t, in.IsWritable())
	require.False(t, in.IsReadable())
	require.True(t, out.IsReadable())
	require.False(t, out.IsWritable())
	var wreq handles.WriteReq
	var sreq handles.ShutdownReq
	require.NoError(t, in.Write(&wreq, [][]byte{[]byte("through "), []byte("the child")}, nil))
	require.NoError(t, in.Shutdown(&sreq, func(r *handles.ShutdownReq, err error) {
		require.NoError(t, err)
		in.Close(nil)
	}))
	var got []byte
	require.NoError(t, out.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
		if err != nil {
			require.ErrorIs(t, err, uv.EOF)
			s.Close(nil)
			return
		}
		got = append(got, buf...)
	}))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Zero(t, status)
	require.Equal(t, "through the child", string(got))
}
