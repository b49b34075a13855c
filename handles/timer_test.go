package handles_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// Initialising and closing a declared timer allocates nothing: its hooks and its timer
// callback are shared by every timer, not closures bound per handle.
func TestTimerInitCloseAllocs(t *testing.T) {
	l := mustLoop(t)
	defer l.Close()
	var tm handles.Timer
	cb := func(*handles.Timer) {}
	cycle := func() {
		require.NoError(t, tm.Init(l))
		require.NoError(t, tm.Start(cb, 1000, 0))
		require.NoError(t, tm.Close(nil))
		_, err := l.Run(uv.RunNoWait)
		require.NoError(t, err)
	}
	cycle() // grow the timer heap
	assert.Zero(t, testing.AllocsPerRun(100, cycle))
	assert.True(t, tm.IsClosed())
}

// A timer closed by the callback of a timer due at the same time does not fire, though it was
// already collected for this timer phase; one closed while idle closes as usual.
func TestTimerCloseDueInSamePhase(t *testing.T) {
	l := mustLoop(t)
	defer l.Close()
	a, _ := handles.NewTimer(l)
	b, _ := handles.NewTimer(l)
	idle, _ := handles.NewTimer(l)
	var order []string
	require.NoError(t, a.Start(func(*handles.Timer) {
		order = append(order, "a")
		require.NoError(t, b.Close(func() { order = append(order, "b closed") }))
		assert.False(t, b.IsActive())
	}, 1, 0))
	require.NoError(t, b.Start(func(*handles.Timer) { order = append(order, "b") }, 1, 0))
	require.NoError(t, idle.Close(func() { order = append(order, "idle closed") }))
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	// The idle timer's close runs in the first closing phase: before a fires, or after it
	// when the loop starts more than the timeout late (a loaded machine).
	assert.ElementsMatch(t, []string{"idle closed", "a", "b closed"}, order)
	assert.Less(t, slices.Index(order, "a"), slices.Index(order, "b closed"))
	require.NoError(t, a.Close(nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
}

// Again on a closing repeating timer leaves it stopped and returns nil, as libuv's
// uv_timer_again does (its uv_timer_start refuses the closing handle).
func TestTimerAgainWhileClosing(t *testing.T) {
	l := mustLoop(t)
	defer l.Close()
	tm, _ := handles.NewTimer(l)
	fired := 0
	require.NoError(t, tm.Start(func(*handles.Timer) { fired++ }, 1000, 10))
	closed := false
	require.NoError(t, tm.Close(func() { closed = true }))
	require.NoError(t, tm.Again())
	assert.False(t, tm.IsActive())
	_, err := l.Run(uv.RunNoWait) // one iteration: a timer wrongly restarted fails, not hangs
	require.NoError(t, err)
	assert.True(t, closed)
	assert.Zero(t, fired)
	require.NoError(t, tm.Again())
	assert.False(t, tm.IsActive())
}
