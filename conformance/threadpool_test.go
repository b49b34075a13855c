package conformance_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/threadpool"
)

// Ports of libuv's test/test-threadpool.c, test/test-threadpool-cancel.c and
// threadpool_multiple_event_loops from test/test-thread.c.

// TestThreadpoolQueueWorkSimple runs one work item and its after callback, with Data
// carried through.
// libuv: threadpool_queue_work_simple
func TestThreadpoolQueueWorkSimple(t *testing.T) {
	l := newLoop(t)
	var w handles.Work
	data := new(byte)
	w.Data = data
	var works atomic.Int32
	afters := 0
	require.NoError(t, handles.QueueWork(l, &w, func(r *handles.Work) {
		if r != &w || r.Data != data {
			t.Error("work callback got another request")
		}
		works.Add(1)
	}, func(r *handles.Work, err error) {
		require.NoError(t, err)
		require.Same(t, &w, r)
		require.Equal(t, data, r.Data)
		afters++
	}))
	run(t, l, uv.RunDefault)
	require.EqualValues(t, 1, works.Load())
	require.Equal(t, 1, afters)
}

// TestThreadpoolQueueWorkEinval checks that a nil work function is EINVAL and queues
// nothing.
// libuv: threadpool_queue_work_einval
func TestThreadpoolQueueWorkEinval(t *testing.T) {
	l := newLoop(t)
	var w handles.Work
	afters := 0
	err := handles.QueueWork(l, &w, nil, func(*handles.Work, error) { afters++ })
	require.ErrorIs(t, err, uv.EINVAL)
	require.False(t, run(t, l, uv.RunDefault))
	require.Zero(t, afters)
}

// TestThreadpoolMultipleEventLoops runs getaddrinfo and stat chains on eight loops at once,
// each on its own goroutine: every completion comes back to the loop that queued it.
// libuv: threadpool_multiple_event_loops
func TestThreadpoolMultipleEventLoops(t *testing.T) {
	fsDir(t)
	var wg sync.WaitGroup
	called := make([]int, 8)
	for i := range called {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := uv.NewLoop()
			if !assert.NoError(t, err) {
				return
			}
			var gaiReqs [4]handles.GetAddrInfoReq
			var fsReqs [4]handles.FS
			var gaiLeft, fsLeft [4]int
			for j := range gaiReqs {
				gaiLeft[j] = 4
				var gaiCb func(*handles.GetAddrInfoReq, error, []handles.AddrInfo)
				gaiCb = func(r *handles.GetAddrInfoReq, err error, _ []handles.AddrInfo) {
					assert.NoError(t, err)
					if gaiLeft[j]--; gaiLeft[j] > 0 {
						assert.NoError(t, handles.GetAddrInfo(l, r, gaiCb, "localhost", "", nil))
					}
				}
				assert.NoError(t, handles.GetAddrInfo(l, &gaiReqs[j], gaiCb, "localhost", "", nil))
			}
			for j := range fsReqs {
				fsLeft[j] = 4
				var statCb func(*handles.FS)
				statCb = func(r *handles.FS) {
					assert.NoError(t, r.Err)
					r.Cleanup()
					if fsLeft[j]--; fsLeft[j] > 0 {
						assert.NoError(t, handles.FSStatPath(l, r, ".", statCb))
					}
				}
				assert.NoError(t, handles.FSStatPath(l, &fsReqs[j], ".", statCb))
			}
			alive, err := l.Run(uv.RunDefault)
			assert.NoError(t, err)
			assert.False(t, alive)
			assert.Equal(t, [4]int{}, gaiLeft)
			assert.Equal(t, [4]int{}, fsLeft)
			assert.NoError(t, l.Close())
			called[i] = 1
		}()
	}
	wg.Wait()
	for i, c := range called {
		require.Equal(t, 1, c, "loop %d", i)
	}
}

// saturatePool is libuv's saturate_threadpool: it queues one blocking work item per worker
// of the shared pool on l, so that anything queued after them waits. The returned function
// unblocks them (libuv's unblock_threadpool); their after callbacks run on l.
func saturatePool(t *testing.T, l *uv.Loop) (unblock func()) {
	t.Helper()
	n := threadpool.Default().Size()
	release := make(chan struct{})
	pause := make([]handles.Work, n)
	for i := range pause {
		require.NoError(t, handles.QueueWork(l, &pause[i], func(*handles.Work) { <-release }, nil))
	}
	var once sync.Once
	unblock = func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // never leave the pool blocked for the next test
	return unblock
}

// cancelAfterTimer is libuv's timer_cb: 10 ms into the run it cancels every request (each
// must succeed), closes the timer and unblocks the pool.
func cancelAfterTimer(t *testing.T, l *uv.Loop, unblock func(), cancels []func() error) *int {
	calls := new(int)
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(tm *handles.Timer) {
		for i, c := range cancels {
			require.NoError(t, c(), "cancel %d", i)
		}
		tm.Close(nil)
		unblock()
		*calls++
	}, 10, 0))
	return calls
}

// TestThreadpoolCancelRandom cancels a queued random request: its callback gets ECANCELED
// and its buffer.
// libuv: threadpool_cancel_random
func TestThreadpoolCancelRandom(t *testing.T) {
	l := newLoop(t)
	unblock := saturatePool(t, l)
	var req handles.Random
	buf := make([]byte, 1)
	calls := 0
	require.NoError(t, handles.GetRandom(l, &req, buf, 0, func(r *handles.Random, err error, b []byte) {
		require.Same(t, &req, r)
		require.ErrorIs(t, err, uv.ECANCELED)
		require.Len(t, b, 1)
		require.Same(t, &buf[0], &b[0])
		calls++
	}))
	require.NoError(t, req.Cancel())
	require.Zero(t, calls, "the callback runs on the loop, not in Cancel")
	unblock()
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
}

// TestThreadpoolCancelWork cancels 16 queued work items from a timer: none runs, every
// after callback gets ECANCELED.
// libuv: threadpool_cancel_work
func TestThreadpoolCancelWork(t *testing.T) {
	l := newLoop(t)
	unblock := saturatePool(t, l)
	reqs := make([]handles.Work, 16)
	var ran atomic.Int32
	dones := 0
	cancels := make([]func() error, len(reqs))
	for i := range reqs {
		require.NoError(t, handles.QueueWork(l, &reqs[i], func(*handles.Work) { ran.Add(1) }, func(_ *handles.Work, err error) {
			require.ErrorIs(t, err, uv.ECANCELED)
			dones++
		}))
		cancels[i] = reqs[i].Cancel
	}
	timers := cancelAfterTimer(t, l, unblock, cancels)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, *timers)
	require.Equal(t, len(reqs), dones)
	require.Zero(t, ran.Load(), "a cancelled work function ran")
}

// TestThreadpoolCancelFs cancels one queued request of every kind of file-system operation
// libuv's test queues: each callback gets ECANCELED. (libuv exempts some on Linux, where
// io_uring runs them outside the pool; uv-go has no io_uring, so all must cancel.)
// libuv: threadpool_cancel_fs
func TestThreadpoolCancelFs(t *testing.T) {
	fsDir(t)
	l := newLoop(t)
	unblock := saturatePool(t, l)
	reqs := make([]handles.FS, 26)
	calls := 0
	cb := func(r *handles.FS) {
		requireFSErr(t, r, nil, uv.ECANCELED)
		r.Cleanup()
		calls++
	}
	iov := [][]byte{nil}
	var zero = uv.UtimeOmit
	n := 0
	next := func() *handles.FS { n++; return &reqs[n-1] }
	require.NoError(t, handles.FSChmodPath(l, next(), "/", 0, cb))
	require.NoError(t, handles.FSChownPath(l, next(), "/", 0, 0, cb))
	require.NoError(t, handles.FSCloseFile(l, next(), 0, cb))
	require.NoError(t, handles.FSFchmodFile(l, next(), 0, 0, cb))
	require.NoError(t, handles.FSFchownFile(l, next(), 0, 0, 0, cb))
	require.NoError(t, handles.FSFdatasyncFile(l, next(), 0, cb))
	require.NoError(t, handles.FSFstatFile(l, next(), 0, cb))
	require.NoError(t, handles.FSFsyncFile(l, next(), 0, cb))
	require.NoError(t, handles.FSFtruncateFile(l, next(), 0, 0, cb))
	require.NoError(t, handles.FSFutimeFile(l, next(), 0, zero, zero, cb))
	require.NoError(t, handles.FSLinkPath(l, next(), "/", "/", cb))
	require.NoError(t, handles.FSLstatPath(l, next(), "/", cb))
	require.NoError(t, handles.FSMkdirPath(l, next(), "/", 0, cb))
	require.NoError(t, handles.FSOpenFile(l, next(), "/", 0, 0, cb))
	require.NoError(t, handles.FSReadFile(l, next(), ^uv.OSFd(0), iov, 0, cb))
	require.NoError(t, handles.FSScandirPath(l, next(), "/", 0, cb))
	require.NoError(t, handles.FSReadlinkPath(l, next(), "/", cb))
	require.NoError(t, handles.FSRealpathPath(l, next(), "/", cb))
	require.NoError(t, handles.FSRenamePath(l, next(), "/", "/", cb))
	require.NoError(t, handles.FSMkdirPath(l, next(), "/", 0, cb))
	require.NoError(t, handles.FSSendfileTo(l, next(), 0, 0, 0, 0, cb))
	require.NoError(t, handles.FSStatPath(l, next(), "/", cb))
	require.NoError(t, handles.FSSymlinkPath(l, next(), "/", "/", 0, cb))
	require.NoError(t, handles.FSUnlinkPath(l, next(), "/", cb))
	require.NoError(t, handles.FSUtimePath(l, next(), "/", zero, zero, cb))
	require.NoError(t, handles.FSWriteFile(l, next(), ^uv.OSFd(0), iov, 0, cb))
	require.Equal(t, len(reqs), n)

	cancels := make([]func() error, len(reqs))
	for i := range reqs {
		cancels[i] = reqs[i].Cancel
	}
	timers := cancelAfterTimer(t, l, unblock, cancels)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, n, calls)
	require.Equal(t, 1, *timers)
}

// TestThreadpoolCancelSingle cancels one queued work item right after queueing it.
// libuv: threadpool_cancel_single
func TestThreadpoolCancelSingle(t *testing.T) {
	l := newLoop(t)
	unblock := saturatePool(t, l)
	var req handles.Work
	var ran atomic.Bool
	dones := 0
	require.NoError(t, handles.QueueWork(l, &req, func(*handles.Work) { ran.Store(true) }, func(_ *handles.Work, err error) {
		require.ErrorIs(t, err, uv.ECANCELED)
		dones++
	}))
	require.NoError(t, req.Cancel())
	require.Zero(t, dones)
	unblock()
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, dones)
	require.False(t, ran.Load(), "the cancelled work function ran")
}

// TestThreadpoolCancelWhenBusy checks that a running work item cannot be cancelled (EBUSY)
// and completes normally. libuv's work sleeps 10 ms hoping the cancel lands meanwhile; here
// it waits until the test has tried.
// libuv: threadpool_cancel_when_busy
func TestThreadpoolCancelWhenBusy(t *testing.T) {
	l := newLoop(t)
	started := make(chan struct{})
	release := make(chan struct{})
	var req handles.Work
	dones := 0
	require.NoError(t, handles.QueueWork(l, &req, func(*handles.Work) {
		close(started)
		<-release
	}, func(_ *handles.Work, err error) {
		require.NoError(t, err)
		dones++
	}))
	<-started
	require.ErrorIs(t, req.Cancel(), uv.EBUSY)
	close(release)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, dones)
}
