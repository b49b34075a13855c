package conformance_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/threadpool"
)

// The DNS tests need no network: they resolve "localhost" and numeric addresses only, and
// the failing lookups use a name under ".invalid", which uv-go answers without a query
// (RFC 6761; libuv's test relies on the name servers to say so).

const dnsInvalidName = "example.invalid." // a fully qualified name, as libuv's test uses

// TestGetAddrInfoFail checks that a lookup with neither node nor service is refused at once,
// and that an unknown name fails in the callback with an EAI_* error and no results.
// libuv: getaddrinfo_fail
func TestGetAddrInfoFail(t *testing.T) {
	l := newLoop(t)
	var req handles.GetAddrInfoReq
	require.ErrorIs(t, handles.GetAddrInfo(l, &req, func(*handles.GetAddrInfoReq, error, []handles.AddrInfo) {
		t.Error("callback of a refused request called")
	}, "", "", nil), uv.EINVAL)

	failed := 0
	require.NoError(t, handles.GetAddrInfo(l, &req, func(r *handles.GetAddrInfoReq, err error, res []handles.AddrInfo) {
		require.Zero(t, failed)
		require.ErrorIs(t, err, uv.EAI_NONAME)
		require.Nil(t, res)
		failed++
	}, dnsInvalidName, "", nil))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, failed)
}

// TestGetAddrInfoFailSync checks that a synchronous lookup (no callback, no loop) of an
// unknown name returns the EAI_* error.
// libuv: getaddrinfo_fail_sync
func TestGetAddrInfoFailSync(t *testing.T) {
	var req handles.GetAddrInfoReq
	err := handles.GetAddrInfo(nil, &req, nil, dnsInvalidName, "", nil)
	require.ErrorIs(t, err, uv.EAI_NONAME)
	require.Nil(t, req.Result())
}

// TestGetAddrInfoBasic resolves "localhost" and checks the callback runs once with the
// request.
// libuv: getaddrinfo_basic
func TestGetAddrInfoBasic(t *testing.T) {
	l := newLoop(t)
	req := new(handles.GetAddrInfoReq)
	calls := 0
	require.NoError(t, handles.GetAddrInfo(l, req, func(r *handles.GetAddrInfoReq, err error, res []handles.AddrInfo) {
		require.Same(t, req, r)
		require.NoError(t, err)
		require.NotEmpty(t, res)
		for _, ai := range res {
			require.True(t, ai.Addr.Addr().IsLoopback(), "%v", ai.Addr)
		}
		calls++
	}, "localhost", "", nil))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestGetAddrInfoBasicSync resolves "localhost" synchronously, without a loop.
// libuv: getaddrinfo_basic_sync
func TestGetAddrInfoBasicSync(t *testing.T) {
	var req handles.GetAddrInfoReq
	require.NoError(t, handles.GetAddrInfo(nil, &req, nil, "localhost", "", nil))
	require.NotEmpty(t, req.Result())
}

// TestGetAddrInfoConcurrent runs ten lookups of "localhost" at once; each callback runs
// exactly once, with its own request.
// libuv: getaddrinfo_concurrent
func TestGetAddrInfoConcurrent(t *testing.T) {
	const n = 10
	l := newLoop(t)
	var reqs [n]handles.GetAddrInfoReq
	var counts [n]int
	total := 0
	for i := range reqs {
		reqs[i].Data = i
		require.NoError(t, handles.GetAddrInfo(l, &reqs[i], func(r *handles.GetAddrInfoReq, err error, res []handles.AddrInfo) {
			i := r.Data.(int)
			require.Same(t, &reqs[i], r)
			require.NoError(t, err)
			counts[i]++
			total++
		}, "localhost", "", nil))
	}
	run(t, l, uv.RunDefault)
	for i, c := range counts {
		require.Equal(t, 1, c, "request %d", i)
	}
	require.Equal(t, n, total)
}

func dnsNameInfoOK(t *testing.T, calls *int) func(*handles.GetNameInfoReq, error, string, string) {
	return func(r *handles.GetNameInfoReq, err error, host, service string) {
		require.NotNil(t, r)
		require.NoError(t, err)
		require.NotEmpty(t, host)
		require.NotEmpty(t, service)
		*calls++
	}
}

// TestGetNameInfoBasicIP4 looks up the names of 127.0.0.1 port 80.
// libuv: getnameinfo_basic_ip4
func TestGetNameInfoBasicIP4(t *testing.T) {
	l := newLoop(t)
	var req handles.GetNameInfoReq
	calls := 0
	require.NoError(t, handles.GetNameInfo(l, &req, dnsNameInfoOK(t, &calls), netip.MustParseAddrPort("127.0.0.1:80"), 0))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// TestGetNameInfoBasicIP4Sync looks up the names of 127.0.0.1 port 80 synchronously: they
// are in the request.
// libuv: getnameinfo_basic_ip4_sync
func TestGetNameInfoBasicIP4Sync(t *testing.T) {
	l := newLoop(t)
	var req handles.GetNameInfoReq
	require.NoError(t, handles.GetNameInfo(l, &req, nil, netip.MustParseAddrPort("127.0.0.1:80"), 0))
	require.NotEmpty(t, req.Host)
	require.NotEmpty(t, req.Service)
}

// TestGetNameInfoBasicIP6 looks up the names of [::1] port 80.
// libuv: getnameinfo_basic_ip6
func TestGetNameInfoBasicIP6(t *testing.T) {
	l := newLoop(t)
	var req handles.GetNameInfoReq
	calls := 0
	require.NoError(t, handles.GetNameInfo(l, &req, dnsNameInfoOK(t, &calls), netip.MustParseAddrPort("[::1]:80"), 0))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)
}

// dnsPoolBlocker fills every worker of the default threadpool with work that waits for
// release, so requests queued after it stay queued (libuv's saturate_threadpool).
type dnsPoolBlocker struct {
	works   []handles.Work
	release chan struct{}
	done    int
}

func dnsSaturatePool(t *testing.T, l *uv.Loop) *dnsPoolBlocker {
	t.Helper()
	b := &dnsPoolBlocker{works: make([]handles.Work, threadpool.Default().Size()), release: make(chan struct{})}
	for i := range b.works {
		require.NoError(t, handles.QueueWork(l, &b.works[i], func(*handles.Work) { <-b.release }, func(_ *handles.Work, err error) {
			require.NoError(t, err)
			b.done++
		}))
	}
	t.Cleanup(b.unblock) // never leave the shared pool blocked, even when the test fails
	return b
}

func (b *dnsPoolBlocker) unblock() {
	select {
	case <-b.release:
	default:
		close(b.release)
	}
}

// dnsCancelOnTimer cancels every request 10 ms into the run, then unblocks the pool, as
// libuv's timer_cb does.
func dnsCancelOnTimer(t *testing.T, l *uv.Loop, b *dnsPoolBlocker, cancels []func() error) *int {
	t.Helper()
	fired := new(int)
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(tm *handles.Timer) {
		for i, cancel := range cancels {
			require.NoError(t, cancel(), "cancel request %d", i)
		}
		tm.Close(nil)
		b.unblock()
		*fired++
	}, 10, 0))
	return fired
}

// TestThreadpoolCancelGetAddrInfo queues four lookups behind a blocked threadpool and cancels
// them: each callback gets EAI_CANCELED and no results.
// libuv: threadpool_cancel_getaddrinfo
func TestThreadpoolCancelGetAddrInfo(t *testing.T) {
	l := newLoop(t)
	b := dnsSaturatePool(t, l)
	var reqs [4]handles.GetAddrInfoReq
	calls := 0
	cb := func(r *handles.GetAddrInfoReq, err error, res []handles.AddrInfo) {
		require.ErrorIs(t, err, uv.EAI_CANCELED)
		require.Nil(t, res)
		calls++
	}
	require.NoError(t, handles.GetAddrInfo(l, &reqs[0], cb, "fail", "", nil))
	require.NoError(t, handles.GetAddrInfo(l, &reqs[1], cb, "", "fail", nil))
	require.NoError(t, handles.GetAddrInfo(l, &reqs[2], cb, "fail", "fail", nil))
	require.NoError(t, handles.GetAddrInfo(l, &reqs[3], cb, "fail", "", &handles.AddrInfoHints{}))

	fired := dnsCancelOnTimer(t, l, b, []func() error{reqs[0].Cancel, reqs[1].Cancel, reqs[2].Cancel, reqs[3].Cancel})
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, *fired)
	require.Equal(t, 4, calls)
	require.Equal(t, len(b.works), b.done)
}

// TestThreadpoolCancelGetNameInfo queues four reverse lookups behind a blocked threadpool and
// cancels them: each callback gets EAI_CANCELED and no names.
// libuv: threadpool_cancel_getnameinfo
func TestThreadpoolCancelGetNameInfo(t *testing.T) {
	l := newLoop(t)
	b := dnsSaturatePool(t, l)
	addr := netip.MustParseAddrPort("127.0.0.1:80")
	var reqs [4]handles.GetNameInfoReq
	calls := 0
	cb := func(r *handles.GetNameInfoReq, err error, host, service string) {
		require.ErrorIs(t, err, uv.EAI_CANCELED)
		require.Empty(t, host)
		require.Empty(t, service)
		calls++
	}
	for i := range reqs {
		require.NoError(t, handles.GetNameInfo(l, &reqs[i], cb, addr, 0))
	}

	fired := dnsCancelOnTimer(t, l, b, []func() error{reqs[0].Cancel, reqs[1].Cancel, reqs[2].Cancel, reqs[3].Cancel})
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, *fired)
	require.Equal(t, 4, calls)
	require.Equal(t, len(b.works), b.done)
}
