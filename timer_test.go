package uv_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// hookedTimer is a handle type built the way handles.Timer is: shared hooks and a shared
// timer callback, bound without a closure per handle.
type hookedTimer struct {
	uv.Handle
	pad   [3]uint64 // keeps the watcher away from the start of the struct
	w     uv.TimerWatcher
	fired int
	log   *[]string
}

var (
	hookedFire = uv.NewTimerFunc(func(h *hookedTimer) { h.fired++; h.Deactivate() },
		func(h *hookedTimer) *uv.TimerWatcher { return &h.w }, func(h *hookedTimer) *uv.Handle { return &h.Handle })
	hookedHooks = uv.HandleHooks{
		Close: func(h *uv.Handle) {
			t := h.Owner().(*hookedTimer)
			*t.log = append(*t.log, "close hook")
			t.w.Stop()
		},
		Closed: func(h *uv.Handle) {
			t := h.Owner().(*hookedTimer)
			*t.log = append(*t.log, "closed hook")
		},
	}
)

func (h *hookedTimer) init(l *uv.Loop) error {
	if err := h.InitHooks(l, uv.TypeTimer, h, &hookedHooks); err != nil {
		return err
	}
	return hookedFire.Bind(&h.w, h)
}

// A watcher bound with a TimerFunc fires its owner on the loop of the owner's Handle, and
// hooks given to InitHooks run as Init's onClose and onClosed do: the first inside Close, the
// second in the closing phase just before the close callback.
func TestTimerFuncAndHandleHooks(t *testing.T) {
	l := newTestLoop(t)
	var log []string
	h := &hookedTimer{log: &log}
	require.NoError(t, h.init(l))
	h.w.Start(1)
	h.Activate()
	require.True(t, h.w.Pending())
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	assert.Equal(t, 1, h.fired)
	assert.False(t, h.w.Pending())

	h.w.Start(1000)
	require.NoError(t, h.Close(func() { log = append(log, "close callback") }))
	assert.False(t, h.w.Pending(), "the close hook stopped the watcher")
	assert.Equal(t, []string{"close hook"}, log)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	assert.Equal(t, []string{"close hook", "closed hook", "close callback"}, log)
	assert.Equal(t, 1, h.fired)

	// Once closed, the struct may be initialised again, and binds and fires as before.
	require.NoError(t, h.init(l))
	h.w.Start(0)
	h.Activate()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	assert.Equal(t, 2, h.fired)
}

// Bind refuses a watcher that is not the one its accessor names, a TimerFunc whose accessors
// do not point into the struct, and a zero TimerFunc, instead of firing the wrong memory.
func TestTimerFuncMisuse(t *testing.T) {
	l := newTestLoop(t)
	var h hookedTimer
	require.NoError(t, h.InitHooks(l, uv.TypeTimer, &h, nil))
	var other uv.TimerWatcher
	require.ErrorIs(t, hookedFire.Bind(&other, &h), uv.EINVAL)
	require.ErrorIs(t, hookedFire.Bind(&h.w, nil), uv.EINVAL)

	var stray uv.TimerWatcher
	outside := uv.NewTimerFunc(func(*hookedTimer) {},
		func(*hookedTimer) *uv.TimerWatcher { return &stray }, func(h *hookedTimer) *uv.Handle { return &h.Handle })
	require.ErrorIs(t, outside.Bind(&h.w, &h), uv.EINVAL)
	noFire := uv.NewTimerFunc(nil, func(h *hookedTimer) *uv.TimerWatcher { return &h.w },
		func(h *hookedTimer) *uv.Handle { return &h.Handle })
	require.ErrorIs(t, noFire.Bind(&h.w, &h), uv.EINVAL)
	var zero uv.TimerFunc[hookedTimer]
	require.ErrorIs(t, zero.Bind(&h.w, &h), uv.EINVAL)
	var nilFunc *uv.TimerFunc[hookedTimer]
	require.ErrorIs(t, nilFunc.Bind(&h.w, &h), uv.EINVAL)

	// An unbound watcher has no loop: stopping it or asking when it is due is harmless.
	var unbound uv.TimerWatcher
	unbound.Stop()
	assert.Zero(t, unbound.DueIn())
	assert.False(t, unbound.Pending())
	require.NoError(t, h.Close(nil))
}
