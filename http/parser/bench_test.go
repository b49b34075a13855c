package parser

import (
	"strings"
	"testing"
)

// wrkMinimal is what plain `wrk http://127.0.0.1:3000/` sends.
const wrkMinimal = "GET / HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n"

// wrkRequest8080 is the request of the hello-server benchmark (issue 8).
const wrkRequest8080 = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"

// curlRequest is what curl (or a browser, give or take a few fields) sends
// to a local server.
const curlRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\n" +
	"Accept: */*\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\r\n"

const chunkedPost = "POST /upload HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n" +
	"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
	"1b\r\n{\"id\":1,\"name\":\"alpha\",\"x\":\r\n" +
	"12;ext=1\r\n[1,2,3,4,5,6,7,8]}\r\n" +
	"0\r\n\r\n"

// counter is a handler doing the least a server would: noting the end of
// each message.
type counter struct {
	NopHandler
	n    int
	body int
}

func (c *counter) OnBody(b []byte) error    { c.body += len(b); return nil }
func (c *counter) OnMessageComplete() error { c.n++; return nil }

func benchParse(b *testing.B, req string, perCall int) {
	b.Run("hooks", func(b *testing.B) { benchParseCfg(b, req, perCall, Config{}) })
	b.Run("spans", func(b *testing.B) { benchParseCfg(b, req, perCall, Config{SpansOnly: true}) })
}

//go:noinline
func benchParseCfg(b *testing.B, req string, perCall int, cfg Config) {
	in := []byte(strings.Repeat(req, perCall))
	h := &counter{}
	p := New(cfg, h)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += perCall {
		if _, err := p.Execute(in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if h.n < b.N {
		b.Fatalf("%d messages for b.N=%d", h.n, b.N)
	}
}

// One request per Execute, as a keep-alive connection without pipelining.
func BenchmarkWrkMinimalGET(b *testing.B)        { benchParse(b, wrkMinimal, 1) }
func BenchmarkWrkRequest(b *testing.B)           { benchParse(b, wrkRequest8080, 1) }
func BenchmarkCurlRequest(b *testing.B)          { benchParse(b, curlRequest, 1) }
func BenchmarkWrkPlaintextGET(b *testing.B)      { benchParse(b, wrkRequest, 1) }
func BenchmarkBrowserGET(b *testing.B)           { benchParse(b, browserRequest, 1) }
func BenchmarkChunkedPOST(b *testing.B)          { benchParse(b, chunkedPost, 1) }
func BenchmarkPipelined16Plaintext(b *testing.B) { benchParse(b, wrkRequest, 16) }

// The same request arriving in 3 pieces (headers split across reads).
func BenchmarkPlaintextGETSplit3(b *testing.B) {
	in := []byte(wrkRequest)
	pieces := [][]byte{in[:10], in[10:60], in[60:]}
	h := &counter{}
	p := New(Config{}, h)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, piece := range pieces {
			if _, err := p.Execute(piece); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// A handler that records every header the way a server building a request
// object would (reading the spans), to show the span API's cost.
type spanReader struct {
	NopHandler
	p    *Parser
	sink int
}

func (s *spanReader) OnHeadersComplete(info Info) error {
	buf := s.p.Buffer()
	for _, f := range s.p.Headers() {
		s.sink += len(f.Name.In(buf)) + len(f.Value.In(buf))
	}
	s.sink += len(s.p.Target())
	return nil
}

func BenchmarkPlaintextGETWithSpans(b *testing.B) {
	in := []byte(wrkRequest)
	h := &spanReader{}
	p := New(Config{}, h)
	h.p = p
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := p.Execute(in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestZeroAllocs proves the steady state allocates nothing per request:
// keep-alive GETs, pipelined requests, chunked bodies with extensions and
// trailers, split reads, responses.
func TestZeroAllocs(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		pieces []string
	}{
		{"wrk minimal", Config{}, []string{wrkMinimal}},
		{"plaintext", Config{}, []string{wrkRequest}},
		{"browser", Config{}, []string{browserRequest}},
		{"pipelined", Config{}, []string{strings.Repeat(wrkRequest, 8)}},
		{"chunked", Config{}, []string{chunkedPost}},
		{"chunked trailers split", Config{}, []string{chunkedHead[:20], chunkedHead[20:] + "3;a=\"q\"\r\nab", "c\r\n0\r\nT: 1\r", "\n\r\n"}},
		{"split", Config{}, []string{wrkRequest[:7], wrkRequest[7:33], wrkRequest[33:]}},
		{"response", Config{Mode: ModeResponse}, []string{"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nDate: x\r\n\r\nHello, World!"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var pieces [][]byte
			for _, s := range c.pieces {
				pieces = append(pieces, []byte(s))
			}
			h := &counter{}
			p := New(c.cfg, h)
			run := func() {
				for _, piece := range pieces {
					if _, err := p.Execute(piece); err != nil {
						t.Fatal(err)
					}
				}
			}
			run() // warm up: the fields slice reaches its size
			allocs := testing.AllocsPerRun(200, run)
			if allocs != 0 {
				t.Fatalf("%v allocations per run", allocs)
			}
			if h.n < 201 {
				t.Fatalf("only %d messages parsed", h.n)
			}
		})
	}
}
