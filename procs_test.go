package uv

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func openLoops() int {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	return procs.loops
}

// An open loop holds one extra P (one in all, however many loops are open), and the last
// Close gives it back.
func TestLoopReservesOneProc(t *testing.T) {
	if openLoops() != 0 {
		t.Skip("another loop of this process is open; the reservation is already taken")
	}
	t.Setenv("GOMAXPROCS", "") // unset for reserveProc's check
	before := runtime.GOMAXPROCS(0)
	l1, err := NewLoop()
	require.NoError(t, err)
	require.Equal(t, before+1, runtime.GOMAXPROCS(0))
	l2, err := NewLoop()
	require.NoError(t, err)
	require.Equal(t, before+1, runtime.GOMAXPROCS(0), "one P in all, not one per loop")
	require.NoError(t, l1.Close())
	require.Equal(t, before+1, runtime.GOMAXPROCS(0), "a loop is still open")
	require.NoError(t, l2.Close())
	require.Equal(t, before, runtime.GOMAXPROCS(0))
	require.ErrorIs(t, l2.Close(), EINVAL)
	require.Equal(t, before, runtime.GOMAXPROCS(0), "a second Close releases nothing")
}

// GOMAXPROCS from the environment, or set by the program while a loop was open, is left alone.
func TestLoopProcReservationRespectsUser(t *testing.T) {
	if openLoops() != 0 {
		t.Skip("another loop of this process is open; the reservation is already taken")
	}
	before := runtime.GOMAXPROCS(0)
	t.Setenv("GOMAXPROCS", "3")
	l, err := NewLoop()
	require.NoError(t, err)
	require.Equal(t, before, runtime.GOMAXPROCS(0))
	require.NoError(t, l.Close())
	require.Equal(t, before, runtime.GOMAXPROCS(0))

	t.Setenv("GOMAXPROCS", "")
	l, err = NewLoop()
	require.NoError(t, err)
	runtime.GOMAXPROCS(before + 3)
	require.NoError(t, l.Close())
	require.Equal(t, before+3, runtime.GOMAXPROCS(0), "the program's own value stays")
	runtime.SetDefaultGOMAXPROCS()
}
