package conformance_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// TestAsync checks that sends from another goroutine wake the loop and run the async
// callback, that sends made while the loop is busy coalesce, and that the handle closes
// cleanly while the sender is still sending. The sender starts from the first prepare
// callback, is held back by a mutex until then, and sends until it sees three callbacks.
// libuv: async
func TestAsync(t *testing.T) {
	l := newLoop(t)
	var (
		mu          sync.Mutex // guards asyncCalls
		asyncCalls  int
		prepareCall int
		closeCalls  int
		sender      sync.WaitGroup
	)
	onClose := func() { closeCalls++ }
	mu.Lock()

	prepare, err := handles.NewPrepare(l)
	require.NoError(t, err)
	var async *handles.Async
	async, err = handles.NewAsync(l, func(h *handles.Async) {
		require.Same(t, async, h)
		mu.Lock()
		asyncCalls++
		n := asyncCalls
		mu.Unlock()
		if n == 3 {
			require.NoError(t, h.Close(onClose))
			require.NoError(t, prepare.Close(onClose))
		}
	})
	require.NoError(t, err)

	send := func() {
		defer sender.Done()
		for {
			mu.Lock()
			n := asyncCalls
			mu.Unlock()
			if n == 3 {
				return
			}
			assert.NoError(t, async.Send())
			runtime.Gosched()
		}
	}
	require.NoError(t, prepare.Start(func(h *handles.Prepare) {
		require.Same(t, prepare, h)
		prepareCall++
		if prepareCall > 1 {
			return
		}
		sender.Add(1)
		go send()
		mu.Unlock()
	}))

	require.False(t, run(t, l, uv.RunDefault))
	require.Positive(t, prepareCall)
	mu.Lock()
	require.Equal(t, 3, asyncCalls)
	mu.Unlock()
	require.Equal(t, 2, closeCalls)
	sender.Wait()
}

// TestAsyncNullCb checks that an async handle without a callback still wakes the loop: the
// check callback, which closes everything, runs only after the send woke the blocked poll.
// libuv: async_null_cb
func TestAsyncNullCb(t *testing.T) {
	l := newLoop(t)
	var async handles.Async
	async.Data = "left over" // a declared handle is initialised whatever it held
	require.NoError(t, async.Init(l, nil))
	check, err := handles.NewCheck(l)
	require.NoError(t, err)
	checkCalls := 0
	require.NoError(t, check.Start(func(h *handles.Check) {
		require.Zero(t, checkCalls)
		require.NoError(t, async.Close(nil))
		require.NoError(t, h.Close(nil))
		checkCalls++
	}))

	var sender sync.WaitGroup
	sender.Go(func() { assert.NoError(t, async.Send()) })
	require.False(t, run(t, l, uv.RunDefault))
	sender.Wait()
	require.Equal(t, 1, checkCalls)
}
