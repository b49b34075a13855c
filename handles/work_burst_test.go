package handles_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/threadpool"
)

// A burst of a thousand threadpool completions reaches the loop through one wakeup: once
// they have all completed, a single non-blocking iteration runs every after-callback.
func TestWorkBurstCostsOneWakeup(t *testing.T) {
	l := mustLoop(t)
	const n = 1000
	gate := make(chan struct{})
	works := make([]handles.Work, n)
	after := 0
	for i := range works {
		require.NoError(t, handles.QueueWork(l, &works[i], func(*handles.Work) {
			<-gate
		}, func(_ *handles.Work, err error) {
			require.NoError(t, err)
			after++
		}))
	}
	before := threadpool.Default().Stats().Completed
	close(gate)
	// Wait (bounded) until the pool has finished all of them, without running the loop.
	deadline := time.Now().Add(10 * time.Second)
	for threadpool.Default().Stats().Completed-before < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	require.EqualValues(t, n, threadpool.Default().Stats().Completed-before)
	m0 := l.Metrics()
	_, err := l.Run(uv.RunNoWait)
	require.NoError(t, err)
	m1 := l.Metrics()
	require.Equal(t, n, after, "every after-callback ran in one iteration")
	require.EqualValues(t, 1, m1.LoopCount-m0.LoopCount)
	require.False(t, l.Alive())
	require.NoError(t, l.Close())
}
