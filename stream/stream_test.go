package stream_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/internal/testutil"
	"github.com/uv-go/uv/stream"
)

// sink is a Writable implementation whose writes complete when the test says so (async) or
// at once (sync); it records what it was given and the order of events.
type sink struct {
	w        *stream.Writable
	d        *stream.Duplex
	sync     bool
	got      bytes.Buffer
	pending  []byte // an async write in flight
	retained []bool
	finalCb  bool // Final completes at once
	events   *[]string
}

func (s *sink) done() interface{ WriteDone(error) } {
	if s.d != nil {
		return &s.d.Writable
	}
	return s.w
}

func (s *sink) write(chunk []byte, retained bool) {
	s.retained = append(s.retained, retained)
	if s.sync {
		s.got.Write(chunk)
		s.done().WriteDone(nil)
		return
	}
	s.pending = append(s.pending[:0], chunk...)
}

// complete finishes the async write in flight.
func (s *sink) complete(err error) {
	s.got.Write(s.pending)
	s.pending = s.pending[:0]
	s.done().WriteDone(err)
}

func (s *sink) final() {
	*s.events = append(*s.events, "final")
	if s.d != nil {
		s.d.Writable.FinalDone(nil)
	} else {
		s.w.FinalDone(nil)
	}
}

func newSink(t *testing.T, q *stream.TickQueue, hwm int, sync bool, events *[]string) *sink {
	s := &sink{sync: sync, events: events}
	w, err := stream.NewWritable(stream.Options{Ticks: q, HighWaterMark: hwm, Write: s.write, Final: s.final})
	require.NoError(t, err)
	s.w = w
	w.OnDrain(func() { *events = append(*events, "drain") })
	w.OnFinish(func() { *events = append(*events, "finish") })
	w.OnError(func(err error) { *events = append(*events, "error:"+err.Error()) })
	w.OnClose(func() { *events = append(*events, "close") })
	return s
}

func TestWritableBackpressureAndFinish(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSink(t, q, 10, false, &ev)
	w := s.w
	require.True(t, w.Write([]byte("abcd")))  // 4 in flight
	require.True(t, w.Write([]byte("efgh")))  // 8: buffered
	require.False(t, w.Write([]byte("ijkl"))) // 12 >= 10
	require.True(t, w.WritableNeedDrain())
	require.Equal(t, 12, w.WritableLength())
	q.Drain()
	require.Empty(t, ev)
	s.complete(nil) // "abcd" done; "efghijkl" handed over as one retained chunk
	require.Equal(t, []bool{false, true}, s.retained)
	require.Equal(t, 8, w.WritableLength())
	require.Empty(t, ev, "no drain before everything is written")
	s.complete(nil)
	require.Equal(t, []string{"drain"}, ev)
	require.Zero(t, w.WritableLength())
	w.End([]byte("mn"))
	require.True(t, w.WritableEnded())
	s.complete(nil)
	q.Drain()
	require.Equal(t, []string{"drain", "final", "finish", "close"}, ev)
	require.Equal(t, "abcdefghijklmn", s.got.String())
	require.True(t, w.WritableFinished())
	require.True(t, w.Destroyed(), "autoDestroy after finish")
}

// A chunk written while nothing is in flight goes to the implementation as the caller's
// slice; a chunk that waits is copied, so the caller may reuse its buffer at once.
func TestWritableDoesNotKeepCallerBuffer(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSink(t, q, 100, false, &ev)
	buf := []byte("one")
	s.w.Write(buf)
	copy(buf, "two")
	s.w.Write(buf)
	copy(buf, "xxx")
	s.complete(nil)
	s.complete(nil)
	require.Equal(t, "onetwo", s.got.String())
}

func TestWritableSyncImplementation(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSink(t, q, 4, true, &ev)
	require.True(t, s.w.Write([]byte("ab")))
	require.False(t, s.w.Write([]byte("abcd")), "a chunk at the highWaterMark reports false even when written at once")
	require.Empty(t, ev, "drain is deferred")
	q.Drain()
	require.Equal(t, []string{"drain"}, ev)
	s.w.End(nil)
	require.Equal(t, []string{"drain", "final"}, ev, "final runs in End, finish is deferred")
	q.Drain()
	require.Equal(t, []string{"drain", "final", "finish", "close"}, ev)
}

func TestWritableWriteAfterEnd(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSink(t, q, 0, true, &ev)
	s.w.End(nil)
	require.False(t, s.w.Write([]byte("late")))
	q.Drain()
	require.Equal(t, []string{"final", "error:write after end", "close"}, ev)
	require.ErrorIs(t, s.w.Errored(), stream.ErrWriteAfterEnd)
	require.False(t, s.w.Write([]byte("later")), "after destroy: nothing, no second error")
	s.w.End(nil)
	q.Drain()
	require.Equal(t, []string{"final", "error:write after end", "close"}, ev)
}

func TestWritableWriteError(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSink(t, q, 0, false, &ev)
	s.w.Write([]byte("a"))
	s.w.Write([]byte("b"))
	s.w.End(nil)
	s.complete(errors.New("boom"))
	q.Drain()
	require.Equal(t, []string{"error:boom", "close"}, ev, "no finish after an error")
	require.Zero(t, s.w.WritableLength())
}

func TestWritableDestroy(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSink(t, q, 0, false, &ev)
	s.w.Write([]byte("a"))
	s.w.Destroy(errors.New("gone"))
	s.w.Destroy(errors.New("twice"))
	require.Empty(t, ev, "error and close are deferred")
	q.Drain()
	require.Equal(t, []string{"error:gone", "close"}, ev)
	s.complete(nil) // a late completion changes nothing
	q.Drain()
	require.Equal(t, []string{"error:gone", "close"}, ev)
}

func TestWritableCork(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSink(t, q, 0, false, &ev)
	s.w.Cork()
	s.w.Write([]byte("a"))
	s.w.Write([]byte("b"))
	require.Empty(t, s.retained, "nothing handed over while corked")
	s.w.Uncork()
	require.Equal(t, []bool{true}, s.retained)
	s.complete(nil)
	require.Equal(t, "ab", s.got.String())
}

// source is a Readable implementation that pushes what the test queues, when asked.
type source struct {
	r      *stream.Readable
	reads  int
	pauses int
	queue  [][]byte
	eof    bool
}

func (s *source) read() {
	s.reads++
	for len(s.queue) > 0 {
		c := s.queue[0]
		s.queue = s.queue[1:]
		if !s.r.Push(c) {
			return
		}
	}
	if s.eof {
		s.r.PushEOF()
	}
}

func newSource(t *testing.T, q *stream.TickQueue, hwm int, events *[]string) *source {
	s := &source{}
	r, err := stream.NewReadable(stream.Options{Ticks: q, HighWaterMark: hwm, Read: s.read, Pause: func() { s.pauses++ }})
	require.NoError(t, err)
	s.r = r
	r.OnEnd(func() { *events = append(*events, "end") })
	r.OnError(func(err error) { *events = append(*events, "error:"+err.Error()) })
	r.OnClose(func() { *events = append(*events, "close") })
	return s
}

func TestReadableFlowing(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	s.queue = [][]byte{[]byte("hello "), []byte("world")}
	s.eof = true
	var got bytes.Buffer
	s.r.OnData(func(b []byte) { got.Write(b); ev = append(ev, "data") })
	require.True(t, s.r.IsFlowing())
	require.Empty(t, ev, "resume is deferred")
	q.Drain()
	require.Equal(t, "hello world", got.String())
	require.Equal(t, []string{"data", "end", "close"}, ev, "what was pushed synchronously inside Read comes out together")
	require.True(t, s.r.ReadableEnded())
	require.True(t, s.r.Closed())
}

// Data pushed from outside Read while flowing with nothing buffered reaches the callback as
// the very same slice: no copy.
func TestReadableHandsThrough(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	var seen []byte
	s.r.OnData(func(b []byte) { seen = b })
	q.Drain()
	chunk := []byte("direct")
	require.True(t, s.r.Push(chunk))
	require.Same(t, &chunk[0], &seen[0])
	require.Zero(t, s.r.ReadableLength())
}

func TestReadableBuffersWhilePaused(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 8, &ev)
	var got bytes.Buffer
	s.r.OnData(func(b []byte) { got.Write(b) })
	q.Drain()
	s.r.Pause()
	require.Equal(t, 1, s.pauses)
	require.True(t, s.r.IsPaused())
	buf := []byte("abcde")
	require.True(t, s.r.Push(buf))
	copy(buf, "XXXXX") // the stream copied it
	require.False(t, s.r.Push([]byte("fghij")), "10 bytes >= 8")
	require.Zero(t, got.Len())
	require.Equal(t, 10, s.r.ReadableLength())
	reads := s.reads
	s.r.Resume()
	q.Drain()
	require.Equal(t, "abcdefghij", got.String())
	require.Greater(t, s.reads, reads, "resuming asks for more")
}

func TestReadablePausedModeRead(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	s.queue = [][]byte{[]byte("0123456789")}
	s.eof = true
	var got []byte
	p := make([]byte, 4)
	s.r.OnReadable(func() {
		ev = append(ev, "readable")
		for {
			n, err := s.r.Read(p)
			got = append(got, p[:n]...)
			if err == io.EOF || n == 0 {
				return
			}
		}
	})
	q.Drain()
	require.Equal(t, "0123456789", string(got))
	require.Equal(t, []string{"readable", "end", "close"}, ev)
}

func TestReadablePushAfterEOF(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	s.r.PushEOF()
	s.r.Push([]byte("x"))
	q.Drain()
	require.Equal(t, []string{"error:stream.push() after EOF", "close"}, ev)
}

func TestReadableEndOnlyWhenConsumed(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	s.r.Push([]byte("data"))
	s.r.PushEOF()
	q.Drain()
	require.Empty(t, ev, "no end while data waits unread")
	s.r.Resume() // flowing without a consumer drops the data
	q.Drain()
	require.Equal(t, []string{"end", "close"}, ev)
}

func TestReadableUnshift(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	s.r.Push([]byte("world"))
	s.r.Unshift([]byte("hello "))
	p := make([]byte, 64)
	n, err := s.r.Read(p)
	require.NoError(t, err)
	require.Equal(t, "hello world", string(p[:n]))
}

func TestReadableDestroy(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	s.r.OnData(func([]byte) { ev = append(ev, "data") })
	s.r.Pause()
	s.r.Push([]byte("x"))
	s.r.Destroy(errors.New("bad"))
	require.False(t, s.r.Push([]byte("y")))
	s.r.PushEOF()
	q.Drain()
	require.Equal(t, []string{"error:bad", "close"}, ev, "no data or end after destroy")
}

func TestPipeBackpressureBothWays(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	src := newSource(t, q, 8, &ev)
	dst := newSink(t, q, 8, false, &ev)
	src.r.Pipe(dst.w)
	q.Drain()
	// The sink is slow: the first chunk stays in flight, the second fills it up.
	require.True(t, src.r.Push([]byte("12345")))
	require.Equal(t, 0, src.pauses)
	require.True(t, src.r.Push([]byte("67890")), "the source itself is not full: the data went on")
	require.Equal(t, 1, src.pauses, "dest.Write returned false: the source paused")
	require.True(t, src.r.IsPaused())
	require.False(t, src.r.Push([]byte("abcdefgh")), "paused: buffered up to the highWaterMark")
	require.Equal(t, 8, src.r.ReadableLength())
	q.Drain()
	dst.complete(nil) // 12345
	dst.complete(nil) // 67890: the sink drains, the source resumes
	require.Contains(t, ev, "drain")
	q.Drain()
	require.Zero(t, src.r.ReadableLength(), "resumed: the buffered bytes went to the sink")
	require.True(t, src.r.IsPaused(), "which is full again")
	dst.complete(nil)
	q.Drain()
	require.False(t, src.r.IsPaused())
	src.r.PushEOF()
	q.Drain()
	require.Equal(t, "1234567890abcdefgh", dst.got.String())
	require.Equal(t, []string{"drain", "drain", "end", "final", "finish", "close", "close"}, ev)
}

func TestDuplexHalfOpen(t *testing.T) {
	for _, half := range []bool{false, true} {
		q := stream.NewTickQueue(nil)
		var ev []string
		s := &sink{sync: true, events: &ev}
		d, err := stream.NewDuplex(stream.Options{Ticks: q, Write: s.write, Final: s.final, AllowHalfOpen: half})
		require.NoError(t, err)
		s.d = d
		d.OnData(func([]byte) {})
		d.OnEnd(func() { ev = append(ev, "end") })
		d.OnFinish(func() { ev = append(ev, "finish") })
		d.OnClose(func() { ev = append(ev, "close") })
		d.PushEOF()
		q.Drain()
		if !half {
			require.Equal(t, []string{"end", "final", "finish", "close"}, ev)
			continue
		}
		require.Equal(t, []string{"end"}, ev)
		require.True(t, d.IsWritable(), "half-open: still writable")
		require.True(t, d.Write([]byte("late reply")))
		d.End(nil)
		q.Drain()
		require.Equal(t, []string{"end", "final", "finish", "close"}, ev)
		require.Equal(t, "late reply", s.got.String())
	}
}

func TestDuplexDestroyOnce(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := &sink{sync: true, events: &ev}
	d, err := stream.NewDuplex(stream.Options{Ticks: q, Write: s.write})
	require.NoError(t, err)
	d.OnError(func(err error) { ev = append(ev, "error") })
	d.OnClose(func() { ev = append(ev, "close") })
	d.OnFinish(func() { ev = append(ev, "finish") })
	d.OnEnd(func() { ev = append(ev, "end") })
	d.Destroy(errors.New("x"))
	d.Writable.Destroy(nil)
	d.Readable.Destroy(nil)
	q.Drain()
	require.Equal(t, []string{"error", "close"}, ev)
	assert.True(t, d.Readable.Destroyed())
	assert.True(t, d.Writable.Destroyed())
}

func TestManualClose(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := &sink{sync: true, events: &ev}
	d, err := stream.NewDuplex(stream.Options{Ticks: q, Write: s.write, ManualClose: true,
		Destroy: func(err error) error { ev = append(ev, "_destroy"); return err }})
	require.NoError(t, err)
	d.OnError(func(err error) { ev = append(ev, "error") })
	d.OnClose(func() { ev = append(ev, "close") })
	d.CloseDone() // before Destroy: ignored
	d.Destroy(errors.New("x"))
	q.Drain()
	require.Equal(t, []string{"_destroy", "error"}, ev)
	d.CloseDone()
	q.Drain()
	require.Equal(t, []string{"_destroy", "error", "close"}, ev)
}

func TestInitErrors(t *testing.T) {
	_, err := stream.NewReadable(stream.Options{})
	require.ErrorIs(t, err, stream.ErrNoTicks)
	_, err = stream.NewWritable(stream.Options{Ticks: stream.NewTickQueue(nil)})
	require.ErrorIs(t, err, stream.ErrNotImplemented)
	r, err := stream.NewReadable(stream.Options{Ticks: stream.NewTickQueue(nil)})
	require.NoError(t, err)
	require.Equal(t, stream.DefaultHighWaterMark, r.ReadableHighWaterMark())
}

func TestTickQueueOrderAndWake(t *testing.T) {
	wakes := 0
	q := stream.NewTickQueue(func() { wakes++ })
	var order []int
	var a, b, c stream.Task
	a.Init(func() { order = append(order, 1); q.Defer(&c) })
	b.Init(func() { order = append(order, 2) })
	c.Init(func() { order = append(order, 3) })
	q.Defer(&a)
	q.Defer(&b)
	q.Defer(&a) // already queued
	require.Equal(t, 1, wakes)
	q.Drain()
	require.Equal(t, []int{1, 2, 3}, order)
	require.Equal(t, 1, wakes, "no wake for tasks queued while draining")
	q.Defer(&b)
	q.Cancel(&b)
	require.False(t, q.Pending())
}

// Handing a chunk through a flowing Readable into a Writable whose implementation writes at
// once allocates nothing.
func TestHandThroughAllocs(t *testing.T) {
	testutil.SkipRace(t)
	q := stream.NewTickQueue(nil)
	var ev []string
	src := newSource(t, q, 0, &ev)
	dst := newSink(t, q, 0, true, &ev)
	dst.retained = make([]bool, 0, 4096)
	src.r.Pipe(dst.w)
	q.Drain()
	chunk := []byte("PING")
	step := func() {
		src.r.Push(chunk)
		q.Drain()
		dst.got.Reset()
		dst.retained = dst.retained[:0]
	}
	step()
	require.Zero(t, testing.AllocsPerRun(1000, step))
}

// CloseDone from inside the Destroy option still reports the error first.
func TestManualCloseInsideDestroy(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := &sink{sync: true, events: &ev}
	var d *stream.Duplex
	d, err := stream.NewDuplex(stream.Options{Ticks: q, Write: s.write, ManualClose: true,
		Destroy: func(err error) error { d.CloseDone(); return err }})
	require.NoError(t, err)
	d.OnError(func(err error) { ev = append(ev, "error") })
	d.OnClose(func() { ev = append(ev, "close") })
	d.Destroy(errors.New("x"))
	q.Drain()
	require.Equal(t, []string{"error", "close"}, ev)
}

// Two destinations: the source waits for both to drain; Unpipe of the slow one lets it go
// on; KeepOpen leaves a destination open at the end.
func TestPipeTwoDestinationsAndUnpipe(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev, evA, evB []string
	src := newSource(t, q, 4, &ev)
	a := newSink(t, q, 4, true, &evA)
	b := newSink(t, q, 4, false, &evB) // slow
	src.r.Pipe(a.w)
	src.r.PipeWith(b.w, stream.PipeOptions{KeepOpen: true})
	src.r.Pipe(a.w) // twice: ignored
	q.Drain()
	src.r.Push([]byte("1234")) // b's Write returns false
	require.True(t, src.r.IsPaused())
	src.r.Push([]byte("5678"))
	require.Equal(t, "1234", a.got.String(), "paused: the second chunk waits")
	src.r.Unpipe(b.w)
	q.Drain()
	require.False(t, src.r.IsPaused(), "no destination left waiting: resumed")
	require.Equal(t, "12345678", a.got.String())
	b.complete(nil)
	require.Equal(t, "1234", b.got.String())
	src.r.PushEOF()
	q.Drain()
	require.Equal(t, []string{"drain", "drain", "final", "finish", "close"}, evA, "a's small highWaterMark")
	require.False(t, b.w.WritableEnded(), "unpiped before the end")

	// A source that already ended ends a new destination at once, unless KeepOpen.
	var evC []string
	c := newSink(t, q, 0, true, &evC)
	src.r.Pipe(c.w)
	q.Drain()
	require.Equal(t, []string{"final", "finish", "close"}, evC)
	d := newSink(t, q, 0, true, &evC)
	src.r.PipeWith(d.w, stream.PipeOptions{KeepOpen: true})
	require.False(t, d.w.WritableEnded())
}

// A destination that is destroyed is unpiped; Unpipe(nil) removes every destination and
// pauses.
func TestPipeDestinationDestroyed(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev, evA []string
	src := newSource(t, q, 0, &ev)
	a := newSink(t, q, 0, true, &evA)
	b := newSink(t, q, 0, true, &evA)
	src.r.Pipe(a.w)
	src.r.Pipe(b.w)
	q.Drain()
	a.w.Destroy(errors.New("dest failed"))
	q.Drain()
	src.r.Push([]byte("x"))
	require.Empty(t, a.got.String())
	require.Equal(t, "x", b.got.String())
	src.r.Unpipe(nil)
	require.True(t, src.r.IsPaused())
	src.r.Push([]byte("y"))
	q.Drain()
	require.Equal(t, "x", b.got.String())
	require.Equal(t, 1, src.r.ReadableLength())
}

// Without Final, finish follows End on the next tick; Duplex accessors.
func TestDuplexWithoutFinal(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	d, err := stream.NewDuplex(stream.Options{Ticks: q, HighWaterMark: 100, WritableHighWaterMark: 7,
		Write: func(chunk []byte, retained bool) {}, AllowHalfOpen: true})
	require.NoError(t, err)
	require.Equal(t, 100, d.ReadableHighWaterMark())
	require.Equal(t, 7, d.WritableHighWaterMark())
	require.True(t, d.AllowHalfOpen())
	d.SetAllowHalfOpen(false)
	require.False(t, d.AllowHalfOpen())
	d.OnFinish(func() { ev = append(ev, "finish") })
	d.OnEnd(func() { ev = append(ev, "end") })
	d.OnClose(func() { ev = append(ev, "close") })
	d.Cork()
	d.Write([]byte("abc"))
	require.Equal(t, 1, d.WritableCorked())
	d.Writable.WriteDone(nil) // nothing in flight: ignored
	d.End(nil)                // uncorks: the write goes out, and never completes
	require.Zero(t, d.WritableCorked())
	q.Drain()
	require.Empty(t, ev)
	d.Writable.WriteDone(nil)
	q.Drain()
	require.Equal(t, []string{"finish"}, ev)
	require.False(t, d.Destroyed(), "the readable side is still open")
	require.True(t, d.IsReadable())
	d.OnData(func([]byte) {})
	d.PushEOF()
	q.Drain()
	require.Equal(t, []string{"finish", "end", "close"}, ev)
	require.True(t, d.Destroyed())
	require.True(t, d.Closed())
	require.NoError(t, d.Errored())
	require.False(t, d.IsReadable())
}

// Removing the readable callback returns to flowing mode if there is a data callback.
func TestReadableRemoveReadable(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	var got bytes.Buffer
	s.r.OnReadable(func() { ev = append(ev, "readable") })
	s.r.OnData(func(b []byte) { got.Write(b) })
	require.False(t, s.r.IsFlowing(), "a readable callback keeps the stream paused")
	s.r.Push([]byte("a"))
	q.Drain()
	require.Equal(t, []string{"readable"}, ev)
	require.Zero(t, got.Len())
	s.r.OnReadable(nil)
	q.Drain()
	require.True(t, s.r.IsFlowing())
	require.Equal(t, "a", got.String())
	require.True(t, s.r.IsReadable())
	require.NoError(t, s.r.Errored())
}

// dataSink collects what a Readable gives its DataSink.
type dataSink struct{ got bytes.Buffer }

func (d *dataSink) StreamData(b []byte) { d.got.Write(b) }

// OnDataSink takes the data as OnData does, and setting one replaces the other.
func TestReadableDataSink(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var ev []string
	s := newSource(t, q, 0, &ev)
	var d dataSink
	s.r.OnDataSink(&d)
	require.True(t, s.r.IsFlowing())
	q.Drain()
	s.r.Push([]byte("to the sink"))
	require.Equal(t, "to the sink", d.got.String())

	var got bytes.Buffer
	s.r.OnData(func(b []byte) { got.Write(b) })
	s.r.Push([]byte(" then the callback"))
	require.Equal(t, "to the sink", d.got.String(), "OnData replaced the sink")
	require.Equal(t, " then the callback", got.String())

	s.r.OnDataSink(&d)
	s.r.Push([]byte("!"))
	require.Equal(t, " then the callback", got.String(), "OnDataSink replaced the callback")
	require.Equal(t, "to the sink!", d.got.String())
	s.r.OnDataSink(nil)
	s.r.Push([]byte("?"))
	require.Equal(t, "to the sink!", d.got.String(), "nil removes it")
}

// NeedDrain makes drain due after a Write that returned true: it runs once the write in
// flight is done, once; an ended stream ignores it.
func TestWritableNeedDrain(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var events []string
	s := newSink(t, q, 16, false, &events)
	require.True(t, s.w.Write([]byte("ab")))
	assert.False(t, s.w.WritableNeedDrain())
	s.w.NeedDrain()
	assert.True(t, s.w.WritableNeedDrain())
	q.Drain()
	assert.Empty(t, events, "nothing before the write is done")
	s.complete(nil)
	q.Drain()
	assert.Equal(t, []string{"drain"}, events)
	assert.False(t, s.w.WritableNeedDrain())

	s.w.End(nil)
	s.w.NeedDrain()
	assert.False(t, s.w.WritableNeedDrain(), "ended")
}
