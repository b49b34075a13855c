package uv

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// completedReq makes r look submitted on l, with done recording its index, and returns it;
// the test then calls Complete itself, as a worker would.
func completedReq(l *Loop, r *WorkReq, i int, got *[]int) {
	r.loop, r.submitted = l, true
	r.done = func(err error) {
		if err != nil {
			panic(err)
		}
		*got = append(*got, i)
	}
	l.RegisterRequest()
	l.wq.inflight++
}

// TestWorkDoneInCompletionOrder checks that the loop runs done callbacks in the order the
// workers completed the requests, although the completion list is a stack.
func TestWorkDoneInCompletionOrder(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, l.wq.async.Init(l, l.workDone))

	const n = 100
	reqs := make([]WorkReq, n)
	var got []int
	for i := range reqs {
		completedReq(l, &reqs[i], i, &got)
	}
	for i := range reqs {
		reqs[i].Complete(nil)
	}
	l.workDone()
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	require.Equal(t, want, got)
	require.Zero(t, l.wq.inflight)
	require.Nil(t, l.wq.done.Load())
	for i := range reqs {
		require.False(t, reqs[i].Busy())
	}
}

// TestWorkCompleteConcurrent has goroutines complete requests at the same time while the loop
// takes batches: every done callback runs once, and each goroutine's completions keep their
// order. Run it with -race.
func TestWorkCompleteConcurrent(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, l.wq.async.Init(l, l.workDone))

	const workers, per = 4, 2000
	reqs := make([]WorkReq, workers*per)
	var got []int
	for i := range reqs {
		completedReq(l, &reqs[i], i, &got)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * per; i < (w+1)*per; i++ {
				reqs[i].Complete(nil)
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	for more := true; more; {
		select {
		case <-finished:
			more = false // one last batch, with everything
		default:
		}
		l.workDone() // a batch of whatever has completed so far
	}
	require.Len(t, got, len(reqs))
	last := make([]int, workers)
	for w := range last {
		last[w] = w*per - 1
	}
	for _, i := range got {
		w := i / per
		require.Greater(t, i, last[w], "completions of one goroutine out of order")
		last[w] = i
	}
	require.Zero(t, l.wq.inflight)
}
