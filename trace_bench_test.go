package uv_test

// The cost of tracing and phase timing on the loop's hot paths: the same benchmark with
// nothing attached (the zero-cost claim), with a tracer that ignores every event (the cost
// of the hooks themselves), with the text and JSON printers writing to io.Discard, and with
// Configure(MetricsPhaseTime). Compare the "off" rows with handles' BenchmarkLoopCount,
// BenchmarkPingPongs and BenchmarkMillionTimers* on a tree without tracing.

import (
	"io"
	"net/netip"
	"testing"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

type traceMode struct {
	name  string
	setup func(l *uv.Loop)
}

var traceModes = []traceMode{
	{"off", func(*uv.Loop) {}},
	{"nop-tracer", func(l *uv.Loop) { l.SetTracer(uv.NopTracer{}) }},
	{"text", func(l *uv.Loop) { l.SetTracer(uv.NewTextPrinter(io.Discard)) }},
	{"json", func(l *uv.Loop) { l.SetTracer(uv.NewJSONPrinter(io.Discard)) }},
	{"phase-time", func(l *uv.Loop) { l.Configure(uv.MetricsPhaseTime) }},
}

func newBenchLoop(b *testing.B, m traceMode) *uv.Loop {
	l, err := uv.NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	l.SetTracer(nil) // in case UV_TRACE is set
	m.setup(l)
	return l
}

func closeBenchLoop(b *testing.B, l *uv.Loop) {
	l.Walk(func(h *uv.Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
	l.Run(uv.RunDefault)
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTraceLoopCount is handles' BenchmarkLoopCount (libuv's loop_count): ns per loop
// iteration with one idle handle.
func BenchmarkTraceLoopCount(b *testing.B) {
	for _, m := range traceModes {
		b.Run(m.name, func(b *testing.B) {
			l := newBenchLoop(b, m)
			idle, _ := handles.NewIdle(l)
			n, stop := 0, b.N
			idle.Start(func(i *handles.Idle) {
				if n++; n >= stop {
					i.Stop()
				}
			})
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := l.Run(uv.RunDefault); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			closeBenchLoop(b, l)
		})
	}
}

// BenchmarkTraceTimers starts and fires timers in batches of 10,000 (all due at once, one
// loop run per batch): ns per timer started, fired and stopped.
func BenchmarkTraceTimers(b *testing.B) {
	const batch = 10000
	for _, m := range traceModes {
		b.Run(m.name, func(b *testing.B) {
			l := newBenchLoop(b, m)
			ts := make([]handles.Timer, batch)
			for i := range ts {
				ts[i].Init(l)
			}
			fired := 0
			cb := func(*handles.Timer) { fired++ }
			b.ReportAllocs()
			b.ResetTimer()
			for left := b.N; left > 0; left -= batch {
				n := min(left, batch)
				for i := range n {
					ts[i].Start(cb, 0, 0)
				}
				if _, err := l.Run(uv.RunDefault); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if fired != b.N {
				b.Fatalf("fired %d of %d", fired, b.N)
			}
			closeBenchLoop(b, l)
		})
	}
}

// BenchmarkTraceTimerStartStop is the handle transition alone: ns per Timer.Start and Stop.
func BenchmarkTraceTimerStartStop(b *testing.B) {
	for _, m := range traceModes {
		b.Run(m.name, func(b *testing.B) {
			l := newBenchLoop(b, m)
			t, _ := handles.NewTimer(l)
			cb := func(*handles.Timer) {}
			b.ReportAllocs()
			for b.Loop() {
				t.Start(cb, 1000, 0)
				t.Stop()
			}
			closeBenchLoop(b, l)
		})
	}
}

// pingPong is libuv's ping_pongs on one loop: a 4-byte message echoed back and forth over
// loopback; one op is one round trip.
type pingPong struct {
	server, client, conn handles.TCP
	reqs                 [2]handles.WriteReq
	msg                  [][]byte
	got, left            int
	err                  error
	// onServerRead and onWritten, if set, run in the server's read callback and in the
	// client's write callbacks (the introspection tests make them slow).
	onServerRead, onWritten func()
	writtenFn               func(*handles.WriteReq, error) // p.written, bound once
}

func (p *pingPong) fail(err error) {
	if p.err == nil {
		p.err = err
	}
	p.client.Close(nil)
	p.conn.Close(nil)
	p.server.Close(nil)
}

func (p *pingPong) written(_ *handles.WriteReq, err error) {
	if err != nil {
		p.fail(err)
	} else if p.onWritten != nil {
		p.onWritten()
	}
}

func newPingPong(b *testing.B, l *uv.Loop) *pingPong {
	p := &pingPong{msg: [][]byte{[]byte("PING")}}
	p.writtenFn = p.written
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(p.server.Init(l))
	must(p.server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	must(p.server.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		if err == nil {
			err = p.conn.Init(l)
		}
		if err == nil {
			err = s.Accept(&p.conn.Stream)
		}
		if err == nil {
			err = p.conn.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
				if err != nil {
					p.fail(err)
					return
				}
				if p.onServerRead != nil {
					p.onServerRead()
				}
				if err := s.Write(&p.reqs[1], p.msg, nil); err != nil {
					p.fail(err)
				}
			})
		}
		if err != nil {
			p.fail(err)
		}
	}))
	addr, err := p.server.Sockname()
	must(err)
	must(p.client.Init(l))
	var creq handles.ConnectReq
	must(p.client.Connect(&creq, addr, func(_ *handles.ConnectReq, err error) {
		if err == nil {
			err = p.client.ReadStart(nil, func(s *handles.Stream, buf []byte, err error) {
				if err != nil {
					p.fail(err)
					return
				}
				if p.got += len(buf); p.got < 4 {
					return
				}
				p.got = 0
				if p.left--; p.left <= 0 {
					p.client.Close(nil)
					p.conn.Close(nil)
					p.server.Close(nil)
					return
				}
				if err := s.Write(&p.reqs[0], p.msg, p.writtenFn); err != nil {
					p.fail(err)
				}
			})
		}
		if err == nil {
			err = p.client.Write(&p.reqs[0], p.msg, p.writtenFn)
		}
		if err != nil {
			p.fail(err)
		}
	}))
	return p
}

// BenchmarkTracePingPong is handles' BenchmarkPingPongs/one-loop: ns per round trip.
func BenchmarkTracePingPong(b *testing.B) {
	for _, m := range traceModes {
		b.Run(m.name, func(b *testing.B) {
			l := newBenchLoop(b, m)
			p := newPingPong(b, l)
			p.left = b.N
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := l.Run(uv.RunDefault); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if p.err != nil {
				b.Fatal(p.err)
			}
			if p.left > 0 {
				b.Fatalf("%d round trips left", p.left)
			}
			closeBenchLoop(b, l)
		})
	}
}
