package stream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/stream"
)

// A Readable made new with Reinit behaves as after Init with the same options: fresh state,
// the same highWaterMark and Read hook, no callbacks, and no task of its last life runs.
func TestReadableReinit(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var r stream.Readable
	require.ErrorIs(t, r.Reinit(), stream.ErrNoTicks)
	reads := 0
	require.NoError(t, r.Init(stream.Options{Ticks: q, HighWaterMark: 4, Read: func() { reads++ }}))
	var got []string
	r.OnData(func(b []byte) { got = append(got, "old:"+string(b)) })
	r.OnClose(func() { got = append(got, "old close") })
	q.Drain()
	r.Push([]byte("ab"))
	q.Drain()
	r.Destroy(nil) // its close is queued, then dropped by Reinit
	require.NoError(t, r.Reinit())
	q.Drain()
	assert.Equal(t, []string{"old:ab"}, got)
	assert.False(t, r.Destroyed())
	assert.False(t, r.ReadableEnded())
	assert.Equal(t, 4, r.ReadableHighWaterMark())
	assert.Zero(t, r.ReadableLength())

	got = nil
	before := reads
	r.OnData(func(b []byte) { got = append(got, string(b)) })
	r.OnEnd(func() { got = append(got, "end") })
	r.OnClose(func() { got = append(got, "close") })
	q.Drain()
	assert.Greater(t, reads, before, "the Read hook is kept")
	assert.True(t, r.Push([]byte("cd")))
	r.PushEOF()
	q.Drain()
	assert.Equal(t, []string{"cd", "end", "close"}, got)
}

// A Writable made new with Reinit writes through the same hooks again, from a fresh state.
func TestWritableReinit(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var w stream.Writable
	require.ErrorIs(t, w.Reinit(), stream.ErrNoTicks)
	var wrote []string
	finals := 0
	require.NoError(t, w.Init(stream.Options{
		Ticks:         q,
		HighWaterMark: 8,
		Write: func(b []byte, _ bool) {
			wrote = append(wrote, string(b))
			w.WriteDone(nil)
		},
		Final: func() {
			finals++
			w.FinalDone(nil)
		},
	}))
	var events []string
	w.OnFinish(func() { events = append(events, "old finish") })
	w.End([]byte("one"))
	require.NoError(t, w.Reinit()) // the finish queued by End is dropped
	q.Drain()
	assert.Empty(t, events)
	assert.False(t, w.WritableEnded())
	assert.Equal(t, 8, w.WritableHighWaterMark())

	w.OnFinish(func() { events = append(events, "finish") })
	w.OnClose(func() { events = append(events, "close") })
	w.End([]byte("two"))
	q.Drain()
	assert.Equal(t, []string{"one", "two"}, wrote)
	assert.Equal(t, 2, finals)
	assert.Equal(t, []string{"finish", "close"}, events)
}

// Two closes queued back to back share a queue entry; they still run in order, and what the
// first one queues runs after the second, as with two entries. A task queued between them
// keeps its place.
func TestCloseOrderBackToBack(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var order []string
	var later stream.Task
	later.Init(func() { order = append(order, "task") })
	mk := func(name string, queue bool) *stream.Readable {
		r, err := stream.NewReadable(stream.Options{Ticks: q})
		require.NoError(t, err)
		r.OnClose(func() {
			order = append(order, name)
			if queue {
				q.Defer(&later)
			}
		})
		return r
	}
	a, b, c := mk("a", true), mk("b", false), mk("c", false)
	a.Destroy(nil)
	b.Destroy(nil)
	c.Destroy(nil)
	q.Drain()
	assert.Equal(t, []string{"a", "b", "c", "task"}, order)

	order = nil
	a, b = mk("a", false), mk("b", false)
	a.Destroy(nil)
	q.Defer(&later)
	b.Destroy(nil)
	q.Drain()
	assert.Equal(t, []string{"a", "task", "b"}, order)
}
