package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// loopCount: one idle handle, n loop iterations; ns per iteration.
func loopCount(a args) {
	n := int(a.num("n", 2e6))
	l, err := uv.NewLoop()
	check(err)
	idle, err := handles.NewIdle(l)
	check(err)
	ticks := 0
	check(idle.Start(func(i *handles.Idle) {
		if ticks++; ticks == n {
			i.Stop()
		}
	}))
	p := startProfile(a)
	t0 := time.Now()
	_, err = l.Run(uv.RunDefault)
	dt := time.Since(t0)
	p.stop()
	check(err)
	if ticks != n {
		die("ticks %d, want %d", ticks, n)
	}
	idle.Close(nil)
	l.Run(uv.RunDefault)
	check(l.Close())
	result("loop_count", float64(dt.Nanoseconds())/float64(n), "ns/iter", "lower", "")
}

// xorshift32 is the generator the C and Node versions use for shuffles.
type xorshift32 uint32

func (s *xorshift32) next() uint32 {
	x := uint32(*s)
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	*s = xorshift32(x)
	return x
}

// timersShape: n timers, 1000 per millisecond of timeout, started in ascending order
// (mode=asc) or shuffled (mode=shuf), run until all fired, then closed; total seconds.
// With late=1 they are started when the loop's cached time is 1.1 s old, so that all are
// due when the loop runs and the total is their own cost, without the 1 s wait. One more
// timer, an hour away and unreferenced, stays in the heap: the due ones leave it one by one,
// as in any other run, and not through the sort that takes a heap that is wholly due.
func timersShape(a args) {
	n := int(a.num("n", 1e6))
	shuf := a.str("mode", "asc") == "shuf"
	late := a.num("late", 0) != 0
	timeouts := make([]uint64, n)
	for i := range timeouts {
		timeouts[i] = uint64(i/1000 + 1)
	}
	if shuf {
		r := xorshift32(2463534242)
		for i := n - 1; i > 0; i-- {
			j := int(r.next() % uint32(i+1))
			timeouts[i], timeouts[j] = timeouts[j], timeouts[i]
		}
	}
	ts := make([]handles.Timer, n)
	l, err := uv.NewLoop()
	check(err)
	var far handles.Timer
	if late {
		time.Sleep(1100 * time.Millisecond) // the loop's cached time stays where it was
		check(far.Init(l))
		check(far.Start(func(*handles.Timer) {}, 3600000, 0))
		far.Unref()
	}
	fired, closed := 0, 0
	onTimer := func(*handles.Timer) { fired++ }
	onClose := func() { closed++ }
	p := startProfile(a)
	t0 := time.Now()
	for i := range ts {
		check(ts[i].Init(l))
		check(ts[i].Start(onTimer, timeouts[i], 0))
	}
	t1 := time.Now()
	_, err = l.Run(uv.RunDefault)
	check(err)
	t2 := time.Now()
	for i := range ts {
		check(ts[i].Close(onClose))
	}
	if late {
		check(far.Close(nil))
	}
	_, err = l.Run(uv.RunDefault)
	check(err)
	t3 := time.Now()
	p.stop()
	check(l.Close())
	if fired != n || closed != n {
		die("fired %d closed %d of %d", fired, closed, n)
	}
	shape := "timers_asc"
	if shuf {
		shape = "timers_shuf"
	}
	if late {
		shape += "_late"
	}
	result(shape, t3.Sub(t0).Seconds(), "s", "lower", fmt.Sprintf(" init=%.3f dispatch=%.3f cleanup=%.3f",
		t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t3.Sub(t2).Seconds()))
}

// asyncPingPong: two loops, each on its own goroutine and OS thread, wake each other with
// Async.Send, n round trips; microseconds per round trip.
func asyncPingPong(a args) {
	rounds := int(a.num("n", 1e5))
	main, err := uv.NewLoop()
	check(err)
	peer, err := uv.NewLoop()
	check(err)
	var toMain, toPeer *handles.Async
	var stopping atomic.Bool
	seen := 0
	toPeer, err = handles.NewAsync(peer, func(h *handles.Async) {
		if stopping.Load() {
			h.Close(nil)
			return
		}
		check(toMain.Send())
	})
	check(err)
	toMain, err = handles.NewAsync(main, func(h *handles.Async) {
		if seen++; seen == rounds {
			stopping.Store(true)
			h.Close(nil)
		}
		check(toPeer.Send())
	})
	check(err)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		_, err := peer.Run(uv.RunDefault)
		done <- err
	}()
	p := startProfile(a)
	t0 := time.Now()
	check(toPeer.Send())
	_, err = main.Run(uv.RunDefault)
	dt := time.Since(t0)
	p.stop()
	check(err)
	check(<-done)
	check(main.Close())
	check(peer.Close())
	if seen != rounds {
		die("seen %d of %d", seen, rounds)
	}
	result("async_pingpong", float64(dt.Nanoseconds())/1e3/float64(rounds), "us/roundtrip", "lower", "")
}

// workShape: n no-op work items with inflight of them queued at a time, each requeued
// from its after callback; ns per item. inflight=1 is libuv's queue_work (work_chain).
func workShape(a args) {
	total := int(a.num("n", 1e6))
	inflight := min(int(a.num("inflight", 256)), total)
	l, err := uv.NewLoop()
	check(err)
	reqs := make([]handles.Work, inflight)
	left, done := 0, 0
	noop := func(*handles.Work) {}
	var after func(*handles.Work, error)
	after = func(w *handles.Work, err error) {
		check(err)
		done++
		if left > 0 {
			left--
			check(handles.QueueWork(l, w, noop, after))
		}
	}
	// warm up: start the pool's workers
	check(handles.QueueWork(l, &reqs[0], noop, after))
	_, err = l.Run(uv.RunDefault)
	check(err)
	done, left = 0, total-inflight
	p := startProfile(a)
	t0 := time.Now()
	for i := range reqs {
		check(handles.QueueWork(l, &reqs[i], noop, after))
	}
	_, err = l.Run(uv.RunDefault)
	dt := time.Since(t0)
	p.stop()
	check(err)
	check(l.Close())
	if done != total {
		die("done %d of %d", done, total)
	}
	shape := "work_noop"
	if inflight == 1 {
		shape = "work_chain"
	}
	result(shape, float64(dt.Nanoseconds())/float64(total), "ns/item", "lower", "")
}

// fsStat: n asynchronous stats of path with inflight in flight, each restarted from its
// callback; stats per second.
func fsStat(a args) {
	total := int(a.num("n", 3e5))
	inflight := min(int(a.num("inflight", 64)), total)
	path := a.str("path", ".")
	l, err := uv.NewLoop()
	check(err)
	reqs := make([]handles.FS, inflight)
	left, done := 0, 0
	var onStat func(*handles.FS)
	onStat = func(r *handles.FS) {
		check(r.Err)
		done++
		if left > 0 {
			left--
			check(handles.FSStatPath(l, r, path, onStat))
		}
	}
	run := func(count int) time.Duration {
		left, done = count-inflight, 0
		t0 := time.Now()
		for i := range reqs {
			check(handles.FSStatPath(l, &reqs[i], path, onStat))
		}
		_, err := l.Run(uv.RunDefault)
		check(err)
		if done != count {
			die("done %d of %d", done, count)
		}
		return time.Since(t0)
	}
	run(4 * inflight)
	p := startProfile(a)
	dt := run(total)
	p.stop()
	check(l.Close())
	result(fmt.Sprintf("fs_stat%d", inflight), float64(total)/dt.Seconds(), "stats/s", "higher", "")
}
