//go:build linux

package uv

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The raw kernel value shows whether x/sys undid the 20-nice encoding as nicePriority assumes.
func TestGetPriorityMatchesTheKernel(t *testing.T) {
	p, err := OSGetPriority(0)
	require.NoError(t, err)
	r1, _, e := unix.Syscall(unix.SYS_GETPRIORITY, unix.PRIO_PROCESS, 0, 0)
	require.Zero(t, e)
	require.Equal(t, 20-int(r1), p)
}
