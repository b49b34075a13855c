package handles_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// Misusing the API returns an error and changes nothing; it never panics or hangs.
func TestMisuseReturnsErrors(t *testing.T) {
	l := mustLoop(t)

	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.ErrorIs(t, tm.Again(), uv.EINVAL, "again before start")
	require.ErrorIs(t, tm.Start(nil, 1, 0), uv.EINVAL, "nil callback")
	closed := 0
	require.NoError(t, tm.Close(func() { closed++ }))
	require.ErrorIs(t, tm.Close(nil), uv.EINVAL, "close twice")
	require.ErrorIs(t, tm.Start(func(*handles.Timer) {}, 1, 0), uv.EINVAL, "start a closing timer")
	require.False(t, tm.IsActive())

	idle, _ := handles.NewIdle(l)
	require.ErrorIs(t, idle.Start(nil), uv.EINVAL)
	require.NoError(t, idle.Close(nil))
	require.ErrorIs(t, idle.Start(func(*handles.Idle) {}), uv.EINVAL, "start a closing idle")

	var zero handles.Timer
	require.ErrorIs(t, zero.Close(nil), uv.EINVAL, "close a handle never initialised")
	require.ErrorIs(t, zero.Start(func(*handles.Timer) {}, 1, 0), uv.EINVAL)
	require.ErrorIs(t, zero.Stop(), uv.EINVAL)
	var za handles.Async
	require.ErrorIs(t, za.Send(), uv.EINVAL)

	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 1, closed, "close callback runs exactly once")
	require.ErrorIs(t, tm.Close(nil), uv.EINVAL, "close a closed handle")

	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Close(), uv.EINVAL, "close a closed loop")
	_, err = l.Run(uv.RunDefault)
	require.ErrorIs(t, err, uv.EINVAL, "run a closed loop")
	_, err = handles.NewTimer(l)
	require.ErrorIs(t, err, uv.EINVAL, "handle on a closed loop")
	_, err = handles.NewAsync(l, nil)
	require.ErrorIs(t, err, uv.EINVAL)
}

func TestRunIsNotReentrant(t *testing.T) {
	l := mustLoop(t)
	tm, _ := handles.NewTimer(l)
	var inner error
	tm.Start(func(t *handles.Timer) {
		_, inner = l.Run(uv.RunNoWait)
		t.Close(nil)
	}, 0, 0)
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.ErrorIs(t, inner, uv.EBUSY)
	require.ErrorIs(t, func() error {
		tm2, _ := handles.NewTimer(l)
		defer func() { tm2.Close(nil); l.Run(uv.RunDefault) }()
		return l.Close()
	}(), uv.EBUSY, "a loop with an open handle cannot close")
	require.NoError(t, l.Close())
}
