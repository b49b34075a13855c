//go:build darwin || freebsd || netbsd

package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"golang.org/x/sys/unix"
)

// fstatFlagsCheck: these systems report the file flags and generation, as in libuv.
func fstatFlagsCheck(t *testing.T, st *unix.Stat_t, s uv.Stat) {
	require.EqualValues(t, st.Flags, s.Flags)
	require.EqualValues(t, st.Gen, s.Gen)
}
