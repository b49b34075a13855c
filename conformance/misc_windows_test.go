package conformance_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The Windows halves of the misc tests of misc_test.go.

func hostSysErrors() []sysErrorCase {
	return []sysErrorCase{
		{windows.ERROR_NOACCESS, uv.EFAULT},
		{windows.ERROR_ELEVATION_REQUIRED, uv.EACCES},
		{windows.WSAEADDRINUSE, uv.EADDRINUSE},
		{windows.ERROR_BAD_PIPE, uv.EPIPE},
	}
}

func eintrHandling(t *testing.T) {
	t.Skip("Windows system calls are not interrupted by signals (libuv skips it there)")
}

// openTTYFd opens the console's input buffer, if the process has a console.
func openTTYFd(t *testing.T) (uv.OSFd, bool) {
	name, _ := windows.UTF16PtrFromString("CONIN$")
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING,
		windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return uv.OSFd(windows.InvalidHandle), false
	}
	return uv.OSFd(h), true
}

// checkPasswdHost checks what libuv gives on Windows: no shell, no uid and no gid.
func checkPasswdHost(t *testing.T, pw uv.Passwd) {
	require.Empty(t, pw.Shell)
	require.Equal(t, -1, pw.UID)
	require.Equal(t, -1, pw.GID)
}

// win32SignumNumber: the numbers of the Windows C runtime (signal.h), with libuv's SIGWINCH.
func win32SignumNumber(t *testing.T) {
	const (
		sigHUP        = 1
		sigINT        = 2
		sigILL        = 4
		sigABRTCompat = 6
		sigFPE        = 8
		sigSEGV       = 11
		sigTERM       = 15
		sigBREAK      = 21
		sigABRT       = 22
		sigWINCH      = 28
		nsig          = sigWINCH + 1 // libuv redefines NSIG to take SIGWINCH in
	)
	l := newLoop(t)
	s, err := handles.NewSignal(l)
	require.NoError(t, err)
	cb := func(*handles.Signal, int) { t.Error("signal callback called") }
	require.ErrorIs(t, s.Start(cb, 0), uv.EINVAL)
	for _, n := range []int{sigINT, sigBREAK, sigHUP, sigWINCH, sigILL, sigABRTCompat, sigFPE, sigSEGV, sigTERM, sigABRT} {
		require.NoError(t, s.Start(cb, n), "signal %d", n)
	}
	require.ErrorIs(t, s.Start(cb, -1), uv.EINVAL)
	require.ErrorIs(t, s.Start(cb, nsig), uv.EINVAL)
	require.ErrorIs(t, s.Start(cb, 1024), uv.EINVAL)
	require.NoError(t, s.Stop())
}

// scopeID returns the scope id of an IPv6 socket address.
func scopeID(sa uv.SockAddr) uint32 {
	if sa6, ok := sa.(*windows.SockaddrInet6); ok {
		return sa6.ZoneId
	}
	return 0
}

func unixSockaddr() uv.SockAddr { return &windows.SockaddrUnix{Name: `C:\uv-test-sock`} }

// checkUnameHost checks what libuv gives on Windows.
func checkUnameHost(t *testing.T, u uv.Utsname) {
	t.Logf("%+v", u)
	require.Equal(t, "Windows_NT", u.Sysname)
	require.NotEmpty(t, u.Version)
}

func init() {
	// misc_print_args prints the command line the child was given, then its arguments
	// (quoted), one per line.
	childHelpers["misc_print_args"] = func() int {
		fmt.Println(windows.UTF16PtrToString(windows.GetCommandLine()))
		for _, a := range os.Args[1:] {
			fmt.Println(strconv.Quote(a))
		}
		return 1
	}
	// misc_print_env prints the child's environment block (quoted), one entry per line.
	childHelpers["misc_print_env"] = func() int {
		for _, kv := range os.Environ() {
			fmt.Println(strconv.Quote(kv))
		}
		return 1
	}
}

// spawnOutput runs the child helper mode with the given arguments, environment (nil: this
// process's) and process flags, and returns its stdout.
func spawnOutput(t *testing.T, mode string, args, env []string, flags int) string {
	st := newSpawnTest(t, mode, exitCb)
	st.opts.Args = append(st.opts.Args, args...)
	if env != nil {
		st.opts.Env = quickExit(append(env, childEnv+"="+mode))
	}
	st.opts.Flags |= flags
	out := st.newPipe()
	st.opts.Stdio = []handles.StdioContainer{{}, createPipe(out, handles.StdioWritablePipe)}
	require.NoError(t, st.spawn())
	var got []byte
	buf := make([]byte, 4096)
	require.NoError(t, out.ReadStart(func(*handles.Stream, int) []byte { return buf }, func(s *handles.Stream, b []byte, err error) {
		if err == nil {
			got = append(got, b...)
			return
		}
		assert.ErrorIs(t, err, uv.EOF)
		s.Close(st.closeCb)
	}))
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	return strings.ReplaceAll(string(got), "\r\n", "\n")
}

// unquoteLines unquotes each line of out.
func unquoteLines(t *testing.T, lines []string) []string {
	var vals []string
	for _, l := range lines {
		if l == "" {
			continue
		}
		v, err := strconv.Unquote(l)
		require.NoError(t, err, l)
		vals = append(vals, v)
	}
	return vals
}

// argumentEscaping: libuv quotes each argument (quote_cmd_arg) and joins them
// (make_program_args), then checks that CommandLineToArgvW splits the command line back into
// the same arguments, and the command line that UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS makes.
// Those helpers are internal here, so the test spawns a child with the arguments: the child
// gets them back as its argv (Go splits a command line by CommandLineToArgvW's rules) and
// reports its command line, whose arguments part must be libuv's.
func argumentEscaping(t *testing.T) {
	args := []string{
		"",
		"HelloWorld",
		"Hello World",
		`Hello"World`,
		`Hello World\`,
		`Hello\"World`,
		`Hello\World`,
		`Hello\\World`,
		`Hello World\`,
		`c:\path\to\node.exe --eval "require('c:\\path\\to\\test.js')"`,
	}
	lines := strings.Split(spawnOutput(t, "misc_print_args", args, nil, 0), "\n")
	require.Equal(t, args, unquoteLines(t, lines[1:]))

	verbatim := []string{"/c", `c:\path\to\node.exe --eval "require('c:\\path\\to\\test.js')"`}
	line := strings.Split(spawnOutput(t, "misc_print_args", verbatim, nil, uv.ProcessWindowsVerbatimArguments), "\n")[0]
	require.True(t, strings.HasSuffix(line, ` /c c:\path\to\node.exe --eval "require('c:\\path\\to\\test.js')"`), line)
	line = strings.Split(spawnOutput(t, "misc_print_args", verbatim, nil, 0), "\n")[0]
	require.True(t, strings.HasSuffix(line, ` /c "c:\path\to\node.exe --eval \"require('c:\\path\\to\\test.js')\""`), line)
}

// environmentCreation: libuv builds a child's environment block from a list
// (make_program_env) and checks it: entries without '=' dropped, the variables Windows
// programs need added from this process's environment, everything sorted. The helper is
// internal here, so the test spawns a child with the list and reads its environment back.
// The child also has the variable that makes it a helper (and GORACE), which are left out.
func environmentCreation(t *testing.T) {
	environment := []string{
		"FOO=BAR",
		"SYSTEM=ROOT",      // a substring of a required variable's name
		"SYSTEMROOTED=OMG", // a required variable's name is a substring
		`TEMP=C:\Temp`,
		"INVALID",
		"BAZ=QUX",
		"B_Z=QUX",
		"B\xe2\x82\xacZ=QUX",
		"B\xf0\x90\x80\x82Z=QUX",
		"B\xef\xbd\xa1Z=QUX",
		"B\xf0\xa3\x91\x96Z=QUX",
		"BAZ", // repeated, and invalid
	}
	want := []string{
		"BAZ=QUX", "B_Z=QUX", "B\u20acZ=QUX", "B\U00010002Z=QUX", "B\U00023456Z=QUX", "B\uff61Z=QUX",
		"FOO=BAR", "SYSTEM=ROOT", "SYSTEMROOTED=OMG", `TEMP=C:\Temp`,
	}
	for _, name := range []string{"HOMEDRIVE", "HOMEPATH", "LOGONSERVER", "PATH", "USERDOMAIN",
		"USERNAME", "USERPROFILE", "SYSTEMDRIVE", "SYSTEMROOT", "WINDIR", "ZTHIS_ENV_VARIABLE_DOES_NOT_EXIST"} {
		if v, ok := os.LookupEnv(name); ok {
			want = append(want, name+"="+v)
		}
	}
	got := unquoteLines(t, strings.Split(spawnOutput(t, "misc_print_env", nil, environment, 0), "\n"))
	if fsUnderWine() {
		// Wine's process start appends variables of its own (WINE*, and SystemDrive and
		// SystemRoot, which replace the block's): the block is what comes before them.
		if i := slices.IndexFunc(got, func(kv string) bool { return strings.HasPrefix(kv, "WINE") }); i >= 0 {
			for _, kv := range got[i:] {
				name, _, _ := strings.Cut(kv, "=")
				want = slices.DeleteFunc(want, func(w string) bool {
					wn, _, _ := strings.Cut(w, "=")
					return strings.EqualFold(wn, name)
				})
			}
			got = got[:i]
		}
	}
	var vars []string
	for _, kv := range got {
		name, _, _ := strings.Cut(kv, "=")
		if name == childEnv || name == "GORACE" {
			continue
		}
		vars = append(vars, kv)
	}
	require.ElementsMatch(t, want, vars)
	for i := 1; i < len(got); i++ {
		// CompareStringOrdinal with bIgnoreCase: UTF-16 units, upper-cased.
		a := utf16.Encode([]rune(strings.ToUpper(got[i-1])))
		b := utf16.Encode([]rune(strings.ToUpper(got[i])))
		require.Negative(t, slices.Compare(a, b), "%q before %q", got[i-1], got[i])
	}
}
