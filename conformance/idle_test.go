package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// TestIdleStarvation checks that a started idle handle does not starve the rest of the loop:
// check handles still run and a timer still fires, though the loop never blocks.
// libuv: idle_starvation
func TestIdleStarvation(t *testing.T) {
	l := newLoop(t)
	idle, err := handles.NewIdle(l)
	require.NoError(t, err)
	check, err := handles.NewCheck(l)
	require.NoError(t, err)
	tm := timerNew(t, l)

	idleCalls, checkCalls, timerCalls, closed := 0, 0, 0, 0
	closeCb := func() { closed++ }

	require.NoError(t, idle.Start(func(h *handles.Idle) {
		assert.Same(t, idle, h)
		idleCalls++
	}))
	require.NoError(t, check.Start(func(h *handles.Check) {
		assert.Same(t, check, h)
		checkCalls++
	}))
	require.NoError(t, tm.Start(func(h *handles.Timer) {
		assert.Same(t, tm, h)
		require.NoError(t, idle.Close(closeCb))
		require.NoError(t, check.Close(closeCb))
		require.NoError(t, tm.Close(closeCb))
		timerCalls++
	}, 50, 0))

	require.False(t, run(t, l, uv.RunDefault))
	require.Greater(t, idleCalls, 0)
	require.Greater(t, checkCalls, 0)
	require.Equal(t, 1, timerCalls)
	require.Equal(t, 3, closed)
}

// TestIdleCheck checks that RunOnce does not block when an idle handle was started at the
// start of the iteration, even if its callback stops it: the check phase runs and RunOnce
// returns.
// libuv: idle_check
func TestIdleCheck(t *testing.T) {
	l := newLoop(t)
	idle, err := handles.NewIdle(l)
	require.NoError(t, err)
	check, err := handles.NewCheck(l)
	require.NoError(t, err)

	require.NoError(t, idle.Start(func(h *handles.Idle) { require.NoError(t, h.Stop()) }))
	checkCalls, closed := 0, 0
	require.NoError(t, check.Start(func(*handles.Check) { checkCalls++ }))

	require.True(t, run(t, l, uv.RunOnce), "the check handle keeps the loop alive")
	require.Equal(t, 1, checkCalls)

	require.Zero(t, closed)
	closeCb := func() { closed++ }
	require.NoError(t, idle.Close(closeCb))
	require.NoError(t, check.Close(closeCb))
	require.False(t, run(t, l, uv.RunOnce))
	require.Equal(t, 2, closed)
}
