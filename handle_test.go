package uv_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// funcHandle is a handle type built by an outside implementer with Init's per-handle hooks.
type funcHandle struct {
	uv.Handle
	log []string
}

func (h *funcHandle) init(l *uv.Loop, closeHook, closedHook bool) error {
	var onClose, onClosed func()
	if closeHook {
		onClose = func() { h.log = append(h.log, "close hook") }
	}
	if closedHook {
		onClosed = func() { h.log = append(h.log, "closed hook") }
	}
	return h.Init(l, uv.TypeAsync, h, onClose, onClosed)
}

// Init's onClose runs inside Close and onClosed in the closing phase just before the close
// callback, whichever of them is given; a second Close is EINVAL and runs neither again.
func TestHandleInitFuncHooks(t *testing.T) {
	l := newTestLoop(t)
	for _, c := range []struct {
		name              string
		closeHook, closed bool
		inClose, after    []string
	}{
		{"both", true, true, []string{"close hook"}, []string{"close hook", "closed hook", "close callback"}},
		{"close only", true, false, []string{"close hook"}, []string{"close hook", "close callback"}},
		{"closed only", false, true, nil, []string{"closed hook", "close callback"}},
		{"none", false, false, nil, []string{"close callback"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := new(funcHandle)
			for round := range 2 { // a closed handle may be initialised again
				h.log = nil
				require.NoError(t, h.init(l, c.closeHook, c.closed), "round %d", round)
				require.ErrorIs(t, h.init(l, c.closeHook, c.closed), uv.EINVAL, "already registered")
				require.NoError(t, h.Close(func() { h.log = append(h.log, "close callback") }))
				assert.Equal(t, c.inClose, h.log)
				assert.True(t, h.IsClosing())
				require.ErrorIs(t, h.Close(nil), uv.EINVAL)
				_, err := l.Run(uv.RunDefault)
				require.NoError(t, err)
				assert.Equal(t, c.after, h.log)
				assert.True(t, h.IsClosed())
			}
		})
	}
}

// Closing handles runs their hooks and close callbacks in libuv's order (the closing phase
// takes the last closed first), whether their hooks are shared (InitHooks) or per handle
// (Init).
func TestHandleCloseOrderMixedHooks(t *testing.T) {
	l := newTestLoop(t)
	var log []string
	a, c := &hookedTimer{log: &log}, &hookedTimer{log: &log}
	b := new(funcHandle)
	require.NoError(t, a.init(l))
	require.NoError(t, b.init(l, true, true))
	require.NoError(t, c.init(l))
	require.NoError(t, a.Close(func() { log = append(log, "a") }))
	require.NoError(t, b.Close(func() { log = append(log, b.log...); log = append(log, "b") }))
	require.NoError(t, c.Close(func() { log = append(log, "c") }))
	assert.Equal(t, []string{"close hook", "close hook"}, log)
	assert.Equal(t, []string{"close hook"}, b.log)
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	assert.Equal(t, []string{"close hook", "close hook", "closed hook", "c",
		"close hook", "closed hook", "b", "closed hook", "a"}, log)
}
