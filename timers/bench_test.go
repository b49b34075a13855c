package timers

import (
	"math/rand/v2"
	"testing"
)

// handle stands for a loop's timer handle, which embeds a Timer among its
// other fields (libuv's uv_timer_t is 152 bytes on 64-bit Linux), so index
// updates touch scattered memory as they would in the loop.
type handle struct {
	_ [64]byte
	Timer
	_ [64]byte
}

const (
	millionTimers = 1_000_000
	distinctDues  = 1000
)

// millionDues returns the due times of libuv's million_timers benchmark:
// 1000 timers per millisecond, 1000 distinct due times, ascending.
func millionDues() []uint64 {
	dues := make([]uint64, millionTimers)
	for i := range dues {
		dues[i] = uint64(1 + i/(millionTimers/distinctDues))
	}
	return dues
}

// benchMillion starts every timer at its due, then collects and pops them
// all in one pass (step == 0) or one millisecond at a time (step == 1, as a
// running loop does).
func benchMillion(b *testing.B, dues []uint64, step bool) {
	ts := make([]handle, len(dues))
	var h Heap
	run := func() {
		for i := range ts {
			h.Start(&ts[i].Timer, dues[i])
		}
		n := 0
		if step {
			for now := uint64(1); h.Len() > 0; now++ {
				h.CollectDue(now)
				for t := h.NextReady(); t != nil; t = h.NextReady() {
					n++
				}
			}
		} else {
			h.CollectDue(distinctDues)
			for t := h.NextReady(); t != nil; t = h.NextReady() {
				n++
			}
		}
		if n != len(ts) {
			b.Fatalf("popped %d timers, want %d", n, len(ts))
		}
	}
	run() // grow the heap and the ready queue
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ts)), "ns/timer")
}

func shuffled(dues []uint64) []uint64 {
	r := rand.New(rand.NewPCG(7, 11))
	r.Shuffle(len(dues), func(i, j int) { dues[i], dues[j] = dues[j], dues[i] })
	return dues
}

func BenchmarkMillionTimersAscending(b *testing.B) {
	benchMillion(b, millionDues(), false)
}

func BenchmarkMillionTimersShuffled(b *testing.B) {
	benchMillion(b, shuffled(millionDues()), false)
}

func BenchmarkMillionTimersAscendingStepped(b *testing.B) {
	benchMillion(b, millionDues(), true)
}

func BenchmarkMillionTimersShuffledStepped(b *testing.B) {
	benchMillion(b, shuffled(millionDues()), true)
}

// BenchmarkStartStop churns a heap of 10k timers: each op restarts one
// timer at a random due and stops another.
func BenchmarkStartStop(b *testing.B) {
	const n = 10_000
	ts := make([]Timer, n)
	var h Heap
	r := rand.New(rand.NewPCG(3, 5))
	dues := make([]uint64, 1<<16)
	for i := range dues {
		dues[i] = uint64(r.IntN(10_000))
	}
	for i := range ts {
		h.Start(&ts[i], dues[i])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h.Stop(&ts[(i*7919)%n])
		h.Start(&ts[i%n], dues[i&(len(dues)-1)])
		i++
	}
}
