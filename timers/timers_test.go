package timers

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkInvariants verifies the heap order, every timer's back index into the
// heap or the ready queue and the due times copied into the entries.
func checkInvariants(t *testing.T, h *Heap) {
	t.Helper()
	for i, tm := range h.ready {
		if i < h.head {
			require.Nil(t, tm, "consumed ready slot %d", i)
		} else if tm != nil {
			require.Equal(t, int32(-1-i), tm.pos, "back index of ready slot %d", i)
		}
	}
	for i := range h.heap {
		e := &h.heap[i]
		require.NotNil(t, e.t, "slot %d", i)
		require.Equal(t, int32(i+1), e.t.pos, "back index of slot %d", i)
		require.Equal(t, e.t.due, e.due, "due of slot %d", i)
		if i > 0 {
			p := (i - 1) / arity
			require.False(t, less(e, &h.heap[p]), "slot %d smaller than parent %d", i, p)
		}
	}
}

// indexOf returns the index of tm in ts, or -1.
func indexOf(ts []Timer, tm *Timer) int {
	for i := range ts {
		if &ts[i] == tm {
			return i
		}
	}
	return -1
}

// drain runs one timer phase without callbacks and returns the popped timers.
func drain(h *Heap, now uint64) []*Timer {
	h.CollectDue(now)
	var out []*Timer
	for t := h.NextReady(); t != nil; t = h.NextReady() {
		out = append(out, t)
	}
	return out
}

func TestZeroValues(t *testing.T) {
	var h Heap
	var tm Timer
	assert.False(t, tm.Pending())
	assert.False(t, tm.Ready())
	assert.Zero(t, h.Len())
	_, ok := h.Peek()
	assert.False(t, ok)
	h.Stop(&tm) // no-op
	h.CollectDue(^uint64(0))
	assert.Nil(t, h.NextReady())
	h.Reset()
	assert.Zero(t, h.Len())
}

func TestOrderByDueThenStart(t *testing.T) {
	var h Heap
	ts := make([]Timer, 6)
	dues := []uint64{30, 10, 20, 10, 30, 5}
	for i := range ts {
		h.Start(&ts[i], dues[i])
		assert.True(t, ts[i].Pending())
		assert.Equal(t, dues[i], ts[i].Due())
	}
	checkInvariants(t, &h)
	assert.Equal(t, 6, h.Len())
	due, ok := h.Peek()
	require.True(t, ok)
	assert.Equal(t, uint64(5), due)

	got := drain(&h, 100)
	want := []*Timer{&ts[5], &ts[1], &ts[3], &ts[2], &ts[0], &ts[4]}
	require.Equal(t, want, got)
	for i := range ts {
		assert.False(t, ts[i].Pending())
		assert.False(t, ts[i].Ready())
	}
	assert.Zero(t, h.Len())
}

func TestEqualDueFIFO(t *testing.T) {
	var h Heap
	ts := make([]Timer, 100)
	for i := range ts {
		h.Start(&ts[i], 7)
	}
	checkInvariants(t, &h)
	got := drain(&h, 7)
	require.Len(t, got, len(ts))
	for i := range got {
		require.Same(t, &ts[i], got[i], "position %d", i)
	}
}

func TestRestartMovesBehindEquals(t *testing.T) {
	var h Heap
	var a, b, c Timer
	h.Start(&a, 10)
	h.Start(&b, 10)
	h.Start(&c, 10)
	h.Start(&a, 10) // restart with the same due: now last
	checkInvariants(t, &h)
	assert.Equal(t, 3, h.Len())
	assert.Equal(t, []*Timer{&b, &c, &a}, drain(&h, 10))

	// Restarting to an earlier due moves a timer up.
	h.Start(&a, 10)
	h.Start(&b, 20)
	h.Start(&c, 30)
	h.Start(&c, 5)
	checkInvariants(t, &h)
	due, _ := h.Peek()
	assert.Equal(t, uint64(5), due)
	assert.Equal(t, []*Timer{&c, &a, &b}, drain(&h, 30))
}

func TestCollectOnlyDue(t *testing.T) {
	var h Heap
	var a, b, c Timer
	h.Start(&a, 1)
	h.Start(&b, 2)
	h.Start(&c, 3)
	h.CollectDue(2)
	assert.Equal(t, 1, h.Len())
	assert.True(t, a.Ready())
	assert.True(t, b.Ready())
	assert.False(t, a.Pending())
	assert.False(t, c.Ready())
	assert.True(t, c.Pending())
	due, ok := h.Peek()
	assert.True(t, ok)
	assert.Equal(t, uint64(3), due)
	assert.Same(t, &a, h.NextReady())
	assert.False(t, a.Ready())
	assert.Same(t, &b, h.NextReady())
	assert.Nil(t, h.NextReady())
	assert.Nil(t, h.NextReady())
	assert.Equal(t, []*Timer{&c}, drain(&h, 3))
}

func TestStopPending(t *testing.T) {
	var h Heap
	ts := make([]Timer, 50)
	for i := range ts {
		h.Start(&ts[i], uint64(i%7))
	}
	for i := 0; i < len(ts); i += 3 {
		h.Stop(&ts[i])
		assert.False(t, ts[i].Pending())
		checkInvariants(t, &h)
	}
	h.Stop(&ts[0]) // second stop is a no-op
	checkInvariants(t, &h)
	got := drain(&h, 100)
	for _, tm := range got {
		i := indexOf(ts, tm)
		assert.NotZero(t, i%3, "stopped timer %d returned", i)
	}
	assert.Len(t, got, len(ts)-17)
}

func TestStopReady(t *testing.T) {
	var h Heap
	var a, b, c Timer
	h.Start(&a, 1)
	h.Start(&b, 1)
	h.Start(&c, 1)
	h.CollectDue(1)
	assert.Same(t, &a, h.NextReady())
	// a's callback stops b, which is still in the ready queue.
	h.Stop(&b)
	assert.False(t, b.Ready())
	assert.False(t, b.Pending())
	assert.Same(t, &c, h.NextReady())
	assert.Nil(t, h.NextReady())
}

func TestRestartedDuringPassNotReturned(t *testing.T) {
	var h Heap
	var a, b, c Timer
	h.Start(&a, 1)
	h.Start(&b, 1)
	h.Start(&c, 1)
	h.CollectDue(1)
	require.Same(t, &a, h.NextReady())
	// a's callback restarts b (due now) and a itself (zero timeout).
	h.Start(&b, 1)
	h.Start(&a, 1)
	assert.False(t, b.Ready())
	assert.True(t, b.Pending())
	assert.Same(t, &c, h.NextReady())
	assert.Nil(t, h.NextReady())
	checkInvariants(t, &h)
	// They fire in the next pass, in restart order.
	assert.Equal(t, []*Timer{&b, &a}, drain(&h, 1))
}

func TestStaleEntrySkippedWhenCollectedAgain(t *testing.T) {
	var h Heap
	var a, b Timer
	h.Start(&a, 1)
	h.Start(&b, 1)
	h.CollectDue(1)
	// Without draining: a is restarted and collected again, so its old
	// ready entry (in front of b) is stale and the new one is behind b.
	h.Start(&a, 2)
	h.CollectDue(2)
	assert.True(t, a.Ready())
	assert.Equal(t, []*Timer{&b, &a}, drain(&h, 2))

	// Stop, restart and collect again while the stale entry is queued.
	h.Start(&a, 3)
	h.Start(&b, 3)
	h.CollectDue(3)
	h.Stop(&a)
	h.Start(&a, 3)
	h.CollectDue(3)
	got := drain(&h, 3)
	assert.Equal(t, []*Timer{&b, &a}, got)
}

func TestReset(t *testing.T) {
	var h Heap
	ts := make([]Timer, 20)
	for i := range ts {
		h.Start(&ts[i], uint64(i))
	}
	h.CollectDue(9)
	require.Same(t, &ts[0], h.NextReady())
	h.Reset()
	for i := range ts {
		assert.False(t, ts[i].Pending(), "timer %d", i)
		assert.False(t, ts[i].Ready(), "timer %d", i)
	}
	assert.Zero(t, h.Len())
	assert.Nil(t, h.NextReady())
	// The heap is usable again and so are the timers.
	h.Start(&ts[3], 1)
	h.Start(&ts[4], 0)
	assert.Equal(t, []*Timer{&ts[4], &ts[3]}, drain(&h, 1))
}

func TestHugeDue(t *testing.T) {
	var h Heap
	var a, b Timer
	h.Start(&a, ^uint64(0))
	h.Start(&b, ^uint64(0)-1)
	assert.Equal(t, []*Timer{&b}, drain(&h, ^uint64(0)-1))
	assert.Equal(t, []*Timer{&a}, drain(&h, ^uint64(0)))
}

func TestDueBoundAfterRestartAndStop(t *testing.T) {
	var h Heap
	var a, b, c Timer
	h.Start(&a, 5)
	h.Start(&b, 10)
	h.Start(&b, 20) // restarted in place to a later due
	h.CollectDue(10)
	assert.Same(t, &a, h.NextReady())
	assert.Nil(t, h.NextReady())
	assert.True(t, b.Pending())
	assert.Equal(t, 1, h.Len())

	// Stopping the latest timer leaves a stale bound; collecting must
	// still take exactly the due ones.
	h.Start(&a, 15)
	h.Start(&c, 30)
	h.Stop(&c)
	assert.Equal(t, []*Timer{&a}, drain(&h, 15))
	assert.Equal(t, []*Timer{&b}, drain(&h, 25))
	_, ok := h.Peek()
	assert.False(t, ok)
}

// TestBulkAndStepwiseAgree checks that collecting everything at once (which
// sorts the heap) and collecting one tick at a time (which pops it) both
// give the reference order.
func TestBulkAndStepwiseAgree(t *testing.T) {
	const n = 5000
	r := rand.New(rand.NewPCG(9, 9))
	dues := make([]uint64, n)
	for i := range dues {
		dues[i] = uint64(r.IntN(50))
	}
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	slices.SortStableFunc(want, func(a, b int) int { return int(dues[a]) - int(dues[b]) })

	ts := make([]Timer, n)
	index := func(got []*Timer) []int {
		out := make([]int, len(got))
		for i, tm := range got {
			out[i] = indexOf(ts, tm)
		}
		return out
	}
	var h Heap
	for round := 0; round < 2; round++ {
		for i := range ts {
			h.Start(&ts[i], dues[i])
		}
		checkInvariants(t, &h)
		var got []*Timer
		if round == 0 {
			got = drain(&h, 49)
		} else {
			for now := uint64(0); now < 50; now++ {
				got = append(got, drain(&h, now)...)
				checkInvariants(t, &h)
			}
		}
		require.Equal(t, want, index(got), "round %d", round)
		require.Zero(t, h.Len())
	}
}

// model is the reference: a plain list of pending timers and a FIFO ready
// list from which Stop and Start remove a timer, as libuv does.
type model struct {
	seq     uint64
	due     map[int]uint64
	seqOf   map[int]uint64
	pending map[int]bool
	ready   []int
}

func (m *model) unready(i int) {
	m.ready = slices.DeleteFunc(m.ready, func(j int) bool { return j == i })
}

func (m *model) start(i int, due uint64) {
	m.unready(i)
	m.due[i] = due
	m.seqOf[i] = m.seq
	m.seq++
	m.pending[i] = true
}

func (m *model) stop(i int) {
	m.unready(i)
	delete(m.pending, i)
}

func (m *model) sortedPending() []int {
	var ids []int
	for i := range m.pending {
		ids = append(ids, i)
	}
	slices.SortFunc(ids, func(a, b int) int {
		if m.due[a] != m.due[b] {
			if m.due[a] < m.due[b] {
				return -1
			}
			return 1
		}
		if m.seqOf[a] < m.seqOf[b] {
			return -1
		}
		return 1
	})
	return ids
}

func (m *model) collect(now uint64) {
	for _, i := range m.sortedPending() {
		if m.due[i] <= now {
			m.ready = append(m.ready, i)
			delete(m.pending, i)
		}
	}
}

func (m *model) next() int {
	if len(m.ready) == 0 {
		return -1
	}
	i := m.ready[0]
	m.ready = m.ready[1:]
	return i
}

func TestRandomAgainstModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		n := 1 + r.IntN(60)
		ts := make([]Timer, n)
		index := make(map[*Timer]int, n)
		for i := range ts {
			index[&ts[i]] = i
		}
		var h Heap
		m := model{due: map[int]uint64{}, seqOf: map[int]uint64{}, pending: map[int]bool{}}
		now := uint64(0)
		for op := 0; op < 3000; op++ {
			switch k := r.IntN(100); {
			case k < 40:
				i := r.IntN(n)
				due := now + uint64(r.IntN(20))
				h.Start(&ts[i], due)
				m.start(i, due)
			case k < 55:
				i := r.IntN(n)
				h.Stop(&ts[i])
				m.stop(i)
			case k < 70:
				now += uint64(r.IntN(8))
				h.CollectDue(now)
				m.collect(now)
			case k < 95:
				got, want := h.NextReady(), m.next()
				if want < 0 {
					require.Nil(t, got, "seed %d op %d", seed, op)
				} else {
					require.NotNil(t, got, "seed %d op %d", seed, op)
					require.Equal(t, want, index[got], "seed %d op %d", seed, op)
				}
			default:
				h.Reset()
				m.pending = map[int]bool{}
				m.ready = nil
			}
			require.Equal(t, len(m.pending), h.Len(), "seed %d op %d", seed, op)
			due, ok := h.Peek()
			if sp := m.sortedPending(); len(sp) > 0 {
				require.True(t, ok)
				require.Equal(t, m.due[sp[0]], due, "seed %d op %d", seed, op)
			} else {
				require.False(t, ok)
			}
			for i := range ts {
				require.Equal(t, m.pending[i], ts[i].Pending(), "seed %d op %d timer %d", seed, op, i)
				require.Equal(t, slices.Contains(m.ready, i), ts[i].Ready(), "seed %d op %d timer %d", seed, op, i)
			}
			checkInvariants(t, &h)
		}
	}
}

func TestZeroAllocsSteadyState(t *testing.T) {
	const n = 1000
	ts := make([]Timer, n)
	var h Heap
	r := rand.New(rand.NewPCG(1, 2))
	dues := make([]uint64, n)
	for i := range dues {
		dues[i] = uint64(r.IntN(100))
	}
	now := uint64(0)
	phase := func() {
		for i := range ts {
			h.Start(&ts[i], now+dues[i])
		}
		now += 100
		h.CollectDue(now)
		cnt := 0
		for tm := h.NextReady(); tm != nil; tm = h.NextReady() {
			cnt++
		}
		if cnt != n {
			t.Fatalf("popped %d timers, want %d", cnt, n)
		}
	}
	phase() // grow the arrays
	assert.Zero(t, testing.AllocsPerRun(20, phase))

	// The same, collecting one tick at a time (the popping path).
	stepped := func() {
		for i := range ts {
			h.Start(&ts[i], now+dues[i])
		}
		cnt := 0
		for end := now + 100; now < end; now++ {
			h.CollectDue(now)
			for tm := h.NextReady(); tm != nil; tm = h.NextReady() {
				cnt++
			}
		}
		if cnt != n {
			t.Fatalf("popped %d timers, want %d", cnt, n)
		}
	}
	stepped()
	assert.Zero(t, testing.AllocsPerRun(20, stepped))

	for i := range ts {
		h.Start(&ts[i], now+dues[i])
	}
	churn := func() {
		for i := range ts {
			h.Stop(&ts[i])
			h.Start(&ts[(i*7)%n], now+dues[i])
			h.Start(&ts[i], now+dues[(i*13)%n])
		}
	}
	churn()
	assert.Zero(t, testing.AllocsPerRun(20, churn))
	checkInvariants(t, &h)
}
