package conformance_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// The bodies of the Windows-only process tests of process_winonly_test.go.

// copyTestBinary copies this test binary into dir as name and returns its path (libuv's
// build copies its runner to uv_run_tests_no_ext for the same purpose).
func copyTestBinary(t *testing.T, dir, name string) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	in, err := os.Open(exe)
	require.NoError(t, err)
	defer in.Close()
	dst := filepath.Join(dir, name)
	out, err := os.Create(dst)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
	return dst
}

// noExtName is this test binary's name without ".exe" and with "_no_ext", as libuv names
// the copy of its runner, and with no dot left ("conformance.test.exe" gives
// "conformance_test_no_ext"): a dot anywhere in the name counts as an extension.
func noExtName(t *testing.T) string {
	exe, err := os.Executable()
	require.NoError(t, err)
	name := strings.TrimSuffix(filepath.Base(exe), filepath.Ext(exe))
	return strings.ReplaceAll(name, ".", "_") + "_no_ext"
}

// requireSpawnNotFound checks a spawn that found no program: ENOENT or EACCES, the handle
// inactive; it is closed then.
func requireSpawnNotFound(t *testing.T, st *spawnTest, err error) {
	t.Helper()
	require.True(t, errors.Is(err, uv.ENOENT) || errors.Is(err, uv.EACCES), "spawn error %v", err)
	require.False(t, st.proc.IsActive())
	st.proc.Close(nil)
	require.False(t, run(t, st.l, uv.RunDefault))
}

func spawnWithAnOddPath(t *testing.T) {
	t.Setenv("PATH", ";.;"+os.Getenv("PATH"))
	st := newSpawnTest(t, "", failCb)
	st.opts.File = "program-that-had-better-not-exist"
	st.opts.Args = []string{st.opts.File}
	st.opts.Env = nil // the search uses this process's PATH, as in libuv's test
	requireSpawnNotFound(t, st, st.spawn())
}

func spawnNoPath(t *testing.T) {
	t.Setenv("PATH", "") // restores PATH at the end
	require.NoError(t, os.Unsetenv("PATH"))
	st := newSpawnTest(t, "spawn_helper1", exitCb)
	// libuv's environment is empty; the helper's mode has to travel in it here.
	st.opts.Env = []string{childEnv + "=spawn_helper1"}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

func spawnNoExt(t *testing.T) {
	st := newSpawnTest(t, "spawn_helper1", exitCb)
	st.opts.Flags |= uv.ProcessWindowsFilePathExactName
	st.opts.File = copyTestBinary(t, fsDir(t), noExtName(t))
	st.opts.Args[0] = st.opts.File
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}

func spawnPathNoExt(t *testing.T) {
	dir := fsDir(t)
	name := noExtName(t)
	copyTestBinary(t, dir, name)
	st := newSpawnTest(t, "spawn_helper1", failCb)
	st.opts.Flags |= uv.ProcessWindowsFilePathExactName
	st.opts.File = name
	st.opts.Args = []string{name}
	st.opts.Env = []string{"PATH=" + dir, childEnv + "=spawn_helper1"}
	requireSpawnNotFound(t, st, st.spawn())
}

func spawnQuotedPath(t *testing.T) {
	st := newSpawnTest(t, "", failCb)
	st.opts.File = "not_existing"
	st.opts.Args = []string{st.opts.File}
	// An invalid drive: nothing can be found, whatever the search makes of the entries.
	st.opts.Env = []string{`PATH="xyz:\test;";xyz:\other`}
	requireSpawnNotFound(t, st, st.spawn())

	// A quoted entry is one directory, semicolon and all.
	dir := filepath.Join(fsDir(t), "quoted;dir")
	require.NoError(t, os.Mkdir(dir, 0o755))
	copyTestBinary(t, dir, "quoted_helper.exe")
	st = newSpawnTest(t, "spawn_helper1", exitCb)
	st.opts.File = "quoted_helper"
	st.opts.Args = []string{st.opts.File}
	st.opts.Env = []string{`PATH=xyz:\other;"` + dir + `";xyz:\test`, childEnv + "=spawn_helper1"}
	require.NoError(t, st.spawn())
	run(t, st.l, uv.RunDefault)
	require.Equal(t, 1, st.exitCalls)
	require.Equal(t, 1, st.closeCalls)
}
