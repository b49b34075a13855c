//go:build linux

package uv_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// libuv's format: "[%c%c%c] %-8s %p\n" with R, A, I or -, every handle including internal
// ones, in the order they were registered.
func TestPrintAllHandles(t *testing.T) {
	l := newTracedLoop(t, nil)
	started, _ := handles.NewTimer(l)
	require.NoError(t, started.Start(func(*handles.Timer) {}, 1000, 0))
	stopped, _ := handles.NewTimer(l)
	idle, _ := handles.NewIdle(l)
	require.NoError(t, idle.Start(func(*handles.Idle) {}))
	idle.Unref()
	var internal uv.Handle
	require.NoError(t, internal.Init(l, uv.TypeAsync, nil, nil, nil))
	internal.SetInternal()
	tcp, _ := handles.NewTCP(l)

	var buf bytes.Buffer
	require.NoError(t, l.PrintAllHandles(&buf))
	want := fmt.Sprintf("[RA-] timer    %p\n[R--] timer    %p\n[-A-] idle     %p\n[R-I] async    %p\n[R--] tcp      %p\n",
		started, stopped, idle, &internal, tcp)
	assert.Equal(t, want, buf.String())

	buf.Reset()
	require.NoError(t, l.PrintActiveHandles(&buf))
	assert.Equal(t, fmt.Sprintf("[RA-] timer    %p\n[-A-] idle     %p\n", started, idle), buf.String())

	internal.Close(nil)
}

func TestMetricsPhaseTimeConfigure(t *testing.T) {
	l := newTracedLoop(t, nil)
	assert.Equal(t, uv.PhaseTimes{}, l.MetricsPhaseTimes(), "off by default")
	_, ok := l.MetricsLongestCallback()
	assert.False(t, ok)
	assert.Equal(t, uv.EINVAL, l.Configure(uv.MetricsPhaseTime, -1))
	assert.Equal(t, uv.EINVAL, l.Configure(uv.MetricsPhaseTime, 1, 2))
	require.NoError(t, l.Configure(uv.MetricsPhaseTime))

	tm, _ := handles.NewTimer(l)
	tm.Start(func(*handles.Timer) {}, 0, 0)
	l.Run(uv.RunDefault)
	pt := l.MetricsPhaseTimes()
	assert.EqualValues(t, 1, pt.Iterations)
	assert.EqualValues(t, 1, pt.Iteration)
	assert.EqualValues(t, 1, pt.Total[uv.LoopPhaseTimers].Callbacks)
	st, ok := l.MetricsLongestCallback()
	require.True(t, ok)
	assert.Equal(t, uv.TypeTimer, st.Handle)

	require.NoError(t, l.Configure(uv.MetricsPhaseTime, 0))
	assert.Equal(t, uv.PhaseTimes{}, l.MetricsPhaseTimes(), "off again")
	_, ok = l.MetricsLongestCallback()
	assert.False(t, ok)
}

const slow = 30 * time.Millisecond

// The longest callback is found, with its phase and the type of the handle it belongs to,
// wherever the loop runs it.
func TestMetricsLongestCallback(t *testing.T) {
	type scenario struct {
		name   string
		phase  uv.LoopPhase
		handle uv.HandleType
		req    uv.ReqType
		fn     string
		setup  func(t *testing.T, l *uv.Loop)
	}
	for _, sc := range []scenario{
		{"check", uv.LoopPhaseCheck, uv.TypeCheck, 0, "handles.(*Check)", func(t *testing.T, l *uv.Loop) {
			// An idle handle keeps the poll from blocking before the check runs.
			i, _ := handles.NewIdle(l)
			i.Start(func(*handles.Idle) {})
			c, _ := handles.NewCheck(l)
			c.Start(func(c *handles.Check) { time.Sleep(slow); c.Close(nil); i.Close(nil) })
		}},
		{"idle", uv.LoopPhaseIdle, uv.TypeIdle, 0, "handles.(*Idle)", func(t *testing.T, l *uv.Loop) {
			i, _ := handles.NewIdle(l)
			i.Start(func(i *handles.Idle) { time.Sleep(slow); i.Stop() })
		}},
		{"timer", uv.LoopPhaseTimers, uv.TypeTimer, 0, "handles.(*Timer).fire", func(t *testing.T, l *uv.Loop) {
			tm, _ := handles.NewTimer(l)
			tm.Start(func(*handles.Timer) { time.Sleep(slow) }, 1, 0)
		}},
		{"closed-timer", uv.LoopPhaseTimers, uv.TypeTimer, 0, "handles.(*Timer).fire", func(t *testing.T, l *uv.Loop) {
			// The handle is gone when asked: its type comes from the function.
			tm, _ := handles.NewTimer(l)
			tm.Start(func(tm *handles.Timer) { time.Sleep(slow); tm.Close(nil) }, 1, 0)
		}},
		{"close-callback", uv.LoopPhaseClosing, uv.TypeTimer, 0, "", func(t *testing.T, l *uv.Loop) {
			tm, _ := handles.NewTimer(l)
			tm.Close(func() { time.Sleep(slow) })
		}},
		{"tcp-read", uv.LoopPhasePoll, uv.TypeTCP, 0, "uv.(*Sock).onIO", func(t *testing.T, l *uv.Loop) {
			p := newPingPong(&testing.B{}, l)
			p.left = 2
			once := false
			p.onServerRead = func() {
				if !once {
					once = true
					time.Sleep(slow)
				}
			}
		}},
		{"tcp-write-done", uv.LoopPhasePending, uv.TypeTCP, 0, "uv.(*Sock).runPending", func(t *testing.T, l *uv.Loop) {
			p := newPingPong(&testing.B{}, l)
			p.left = 2
			once := false
			p.onWritten = func() {
				if !once {
					once = true
					time.Sleep(slow)
				}
			}
		}},
		{"work", uv.LoopPhasePoll, uv.UnknownHandle, uv.TypeWork, "uv.(*Loop).workDone", func(t *testing.T, l *uv.Loop) {
			var w handles.Work
			handles.QueueWork(l, &w, func(*handles.Work) {}, func(*handles.Work, error) { time.Sleep(slow) })
		}},
		{"async", uv.LoopPhasePoll, uv.TypeAsync, 0, "handles.(*Async).fire", func(t *testing.T, l *uv.Loop) {
			a, _ := handles.NewAsync(l, func(a *handles.Async) { time.Sleep(slow); a.Close(nil) })
			go a.Send()
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			l := newTracedLoop(t, nil)
			require.NoError(t, l.Configure(uv.MetricsPhaseTime))
			sc.setup(t, l)
			_, err := l.Run(uv.RunDefault)
			require.NoError(t, err)
			st, ok := l.MetricsLongestCallback()
			require.True(t, ok)
			assert.GreaterOrEqual(t, st.Duration, slow)
			assert.Less(t, st.Duration, 20*slow)
			assert.Equal(t, sc.phase, st.Phase)
			assert.Equal(t, sc.handle, st.Handle, "handle type")
			assert.Equal(t, sc.req, st.Req, "request type")
			assert.Contains(t, st.Func, sc.fn)
			assert.NotZero(t, st.Iteration)
			assert.LessOrEqual(t, st.Iteration, l.Metrics().LoopCount)

			var buf bytes.Buffer
			require.NoError(t, l.PrintMetrics(&buf))
			assert.Contains(t, buf.String(), "longest callback of the last 100 iterations: ")
			assert.Contains(t, buf.String(), " in "+sc.phase.String()+" of #")
		})
	}
}

// Only the last n iterations count.
func TestMetricsLongestCallbackWindow(t *testing.T) {
	l := newTracedLoop(t, nil)
	require.NoError(t, l.Configure(uv.MetricsPhaseTime, 3))
	idle, _ := handles.NewIdle(l)
	n := 0
	idle.Start(func(i *handles.Idle) {
		switch n++; n {
		case 2:
			time.Sleep(slow)
		case 4:
			st, ok := l.MetricsLongestCallback()
			require.True(t, ok)
			assert.GreaterOrEqual(t, st.Duration, slow, "iteration 2 is in the window")
			assert.EqualValues(t, 2, st.Iteration)
		case 6:
			st, ok := l.MetricsLongestCallback()
			require.True(t, ok)
			assert.Less(t, st.Duration, slow, "iteration 2 has left the window")
			i.Stop()
		}
	})
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 6, n)
}

func TestMetricsPhaseTimes(t *testing.T) {
	l := newTracedLoop(t, nil)
	require.NoError(t, l.Configure(uv.MetricsPhaseTime))
	// Iteration 1 waits for the timer in poll; the timer's callback starts a check that
	// is slow in iteration 2.
	tm, _ := handles.NewTimer(l)
	c, _ := handles.NewCheck(l)
	i, _ := handles.NewIdle(l)
	tm.Start(func(*handles.Timer) {
		i.Start(func(*handles.Idle) {}) // so that the poll of iteration 2 does not block
		c.Start(func(c *handles.Check) { time.Sleep(slow); c.Stop(); i.Stop() })
	}, uint64(slow/time.Millisecond), 0)
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)

	pt := l.MetricsPhaseTimes()
	require.GreaterOrEqual(t, pt.Iterations, uint64(2))
	require.Equal(t, pt.Iterations, pt.Iteration)
	// The slow check ran in the last iteration.
	assert.GreaterOrEqual(t, pt.Last[uv.LoopPhaseCheck].Time, slow)
	assert.EqualValues(t, 1, pt.Last[uv.LoopPhaseCheck].Callbacks)
	assert.Zero(t, pt.Last[uv.LoopPhaseTimers].Callbacks)
	assert.EqualValues(t, 1, pt.Total[uv.LoopPhaseTimers].Callbacks)
	assert.GreaterOrEqual(t, pt.Total[uv.LoopPhasePoll].Wait, slow*2/3, "waited for the timer")
	var sum time.Duration
	for p := range uv.LoopPhase(uv.NumLoopPhases) {
		assert.GreaterOrEqual(t, pt.Total[p].Time, pt.Last[p].Time, p.String())
		assert.GreaterOrEqual(t, pt.Total[p].Time, pt.Total[p].Wait, p.String())
		sum += pt.Total[p].Time
	}
	assert.GreaterOrEqual(t, sum, slow+slow*2/3)

	var buf bytes.Buffer
	require.NoError(t, l.PrintMetrics(&buf))
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, fmt.Sprintf("iterations %d, events ", pt.Iterations)), out)
	for p := range uv.LoopPhase(uv.NumLoopPhases) {
		assert.Contains(t, out, "\n"+p.String()+" ")
	}
	assert.Contains(t, out, ", check handle, github.com/uv-go/uv/handles.")
}

// Phase timing and a tracer together, switched on and off while the loop runs.
func TestInstrumentationOnOff(t *testing.T) {
	l := newTracedLoop(t, nil)
	rec := &recorder{}
	idle, _ := handles.NewIdle(l)
	n := 0
	idle.Start(func(i *handles.Idle) {
		switch n++; n {
		case 2:
			l.SetTracer(rec)
		case 3:
			l.Configure(uv.MetricsPhaseTime)
		case 5:
			l.SetTracer(nil)
		case 6:
			l.Configure(uv.MetricsPhaseTime, 0)
		case 8:
			i.Stop()
		}
	})
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NotEmpty(t, rec.events)
	for _, e := range rec.events {
		if pe, ok := e.(uv.PhaseEvent); ok {
			assert.Contains(t, []uint64{2, 3, 4, 5}, pe.Iteration)
		}
	}
	assert.Equal(t, uv.PhaseTimes{}, l.MetricsPhaseTimes())
}
