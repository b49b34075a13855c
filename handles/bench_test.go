package handles_test

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

func mustLoop(b testing.TB) *uv.Loop {
	l, err := uv.NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// millionTimers is libuv's million_timers shape at 1,000,000 timers: timeouts 1..1000 ms,
// 1000 timers per millisecond, run to completion, then all closed.
func millionTimers(b *testing.B, shuffled bool) {
	const n = 1_000_000
	timeouts := make([]uint64, n)
	for i := range timeouts {
		timeouts[i] = uint64(i/1000 + 1)
	}
	if shuffled {
		rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { timeouts[i], timeouts[j] = timeouts[j], timeouts[i] })
	}
	b.ReportAllocs()
	var initT, runT, closeT time.Duration
	for b.Loop() {
		l := mustLoop(b)
		ts := make([]handles.Timer, n)
		fired := 0
		cb := func(*handles.Timer) { fired++ }
		t0 := time.Now()
		for i := range ts {
			ts[i].Init(l)
			ts[i].Start(cb, timeouts[i], 0)
		}
		t1 := time.Now()
		if _, err := l.Run(uv.RunDefault); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		for i := range ts {
			ts[i].Close(nil)
		}
		l.Run(uv.RunDefault)
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		if fired != n {
			b.Fatalf("fired %d of %d", fired, n)
		}
		initT += t1.Sub(t0)
		runT += t2.Sub(t1)
		closeT += t3.Sub(t2)
	}
	k := float64(b.N)
	b.ReportMetric(initT.Seconds()/k, "init-s")
	b.ReportMetric(runT.Seconds()/k, "dispatch-s")
	b.ReportMetric(closeT.Seconds()/k, "cleanup-s")
	b.ReportMetric((initT+runT+closeT).Seconds()/k, "total-s")
}

// BenchmarkMillionTimersAscending starts the timers in order of due time.
func BenchmarkMillionTimersAscending(b *testing.B) { millionTimers(b, false) }

// BenchmarkMillionTimersShuffled starts them in random order (libuv's pointer heap degrades).
func BenchmarkMillionTimersShuffled(b *testing.B) { millionTimers(b, true) }

// BenchmarkLoopCount is libuv's loop_count: one idle handle, ns per loop iteration.
func BenchmarkLoopCount(b *testing.B) {
	l := mustLoop(b)
	idle, _ := handles.NewIdle(l)
	n := 0
	stop := b.N
	idle.Start(func(i *handles.Idle) {
		if n++; n >= stop {
			i.Stop()
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := l.Run(uv.RunDefault); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	idle.Close(nil)
	l.Run(uv.RunDefault)
	l.Close()
}

// BenchmarkAsync1 is libuv's async1: two loops on two goroutines (each on its own OS
// thread) ping-pong an async handle; ns per round trip.
func BenchmarkAsync1(b *testing.B) {
	main := mustLoop(b)
	peer := mustLoop(b)
	rounds := b.N
	var toPeer, toMain *handles.Async
	got := 0
	toMain, _ = handles.NewAsync(main, func(a *handles.Async) {
		if got++; got >= rounds {
			a.Close(nil)
			toPeer.Send() // let the peer see the end
			return
		}
		toPeer.Send()
	})
	seen := 0
	toPeer, _ = handles.NewAsync(peer, func(a *handles.Async) {
		seen++
		if seen > rounds {
			a.Close(nil)
			return
		}
		toMain.Send()
	})
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		_, err := peer.Run(uv.RunDefault)
		done <- err
	}()
	b.ReportAllocs()
	b.ResetTimer()
	toPeer.Send()
	if _, err := main.Run(uv.RunDefault); err != nil {
		b.Fatal(err)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	main.Close()
	peer.Close()
}
