package handles_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
)

// statChain is one of libuv's fs_stat async requests: a reused FS request that stats path
// again from its own callback until the shared budget is spent.
type statChain struct {
	req  handles.FS
	l    *uv.Loop
	path string
	left *int
	cb   func(*handles.FS) // bound once, so restarting allocates nothing
	err  error
}

func (c *statChain) start() {
	if err := handles.FSStatPath(c.l, &c.req, c.path, c.cb); err != nil && c.err == nil {
		c.err = err
	}
}

func (c *statChain) done(r *handles.FS) {
	if r.Err != nil && c.err == nil {
		c.err = r.Err
	}
	if *c.left == 0 {
		return
	}
	*c.left--
	c.start()
}

// newStatChains makes n chains statting path on l, sharing the budget *left.
func newStatChains(l *uv.Loop, n int, path string, left *int) []*statChain {
	cs := make([]*statChain, n)
	for i := range cs {
		c := &statChain{l: l, path: path, left: left}
		c.cb = c.done
		cs[i] = c
	}
	return cs
}

// runStats performs total stats with the chains (each starts one, the rest restart from the
// callbacks) and runs the loop until all are done.
func runStats(tb testing.TB, l *uv.Loop, cs []*statChain, left *int, total int) {
	*left = total - len(cs)
	for _, c := range cs {
		c.start()
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		tb.Fatal(err)
	}
	for _, c := range cs {
		if c.err != nil {
			tb.Fatal(c.err)
		}
	}
}

// BenchmarkFSStat is libuv's fs_stat benchmark: stat(".") synchronously, then asynchronously
// with 1, 4, 16, 32 and 64 requests in flight, each restarting itself from its callback.
// Every shape reports stats/s; allocs/op is per stat.
func BenchmarkFSStat(b *testing.B) {
	b.Run("sync", func(b *testing.B) {
		var req handles.FS
		b.ReportAllocs()
		for b.Loop() {
			if err := handles.FSStatPath(nil, &req, ".", nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "stats/s")
	})
	for _, n := range []int{1, 4, 16, 32, 64} {
		b.Run(fmt.Sprintf("async-%d", n), func(b *testing.B) {
			l := mustLoop(b)
			defer l.Close()
			var left int
			cs := newStatChains(l, n, ".", &left)
			runStats(b, l, cs, &left, 4*n) // warm up the pool and the loop
			b.ReportAllocs()
			b.ResetTimer()
			runStats(b, l, cs, &left, max(b.N, n))
			b.StopTimer()
			b.ReportMetric(float64(max(b.N, n))/b.Elapsed().Seconds(), "stats/s")
		})
	}
}

// BenchmarkQueueWork is libuv's queue_work benchmark: one Work request whose after callback
// queues it again, a no-op job each time. It reports jobs/s.
func BenchmarkQueueWork(b *testing.B) {
	l := mustLoop(b)
	defer l.Close()
	var w handles.Work
	left := 0
	work := func(*handles.Work) {}
	var after func(*handles.Work, error)
	after = func(w *handles.Work, err error) {
		if err != nil {
			b.Error(err)
			return
		}
		if left > 0 {
			left--
			if err := handles.QueueWork(l, w, work, after); err != nil {
				b.Error(err)
			}
		}
	}
	run := func(n int) {
		left = n - 1
		if err := handles.QueueWork(l, &w, work, after); err != nil {
			b.Fatal(err)
		}
		if _, err := l.Run(uv.RunDefault); err != nil {
			b.Fatal(err)
		}
	}
	run(16)
	b.ReportAllocs()
	b.ResetTimer()
	run(b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// TestFSStatAsyncAllocs proves that a reused FS request stats asynchronously without
// allocating once warm: submit, the worker's stat (statx from a stack path buffer on Linux),
// the completion and the callback.
func TestFSStatAsyncAllocs(t *testing.T) {
	if testutil.RaceBuild() {
		t.Skip("allocation counts are not meaningful under -race")
	}
	l := mustLoop(t)
	defer l.Close()
	var left int
	cs := newStatChains(l, 4, ".", &left)
	runStats(t, l, cs, &left, 64)
	allocs := testing.AllocsPerRun(50, func() { runStats(t, l, cs, &left, 64) })
	require.Zero(t, allocs, "allocations per 64 async stats")

	var req handles.FS
	require.NoError(t, handles.FSStatPath(nil, &req, ".", nil))
	require.Zero(t, testing.AllocsPerRun(100, func() {
		if err := handles.FSStatPath(nil, &req, ".", nil); err != nil {
			t.Fatal(err)
		}
	}), "allocations per sync stat")
}
