package main

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// The child is this test binary, started again with PIPE_ECHO_CHILD set.
func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runParentOrSkip is runParent, but skips the test on Windows: the child opens its stdio with
// Pipe.Open(0) and Open(1), C runtime descriptor numbers, and the Windows backend does not yet
// map them to the standard handles as libuv's uv_pipe_open does (_get_osfhandle). On every
// other OS the test runs as it is.
func runParentOrSkip(t *testing.T, exe string, lines []string, out io.Writer) ([]string, error) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows: Pipe.Open of descriptors 0 and 1 needs the C runtime's descriptor-to-handle mapping, not written yet")
	}
	return runParent(exe, lines, out)
}

func exe(t *testing.T) string {
	p, err := os.Executable()
	require.NoError(t, err)
	return p
}

// Every line comes back from the child, in order, and the child exits with status 0.
func TestPipeEcho(t *testing.T) {
	lines := []string{"hello", "", "from the parent", "through a child process and back"}
	var out bytes.Buffer
	echoes, err := runParentOrSkip(t, exe(t), lines, &out)
	require.NoError(t, err)
	require.Equal(t, lines, echoes)
	require.Contains(t, out.String(), "parent: started child ")
	require.Contains(t, out.String(), `parent: echo "from the parent"`)
	require.Contains(t, out.String(), "parent: all 4 lines echoed; the child exited with status 0")
}

// Lines longer than a pipe's buffer and the child's 64 KiB reads arrive in pieces and are
// reassembled: the child's echoes and the parent's writes overlap without a deadlock.
func TestPipeEchoLongLines(t *testing.T) {
	lines := []string{strings.Repeat("a", 300_000), "short", strings.Repeat("b", 70_000)}
	echoes, err := runParentOrSkip(t, exe(t), lines, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, lines, echoes)
}

// No lines: the child sees its input end at once and exits cleanly.
func TestPipeEchoNothing(t *testing.T) {
	echoes, err := runParentOrSkip(t, exe(t), nil, &bytes.Buffer{})
	require.NoError(t, err)
	require.Empty(t, echoes)
}

// A program that cannot be started is reported, not hung on.
func TestPipeEchoBadProgram(t *testing.T) {
	_, err := runParentOrSkip(t, "/nonexistent/pipe-echo", []string{"x"}, &bytes.Buffer{})
	require.ErrorIs(t, err, uv.ENOENT)
}

// A child that fails is reported with its exit status.
func TestPipeEchoChildFails(t *testing.T) {
	_, err := runParentOrSkip(t, "/bin/false", []string{"x"}, &bytes.Buffer{})
	require.Error(t, err)
}
