package handles_test

// Stream benchmarks in the shapes of libuv's own (test/benchmark-ping-pongs.c, -pump.c,
// -pound.c, -tcp-write-batch.c), over TCP loopback:
//
//   - PingPongs: one client sends a 4-byte "PING", an echo server returns it, the client
//     sends the next on its arrival; one op is one round trip. libuv runs the echo server in
//     a separate process; the server-loop variant (a second loop on its own goroutine and OS
//     thread) is the honest comparison, the one-loop variant shows the loop alone.
//   - TCPPump1 / TCPPump100: 1 or 100 connections each keep one 8 KiB write in flight to a
//     sink server (own loop) that discards what it reads; one op is one 8 KiB write.
//   - TCP4Pound100 / TCP4Pound1000: 100 or 1000 concurrent cycles of connect, write "QS",
//     read the echo, close; one op is one cycle (one accept on the echo server, own loop).
//   - TCPWriteBatch: b.N writes of "Hello, world." queued on one connection to a blackhole
//     server (own loop), then a shutdown; one op is one write (libuv uses 1,000,000:
//     -benchtime=1000000x).
//
// Servers and clients reuse their requests and buffers, so steady state allocates nothing
// per message; per connection (pound) the handles are reused too.

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// benchServer is an echo, sink or blackhole TCP server on one loop.
type benchServer struct {
	tcp     handles.TCP
	addr    netip.AddrPort
	echo    bool
	conns   map[*benchConn]struct{}
	free    []*benchWrite // echo requests with their buffers, not in flight
	pool    []*benchConn  // closed connections, ready to be reused
	sinkBuf []byte        // the one read buffer of sink connections
	err     error         // the first unexpected error
}

// benchConn is one accepted connection.
type benchConn struct {
	tcp      handles.TCP
	srv      *benchServer
	next     *benchWrite // the echo buffer handed to the last alloc
	closedFn func()
}

// benchWrite is an echo write with the buffer it sends back.
type benchWrite struct {
	req  handles.WriteReq
	buf  []byte
	bufs [][]byte
	srv  *benchServer
}

func benchStartServer(l *uv.Loop, echo bool) (*benchServer, error) {
	s := &benchServer{echo: echo, conns: map[*benchConn]struct{}{}, sinkBuf: make([]byte, 64*1024)}
	if err := s.tcp.Init(l); err != nil {
		return nil, err
	}
	s.tcp.Data = s
	err := s.tcp.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0)
	if err == nil {
		err = s.tcp.Listen(handles.DefaultBacklog, benchOnConnection)
	}
	if err == nil {
		s.addr, err = s.tcp.Sockname()
	}
	if err != nil {
		s.tcp.Close(nil)
		return nil, err
	}
	return s, nil
}

func (s *benchServer) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// close stops listening and closes every connection.
func (s *benchServer) close() {
	if !s.tcp.IsClosing() {
		s.tcp.Close(nil)
	}
	for c := range s.conns {
		c.close()
	}
}

func benchOnConnection(ls *handles.Stream, err error) {
	s := ls.Data.(*benchServer)
	if err != nil {
		s.fail(err)
		return
	}
	var c *benchConn
	if n := len(s.pool); n > 0 {
		c = s.pool[n-1]
		s.pool = s.pool[:n-1]
	} else {
		c = &benchConn{srv: s}
		c.closedFn = func() { s.pool = append(s.pool, c) }
	}
	if err := c.tcp.Init(ls.Loop()); err != nil {
		s.fail(err)
		return
	}
	c.tcp.Data = c
	if err := ls.Accept(&c.tcp.Stream); err != nil {
		s.fail(err)
		c.tcp.Close(c.closedFn)
		return
	}
	s.conns[c] = struct{}{}
	alloc := benchSinkAlloc
	if s.echo {
		alloc = benchEchoAlloc
	}
	if err := c.tcp.ReadStart(alloc, benchServerRead); err != nil {
		s.fail(err)
		c.close()
	}
}

func (c *benchConn) close() {
	if c.tcp.IsClosing() {
		return
	}
	delete(c.srv.conns, c)
	if c.next != nil {
		c.srv.free = append(c.srv.free, c.next)
		c.next = nil
	}
	c.tcp.Close(c.closedFn)
}

func benchSinkAlloc(st *handles.Stream, _ int) []byte { return st.Data.(*benchConn).srv.sinkBuf }

// benchEchoAlloc hands out the buffer of a free echo request, so the echo writes back what
// was read without a copy.
func benchEchoAlloc(st *handles.Stream, _ int) []byte {
	c := st.Data.(*benchConn)
	if c.next == nil {
		s := c.srv
		if n := len(s.free); n > 0 {
			c.next = s.free[n-1]
			s.free = s.free[:n-1]
		} else {
			w := &benchWrite{buf: make([]byte, 64*1024), bufs: make([][]byte, 1), srv: s}
			w.req.Data = w
			c.next = w
		}
	}
	return c.next.buf
}

func benchServerRead(st *handles.Stream, data []byte, err error) {
	c := st.Data.(*benchConn)
	if err != nil {
		if err != uv.EOF && err != uv.ECONNRESET {
			c.srv.fail(err)
		}
		c.close()
		return
	}
	if !c.srv.echo || len(data) == 0 {
		return
	}
	w := c.next
	c.next = nil
	w.bufs[0] = data
	if err := st.Write(&w.req, w.bufs, benchEchoWritten); err != nil {
		c.srv.free = append(c.srv.free, w)
		c.srv.fail(err)
		c.close()
	}
}

func benchEchoWritten(req *handles.WriteReq, err error) {
	w := req.Data.(*benchWrite)
	w.bufs[0] = nil
	w.srv.free = append(w.srv.free, w)
	if err != nil && err != uv.ECANCELED && err != uv.ECONNRESET && err != uv.EPIPE {
		w.srv.fail(err)
	}
}

// benchRemote is a server running on its own loop, goroutine and OS thread, as libuv's
// benchmarks run theirs in a separate process.
type benchRemote struct {
	addr netip.AddrPort
	stop *handles.Async
	done chan error
}

func benchServeOnOwnLoop(b *testing.B, echo bool) *benchRemote {
	b.Helper()
	r := &benchRemote{done: make(chan error, 1)}
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		l, err := uv.NewLoop()
		if err != nil {
			ready <- err
			return
		}
		srv, err := benchStartServer(l, echo)
		if err == nil {
			r.addr = srv.addr
			r.stop, err = handles.NewAsync(l, func(a *handles.Async) {
				a.Close(nil)
				srv.close()
			})
		}
		if err != nil {
			l.Walk(func(h *uv.Handle) { h.Close(nil) })
			l.Run(uv.RunDefault)
			l.Close()
			ready <- err
			return
		}
		ready <- nil
		_, err = l.Run(uv.RunDefault)
		if err == nil {
			err = srv.err
		}
		if cerr := l.Close(); err == nil {
			err = cerr
		}
		r.done <- err
	}()
	if err := <-ready; err != nil {
		b.Fatal(err)
	}
	return r
}

// shutdown stops the server and waits for its loop to end.
func (r *benchRemote) shutdown(b *testing.B) {
	b.Helper()
	if err := r.stop.Send(); err != nil {
		b.Fatal(err)
	}
	if err := <-r.done; err != nil {
		b.Fatal("server:", err)
	}
}

// benchRun runs l until it has nothing left to do and closes it.
func benchRun(b *testing.B, l *uv.Loop) {
	b.Helper()
	if _, err := l.Run(uv.RunDefault); err != nil {
		b.Fatal(err)
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
}

// benchPinger is libuv's ping_pongs client.
type benchPinger struct {
	tcp    handles.TCP
	conn   handles.ConnectReq
	reqs   [2]handles.WriteReq
	busy   [2]bool
	turn   int
	ping   [][]byte
	got    int // bytes of the current pong received
	pongs  int
	target int
	onDone func()
	err    error
}

func (p *benchPinger) fail(err error) {
	if p.err == nil {
		p.err = err
	}
	if !p.tcp.IsClosing() {
		p.tcp.Close(nil)
	}
	p.onDone()
}

func (p *benchPinger) sendPing() {
	i := p.turn
	p.turn ^= 1
	if p.busy[i] {
		p.fail(fmt.Errorf("write request %d still in flight", i))
		return
	}
	p.busy[i] = true
	if err := p.tcp.Write(&p.reqs[i], p.ping, benchPingWritten); err != nil {
		p.fail(err)
	}
}

func benchPingConnected(req *handles.ConnectReq, err error) {
	p := req.Stream().Data.(*benchPinger)
	if err != nil {
		p.fail(err)
		return
	}
	if err := p.tcp.ReadStart(nil, benchPongRead); err != nil {
		p.fail(err)
		return
	}
	p.sendPing()
}

func benchPingWritten(req *handles.WriteReq, err error) {
	p := req.Stream().Data.(*benchPinger)
	p.busy[req.Data.(int)] = false
	if err != nil {
		p.fail(err)
	}
}

func benchPongRead(st *handles.Stream, data []byte, err error) {
	p := st.Data.(*benchPinger)
	if err != nil {
		p.fail(err)
		return
	}
	for _, c := range data {
		if c != "PING"[p.got] {
			p.fail(fmt.Errorf("pong %d: byte %q at %d", p.pongs, c, p.got))
			return
		}
		p.got++
		if p.got < 4 {
			continue
		}
		p.got = 0
		p.pongs++
		if p.pongs == p.target {
			p.tcp.Close(nil)
			p.onDone()
			return
		}
		p.sendPing()
	}
}

func benchPingPongs(b *testing.B, ownLoop bool) {
	l := mustLoop(b)
	var addr netip.AddrPort
	var remote *benchRemote
	var local *benchServer
	if ownLoop {
		remote = benchServeOnOwnLoop(b, true)
		addr = remote.addr
	} else {
		var err error
		if local, err = benchStartServer(l, true); err != nil {
			b.Fatal(err)
		}
		addr = local.addr
	}
	p := &benchPinger{ping: [][]byte{[]byte("PING")}, target: b.N}
	p.reqs[0].Data, p.reqs[1].Data = 0, 1
	p.onDone = func() {
		if local != nil {
			local.close()
		}
	}
	if err := p.tcp.Init(l); err != nil {
		b.Fatal(err)
	}
	p.tcp.Data = p
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if err := p.tcp.Connect(&p.conn, addr, benchPingConnected); err != nil {
		b.Fatal(err)
	}
	benchRun(b, l)
	elapsed := time.Since(start)
	b.StopTimer()
	if remote != nil {
		remote.shutdown(b)
	} else if local.err != nil {
		b.Fatal("server:", local.err)
	}
	if p.err != nil {
		b.Fatal(p.err)
	}
	if p.pongs != b.N {
		b.Fatalf("%d pongs, want %d", p.pongs, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "roundtrips/s")
}

// BenchmarkPingPongs is libuv's ping_pongs: round trips of a 4-byte message over loopback.
func BenchmarkPingPongs(b *testing.B) {
	b.Run("one-loop", func(b *testing.B) { benchPingPongs(b, false) })
	b.Run("server-loop", func(b *testing.B) { benchPingPongs(b, true) })
}

// benchPumper is libuv's tcp_pump client: each connection keeps one 8 KiB write in flight.
type benchPumper struct {
	conns     []benchPumpConn
	buf       [][]byte
	connected int
	issued    int
	written   int
	target    int
	end       time.Time
	err       error
	onReady   func()
}

type benchPumpConn struct {
	tcp  handles.TCP
	conn handles.ConnectReq
	req  handles.WriteReq
}

func (p *benchPumper) fail(err error) {
	if p.err == nil {
		p.err = err
	}
	p.closeAll()
}

func (p *benchPumper) closeAll() {
	for i := range p.conns {
		if !p.conns[i].tcp.IsClosing() {
			p.conns[i].tcp.Close(nil)
		}
	}
}

func (p *benchPumper) write(c *benchPumpConn) {
	if p.issued == p.target {
		return
	}
	p.issued++
	if err := c.tcp.Write(&c.req, p.buf, benchPumpWritten); err != nil {
		p.fail(err)
	}
}

func benchPumpConnected(req *handles.ConnectReq, err error) {
	p := req.Data.(*benchPumper)
	if err != nil {
		p.fail(err)
		return
	}
	if p.connected++; p.connected == len(p.conns) {
		p.onReady()
		for i := range p.conns {
			p.write(&p.conns[i])
		}
	}
}

func benchPumpWritten(req *handles.WriteReq, err error) {
	p := req.Data.(*benchPumper)
	if err != nil {
		p.fail(err)
		return
	}
	if p.written++; p.written == p.target {
		p.end = time.Now()
		p.closeAll()
		return
	}
	p.write(req.Stream().Data.(*benchPumpConn))
}

func benchTCPPump(b *testing.B, nconns int) {
	remote := benchServeOnOwnLoop(b, false)
	l := mustLoop(b)
	p := &benchPumper{conns: make([]benchPumpConn, nconns), buf: [][]byte{make([]byte, 8192)}, target: b.N}
	var start time.Time
	p.onReady = func() {
		b.ResetTimer()
		start = time.Now()
	}
	b.ReportAllocs()
	for i := range p.conns {
		c := &p.conns[i]
		if err := c.tcp.Init(l); err != nil {
			b.Fatal(err)
		}
		c.tcp.Data = c
		c.conn.Data, c.req.Data = p, p
		if err := c.tcp.Connect(&c.conn, remote.addr, benchPumpConnected); err != nil {
			b.Fatal(err)
		}
	}
	benchRun(b, l)
	b.StopTimer()
	remote.shutdown(b)
	if p.err != nil {
		b.Fatal(p.err)
	}
	if p.written != b.N {
		b.Fatalf("%d writes, want %d", p.written, b.N)
	}
	secs := p.end.Sub(start).Seconds()
	b.ReportMetric(float64(b.N)*8192*8/1e9/secs, "Gbit/s")
}

// BenchmarkTCPPump1 is libuv's tcp_pump1_client: one connection writing 8 KiB buffers.
func BenchmarkTCPPump1(b *testing.B) { benchTCPPump(b, 1) }

// BenchmarkTCPPump100 is libuv's tcp_pump100_client: 100 connections writing 8 KiB buffers.
func BenchmarkTCPPump100(b *testing.B) { benchTCPPump(b, 100) }

// benchPounder is libuv's tcp4_pound client: each slot connects, writes "QS", closes on the
// first read, and reconnects from the close callback.
type benchPounder struct {
	slots    []benchPoundSlot
	addr     netip.AddrPort
	loop     *uv.Loop
	msg      [][]byte
	readBuf  []byte
	started  int
	finished int
	failed   int
	target   int
	err      error
}

type benchPoundSlot struct {
	tcp      handles.TCP
	conn     handles.ConnectReq
	req      handles.WriteReq
	p        *benchPounder
	closedFn func()
}

func (p *benchPounder) start(s *benchPoundSlot) {
	if p.started == p.target || p.err != nil {
		return
	}
	p.started++
	if err := s.tcp.Init(p.loop); err != nil {
		p.err = err
		return
	}
	s.tcp.Data = s
	if err := s.tcp.Connect(&s.conn, p.addr, benchPoundConnected); err != nil {
		p.err = err
		s.tcp.Close(s.closedFn)
	}
}

func (s *benchPoundSlot) closed() {
	p := s.p
	p.finished++
	p.start(s)
}

func benchPoundConnected(req *handles.ConnectReq, err error) {
	s := req.Stream().Data.(*benchPoundSlot)
	if err != nil {
		s.p.failed++
		s.tcp.Close(s.closedFn)
		return
	}
	if err := s.tcp.ReadStart(benchPoundAlloc, benchPoundRead); err != nil {
		s.p.err = err
		s.tcp.Close(s.closedFn)
		return
	}
	if err := s.tcp.Write(&s.req, s.p.msg, benchPoundWritten); err != nil {
		s.p.err = err
		s.tcp.Close(s.closedFn)
	}
}

func benchPoundWritten(req *handles.WriteReq, err error) {
	s := req.Stream().Data.(*benchPoundSlot)
	if err != nil && err != uv.ECANCELED {
		s.p.failed++
		if !s.tcp.IsClosing() {
			s.tcp.Close(s.closedFn)
		}
	}
}

func benchPoundAlloc(st *handles.Stream, _ int) []byte {
	return st.Data.(*benchPoundSlot).p.readBuf
}

func benchPoundRead(st *handles.Stream, data []byte, err error) {
	s := st.Data.(*benchPoundSlot)
	if err == nil && len(data) == 0 {
		return
	}
	if err != nil && err != uv.EOF {
		s.p.failed++
	}
	s.tcp.Close(s.closedFn)
}

func benchTCP4Pound(b *testing.B, concurrency int) {
	remote := benchServeOnOwnLoop(b, true)
	l := mustLoop(b)
	p := &benchPounder{
		slots: make([]benchPoundSlot, min(concurrency, b.N)), addr: remote.addr, loop: l,
		msg: [][]byte{[]byte("QS")}, readBuf: make([]byte, 64*1024), target: b.N,
	}
	for i := range p.slots {
		s := &p.slots[i]
		s.p = p
		s.closedFn = s.closed
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range p.slots {
		p.start(&p.slots[i])
	}
	benchRun(b, l)
	elapsed := time.Since(start)
	b.StopTimer()
	remote.shutdown(b)
	if p.err != nil {
		b.Fatal(p.err)
	}
	if p.finished != b.N {
		b.Fatalf("%d cycles finished, want %d", p.finished, b.N)
	}
	b.ReportMetric(float64(p.finished-p.failed)/elapsed.Seconds(), "accepts/s")
	b.ReportMetric(float64(p.failed), "failed")
}

// BenchmarkTCP4Pound100 is libuv's tcp4_pound_100: 100 concurrent connect/write/close cycles.
func BenchmarkTCP4Pound100(b *testing.B) { benchTCP4Pound(b, 100) }

// BenchmarkTCP4Pound1000 is libuv's tcp4_pound_1000: 1000 concurrent cycles.
func BenchmarkTCP4Pound1000(b *testing.B) { benchTCP4Pound(b, 1000) }

// benchBatch is libuv's tcp_write_batch client.
type benchBatch struct {
	tcp     handles.TCP
	conn    handles.ConnectReq
	reqs    []handles.WriteReq
	bufs    [][]byte
	shut    handles.ShutdownReq
	written int
	shutErr error
	shutQ   int // bytes still queued when the shutdown completed
	err     error
}

func benchBatchConnected(req *handles.ConnectReq, err error) {
	w := req.Stream().Data.(*benchBatch)
	if err != nil {
		w.err = err
		w.tcp.Close(nil)
		return
	}
	for i := range w.reqs {
		if err := w.tcp.Write(&w.reqs[i], w.bufs, benchBatchWritten); err != nil {
			w.err = err
			w.tcp.Close(nil)
			return
		}
	}
	if err := w.tcp.Shutdown(&w.shut, benchBatchShut); err != nil {
		w.err = err
		w.tcp.Close(nil)
	}
}

func benchBatchWritten(req *handles.WriteReq, err error) {
	w := req.Stream().Data.(*benchBatch)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.written++
}

func benchBatchShut(req *handles.ShutdownReq, err error) {
	w := req.Stream().Data.(*benchBatch)
	w.shutErr, w.shutQ = err, w.tcp.WriteQueueSize()
	w.tcp.Close(nil)
}

// BenchmarkTCPWriteBatch is libuv's tcp_write_batch: b.N writes of "Hello, world." queued at
// once on one connection, then a shutdown.
func BenchmarkTCPWriteBatch(b *testing.B) {
	remote := benchServeOnOwnLoop(b, false)
	l := mustLoop(b)
	w := &benchBatch{reqs: make([]handles.WriteReq, b.N), bufs: [][]byte{[]byte("Hello, world.")}}
	if err := w.tcp.Init(l); err != nil {
		b.Fatal(err)
	}
	w.tcp.Data = w
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if err := w.tcp.Connect(&w.conn, remote.addr, benchBatchConnected); err != nil {
		b.Fatal(err)
	}
	benchRun(b, l)
	elapsed := time.Since(start)
	b.StopTimer()
	remote.shutdown(b)
	if w.err != nil {
		b.Fatal(w.err)
	}
	if w.shutErr != nil || w.shutQ != 0 {
		b.Fatalf("shutdown: %v with %d bytes queued", w.shutErr, w.shutQ)
	}
	if w.written != b.N {
		b.Fatalf("%d write callbacks, want %d", w.written, b.N)
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/write")
}
