package stream_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/stream"
)

// impl is a Duplex implementation given as one value (Options.Impl). Writes complete at
// once; Final completes at once.
type impl struct {
	d      *stream.Duplex
	events []string
	got    []byte
}

func (m *impl) Read()  { m.events = append(m.events, "_read") }
func (m *impl) Pause() { m.events = append(m.events, "_pause") }
func (m *impl) Write(chunk []byte, retained bool) {
	m.got = append(m.got, chunk...)
	m.d.Writable.WriteDone(nil)
}
func (m *impl) Final() {
	m.events = append(m.events, "_final")
	m.d.Writable.FinalDone(nil)
}
func (m *impl) Destroy(err error) error {
	m.events = append(m.events, "_destroy")
	return err
}

// Options.Impl stands for the Read, Pause, Write, Final and Destroy functions, which are
// then ignored.
func TestImplIsTheImplementation(t *testing.T) {
	q := stream.NewTickQueue(nil)
	m := &impl{}
	ignored := func() { t.Error("an Options function ran despite Impl") }
	d, err := stream.NewDuplex(stream.Options{Ticks: q, Impl: m, Read: ignored, Pause: ignored,
		Write: func([]byte, bool) { ignored() }, Final: ignored, AllowHalfOpen: true})
	require.NoError(t, err)
	m.d = d
	d.OnData(func([]byte) {})
	d.OnFinish(func() { m.events = append(m.events, "finish") })
	d.OnClose(func() { m.events = append(m.events, "close") })
	q.Drain()
	require.Equal(t, []string{"_read"}, m.events)
	d.Pause()
	require.Equal(t, []string{"_read", "_pause"}, m.events)
	require.True(t, d.Write([]byte("ab")))
	d.End([]byte("cd"))
	q.Drain()
	require.Equal(t, "abcd", string(m.got))
	require.Equal(t, []string{"_read", "_pause", "_final", "finish"}, m.events)
	d.Destroy(errors.New("x"))
	q.Drain()
	require.Equal(t, []string{"_read", "_pause", "_final", "finish", "_destroy", "close"}, m.events)

	// A Writable needs Write or Impl.
	_, err = stream.NewWritable(stream.Options{Ticks: q})
	require.ErrorIs(t, err, stream.ErrNotImplemented)
	_, err = stream.NewWritable(stream.Options{Ticks: q, Impl: m})
	require.NoError(t, err)
}

// A Continuous implementation is asked to read once, not again after each chunk that goes
// straight to the data callback; it is asked again after a pause, and after a Push that
// returned false.
func TestContinuousReadsOnce(t *testing.T) {
	for _, continuous := range []bool{false, true} {
		q := stream.NewTickQueue(nil)
		reads, pauses := 0, 0
		r, err := stream.NewReadable(stream.Options{Ticks: q, HighWaterMark: 4, Continuous: continuous,
			Read: func() { reads++ }, Pause: func() { pauses++ }})
		require.NoError(t, err)
		var got []string
		pauseIn := false
		r.OnData(func(b []byte) {
			got = append(got, string(b))
			if pauseIn {
				r.Pause()
			}
		})
		q.Drain()
		require.Equal(t, 1, reads)
		for _, c := range []string{"a", "b", "c"} {
			require.True(t, r.Push([]byte(c)))
			q.Drain()
		}
		require.Equal(t, []string{"a", "b", "c"}, got)
		if !continuous {
			// Node asks for more after every chunk (maybeReadMore).
			require.Equal(t, 4, reads)
			continue
		}
		require.Equal(t, 1, reads, "a continuous source is asked once")

		// The consumer pauses: the source is told, and asked to read again on the next tick
		// (a paused Readable still fills its buffer up to the highWaterMark, as in Node).
		pauseIn = true
		require.True(t, r.Push([]byte("d")))
		require.Equal(t, 1, pauses)
		q.Drain()
		require.Equal(t, 2, reads)

		// Buffered while paused: a Push at the highWaterMark returns false and the source
		// must be asked again once the buffer is read.
		pauseIn = false
		require.False(t, r.Push([]byte("efgh")))
		q.Drain()
		require.Equal(t, 2, reads)
		r.Resume()
		q.Drain()
		require.Equal(t, []string{"a", "b", "c", "d", "efgh"}, got)
		require.Equal(t, 3, reads)
	}
}

// The tick queue keeps its order while its ring grows and wraps, and Cancel keeps the
// order of the others.
func TestTickQueueRingOrder(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var order []int
	tasks := make([]stream.Task, 100)
	for i := range tasks {
		i := i
		tasks[i].Init(func() { order = append(order, i) })
	}
	// Wrap the ring first: 10 in, drain, then 100 in (grows from a wrapped position).
	for i := 0; i < 10; i++ {
		q.Defer(&tasks[i])
	}
	q.Drain()
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, order)
	order = order[:0]
	for i := range tasks {
		q.Defer(&tasks[i])
	}
	q.Cancel(&tasks[50])
	q.Cancel(&tasks[0])
	q.Cancel(&tasks[99])
	require.False(t, tasks[50].Queued())
	q.Defer(&tasks[50]) // queued again: now last
	q.Drain()
	want := []int{}
	for i := 1; i < 99; i++ {
		if i != 50 {
			want = append(want, i)
		}
	}
	want = append(want, 50)
	require.Equal(t, want, order)
	require.False(t, q.Pending())
}
