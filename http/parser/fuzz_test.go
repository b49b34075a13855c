package parser

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// fuzzConfig derives a configuration from the first input byte, so that
// the fuzzer explores both modes and small limits.
func fuzzConfig(sel byte) Config {
	cfg := Config{}
	if sel&1 != 0 {
		cfg.Mode = ModeResponse
	}
	if sel&2 != 0 {
		cfg.MaxHeaderSize = 64 + int(sel>>2)*8
	}
	if sel&4 != 0 {
		cfg.MaxTargetSize = 8 + int(sel>>3)
	}
	if sel&8 != 0 {
		cfg.MaxChunkExtSize = 4 + int(sel>>4)
	}
	return cfg
}

// checkSplits feeds in whole, byte by byte and in splits drawn from seed,
// and fails if the results differ.
func checkSplits(t *testing.T, cfg Config, in []byte, eof bool, seed int64) result {
	ref := feed(cfg, whole(in), eof)
	if got := feed(cfg, bytewise(in), eof); !reflect.DeepEqual(ref, got) {
		t.Fatalf("byte by byte differs\nwhole: %s\nsplit: %s", ref, got)
	}
	rng := rand.New(rand.NewSource(seed))
	for k := 0; k < 3; k++ {
		if got := feed(cfg, randomSplit(in, rng), eof); !reflect.DeepEqual(ref, got) {
			t.Fatalf("random split differs\nwhole: %s\nsplit: %s", ref, got)
		}
	}
	return ref
}

// FuzzParser checks that no input makes the parser panic, that any split
// of the input gives the same calls and result, and basic invariants.
func FuzzParser(f *testing.F) {
	for _, c := range requestCases {
		f.Add(append([]byte{0}, c.in...))
	}
	for _, c := range responseCases {
		f.Add(append([]byte{1}, c.in...))
	}
	f.Add(append([]byte{2}, wrkRequest...))
	f.Add(append([]byte{6}, browserRequest...))
	f.Add(append([]byte{0}, curlRequest...))
	f.Add(append([]byte{0}, strings.Repeat(wrkRequest8080, 2)...))
	f.Add(append([]byte{8}, chunkedPost...))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > 8<<10 {
			return
		}
		cfg := fuzzConfig(data[0])
		in := data[1:]
		res := checkSplits(t, cfg, in, cfg.Mode == ModeResponse, int64(len(in)))
		if res.consumed > len(in) {
			t.Fatalf("consumed %d of %d", res.consumed, len(in))
		}
		if res.err != nil {
			e, ok := res.err.(*Error)
			if !ok {
				t.Fatalf("error of type %T: %v", res.err, res.err)
			}
			if e != ErrUpgrade && e.Status < 400 {
				t.Fatalf("error %v without a failure status", e)
			}
		}
		// The spans of a parsed message stay inside the buffer, and what a
		// handler saw matches the accessors.
		p := New(cfg, &spanChecker{t: t})
		p.h.(*spanChecker).p = p
		p.Execute(in)
		if cfg.Mode == ModeResponse {
			p.Finish()
		}
	})
}

type spanChecker struct {
	NopHandler
	t *testing.T
	p *Parser
}

func (s *spanChecker) OnHeadersComplete(info Info) error {
	buf := s.p.Buffer()
	for _, f := range s.p.Headers() {
		for _, sp := range []Span{f.Name, f.Value} {
			if int(sp.Off+sp.Len) > len(buf) {
				s.t.Fatalf("span %v outside buffer of %d", sp, len(buf))
			}
		}
		name, value := f.Name.In(buf), f.Value.In(buf)
		if len(name) == 0 || bytes.ContainsAny(name, ": \t\r\n") {
			s.t.Fatalf("bad header name %q", name)
		}
		if bytes.ContainsAny(value, "\r\n\x00") || bytes.HasPrefix(value, []byte(" ")) || bytes.HasSuffix(value, []byte(" ")) {
			s.t.Fatalf("bad header value %q", value)
		}
	}
	if info.Flags&FlagChunked != 0 && info.Flags&FlagContentLength != 0 {
		s.t.Fatalf("both chunked and Content-Length: %+v", info)
	}
	if s.p.Mode() == ModeRequest && info.Minor == 1 && s.p.hostCount != 1 {
		s.t.Fatalf("HTTP/1.1 request with %d Host headers", s.p.hostCount)
	}
	return nil
}

// FuzzChunked checks the chunked decoder against a straightforward
// reference decoder written from RFC 9112's grammar, and for split
// invariance.
func FuzzChunked(f *testing.F) {
	seeds := []string{
		"0\r\n\r\n",
		"5\r\nhello\r\n0\r\n\r\n",
		"3;a=b;c;d=\"x\\\"y\"\r\nabc\r\n0\r\nT: v\r\n\r\n",
		"A\r\n0123456789\r\n0;last\r\nX:  1 \r\nY:\r\n\r\n",
		"00000A\r\n0123456789\r\n0\r\n\r\n",
		"3\r\nabcX\r\n0\r\n\r\n",
		"fffffffffffffffff\r\n",
		"3 \r\nabc\r\n0\r\n\r\n",
		"3;a=\"\\\r\nabc\r\n0\r\n\r\n",
		"1\r\nx\r\n0\r\nContent-Length: 1\r\n\r\n",
		"2\r\nab\r\n0\r\nT: a\r\n b\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 4<<10 {
			return
		}
		in := append([]byte(chunkedHead), body...)
		want := refChunked(body)

		rec := &recorder{pauseComplete: true}
		p := New(Config{}, rec)
		rec.p = p
		n, err := p.Execute(in)
		switch want.status {
		case refOK:
			if err != ErrPause {
				t.Fatalf("reference decodes %q, parser: n=%d err=%v\n%s", body, n, err, strings.Join(rec.ev, "\n"))
			}
			if n != len(chunkedHead)+want.consumed {
				t.Fatalf("consumed %d, want %d", n-len(chunkedHead), want.consumed)
			}
			got := summarize(rec.ev)
			if got != want.summary() {
				t.Fatalf("decoded differently\nparser:    %s\nreference: %s", got, want.summary())
			}
		case refInvalid:
			if _, ok := err.(*Error); !ok || err == ErrPause {
				t.Fatalf("reference rejects %q (%s), parser: n=%d err=%v", body, want.why, n, err)
			}
		case refIncomplete:
			if err != nil {
				t.Fatalf("reference wants more of %q, parser: n=%d err=%v", body, n, err)
			}
		}
		checkSplits(t, Config{}, in, false, int64(len(body)))
	})
}

// summarize reduces the recorder's events to the decoded content.
func summarize(ev []string) string {
	var b strings.Builder
	for _, e := range ev {
		switch {
		case strings.HasPrefix(e, "body "), strings.HasPrefix(e, "ext "), strings.HasPrefix(e, "trailer "):
			b.WriteString(e)
			b.WriteString("|")
		}
	}
	return b.String()
}

type refStatus int

const (
	refOK refStatus = iota
	refInvalid
	refIncomplete
)

type refResult struct {
	status   refStatus
	why      string
	consumed int
	ev       []string // ext and trailer events in the recorder's format
}

func (r refResult) summary() string {
	var b strings.Builder
	for _, e := range r.ev {
		b.WriteString(e)
		b.WriteString("|")
	}
	return b.String()
}

func isTchar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isVchar(c byte) bool { return c >= 0x21 && c <= 0x7e || c >= 0x80 }

// refChunked decodes a complete chunked body the obvious way.
func refChunked(b []byte) refResult {
	var r refResult
	i := 0
	bad := func(why string) refResult { return refResult{status: refInvalid, why: why} }
	more := refResult{status: refIncomplete}
	crlf := func() (bool, *refResult) {
		if i >= len(b) {
			return false, &more
		}
		if b[i] != '\r' {
			return false, nil
		}
		if i+1 >= len(b) {
			return false, &more
		}
		if b[i+1] != '\n' {
			return false, nil
		}
		i += 2
		return true, nil
	}
	for {
		// chunk-size
		start := i
		var size uint64
		for i < len(b) && strings.IndexByte("0123456789abcdefABCDEF", b[i]) >= 0 {
			if size>>60 != 0 {
				return bad("size overflow")
			}
			var d uint64
			switch c := b[i]; {
			case c <= '9':
				d = uint64(c - '0')
			case c >= 'a':
				d = uint64(c-'a') + 10
			default:
				d = uint64(c-'A') + 10
			}
			size = size<<4 | d
			i++
		}
		if i >= len(b) {
			return more
		}
		if i == start {
			return bad("no size digits")
		}
		// chunk-ext
		for i < len(b) && b[i] == ';' {
			i++
			ns := i
			for i < len(b) && isTchar(b[i]) {
				i++
			}
			if i >= len(b) {
				return more
			}
			if i == ns {
				return bad("empty ext name")
			}
			name := string(b[ns:i])
			var value []byte
			if b[i] == '=' {
				i++
				if i >= len(b) {
					return more
				}
				if b[i] == '"' {
					i++
					for {
						if i >= len(b) {
							return more
						}
						c := b[i]
						if c == '"' {
							i++
							break
						}
						if c == '\\' {
							i++
							if i >= len(b) {
								return more
							}
							if c2 := b[i]; c2 == '\t' || c2 == ' ' || isVchar(c2) {
								value = append(value, c2)
								i++
								continue
							}
							return bad("bad quoted pair")
						}
						if c == '\t' || c == ' ' || isVchar(c) && c != '\\' {
							value = append(value, c)
							i++
							continue
						}
						return bad("bad quoted text")
					}
				} else {
					vs := i
					for i < len(b) && isTchar(b[i]) {
						i++
					}
					if i >= len(b) {
						return more
					}
					if i == vs {
						return bad("empty ext value")
					}
					value = b[vs:i]
				}
			}
			if i >= len(b) {
				return more
			}
			if b[i] != ';' && b[i] != '\r' {
				return bad("junk after ext")
			}
			r.ev = append(r.ev, fmt.Sprintf("ext %q=%q", name, value))
		}
		if ok, m := crlf(); m != nil {
			return *m
		} else if !ok {
			return bad("no CRLF after size")
		}
		if size == 0 {
			break
		}
		if uint64(len(b)-i) < size {
			return more
		}
		r.ev = append(r.ev, "body "+string(b[i:i+int(size)]))
		i += int(size)
		if ok, m := crlf(); m != nil {
			return *m
		} else if !ok {
			return bad("no CRLF after data")
		}
	}
	// trailer section
	for {
		if ok, m := crlf(); m != nil {
			return *m
		} else if ok {
			break
		}
		ns := i
		for i < len(b) && isTchar(b[i]) {
			i++
		}
		if i >= len(b) {
			return more
		}
		if i == ns || b[i] != ':' {
			return bad("bad trailer name")
		}
		name := string(b[ns:i])
		i++
		vs := i
		for i < len(b) && (b[i] == '\t' || b[i] == ' ' || isVchar(b[i])) {
			i++
		}
		if i >= len(b) {
			return more
		}
		value := strings.Trim(string(b[vs:i]), " \t")
		if ok, m := crlf(); m != nil {
			return *m
		} else if !ok {
			return bad("no CRLF after trailer")
		}
		if lname := strings.ToLower(name); lname == "content-length" || lname == "transfer-encoding" {
			return bad("framing trailer")
		}
		r.ev = append(r.ev, fmt.Sprintf("trailer %q: %q", name, value))
	}
	r.consumed = i
	return r
}

// TestReferenceChunked keeps the reference decoder honest on known inputs.
func TestReferenceChunked(t *testing.T) {
	r := refChunked([]byte("3;a=\"x\\\"y\"\r\nabc\r\n2\r\nde\r\n0\r\nT: 1 \r\n\r\nrest"))
	if r.status != refOK || r.consumed != len("3;a=\"x\\\"y\"\r\nabc\r\n2\r\nde\r\n0\r\nT: 1 \r\n\r\n") {
		t.Fatalf("%+v", r)
	}
	if got, want := r.summary(), `ext "a"="x\"y"|body abc|body de|trailer "T": "1"|`; got != want {
		t.Fatalf("summary %s, want %s", got, want)
	}
	for _, in := range []string{"3\r\nabc", "3;a", "0\r\nT: v\r\n", "0\r\n\r"} {
		if r := refChunked([]byte(in)); r.status != refIncomplete {
			t.Fatalf("%q: %+v", in, r)
		}
	}
	for _, in := range []string{"3 \r\n", "3;a=\r\n", "g\r\n", "1\r\nxy", "0\r\n x\r\n"} {
		if r := refChunked([]byte(in)); r.status != refInvalid {
			t.Fatalf("%q: %+v", in, r)
		}
	}
}
