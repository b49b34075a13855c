//go:build unix && !darwin && !freebsd && !netbsd

package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"golang.org/x/sys/unix"
)

// fstatFlagsCheck: libuv reports no file flags or generation here.
func fstatFlagsCheck(t *testing.T, _ *unix.Stat_t, s uv.Stat) {
	require.Zero(t, s.Flags)
	require.Zero(t, s.Gen)
}
