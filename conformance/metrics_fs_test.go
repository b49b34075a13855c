package conformance_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/threadpool"
)

// Ports of the threadpool-driven tests of libuv's test/test-metrics.c.

// TestMetricsInfoCheck follows the loop count and event count through an open, a write and
// a close, each queued from the previous one's callback: one loop iteration each.
// libuv: metrics_info_check
func TestMetricsInfoCheck(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	l := newLoop(t)
	var openReq, writeReq, closeReq handles.FS
	var lastEvents uint64
	closes := 0
	closeCb := func(r *handles.FS) {
		m := l.Metrics()
		require.EqualValues(t, 3, m.LoopCount)
		require.Greater(t, m.Events, lastEvents)
		require.NoError(t, r.Err)
		lastEvents = m.Events
		closes++
	}
	writeCb := func(r *handles.FS) {
		m := l.Metrics()
		require.EqualValues(t, 2, m.LoopCount)
		require.Greater(t, m.Events, lastEvents)
		require.EqualValues(t, len(testBuf), r.Result)
		lastEvents = m.Events
		require.NoError(t, handles.FSCloseFile(l, &closeReq, uv.OSFd(openReq.Result), closeCb))
	}
	createCb := func(r *handles.FS) {
		m := l.Metrics()
		require.EqualValues(t, 1, m.LoopCount) // the event count may still be 0 here
		require.GreaterOrEqual(t, r.Result, int64(0))
		lastEvents = m.Events
		require.NoError(t, handles.FSWriteFile(l, &writeReq, uv.OSFd(r.Result), [][]byte{testBuf}, 0, writeCb))
	}
	prep, err := handles.NewPrepare(l)
	require.NoError(t, err)
	require.NoError(t, prep.Start(func(p *handles.Prepare) {
		require.NoError(t, p.Stop())
		m := l.Metrics()
		require.Zero(t, m.LoopCount)
		require.Zero(t, m.Events)
		require.NoError(t, handles.FSOpenFile(l, &openReq, path, uv.FsOWronly|uv.FsOCreat, 0o600, createCb))
	}))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, closes)
}

// TestMetricsPoolEvents completes a write, two stats, a random request and a getaddrinfo on
// the threadpool before the loop first runs, then two work items queued from the write's
// callback: at least 7 events, of which at least 4 were already waiting when the loop
// polled. libuv sleeps 100 ms to let the pool finish first; this waits for the pool's
// counters to show the five done instead.
// libuv: metrics_pool_events
func TestMetricsPoolEvents(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	l := newLoop(t)
	require.NoError(t, l.Configure(uv.MetricsIdleTime))
	counter := 0
	prep, err := handles.NewPrepare(l)
	require.NoError(t, err)
	require.NoError(t, prep.Start(func(p *handles.Prepare) {
		m := l.Metrics()
		if counter == 1 {
			require.Equal(t, m.Events, m.EventsWaiting)
		}
		if counter < 7 {
			return
		}
		require.NoError(t, p.Stop())
		counter = -42
	}))

	fd := fsOpen(t, path, uv.FsOWronly|uv.FsOCreat, 0o600)
	require.Greater(t, fd, uv.OSFd(0))
	defer fsClose(t, fd)
	before := threadpool.Default().Stats().Completed

	var writeReq, stat1, stat2 handles.FS
	works := make([]handles.Work, 2)
	afterWork := func(_ *handles.Work, err error) {
		require.NoError(t, err)
		counter++
	}
	require.NoError(t, handles.FSWriteFile(l, &writeReq, fd, [][]byte{testBuf}, 0, func(r *handles.FS) {
		counter++
		r.Cleanup()
		for i := range works {
			require.NoError(t, handles.QueueWork(l, &works[i], func(*handles.Work) {}, afterWork))
		}
	}))
	statCb := func(r *handles.FS) {
		r.Cleanup()
		counter++
	}
	require.NoError(t, handles.FSStatPath(l, &stat1, path, statCb))
	require.NoError(t, handles.FSStatPath(l, &stat2, path, statCb))
	var rreq handles.Random
	rdata := make([]byte, 1)
	require.NoError(t, handles.GetRandom(l, &rreq, rdata, 0, func(*handles.Random, error, []byte) { counter++ }))
	var gai handles.GetAddrInfoReq
	require.NoError(t, handles.GetAddrInfo(l, &gai, func(*handles.GetAddrInfoReq, error, []handles.AddrInfo) { counter++ },
		"example.invalid", "", nil))

	// Let the five finish before the loop first polls (libuv sleeps for this).
	for threadpool.Default().Stats().Completed < before+5 {
		runtime.Gosched()
	}

	require.False(t, run(t, l, uv.RunDefault))
	m := l.Metrics()
	require.GreaterOrEqual(t, m.Events, uint64(7))
	require.GreaterOrEqual(t, m.EventsWaiting, uint64(4))
	require.Equal(t, -42, counter)
}
