package parser

import (
	"encoding/binary"
	"math/bits"
)

// The start line and the common field names as little-endian words (their
// bytes in order from the lowest), so that the fast path compares up to
// eight bytes in one instruction. TestWords checks them against their text.
const (
	wGET       = 0x20544547         // "GET "
	wGETRootHT = 0x5448202f20544547 // "GET / HT"
	wTP11CRLF  = 0x0a0d312e312f5054 // "TP/1.1\r\n"

	http11 = 0x312e312f50545448 // "HTTP/1.1"
	http10 = 0x302e312f50545448 // "HTTP/1.0"
	crlf   = 0x0a0d             // "\r\n"

	fHost       = 0x74736f48         // "Host"
	fHostColon  = 0x3a74736f48       // "Host:"
	fAcce       = 0x65636341         // "Acce"
	fAcceptCol  = 0x3a747065636341   // "Accept:"
	fAcceptE    = 0x452d747065636341 // "Accept-E"
	fNcodingCol = 0x3a676e69646f636e // "ncoding:"
	fAcceptL    = 0x4c2d747065636341 // "Accept-L"
	fAnguageCol = 0x3a65676175676e61 // "anguage:"
	fUser       = 0x72657355         // "User"
	fUserAge    = 0x6567412d72657355 // "User-Age"
	fNtCol      = 0x3a746e           // "nt:"
	fConn       = 0x6e6e6f43         // "Conn"
	fConnecti   = 0x697463656e6e6f43 // "Connecti"
	fOnCol      = 0x3a6e6f           // "on:"
	fCont       = 0x746e6f43         // "Cont"
	fContent    = 0x2d746e65746e6f43 // "Content-"
	fLengthCol  = 0x3a6874676e654c   // "Length:"
	fTypeCol    = 0x3a65707954       // "Type:"
	fCook       = 0x6b6f6f43         // "Cook"
	fCookieCol  = 0x3a65696b6f6f43   // "Cookie:"
	fCach       = 0x68636143         // "Cach"
	fCacheCo    = 0x6f432d6568636143 // "Cache-Co"
	fNtrolCol   = 0x3a6c6f72746e     // "ntrol:"
)

// Masks keeping the first n bytes of a word.
const (
	first3 = 1<<24 - 1
	first5 = 1<<40 - 1
	first6 = 1<<48 - 1
	first7 = 1<<56 - 1
)

// at16, at32 and at64 read the little-endian word at d[i:]. The three-index
// slice spares the pointer masking that d[i:] costs (it may be empty).
func at16(d []byte, i int) uint64 { return uint64(binary.LittleEndian.Uint16(d[i : i+2 : i+2])) }
func at32(d []byte, i int) uint64 { return uint64(binary.LittleEndian.Uint32(d[i : i+4 : i+4])) }
func at64(d []byte, i int) uint64 { return binary.LittleEndian.Uint64(d[i : i+8 : i+8]) }

// interpretLen reports whether a field name of length n may be one the
// parser interprets (see knownHeader).
func interpretLen(n int) bool {
	return n == 4 || n == 6 || n == 7 || n == 10 || n == 14 || n == 17
}

// requestLine reads a request line that is whole and valid at the start
// of d, for fastHead: it returns the target's bounds, the offset after the
// line's CRLF, the method and the minor version, or k = 0 to leave the line
// to the byte-wise states.
func requestLine(d []byte, maxTarget int) (t0, t1, k int, m Method, minor uint8) {
	if len(d) >= 4 && at32(d, 0) == wGET {
		t0, m = 4, MethodGet // what the scan and lookup below find, for the usual method
	} else {
		j := scanToken(d, 0)
		if j >= len(d) || d[j] != ' ' {
			return
		}
		if m = LookupMethod(d[:j]); m == MethodUnknown {
			return
		}
		t0 = j + 1
	}
	t1 = t0
	if len(d)-t0 >= 8 {
		if tm := targetMask(at64(d, t0)); tm != 0 {
			t1 += bits.TrailingZeros64(tm) >> 3
		} else {
			t1 = scanTarget(d, t0+8)
		}
	} else {
		t1 = scanTarget(d, t0)
	}
	if t1 >= len(d) || d[t1] != ' ' || maxTarget > 0 && t1-t0 > maxTarget {
		return
	}
	// An origin-form target needs no more than its first byte and VCHARs
	// (validTarget's answer, but for CONNECT's authority-form).
	if (d[t0] != '/' || m == MethodConnect) && !validTarget(d[t0:t1], m) {
		return
	}
	v := t1 + 1
	if len(d)-v < 10 || at16(d, v+8) != crlf {
		return
	}
	switch at64(d, v) {
	case http11:
		minor = 1
	case http10:
	default:
		return
	}
	return t0, t1, v + 10, m, minor
}

// fastHead parses a request head that lies whole at the start of d (the
// input from the message's first byte, cut to the head budget) in one
// straight pass. It returns the length of the head, a parse error (only
// those that the byte-wise states report at the same byte: field and
// framing checks) with the offset of that byte, or 0 to leave the head to
// the byte-wise states, with the parser as it found it.
//
// An index in d is also the offset in the header buffer the head is copied
// to at the end. The usual steps are written out here rather than called:
// a call costs more than the few instructions it saves, as every register
// is spilled around it.
func (p *Parser) fastHead(d []byte) (int, error) {
	var t0, t1, k int
	var m Method
	var minor uint8
	if len(d) >= 16 && at64(d, 0) == wGETRootHT && at64(d, 8) == wTP11CRLF {
		// The commonest request line of all, as requestLine reads it.
		t0, t1, k, m, minor = 4, 5, 16, MethodGet, 1
	} else if t0, t1, k, m, minor = requestLine(d, p.maxTarget); k == 0 {
		return 0, nil
	}
	p.info.Major, p.info.Minor = 1, minor
	p.info.Method = m
	p.target = Span{uint32(t0), uint32(t1 - t0)}

	// The field lines from k on; nf counts them (p.nf is 0 at a message's
	// start). Few values stay live across the loop, so that they stay in
	// registers.
	nf := 0
	fs := p.fields
	for {
		// The line's first 16 bytes, or 2 (a line that short is not a
		// common one: its first word matches no case below).
		var w0, w1 uint64
		if len(d)-k >= 16 {
			w0, w1 = at64(d, k), at64(d, k+8)
		} else if len(d)-k >= 2 {
			w0 = at16(d, k)
		} else {
			p.undoFields()
			return 0, nil
		}
		if uint16(w0) == crlf {
			break
		}
		// The name: the names browsers, curl and load generators send,
		// spelt as they send them, are recognised from the line's first 16
		// bytes (a match proves that the name is a token followed by ':');
		// any other is scanned.
		n, id := 0, HeaderOther
		switch uint32(w0) {
		case fHost:
			if w0&first5 == fHostColon {
				n, id = 4, HeaderHost
			}
		case fAcce:
			switch {
			case w0&first7 == fAcceptCol:
				n = 6
			case w0 == fAcceptE && w1 == fNcodingCol, w0 == fAcceptL && w1 == fAnguageCol:
				n = 15
			}
		case fUser:
			if w0 == fUserAge && w1&first3 == fNtCol {
				n = 10
			}
		case fConn:
			if w0 == fConnecti && w1&first3 == fOnCol {
				n, id = 10, HeaderConnection
			}
		case fCont:
			switch {
			case w0 != fContent:
			case w1&first7 == fLengthCol:
				n, id = 14, HeaderContentLength
			case w1&first5 == fTypeCol:
				n = 12
			}
		case fCook:
			if w0&first7 == fCookieCol {
				n = 6
			}
		case fCach:
			if w0 == fCacheCo && w1&first6 == fNtrolCol {
				n = 13
			}
		}
		if n == 0 {
			j := scanToken(d, k)
			if j == k || j >= len(d) || d[j] != ':' {
				p.undoFields()
				return 0, nil
			}
			if n = j - k; interpretLen(n) {
				id = knownHeader(d[k:j])
			}
		}
		vs := k + n + 1
		for vs < len(d) && (d[vs] == ' ' || d[vs] == '\t') {
			vs++
		}
		// The value runs to the first byte that is not a field-value
		// character: scanValue's first step (16 bytes), then scanValue for
		// the rest of a long value.
		cr := vs
		if len(d)-cr >= 16 {
			vm := valueMask(at64(d, cr))
			if vm == 0 {
				cr += 8
				vm = valueMask(at64(d, cr))
			}
			if vm != 0 {
				if cr += bits.TrailingZeros64(vm) >> 3; d[cr] == '\t' {
					cr = scanValue(d, cr+1)
				}
			} else {
				cr = scanValue(d, cr+8)
			}
		} else {
			cr = scanValue(d, cr)
		}
		if len(d)-cr < 2 || at16(d, cr) != crlf {
			p.undoFields()
			return 0, nil
		}
		ve := cr
		for ve > vs && (d[ve-1] == ' ' || d[ve-1] == '\t') {
			ve--
		}
		switch {
		case id == HeaderOther:
		case id == HeaderHost && p.hostCount == 0 && ve-vs >= 8 && ve-vs <= 16 &&
			(at64(d, vs) == p.host[0] && at64(d, ve-8) == p.host[1] && ve-vs == int(p.hostLen) ||
				p.goodHost(at64(d, vs), at64(d, ve-8), ve-vs)):
			// The usual Host value: the one before on this connection (a
			// client sends the same each time), or checked in two
			// (overlapping) words.
			p.hostCount = 1
		case id == HeaderConnection && ve-vs == 10 && isKeepAlive(d[vs:ve]):
			p.connKeepAlive = true
		default:
			if err := p.interpretID(id, d[vs:ve]); err != nil {
				p.nf = nf
				return cr + 1, p.fail(err)
			}
		}
		if nf == len(fs) {
			p.nf = nf
			p.growFields()
			fs = p.fields
		}
		fs[nf] = Field{Name: Span{uint32(k), uint32(n)}, Value: Span{uint32(vs), uint32(ve - vs)}, ID: id}
		nf++
		k = cr + 2
	}
	p.nf = nf
	if p.info.Flags == 0 && p.info.Method != MethodConnect && (p.hostCount != 0 || p.info.Minor == 0) {
		// headersDone's answer for a request without framing, Expect or
		// Connection options: no body, and keep-alive by version.
		p.nHeaders = nf
		if p.info.Minor == 1 || p.connKeepAlive {
			p.info.Flags = FlagKeepAlive
		}
		p.cnt = 0
		p.emitStep = 0
		p.afterEmit = sMsgComplete
		p.state = sEmitHead
	} else if err := p.headersDone(); err != nil {
		return k + 1, p.fail(err)
	}
	end := k + 2
	p.blen = copy(p.buf, d[:end])
	p.headLeft -= end
	return end, nil
}

// goodHost reports whether a Host value of n bytes (8 to 16), whose first
// and last eight bytes are the words a and b, is valid (see validHost), and
// remembers it for fastHead to compare the next one with: validity depends
// on nothing but the bytes.
func (p *Parser) goodHost(a, b uint64, n int) bool {
	if !hostWord(a) || !hostWord(b) {
		return false
	}
	p.host[0], p.host[1], p.hostLen = a, b, uint8(n)
	return true
}

// hostWord reports whether the eight bytes of w are all Host characters.
func hostWord(w uint64) bool {
	return cls[byte(w)]&cls[byte(w>>8)]&cls[byte(w>>16)]&cls[byte(w>>24)]&
		cls[byte(w>>32)]&cls[byte(w>>40)]&cls[byte(w>>48)]&cls[byte(w>>56)]&cHost != 0
}

// undoFields forgets what the field lines recorded, for fastHead to give up.
func (p *Parser) undoFields() {
	p.nf = 0
	p.connKeepAlive = false
	p.upgradeHeader = false
	p.teChunkedLast = false
	p.hostCount = 0
	p.info = Info{Method: p.info.Method, ContentLength: -1}
	p.target = Span{}
}
