package http_test

import (
	"testing"

	uv "github.com/uv-go/uv"
)

// BenchmarkHelloTracer is BenchmarkHello with no tracer ("off": the layer crossings cost a
// nil check each, nothing is built) and with one that ignores every event ("nop-tracer":
// the crossings build their descriptions, the loop reports its system calls).
func BenchmarkHelloTracer(b *testing.B) {
	for _, mode := range []struct {
		name   string
		tracer uv.Tracer
	}{{"off", nil}, {"nop-tracer", uv.NopTracer{}}} {
		b.Run(mode.name, func(b *testing.B) {
			p := newInProc(b, helloHandler)
			p.loop.SetTracer(mode.tracer)
			n := helloLen(b, p)
			req := []byte(helloReq)
			want := 0
			cond := func() bool { return p.served == want }
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				want = p.served + 1
				p.roundTrip(b, req, want, n, cond)
			}
		})
	}
}
