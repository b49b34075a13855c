package handles_test

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// A Timer fits in two cache lines (see its layout note): what firing touches in the first,
// what closing touches (the Handle's first 56 bytes) across both, which closing an array of
// timers reads in order.
func TestHandleSizes(t *testing.T) {
	const timerMax = 128
	var tm handles.Timer
	if n := unsafe.Sizeof(tm); n > timerMax {
		t.Errorf("handles.Timer is %d bytes, more than %d", n, timerMax)
	}
	if off := unsafe.Offsetof(tm.Handle); off+16 > 64 || off+56 <= 64 {
		t.Errorf("handles.Timer's Handle at offset %d: its loop and flags leave the first cache line, or what closing touches does not cross into the second", off)
	}
	t.Logf("Handle %d, Timer %d, TCP %d, Pipe %d, UDP %d, Idle %d, Async %d, Signal %d, Poll %d",
		unsafe.Sizeof(uv.Handle{}), unsafe.Sizeof(handles.Timer{}), unsafe.Sizeof(handles.TCP{}),
		unsafe.Sizeof(handles.Pipe{}), unsafe.Sizeof(handles.UDP{}), unsafe.Sizeof(handles.Idle{}),
		unsafe.Sizeof(handles.Async{}), unsafe.Sizeof(handles.Signal{}), unsafe.Sizeof(handles.Poll{}))
}

// Initialising and closing a declared stream, fs poll, idle, prepare, check or async handle
// again allocates nothing once the handle has been used: close hooks are shared per type,
// and the callbacks bound per handle are bound once.
func TestHandleReinitAllocs(t *testing.T) {
	l := mustLoop(t)
	defer l.Close()
	var (
		tcp     handles.TCP
		pipe    handles.Pipe
		poll    handles.FSPoll
		idle    handles.Idle
		prepare handles.Prepare
		check   handles.Check
		async   handles.Async
	)
	cycle := func() {
		require.NoError(t, tcp.Init(l))
		require.NoError(t, pipe.Init(l, false))
		require.NoError(t, poll.Init(l))
		require.NoError(t, idle.Init(l))
		require.NoError(t, prepare.Init(l))
		require.NoError(t, check.Init(l))
		require.NoError(t, async.Init(l, nil))
		require.NoError(t, tcp.Close(nil))
		require.NoError(t, pipe.Close(nil))
		require.NoError(t, poll.Close(nil))
		require.NoError(t, idle.Close(nil))
		require.NoError(t, prepare.Close(nil))
		require.NoError(t, check.Close(nil))
		require.NoError(t, async.Close(nil))
		_, err := l.Run(uv.RunNoWait)
		require.NoError(t, err)
	}
	cycle()
	assert.Zero(t, testing.AllocsPerRun(100, cycle))
	assert.True(t, tcp.IsClosed() && pipe.IsClosed() && poll.IsClosed())
	assert.True(t, idle.IsClosed() && prepare.IsClosed() && check.IsClosed() && async.IsClosed())
}
