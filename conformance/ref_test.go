package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// refCloseAndRun closes h and checks that its close callback runs in the loop's closing phase,
// not inside Close.
func refCloseAndRun(t *testing.T, l *uv.Loop, h *uv.Handle) {
	t.Helper()
	closed := 0
	require.NoError(t, h.Close(func() { closed++ }))
	require.Zero(t, closed, "close callback ran inside Close")
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, closed)
}

// TestRef checks that an empty loop's RunDefault returns at once.
// libuv: ref
func TestRef(t *testing.T) {
	l := newLoop(t)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestIdleRef checks that a started but unreferenced idle handle does not keep the loop
// alive, and that RunDefault then runs no idle callback.
// libuv: idle_ref
func TestIdleRef(t *testing.T) {
	l := newLoop(t)
	h, err := handles.NewIdle(l)
	require.NoError(t, err)
	require.NoError(t, h.Start(func(*handles.Idle) { t.Error("idle callback must not run") }))
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}

// TestAsyncRef checks that an unreferenced async handle does not keep the loop alive.
// libuv: async_ref
func TestAsyncRef(t *testing.T) {
	l := newLoop(t)
	h, err := handles.NewAsync(l, nil)
	require.NoError(t, err)
	require.True(t, h.IsActive())
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}

// TestPrepareRef checks that a started but unreferenced prepare handle does not keep the
// loop alive, and that RunDefault then runs no prepare callback.
// libuv: prepare_ref
func TestPrepareRef(t *testing.T) {
	l := newLoop(t)
	h, err := handles.NewPrepare(l)
	require.NoError(t, err)
	require.NoError(t, h.Start(func(*handles.Prepare) { t.Error("prepare callback must not run") }))
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}

// TestCheckRef checks that a started but unreferenced check handle does not keep the loop
// alive, and that RunDefault then runs no check callback.
// libuv: check_ref
func TestCheckRef(t *testing.T) {
	l := newLoop(t)
	h, err := handles.NewCheck(l)
	require.NoError(t, err)
	require.NoError(t, h.Start(func(*handles.Check) { t.Error("check callback must not run") }))
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}

// TestUnrefInPrepareCb checks that a prepare handle unreferencing itself from its callback
// lets RunDefault return at the end of that iteration.
// libuv: unref_in_prepare_cb
func TestUnrefInPrepareCb(t *testing.T) {
	l := newLoop(t)
	h, err := handles.NewPrepare(l)
	require.NoError(t, err)
	calls := 0
	require.NoError(t, h.Start(func(p *handles.Prepare) {
		require.NotNil(t, p)
		calls++
		p.Unref()
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
	refCloseAndRun(t, l, &h.Handle)
}

// TestTimerRef checks that an unreferenced timer that was never started leaves the loop
// free to return.
// libuv: timer_ref
func TestTimerRef(t *testing.T) {
	l := newLoop(t)
	h := timerNew(t, l)
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}

// TestTimerRef2 checks that a started but unreferenced repeating timer does not keep the
// loop alive and does not fire.
// libuv: timer_ref2
func TestTimerRef2(t *testing.T) {
	l := newLoop(t)
	h := timerNew(t, l)
	require.NoError(t, h.Start(timerMustNotFire(t), 42, 42))
	h.Unref()
	require.False(t, run(t, l, uv.RunDefault))
	refCloseAndRun(t, l, &h.Handle)
}

// TestHasRef checks that HasRef follows Ref and Unref.
// libuv: has_ref
func TestHasRef(t *testing.T) {
	l := newLoop(t)
	h, err := handles.NewIdle(l)
	require.NoError(t, err)
	h.Ref()
	require.True(t, h.HasRef())
	h.Unref()
	require.False(t, h.HasRef())
}
