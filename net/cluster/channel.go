package cluster

import (
	"sync/atomic"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// The channel protocol between an accepting loop and a worker: every handed connection is
// one byte, connMsg, written with the connection's descriptor; a worker process writes
// readyMsg once it serves.
var (
	connMsg  = []byte{'c'}
	readyMsg = []byte{'r'}
)

// target is a destination of the round-robin: the accepting loop's own server, or the IPC
// pipe to another loop or to a worker process.
type target struct {
	local  *net.Server
	pipe   *handles.Pipe
	ready  bool
	handed atomic.Uint64 // connections handed over (written to its channel); read from other goroutines
}

// distributor is Node's round-robin handle: it owns the listening socket and hands each
// connection to the next ready target. Everything but handed runs on the distributor's
// loop.
type distributor struct {
	loop    *uv.Loop
	ln      *handles.TCP
	targets []*target
	next    int
	waiting bool // a connection waits on the listener for a ready target
	closed  bool
	free    []*handoff
}

// handoff is one connection on its way to a worker: accepted here, written with Write2,
// then closed here once the write is done (the receiver holds its own descriptor by then).
// Handoffs are reused, so steady-state handing allocates nothing.
type handoff struct {
	tcp      handles.TCP
	req      handles.WriteReq
	bufs     [][]byte
	closedFn func()
}

func (d *distributor) get() *handoff {
	if n := len(d.free); n > 0 {
		h := d.free[n-1]
		d.free = d.free[:n-1]
		return h
	}
	h := &handoff{bufs: [][]byte{connMsg}}
	h.req.Data = h
	h.closedFn = func() { d.free = append(d.free, h) }
	return h
}

// distConnection is the listener's connection callback.
func distConnection(ls *handles.Stream, err error) {
	d := ls.Data.(*distributor)
	if err != nil || d.closed {
		return // as in libuv, accept errors are not reported
	}
	d.dispatch()
}

// pick returns the next ready target, round-robin, or nil.
func (d *distributor) pick(pipesOnly bool) *target {
	for range d.targets {
		t := d.targets[d.next]
		if d.next++; d.next == len(d.targets) {
			d.next = 0
		}
		if t.ready && (t.pipe != nil || !pipesOnly) {
			return t
		}
	}
	return nil
}

// dispatch hands the connection waiting on the listener to the next ready target. With
// none ready it leaves it waiting, which pauses accepting (the kernel's backlog holds the
// rest) until kick.
func (d *distributor) dispatch() {
	t := d.pick(false)
	if t == nil {
		d.waiting = true
		return
	}
	d.waiting = false
	if t.local != nil {
		if t.local.AcceptFrom(&d.ln.Stream) == nil {
			t.handed.Add(1)
		}
		return
	}
	h := d.get()
	if err := h.tcp.Init(d.loop); err != nil {
		d.free = append(d.free, h)
		return
	}
	if err := d.ln.Accept(&h.tcp.Stream); err != nil {
		h.tcp.Close(h.closedFn)
		return
	}
	for t != nil {
		if err := t.pipe.Write2(&h.req, h.bufs, &h.tcp.Stream, handedOff); err == nil {
			t.handed.Add(1)
			return
		}
		t.ready = false // its peer is gone; the owner learns it from the channel too
		t = d.pick(true)
	}
	h.tcp.Close(h.closedFn) // nobody to take it: the client sees the connection end
}

// handedOff closes the connection here once its descriptor is on its way (or, if the write
// failed, lost with the worker).
func handedOff(req *handles.WriteReq, err error) {
	h := req.Data.(*handoff)
	h.tcp.Close(h.closedFn)
}

// kick hands over a connection left waiting, once a target is ready again.
func (d *distributor) kick() {
	if d.waiting && !d.closed {
		d.dispatch()
	}
}

// close stops listening. Handoffs in flight finish, or fail with ECANCELED when their
// pipes close; either way their connections are closed here.
func (d *distributor) close() {
	if d.closed {
		return
	}
	d.closed = true
	if d.ln != nil && !d.ln.IsClosing() {
		d.ln.Close(nil)
	}
}

// channel is the receiving side of an IPC pipe: bytes go to onMsg, received descriptors to
// onFd (which must take them with Accept), and EOF or a read error to onEnd.
type channel struct {
	pipe  handles.Pipe
	onMsg func(b byte)
	onFd  func(src *handles.Stream)
	onEnd func(err error)
}

func (ch *channel) start() error {
	ch.pipe.Data = ch
	return ch.pipe.ReadStart(nil, channelRead)
}

func channelRead(st *handles.Stream, buf []byte, err error) {
	ch := st.Data.(*channel)
	if err != nil {
		ch.onEnd(err)
		return
	}
	// Only TCP handles are ever sent on a channel, so PendingType (a getsockname and an
	// allocation per descriptor) is not consulted.
	for n := ch.pipe.PendingCount(); n > 0; n-- {
		if ch.onFd == nil {
			dropPending(&ch.pipe)
			continue
		}
		ch.onFd(&ch.pipe.Stream)
		if ch.pipe.PendingCount() >= n {
			dropPending(&ch.pipe) // not taken: close it rather than spin
		}
	}
	if ch.onMsg != nil {
		for _, b := range buf {
			ch.onMsg(b)
		}
	}
}

// dropPending takes the next received descriptor and closes it.
func dropPending(p *handles.Pipe) {
	var t handles.TCP
	if t.Init(p.Loop()) != nil {
		return
	}
	p.Accept(&t.Stream)
	t.Close(nil)
}

// close closes the pipe if it is open.
func (ch *channel) close() {
	if ch.pipe.Loop() != nil && !ch.pipe.IsClosing() {
		ch.pipe.Close(nil)
	}
}

// serveFrom makes the worker's server take the connections that arrive on a channel; one
// it cannot take is dropped by channelRead.
func serveFrom(srv *net.Server) func(src *handles.Stream) {
	return func(src *handles.Stream) { srv.AcceptFrom(src) }
}
