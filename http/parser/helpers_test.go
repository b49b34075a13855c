package parser

import (
	"fmt"
	"math/rand"
	"strings"
)

// recorder is a Handler that writes every call into a log, with consecutive
// body calls merged so that logs of different splits compare equal.
type recorder struct {
	p             *Parser
	ev            []string
	pauseComplete bool // return ErrPause from OnMessageComplete
}

func (r *recorder) add(format string, args ...any) error {
	r.ev = append(r.ev, fmt.Sprintf(format, args...))
	return nil
}

func (r *recorder) OnMessageBegin() error        { return r.add("begin") }
func (r *recorder) OnMethod(m Method) error      { return r.add("method %s", m) }
func (r *recorder) OnTarget(t []byte) error      { return r.add("target %q", t) }
func (r *recorder) OnVersion(maj, min int) error { return r.add("version %d.%d", maj, min) }
func (r *recorder) OnStatus(code int, reason []byte) error {
	return r.add("status %d %q", code, reason)
}
func (r *recorder) OnHeader(name, value []byte) error { return r.add("header %q: %q", name, value) }
func (r *recorder) OnHeadersComplete(info Info) error {
	// Cross-check the spans against the callbacks' view.
	var hs []string
	for i := range r.p.Headers() {
		n, v := r.p.Header(i)
		hs = append(hs, string(n)+"="+string(v))
	}
	return r.add("headers-complete m=%s v=%d.%d st=%d fl=%#x cl=%d [%s] target=%q",
		info.Method, info.Major, info.Minor, info.Status, info.Flags, info.ContentLength,
		strings.Join(hs, ","), r.p.Target())
}
func (r *recorder) OnBody(b []byte) error {
	if n := len(r.ev); n > 0 && strings.HasPrefix(r.ev[n-1], "body ") {
		r.ev[n-1] += string(b)
		return nil
	}
	r.ev = append(r.ev, "body "+string(b))
	return nil
}
func (r *recorder) OnChunkExtension(name, value []byte) error {
	return r.add("ext %q=%q", name, value)
}
func (r *recorder) OnChunkHeader(size uint64) error { return r.add("chunk %d", size) }
func (r *recorder) OnChunkComplete() error          { return r.add("chunk-complete") }
func (r *recorder) OnTrailer(name, value []byte) error {
	return r.add("trailer %q: %q", name, value)
}
func (r *recorder) OnMessageComplete() error {
	r.add("complete")
	if r.pauseComplete {
		return ErrPause
	}
	return nil
}

// result is what feeding a stream produced.
type result struct {
	ev       []string
	err      error
	consumed int // bytes consumed before err (or all)
}

func (r result) String() string {
	return fmt.Sprintf("err=%v consumed=%d\n  %s", r.err, r.consumed, strings.Join(r.ev, "\n  "))
}

// feed runs the pieces through a fresh parser. With pause set, the handler
// pauses at each message end and feeding resumes, so consumption is checked
// message by message. eof calls Finish at the end.
func feed(cfg Config, pieces [][]byte, eof bool) result {
	rec := &recorder{}
	p := New(cfg, rec)
	rec.p = p
	return feedParser(p, rec, pieces, eof)
}

func feedParser(p *Parser, rec *recorder, pieces [][]byte, eof bool) result {
	total := 0
	for _, orig := range pieces {
		// A private copy, scribbled over once consumed: a parser that kept
		// pointing into old input would show garbage in later events.
		piece := append([]byte(nil), orig...)
		scribble := piece
		for {
			n, err := p.Execute(piece)
			total += n
			if err == ErrPause {
				rec.add("paused@%d", total)
				piece = piece[n:]
				continue
			}
			if err != nil {
				rec.add("stop %v", err)
				return result{rec.ev, err, total}
			}
			if n != len(piece) {
				panic(fmt.Sprintf("Execute consumed %d of %d without error", n, len(piece)))
			}
			break
		}
		for i := range scribble {
			scribble[i] = '#'
		}
	}
	if eof {
		if err := p.Finish(); err != nil && err != ErrPause {
			rec.add("finish %v", err)
			return result{rec.ev, err, total}
		}
		rec.add("eof")
	}
	return result{rec.ev, nil, total}
}

func whole(b []byte) [][]byte { return [][]byte{b} }

func bytewise(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1 : i+1]
	}
	return out
}

// randomSplit cuts b at random points, often into small pieces.
func randomSplit(b []byte, rng *rand.Rand) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := 1 + rng.Intn(len(b))
		if rng.Intn(3) == 0 {
			n = 1 + rng.Intn(min(len(b), 8))
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out
}
