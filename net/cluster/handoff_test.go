package cluster

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/internal/testutil"
)

// rig is one loop with a listener and a client that connects to it again and again; the
// connection either goes straight to a reused handle (the baseline: what any server's
// accept costs) or through a distributor and an IPC socket pair to a channel, as in a
// round-robin cluster.
type rig struct {
	l        *uv.Loop
	d        distributor
	ln       *handles.TCP
	addr     netip.AddrPort
	ch       channel
	client   handles.TCP
	creq     handles.ConnectReq
	conn     handles.TCP
	got      int // connections that reached conn
	closed   int // client and conn closes
	connFn   func(*handles.ConnectReq, error)
	closedFn func()
}

// Rig modes.
const (
	rigAccept  = iota // accept into a reused handle
	rigPass           // accept, Write2 over an IPC pair, Accept there: handles alone
	rigHandoff        // the same through a distributor and a channel
)

func newRig(tb testing.TB, mode int) *rig {
	r := &rig{}
	var err error
	r.l, err = uv.NewLoop()
	require.NoError(tb, err)
	r.closedFn = func() { r.closed++ }
	r.connFn = func(*handles.ConnectReq, error) {}
	take := func(src *handles.Stream) {
		if r.conn.Init(r.l) != nil || src.Accept(&r.conn.Stream) != nil {
			tb.Errorf("accept failed")
		}
		r.got++
		r.conn.Close(r.closedFn)
	}
	if mode == rigAccept {
		r.ln, r.addr, err = listenTCP(r.l, "127.0.0.1", 0, 0, false, nil, func(ls *handles.Stream, err error) { take(ls) })
		require.NoError(tb, err)
		return r
	}
	pair, err := uv.IPCPair()
	require.NoError(tb, err)
	t := &target{pipe: new(handles.Pipe), ready: true}
	require.NoError(tb, t.pipe.Init(r.l, true))
	require.NoError(tb, t.pipe.Open(pair[0]))
	r.d.loop = r.l
	r.d.targets = []*target{t}
	if mode == rigPass {
		var tmp handles.TCP
		var wreq handles.WriteReq
		bufs := [][]byte{connMsg}
		written := func(*handles.WriteReq, error) { tmp.Close(nil) }
		r.ln, r.addr, err = listenTCP(r.l, "127.0.0.1", 0, 0, false, nil, func(ls *handles.Stream, err error) {
			if tmp.Init(r.l) != nil || ls.Accept(&tmp.Stream) != nil || t.pipe.Write2(&wreq, bufs, &tmp.Stream, written) != nil {
				tb.Errorf("pass failed")
			}
		})
	} else {
		r.ln, r.addr, err = listenTCP(r.l, "127.0.0.1", 0, 0, false, &r.d, distConnection)
	}
	r.d.ln = r.ln
	require.NoError(tb, err)
	require.NoError(tb, r.ch.pipe.Init(r.l, true))
	require.NoError(tb, r.ch.pipe.Open(pair[1]))
	r.ch.onFd = take
	r.ch.onEnd = func(error) { r.ch.close() }
	require.NoError(tb, r.ch.start())
	return r
}

// once connects, waits until the connection has been taken and both ends are closed.
func (r *rig) once(tb testing.TB) {
	got, closed := r.got, r.closed
	if r.client.Init(r.l) != nil || r.client.Connect(&r.creq, r.addr, r.connFn) != nil {
		tb.Fatal("connect failed")
	}
	for r.got == got {
		r.l.Run(uv.RunOnce)
	}
	r.client.Close(r.closedFn)
	for r.closed < closed+2 {
		r.l.Run(uv.RunOnce)
	}
}

func (r *rig) close(tb testing.TB) {
	r.ln.Close(nil)
	r.ch.close()
	for _, t := range r.d.targets {
		t.pipe.Close(nil)
	}
	_, err := r.l.Run(uv.RunDefault)
	require.NoError(tb, err)
	require.NoError(tb, r.l.Close())
}

var skipRace = testutil.SkipRace

// Handing a connection to another loop allocates nothing beyond what handles' accept and
// descriptor passing cost: the handoff (its TCP handle, write request and buffer) is
// reused, and so is everything on the receiving channel.
func TestHandoffAllocatesNothing(t *testing.T) {
	skipRace(t)
	var rigs [3]*rig
	for mode := range rigs {
		rigs[mode] = newRig(t, mode)
		defer rigs[mode].close(t)
	}
	for range 100 { // warm up: free lists, slices, the kernel's socket caches
		for _, r := range rigs {
			r.once(t)
		}
	}
	var allocs [3]float64
	for mode, r := range rigs {
		allocs[mode] = testing.AllocsPerRun(200, func() { r.once(t) })
	}
	t.Logf("allocations per connection: accept %.0f; accept and pass, handles alone %.0f; through the cluster's handoff %.0f",
		allocs[rigAccept], allocs[rigPass], allocs[rigHandoff])
	require.LessOrEqual(t, allocs[rigHandoff], allocs[rigPass])
	require.Len(t, rigs[rigHandoff].d.free, 1, "one handoff, reused")
}

// BenchmarkHandoff measures connect, accept and hand-off over the socket pair on one loop.
func BenchmarkHandoff(b *testing.B) {
	for mode, name := range []string{"accept", "accept+pass", "accept+handoff"} {
		b.Run(name, func(b *testing.B) {
			r := newRig(b, mode)
			defer r.close(b)
			b.ReportAllocs()
			for b.Loop() {
				r.once(b)
			}
		})
	}
}
