package uv_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// A busy loop passes through the Go scheduler every YieldEvery ms (see the Loop's
// yieldEvery): kept busy for ten intervals by a 1 ms repeating timer, it yields several
// times, and far fewer times than it iterates.
func TestLoopYieldsToScheduler(t *testing.T) {
	yields := 0
	defer uv.SetSchedYield(func() { yields++ })()

	l, err := uv.NewLoop()
	require.NoError(t, err)
	timer, err := handles.NewTimer(l)
	require.NoError(t, err)
	start, fires := uint64(0), 0
	require.NoError(t, timer.Start(func(tm *handles.Timer) {
		fires++
		if start == 0 {
			start = l.Now()
		}
		if l.Now()-start >= 10*uv.YieldEvery {
			tm.Close(nil)
		}
	}, 1, 1))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	require.GreaterOrEqual(t, yields, 3, "a loop busy for %d ms yields every %d ms", 10*uv.YieldEvery, uv.YieldEvery)
	require.Less(t, yields, fires, "not at every iteration")
}
