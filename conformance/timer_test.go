package conformance_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// timerNew creates a timer on l and fails the test if that fails.
func timerNew(t *testing.T, l *uv.Loop) *handles.Timer {
	t.Helper()
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	return tm
}

// timerMustNotFire is a timer callback for timers that must never fire.
func timerMustNotFire(t *testing.T) func(*handles.Timer) {
	return func(*handles.Timer) { t.Error("timer callback must not run") }
}

// TestTimer runs ten one-shot timers spread over 450 ms, a repeating timer that closes itself
// after five runs and a stopped, unreferenced timer that never fires.
// libuv: timer
func TestTimer(t *testing.T) {
	l := newLoop(t)
	start := l.Now()
	require.Less(t, uint64(0), start)

	onceCalls, onceClosed := 0, 0
	for i := range 10 {
		tm := timerNew(t, l)
		err := tm.Start(func(h *handles.Timer) {
			assert.False(t, h.IsActive(), "a one-shot timer is inactive in its callback")
			onceCalls++
			require.NoError(t, h.Close(func() {
				assert.False(t, h.IsActive())
				onceClosed++
			}))
			l.UpdateTime()
		}, uint64(i)*50, 0)
		require.NoError(t, err)
	}

	repeatCalls, repeatClosed := 0, 0
	repeat := timerNew(t, l)
	require.NoError(t, repeat.Start(func(h *handles.Timer) {
		assert.True(t, h.IsActive(), "a repeating timer stays active in its callback")
		repeatCalls++
		if repeatCalls == 5 {
			require.NoError(t, h.Close(func() { repeatClosed++ }))
		}
	}, 100, 100))

	never := timerNew(t, l)
	require.NoError(t, never.Start(timerMustNotFire(t), 100, 100))
	require.NoError(t, never.Stop())
	never.Unref()

	run(t, l, uv.RunDefault)

	require.Equal(t, 10, onceCalls)
	require.Equal(t, 10, onceClosed)
	require.Equal(t, 5, repeatCalls)
	require.Equal(t, 1, repeatClosed)
	require.LessOrEqual(t, uint64(500), l.Now()-start)
}

// TestTimerAgain checks Again: EINVAL for a timer never started, a repeating timer kept from
// firing by restarting it, and a repeat change that takes effect only at the next restart.
// libuv: timer_again
func TestTimerAgain(t *testing.T) {
	l := newLoop(t)
	start := l.Now()
	require.Less(t, uint64(0), start)

	dummy := timerNew(t, l)
	require.ErrorIs(t, dummy.Again(), uv.EINVAL)
	dummy.Unref()

	repeat1, repeat2 := timerNew(t, l), timerNew(t, l)
	calls1, calls2, closed := 0, 0, 0
	repeat2Allowed := false
	closeCb := func() { closed++ }

	require.NoError(t, repeat1.Start(func(h *handles.Timer) {
		assert.Same(t, repeat1, h)
		assert.Equal(t, uint64(50), h.Repeat())
		calls1++
		// Restarting repeat2 every 50 ms keeps its 100 ms timeout from expiring.
		require.NoError(t, repeat2.Again())
		if calls1 == 10 {
			require.NoError(t, h.Close(closeCb))
			repeat2Allowed = true
		}
	}, 50, 0))
	require.Zero(t, repeat1.Repeat())
	repeat1.SetRepeat(50)
	require.Equal(t, uint64(50), repeat1.Repeat())

	require.NoError(t, repeat2.Start(func(h *handles.Timer) {
		assert.Same(t, repeat2, h)
		assert.True(t, repeat2Allowed, "repeat2 fired while repeat1 was restarting it")
		calls2++
		if h.Repeat() == 0 {
			assert.False(t, h.IsActive())
			require.NoError(t, h.Close(closeCb))
			return
		}
		assert.Equal(t, uint64(100), h.Repeat())
		// Not effective until the timer is next scheduled: it fires once more.
		h.SetRepeat(0)
	}, 100, 100))
	require.Equal(t, uint64(100), repeat2.Repeat())

	run(t, l, uv.RunDefault)

	require.Equal(t, 10, calls1)
	require.Equal(t, 2, calls2)
	require.Equal(t, 2, closed)
	t.Logf("took %d ms (about 700 expected)", l.Now()-start)
}

// TestTimerStartTwice checks that starting an active timer reschedules it: only the second
// callback runs.
// libuv: timer_start_twice
func TestTimerStartTwice(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	require.NoError(t, tm.Start(timerMustNotFire(t), 86400*1000, 0))
	calls, closed := 0, 0
	require.NoError(t, tm.Start(func(h *handles.Timer) {
		assert.False(t, h.IsActive())
		calls++
		require.NoError(t, h.Close(func() { closed++ }))
	}, 10, 0))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
	require.Equal(t, 1, closed)
}

// TestTimerInit checks a fresh timer: no repeat, nothing due, not active.
// libuv: timer_init
func TestTimerInit(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	require.Zero(t, tm.Repeat())
	require.Zero(t, tm.DueIn())
	require.False(t, tm.IsActive())
}

// TestTimerOrder checks that timers due at the same time fire in the order they were
// started, whichever order that is.
// libuv: timer_order
func TestTimerOrder(t *testing.T) {
	l := newLoop(t)
	a, b := timerNew(t, l), timerNew(t, l)
	calls := 0
	cb := func(h *handles.Timer) {
		assert.Equal(t, calls, h.Data.(int))
		calls++
	}

	a.Data = 0
	require.NoError(t, a.Start(cb, 0, 0))
	b.Data = 1
	require.NoError(t, b.Start(cb, 0, 0))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 2, calls)

	require.NoError(t, a.Stop())
	require.NoError(t, b.Stop())

	calls = 0
	b.Data = 0
	require.NoError(t, b.Start(cb, 0, 0))
	a.Data = 1
	require.NoError(t, a.Start(cb, 0, 0))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 2, calls)
}

// TestTimerZeroTimeout checks that a timer restarted with timeout 0 from its own callback
// does not run again in the same timer phase, so Stop gets the loop out.
// libuv: timer_zero_timeout
func TestTimerZeroTimeout(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	calls := 0
	var cb func(*handles.Timer)
	cb = func(h *handles.Timer) {
		require.NoError(t, h.Start(cb, 0, 0))
		h.Loop().Stop()
		calls++
	}
	require.NoError(t, tm.Start(cb, 0, 0))
	require.True(t, run(t, l, uv.RunDefault), "stopped with the timer still active")
	require.Equal(t, 1, calls)
	require.NoError(t, tm.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
}

// TestTimerHugeTimeout checks that timeouts near or past the clock's range saturate instead
// of wrapping around and firing early.
// libuv: timer_huge_timeout
func TestTimerHugeTimeout(t *testing.T) {
	l := newLoop(t)
	tiny, huge1, huge2 := timerNew(t, l), timerNew(t, l), timerNew(t, l)
	calls := 0
	cb := func(h *handles.Timer) {
		assert.Same(t, tiny, h)
		calls++
		require.NoError(t, tiny.Close(nil))
		require.NoError(t, huge1.Close(nil))
		require.NoError(t, huge2.Close(nil))
	}
	require.NoError(t, tiny.Start(cb, 1, 0))
	require.NoError(t, huge1.Start(cb, 0xffffffffffff, 0))
	require.NoError(t, huge2.Start(cb, math.MaxUint64, 0))
	require.Equal(t, uint64(1), tiny.DueIn())
	require.Equal(t, uint64(281474976710655), huge1.DueIn())
	require.Equal(t, uint64(math.MaxUint64)-l.Now(), huge2.DueIn(), "due time saturates")
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
}

// TestTimerHugeRepeat checks that a repeat interval past the clock's range saturates: the
// timer with the huge repeat fires once, the short one keeps firing.
// libuv: timer_huge_repeat
func TestTimerHugeRepeat(t *testing.T) {
	l := newLoop(t)
	tiny, huge := timerNew(t, l), timerNew(t, l)
	calls := 0
	cb := func(h *handles.Timer) {
		if calls == 0 {
			assert.Same(t, huge, h)
		} else {
			assert.Same(t, tiny, h)
		}
		calls++
		if calls == 10 {
			require.NoError(t, tiny.Close(nil))
			require.NoError(t, huge.Close(nil))
		}
	}
	require.NoError(t, tiny.Start(cb, 2, 2))
	require.NoError(t, huge.Start(cb, 1, math.MaxUint64))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 10, calls)
}

// TestTimerRunOnce checks that RunOnce waits for and fires a due timer.
// libuv: timer_run_once
func TestTimerRunOnce(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	calls := 0
	cb := func(*handles.Timer) { calls++ }

	require.NoError(t, tm.Start(cb, 0, 0))
	require.False(t, run(t, l, uv.RunOnce))
	require.Equal(t, 1, calls)

	require.NoError(t, tm.Start(cb, 1, 0))
	require.False(t, run(t, l, uv.RunOnce))
	require.Equal(t, 2, calls)

	require.NoError(t, tm.Close(nil))
	require.False(t, run(t, l, uv.RunOnce))
	require.True(t, tm.IsClosed())
}

// TestTimerFromCheck checks the phase order around a timer restarted from a check callback:
// check, then prepare in the next iteration, then the timer.
// libuv: timer_from_check
func TestTimerFromCheck(t *testing.T) {
	l := newLoop(t)
	prep, err := handles.NewPrepare(l)
	require.NoError(t, err)
	check, err := handles.NewCheck(l)
	require.NoError(t, err)
	tm := timerNew(t, l)

	prepCalls, checkCalls, timerCalls := 0, 0, 0
	timerCb := func(h *handles.Timer) {
		require.NoError(t, h.Stop())
		assert.Equal(t, 1, prepCalls)
		assert.Equal(t, 1, checkCalls)
		assert.Equal(t, 0, timerCalls)
		timerCalls++
	}
	prepCb := func(p *handles.Prepare) {
		require.NoError(t, p.Stop())
		assert.Equal(t, 0, prepCalls)
		assert.Equal(t, 1, checkCalls)
		assert.Equal(t, 0, timerCalls)
		prepCalls++
	}
	require.NoError(t, check.Start(func(c *handles.Check) {
		require.NoError(t, c.Stop())
		// The check phase runs before the timer phase: stop the timer before it fires.
		require.NoError(t, tm.Stop())
		require.NoError(t, tm.Start(timerCb, 50, 0))
		require.NoError(t, prep.Start(prepCb))
		assert.Equal(t, 0, prepCalls)
		assert.Equal(t, 0, checkCalls)
		assert.Equal(t, 0, timerCalls)
		checkCalls++
	}))
	require.NoError(t, tm.Start(timerCb, 50, 0))

	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, prepCalls)
	require.Equal(t, 1, checkCalls)
	require.Equal(t, 1, timerCalls)

	require.NoError(t, prep.Close(nil))
	require.NoError(t, check.Close(nil))
	require.NoError(t, tm.Close(nil))
	require.False(t, run(t, l, uv.RunOnce))
}

// TestTimerIsClosing checks that a closing timer cannot be started.
// libuv: timer_is_closing
func TestTimerIsClosing(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	require.NoError(t, tm.Close(nil))
	require.ErrorIs(t, tm.Start(timerMustNotFire(t), 100, 100), uv.EINVAL)
	require.False(t, tm.IsActive())
}

// TestTimerNullCallback checks that a timer cannot be started without a callback.
// libuv: timer_null_callback
func TestTimerNullCallback(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	require.ErrorIs(t, tm.Start(nil, 100, 100), uv.EINVAL)
	require.False(t, tm.IsActive())
}

// TestTimerEarlyCheck checks that a timer never fires before its due time by the precise
// clock.
// libuv: timer_early_check
func TestTimerEarlyCheck(t *testing.T) {
	l := newLoop(t)
	const timeout = 10
	expected := l.Now() + timeout
	tm := timerNew(t, l)
	calls := 0
	require.NoError(t, tm.Start(func(*handles.Timer) {
		calls++
		assert.GreaterOrEqual(t, uv.HRTime()/uint64(time.Millisecond), expected)
	}, timeout, 0))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)

	require.NoError(t, tm.Close(nil))
	require.False(t, run(t, l, uv.RunDefault))
}

// timerWaitPastDue lets the clock run past a timer's due time before the loop runs, as libuv's
// tests do with uv_sleep: the point is an already expired timer, not synchronisation.
func timerWaitPastDue(d time.Duration) { time.Sleep(d) }

// TestTimerNoDoubleCallOnce checks that RunOnce fires an expired repeating timer once, not
// once before and once after polling.
// libuv: timer_no_double_call_once
func TestTimerNoDoubleCallOnce(t *testing.T) {
	l := newLoop(t)
	const timeout = 10
	tm := timerNew(t, l)
	calls := 0
	require.NoError(t, tm.Start(func(*handles.Timer) { calls++ }, timeout, timeout))
	timerWaitPastDue(2 * timeout * time.Millisecond)
	require.True(t, run(t, l, uv.RunOnce))
	require.Equal(t, 1, calls)
}

// TestTimerNoDoubleCallNowait checks that RunNoWait fires an expired repeating timer once.
// libuv: timer_no_double_call_nowait
func TestTimerNoDoubleCallNowait(t *testing.T) {
	l := newLoop(t)
	const timeout = 10
	tm := timerNew(t, l)
	calls := 0
	require.NoError(t, tm.Start(func(*handles.Timer) { calls++ }, timeout, timeout))
	timerWaitPastDue(2 * timeout * time.Millisecond)
	require.True(t, run(t, l, uv.RunNoWait))
	require.Equal(t, 1, calls)
}

// TestTimerNoRunOnUnref checks that RunDefault on a loop kept alive by nothing does not run
// the timers that are due: an unreferenced timer with timeout 0 never fires.
// libuv: timer_no_run_on_unref
func TestTimerNoRunOnUnref(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	require.NoError(t, tm.Start(timerMustNotFire(t), 0, 0))
	tm.Unref()
	require.False(t, run(t, l, uv.RunDefault))
}

// TestTimerFireAllocs checks that a repeating timer firing allocates nothing per loop
// iteration once the loop is warm.
func TestTimerFireAllocs(t *testing.T) {
	l := newLoop(t)
	tm := timerNew(t, l)
	fired := 0
	require.NoError(t, tm.Start(func(*handles.Timer) { fired++ }, 1, 1))

	var runErr error
	fireOnce := func() {
		before := fired
		for fired == before && runErr == nil {
			_, runErr = l.Run(uv.RunOnce)
		}
	}
	for range 3 {
		fireOnce()
	}
	const runs = 50
	start := fired
	allocs := testing.AllocsPerRun(runs, fireOnce)
	require.NoError(t, runErr)
	require.Equal(t, runs+1, fired-start, "one fire per measured run plus the warm-up")
	require.Zero(t, allocs, "allocations per timer fire")
	require.True(t, tm.IsActive())
}
