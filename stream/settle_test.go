package stream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/stream"
)

// settleWritable returns an initialised Writable whose writes and Final complete at once,
// and the events it saw (final, finish, close).
func settleWritable(t *testing.T) (*stream.Writable, *stream.TickQueue, *[]string) {
	t.Helper()
	q := stream.NewTickQueue(nil)
	events := new([]string)
	w := new(stream.Writable)
	require.NoError(t, w.Init(stream.Options{
		Ticks: q,
		Write: func(_ []byte, _ bool) { w.WriteDone(nil) },
		Final: func() { *events = append(*events, "final"); w.FinalDone(nil) },
	}))
	w.OnFinish(func() { *events = append(*events, "finish") })
	w.OnClose(func() { *events = append(*events, "close") })
	return w, q, events
}

// A held end looks ended at once, and Settle leaves the stream finished, destroyed and
// closed without running Final, finish or close.
func TestWritableHoldEndSettle(t *testing.T) {
	w, q, events := settleWritable(t)
	w.Write([]byte("abc"))
	q.Drain()
	require.True(t, w.HoldEnd())
	assert.True(t, w.WritableEnded())
	assert.False(t, w.IsWritable())
	assert.False(t, w.WritableFinished())
	assert.False(t, w.HoldEnd(), "held twice")
	q.Drain()
	assert.Empty(t, *events, "nothing runs while the end is held")
	require.True(t, w.Settle())
	assert.True(t, w.WritableFinished())
	assert.True(t, w.Destroyed())
	assert.True(t, w.Closed())
	q.Drain()
	assert.Empty(t, *events, "settling runs no callback")
	assert.False(t, w.Settle(), "settled twice")
}

// ReleaseEnd carries on as End(nil) would have: Final, finish and close, in order.
func TestWritableReleaseEnd(t *testing.T) {
	w, q, events := settleWritable(t)
	require.True(t, w.HoldEnd())
	w.ReleaseEnd()
	q.Drain()
	assert.Equal(t, []string{"final", "finish", "close"}, *events)
	assert.True(t, w.WritableFinished())
}

// HoldEnd refuses a stream that has work left or someone else watching, and Settle one
// that was destroyed or became watched while held.
func TestWritableHoldEndRefuses(t *testing.T) {
	w, _, _ := settleWritable(t)
	w.OnDrain(func() {})
	assert.False(t, w.HoldEnd(), "a drain callback")

	w, _, _ = settleWritable(t)
	w.Cork()
	w.Write([]byte("x"))
	assert.False(t, w.HoldEnd(), "corked bytes")

	w, _, _ = settleWritable(t)
	w.End(nil)
	assert.False(t, w.HoldEnd(), "ended already")

	w, q, events := settleWritable(t)
	require.True(t, w.HoldEnd())
	w.OnError(func(error) { *events = append(*events, "error") })
	assert.False(t, w.Settle(), "watched since")
	w.Write([]byte("late"))
	assert.False(t, w.Settle(), "destroyed by a write after end")
	w.ReleaseEnd()
	q.Drain()
	assert.Equal(t, []string{"error", "close"}, *events)
	assert.ErrorIs(t, w.Errored(), stream.ErrWriteAfterEnd)
}

// A Readable settles once ended with nothing buffered and nobody watching: destroyed and
// closed, with no callback.
func TestReadableSettle(t *testing.T) {
	q := stream.NewTickQueue(nil)
	r := new(stream.Readable)
	require.NoError(t, r.Init(stream.Options{Ticks: q}))
	closed := false
	r.OnClose(func() { closed = true })
	assert.False(t, r.Settle(), "not ended")
	r.PushEOF()
	require.True(t, r.Settle())
	assert.True(t, r.Destroyed())
	assert.True(t, r.Closed())
	q.Drain()
	assert.False(t, closed, "settling runs no callback")

	for name, watch := range map[string]func(r *stream.Readable){
		"data":     func(r *stream.Readable) { r.OnData(func([]byte) {}) },
		"end":      func(r *stream.Readable) { r.OnEnd(func() {}) },
		"readable": func(r *stream.Readable) { r.OnReadable(func() {}) },
		"error":    func(r *stream.Readable) { r.OnError(func(error) {}) },
		"paused":   func(r *stream.Readable) { r.Pause() },
		"buffered": func(r *stream.Readable) { r.Push([]byte("x")) },
	} {
		r := new(stream.Readable)
		require.NoError(t, r.Init(stream.Options{Ticks: q}))
		watch(r)
		r.PushEOF()
		assert.False(t, r.Settle(), name)
		assert.False(t, r.Destroyed(), name)
	}
}

// A Duplex's sides share their destruction and close: neither settles alone.
func TestDuplexRefusesSettle(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var d *stream.Duplex
	d, err := stream.NewDuplex(stream.Options{
		Ticks: q,
		Write: func(_ []byte, _ bool) { d.Writable.WriteDone(nil) },
	})
	require.NoError(t, err)
	assert.False(t, d.Writable.HoldEnd(), "the writable side")
	d.Readable.PushEOF()
	assert.False(t, d.Readable.Settle(), "the readable side")
	assert.False(t, d.Readable.Destroyed())
}
