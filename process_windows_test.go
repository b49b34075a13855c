package uv

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// testChildEnv makes the test binary a child helper (see TestMain): "sleep" sleeps until
// killed, "exit:N" exits with N, "args:FILE" writes its arguments to FILE as JSON and exits
// with 0, "console" checks the console it runs in (tty_windows_test.go).
const testChildEnv = "UV_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(testChildEnv); mode != "" {
		os.Exit(testChild(mode))
	}
	os.Exit(m.Run())
}

func testChild(mode string) int {
	switch {
	case mode == "console":
		return consoleChild()
	case mode == "sleep":
		for {
			time.Sleep(time.Hour)
		}
	case strings.HasPrefix(mode, "exit:"):
		n, _ := strconv.Atoi(mode[5:])
		return n
	case strings.HasPrefix(mode, "args:"):
		b, _ := json.Marshal(os.Args[1:])
		if err := os.WriteFile(mode[5:], b, 0o644); err != nil {
			return 98
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown child mode %q\n", mode)
	return 99
}

// waitPid waits until process pid has exited.
func waitPid(t *testing.T, pid int) {
	t.Helper()
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	require.NoError(t, err)
	defer windows.CloseHandle(h)
	ev, err := windows.WaitForSingleObject(h, 10000)
	require.NoError(t, err)
	require.Equal(t, uint32(windows.WAIT_OBJECT_0), ev)
}

// spawnSelf starts the test binary as a child helper in mode, with extra arguments.
func spawnSelf(t *testing.T, mode string, args ...string) int {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	pid, exitFd, err := SpawnProcess(&SpawnOptions{File: exe, Args: append([]string{exe}, args...),
		Env: append(os.Environ(), testChildEnv+"="+mode)})
	require.NoError(t, err)
	require.Equal(t, InvalidSock, exitFd)
	return pid
}

// libuv's quote_cmd_arg examples, and the simple cases.
func TestQuoteArg(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{``, `""`},
		{`plain`, `plain`},
		{`a\b`, `a\b`},
		{`hello world`, `"hello world"`},
		{"tab\there", "\"tab\there\""},
		{`hello"world`, `"hello\"world"`},
		{`hello""world`, `"hello\"\"world"`},
		{`hello\world`, `hello\world`},
		{`hello\\world`, `hello\\world`},
		{`hello\"world`, `"hello\\\"world"`},
		{`hello\\"world`, `"hello\\\\\"world"`},
		{`hello world\`, `"hello world\\"`},
		{`a "b\" c\\`, `"a \"b\\\" c\\\\"`},
	} {
		var b strings.Builder
		quoteArg(&b, c.in)
		require.Equal(t, c.out, b.String(), "quoting %q", c.in)
	}
	require.Equal(t, `prog "a b" "" c`, commandLine([]string{"prog", "a b", "", "c"}, false))
	require.Equal(t, `prog a b "c d"`, commandLine([]string{"prog", "a b", `"c d"`}, true))
}

func envStrings(block []uint16) []string {
	var out []string
	for len(block) > 0 && block[0] != 0 {
		i := 0
		for block[i] != 0 {
			i++
		}
		out = append(out, string(utf16.Decode(block[:i])))
		block = block[i+1:]
	}
	return out
}

// The environment block is sorted by name ignoring case, drops entries without '=', and
// gets the variables Windows programs need from this process when they are missing.
func TestEnvironmentBlock(t *testing.T) {
	t.Setenv("SYSTEMROOT", `C:\windows`)
	t.Setenv("TEMP", `C:\temp`)
	got := envStrings(environmentBlock([]string{"b=2", "noequals", "A=1", "systemroot=mine", "c=3"}))
	require.Contains(t, got, `TEMP=C:\temp`)
	require.Contains(t, got, "systemroot=mine")
	require.NotContains(t, got, `SYSTEMROOT=C:\windows`)
	require.NotContains(t, got, "noequals")
	for i := 1; i < len(got); i++ {
		require.LessOrEqual(t, envCompare(envName(got[i-1]), envName(got[i])), 0, "order of %q", got)
	}
	require.Equal(t, []string{"A=1", "b=2", "c=3"}, []string{got[0], got[1], got[2]})
	block := environmentBlock(nil)
	require.Equal(t, uint16(0), block[len(block)-1])
	require.Equal(t, uint16(0), block[len(block)-2])
}

// searchExe follows libuv's search_path: directories in the name skip PATH, .com before
// .exe, an extension tried as it is first, quoted and relative PATH entries.
func TestSearchExe(t *testing.T) {
	dir, err := os.MkdirTemp("", "uvsearch")
	require.NoError(t, err)
	var made []string
	mk := func(rel string) string {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, nil, 0o644))
		made = append(made, p)
		return p
	}
	t.Cleanup(func() {
		// Not os.RemoveAll: Wine 8 cannot run Go's unlinkat.
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i])
		}
		os.Remove(filepath.Join(dir, "bin"))
		os.Remove(filepath.Join(dir, "sub"))
		os.Remove(dir)
	})
	both := mk(`bin\both.exe`)
	bothCom := mk(`bin\both.com`)
	_ = both
	noext := mk(`bin\noext`)
	sub := mk(`sub\tool.exe`)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bin", "isdir.exe"), 0o755))
	made = append(made, filepath.Join(dir, "bin", "isdir.exe"))
	bin := filepath.Join(dir, "bin")

	eq := func(want, got string, why ...string) {
		t.Helper()
		require.True(t, strings.EqualFold(filepath.Clean(want), filepath.Clean(got)), "want %q, got %q %v", want, got, why)
	}
	eq(bothCom, searchExe("both", dir, bin, 0))
	eq(bothCom, searchExe("both", dir, `"`+bin+`"`, 0))
	eq(bothCom, searchExe("both", dir, `;;C:\nonexistent;`+bin, 0))
	require.Empty(t, searchExe("noext", dir, bin, 0), "a name without extension gets one")
	eq(noext, searchExe(bin+`\noext`, dir, "", ProcessWindowsFilePathExactName))
	require.Empty(t, searchExe(bin+`\noext`, dir, "", 0))
	require.Empty(t, searchExe("isdir", dir, bin, 0), "directories do not count")
	require.Empty(t, searchExe("tool", dir, bin, 0))
	eq(sub, searchExe(`sub\tool`, dir, bin, 0))
	eq(sub, searchExe(`.\sub\tool.exe`, dir, "", 0))
	eq(sub, searchExe("tool", filepath.Join(dir, "sub"), "", 0), "the cwd comes first")
	eq(sub, searchExe("tool", dir, "sub", 0), "a relative PATH entry is in cwd")
	require.Empty(t, searchExe("", dir, bin, 0))
	require.Empty(t, searchExe(".", dir, bin, 0))
}

// A child's exit reaches a ProcessWatcher in the pending phase with its status, and the
// signal KillProcess ended it with; ReapProcess and KillProcess know the child only until
// then.
func TestProcessWatcherExit(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	// A watcher does not keep the loop alive: a request stands for the handle that would.
	var got []ProcessExit
	onExit := func(e ProcessExit, err error) {
		require.NoError(t, err)
		got = append(got, e)
		l.UnregisterRequest()
	}

	pid := spawnSelf(t, "exit:3")
	var w ProcessWatcher
	require.NoError(t, w.Start(l, pid, InvalidSock, onExit))
	l.RegisterRequest()
	require.ErrorIs(t, w.Start(l, pid, InvalidSock, onExit), EINVAL)
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
	require.Equal(t, []ProcessExit{{Status: 3}}, got)
	require.False(t, w.Active())
	_, _, err = ReapProcess(pid)
	require.ErrorIs(t, err, ESRCH)

	// Killed: status 1, as libuv reports a terminated child, and the signal.
	pid = spawnSelf(t, "sleep")
	require.NoError(t, w.Start(l, pid, InvalidSock, onExit))
	l.RegisterRequest()
	require.NoError(t, KillProcess(pid, 0))
	require.ErrorIs(t, KillProcess(pid, 1), ENOSYS)
	require.ErrorIs(t, KillProcess(pid, -1), EINVAL)
	require.ErrorIs(t, KillProcess(pid, nsig), EINVAL)
	require.NoError(t, KillProcess(pid, sigTERM))
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
	require.Equal(t, ProcessExit{Status: 1, Signal: sigTERM}, got[1])
	require.ErrorIs(t, KillProcess(pid, 0), ESRCH)

	// Stopped before the exit: no callback; the child is forgotten but still killable.
	pid = spawnSelf(t, "sleep")
	require.NoError(t, w.Start(l, pid, InvalidSock, onExit))
	w.Stop()
	_, _, err = ReapProcess(pid)
	require.ErrorIs(t, err, ESRCH)
	require.NoError(t, KillProcess(pid, sigKILL))
	_, err = l.Run(RunDefault)
	require.NoError(t, err)
	require.Len(t, got, 2)

	// Collected without a watcher.
	pid = spawnSelf(t, "exit:5")
	_, done, err := ReapProcess(pid)
	require.NoError(t, err)
	if !done {
		waitPid(t, pid)
	}
	e, done, err := ReapProcess(pid)
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, ProcessExit{Status: 5}, e)
	require.ErrorIs(t, w.Start(l, pid, InvalidSock, onExit), ESRCH)
}

func TestSpawnProcessErrors(t *testing.T) {
	_, _, err := SpawnProcess(&SpawnOptions{File: "program-that-had-better-not-exist",
		Args: []string{"x"}})
	require.ErrorIs(t, err, ENOENT)
	_, _, err = SpawnProcess(&SpawnOptions{File: "cmd", Args: []string{"cmd"}, Flags: ProcessSetUID})
	require.ErrorIs(t, err, ENOTSUP)
	_, _, err = SpawnProcess(&SpawnOptions{File: "cmd", Args: []string{"cmd"}, Flags: 1 << 20})
	require.ErrorIs(t, err, EINVAL)
	_, _, err = SpawnProcess(&SpawnOptions{File: "cmd", Args: []string{"c\x00md"}})
	require.ErrorIs(t, err, EINVAL)
	_, _, err = SpawnProcess(&SpawnOptions{File: "cmd"})
	require.ErrorIs(t, err, EINVAL)
	_, _, err = SpawnProcess(&SpawnOptions{File: "cmd", Args: []string{"cmd"}, Cwd: `C:\nonexistent-dir`})
	require.ErrorIs(t, err, ENOENT)
}

// The arguments reach a child as they were given, through libuv's quoting.
func TestSpawnArguments(t *testing.T) {
	f, err := os.CreateTemp("", "uvargs")
	require.NoError(t, err)
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	args := []string{"", "plain", "two words", `quote"inside`, `back\slash`, `trailing\`,
		`both \" and \\`, "tab\tand space ", "ünïcødé"}
	pid := spawnSelf(t, "args:"+name, args...)
	waitPid(t, pid)
	e, done, err := ReapProcess(pid)
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, ProcessExit{}, e)
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	var got []string
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, args, got)
}

// A child environment without PATH is searched with this process's PATH, as libuv does
// (which also adds PATH to the child's environment as a required variable).
func TestSpawnEnvWithoutPathSearchesParentPath(t *testing.T) {
	require.NotEmpty(t, os.Getenv("PATH"))
	pid, _, err := SpawnProcess(&SpawnOptions{File: "cmd", Args: []string{"cmd", "/c", "exit 0"},
		Env: []string{"UV_TEST_ONLY=1"}})
	require.NoError(t, err, "cmd is on this process's PATH")
	waitPid(t, pid)
}
