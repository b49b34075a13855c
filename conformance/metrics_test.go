package conformance_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// libuv's idle-time tests wait 1000 ms for a timer, accept an idle time within ±500 ms of
// that, and spin 600 ms in the callback so that spin time wrongly counted as idle would land
// past the upper bound. The same proportions at a smaller scale keep these tests short.
const (
	metricsTimeout = 400 * time.Millisecond // how long the loop waits for the timer
	metricsSlack   = 200 * time.Millisecond // accepted deviation of the idle time
	metricsSpin    = 240 * time.Millisecond // busy time in the callback, > metricsSlack
)

// metricsSpinCb counts its calls in *n and then keeps the loop busy for metricsSpin.
func metricsSpinCb(n *int) func(*handles.Timer) {
	return func(*handles.Timer) {
		*n++
		start := uv.HRTime()
		for uv.HRTime()-start < uint64(metricsSpin) {
		}
	}
}

// TestMetricsIdleTime checks that the idle time of a loop that waited for a timer is about
// the timer's timeout, and does not include the time its callback spent running.
// libuv: metrics_idle_time
func TestMetricsIdleTime(t *testing.T) {
	l := newLoop(t)
	calls := 0
	require.NoError(t, l.Configure(uv.MetricsIdleTime))
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(metricsSpinCb(&calls), uint64(metricsTimeout.Milliseconds()), 0))

	require.False(t, run(t, l, uv.RunDefault))
	require.Greater(t, calls, 0)

	idle := l.MetricsIdleTime()
	require.LessOrEqual(t, idle, uint64(metricsTimeout+metricsSlack))
	require.GreaterOrEqual(t, idle, uint64(metricsTimeout-metricsSlack))
}

// TestMetricsIdleTimeThread runs the idle-time check on five loops at once, each on its own
// goroutine. Contention may delay a loop after its wait, so only the lower bound is checked.
// libuv: metrics_idle_time_thread
func TestMetricsIdleTimeThread(t *testing.T) {
	const loops = 5
	type result struct {
		calls int
		idle  uint64
	}
	var (
		wg      sync.WaitGroup
		results [loops]result
	)
	for i := range loops {
		wg.Add(1)
		go func(r *result) {
			defer wg.Done()
			// require may not stop the test from another goroutine; assert and return.
			l, err := uv.NewLoop()
			if !assert.NoError(t, err) {
				return
			}
			defer func() { assert.NoError(t, l.Close()) }()
			if !assert.NoError(t, l.Configure(uv.MetricsIdleTime)) {
				return
			}
			tm, err := handles.NewTimer(l)
			if !assert.NoError(t, err) {
				return
			}
			assert.NoError(t, tm.Start(metricsSpinCb(&r.calls), uint64(metricsTimeout.Milliseconds()), 0))
			alive, err := l.Run(uv.RunDefault)
			assert.NoError(t, err)
			assert.False(t, alive)
			r.idle = l.MetricsIdleTime()
			assert.NoError(t, tm.Close(nil))
			_, err = l.Run(uv.RunDefault)
			assert.NoError(t, err)
		}(&results[i])
	}
	wg.Wait()
	for i, r := range results {
		assert.Greater(t, r.calls, 0, "loop %d", i)
		assert.GreaterOrEqual(t, r.idle, uint64(metricsTimeout-metricsSlack), "loop %d", i)
	}
}

// TestMetricsIdleTimeZero checks that a loop that never had to wait reports no idle time,
// and that its loop count is one iteration per timer call.
// libuv: metrics_idle_time_zero
func TestMetricsIdleTimeZero(t *testing.T) {
	l := newLoop(t)
	calls := 0
	require.NoError(t, l.Configure(uv.MetricsIdleTime))
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(*handles.Timer) { calls++ }, 0, 0))

	require.False(t, run(t, l, uv.RunDefault))

	require.Greater(t, calls, 0)
	require.Zero(t, l.MetricsIdleTime())
	require.Equal(t, uint64(calls), l.Metrics().LoopCount)
}
