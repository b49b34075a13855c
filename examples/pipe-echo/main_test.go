package main

import (
	"bytes"
	"os"
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

func exe(t *testing.T) string {
	p, err := os.Executable()
	require.NoError(t, err)
	return p
}

// Every line comes back from the child, in order, and the child exits with status 0.
func TestPipeEcho(t *testing.T) {
	lines := []string{"hello", "", "from the parent", "through a child process and back"}
	var out bytes.Buffer
	echoes, err := runParent(exe(t), lines, &out)
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
	echoes, err := runParent(exe(t), lines, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, lines, echoes)
}

// No lines: the child sees its input end at once and exits cleanly.
func TestPipeEchoNothing(t *testing.T) {
	echoes, err := runParent(exe(t), nil, &bytes.Buffer{})
	require.NoError(t, err)
	require.Empty(t, echoes)
}

// A program that cannot be started is reported, not hung on.
func TestPipeEchoBadProgram(t *testing.T) {
	_, err := runParent("/nonexistent/pipe-echo", []string{"x"}, &bytes.Buffer{})
	require.ErrorIs(t, err, uv.ENOENT)
}

// A child that fails is reported with its exit status.
func TestPipeEchoChildFails(t *testing.T) {
	_, err := runParent("/bin/false", []string{"x"}, &bytes.Buffer{})
	require.Error(t, err)
}
