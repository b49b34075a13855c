package parser

import (
	"encoding/binary"
	"math/bits"
)

// parseHead runs the head states over data[i:], no further than the head
// budget allows, and copies the bytes it consumed into the header buffer.
// (Execute tries fastHead first.)
func (p *Parser) parseHead(data []byte, i int) (int, error) {
	lim := len(data)
	if lim-i > p.headLeft {
		lim = i + p.headLeft
	}
	p.cstart = i
	j, err := p.headLoop(data[:lim], i)
	p.headLeft -= j - i
	p.flush(data, j)
	if err == nil && j == lim && lim < len(data) && p.state.isHead() {
		return j, p.fail(ErrHeaderOverflow)
	}
	return j, err
}

// flush copies data[cstart:j] into the header buffer. The budget check in
// parseHead guarantees it fits.
func (p *Parser) flush(data []byte, j int) {
	if j > p.cstart {
		p.blen += copy(p.buf[p.blen:], data[p.cstart:j])
		p.cstart = j
	}
}

// headBytes returns the head bytes at buffer offsets [off, end) while
// headLoop runs over data: from data if they are all there, else from the
// buffer after copying what is pending.
func (p *Parser) headBytes(data []byte, off, end int) []byte {
	base := p.blen - p.cstart
	if off >= p.blen {
		return data[off-base : end-base]
	}
	p.flush(data, end-base)
	return p.buf[off:end]
}

// headByte returns the head byte at buffer offset k (see headBytes).
func (p *Parser) headByte(data []byte, k int) byte {
	if k >= p.blen {
		return data[k-(p.blen-p.cstart)]
	}
	return p.buf[k]
}

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// valueMask flags (0x80 in the byte's place) the bytes of w that are not
// field-value characters, HTAB apart: bytes below 0x20 and DEL. The
// lowest flag is always a true one (borrows only travel upwards), and
// obs-text (0x80-0xFF) is never flagged.
func valueMask(w uint64) uint64 {
	less := (w - lo8*0x20) &^ w
	x := w ^ (lo8 * 0x7f)
	del := (x - lo8) &^ x
	return (less | del) & hi8
}

// scanValue returns the index of the first byte at or after i that is not
// a field-value character (HTAB, SP, VCHAR, obs-text).
func scanValue(data []byte, i int) int {
	for len(data)-i >= 16 {
		m := valueMask(binary.LittleEndian.Uint64(data[i:]))
		if m == 0 {
			if m = valueMask(binary.LittleEndian.Uint64(data[i+8:])); m == 0 {
				i += 16
				continue
			}
			i += 8
		}
		i += bits.TrailingZeros64(m) >> 3
		if data[i] != '\t' {
			return i
		}
		i++
	}
	for len(data)-i >= 8 {
		if m := valueMask(binary.LittleEndian.Uint64(data[i:])); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if data[i] != '\t' {
				return i
			}
			i++
			continue
		}
		i += 8
	}
	for i < len(data) && cls[data[i]]&cValue != 0 {
		i++
	}
	return i
}

// targetMask flags (0x80 in the byte's place) the bytes of w that are not
// request-target characters: below 0x21, DEL and above. As in valueMask,
// the lowest flag is always a true one.
func targetMask(w uint64) uint64 {
	less := (w - lo8*0x21) &^ w
	x := w ^ (lo8 * 0x7f)
	del := (x - lo8) &^ x
	return (less | del | w) & hi8
}

// scanTarget returns the index of the first byte at or after i that is not
// a request-target character (VCHAR, 0x21-0x7E).
func scanTarget(data []byte, i int) int {
	for len(data)-i >= 8 {
		if m := targetMask(binary.LittleEndian.Uint64(data[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(data) && cls[data[i]]&cTarget != 0 {
		i++
	}
	return i
}

// scanToken returns the index of the first byte at or after i that is not
// a token character.
func scanToken(data []byte, i int) int {
	for len(data)-i >= 8 {
		// One bit per byte (cTchar is bit 0), so the first non-token byte
		// is found without a branch per byte.
		d := data[i : i+8 : i+8]
		m := uint(cls[d[0]]&cTchar) | uint(cls[d[1]]&cTchar)<<1 | uint(cls[d[2]]&cTchar)<<2 |
			uint(cls[d[3]]&cTchar)<<3 | uint(cls[d[4]]&cTchar)<<4 | uint(cls[d[5]]&cTchar)<<5 |
			uint(cls[d[6]]&cTchar)<<6 | uint(cls[d[7]]&cTchar)<<7
		if m != 0xff {
			return i + bits.TrailingZeros(^m&0xff)
		}
		i += 8
	}
	for i < len(data) && cls[data[i]]&cTchar != 0 {
		i++
	}
	return i
}

// fieldLine is the fast path for a field line that is whole and valid in
// data: it returns the index after its LF, or i to leave the line to the
// byte-wise states (which report any error at its exact byte). base maps
// data indexes to buffer offsets.
func (p *Parser) fieldLine(data []byte, i, base int) (int, error) {
	j := scanToken(data, i+1)
	if j >= len(data) || data[j] != ':' {
		return i, nil
	}
	v := j + 1
	for v < len(data) && (data[v] == ' ' || data[v] == '\t') {
		v++
	}
	k := scanValue(data, v)
	if k+1 >= len(data) || data[k] != '\r' || data[k+1] != '\n' {
		return i, nil
	}
	e := k
	for e > v && (data[e-1] == ' ' || data[e-1] == '\t') {
		e--
	}
	id := HeaderOther
	switch n := j - i; {
	case p.inTrailers:
		if n == 14 || n == 17 {
			if err := checkTrailer(data[i:j]); err != nil {
				return k + 1, p.fail(err)
			}
		}
	case n == 4 || n == 6 || n == 7 || n == 10 || n == 14 || n == 17:
		var err *Error
		if id, err = p.interpret(data[i:j], data[v:e]); err != nil {
			return k + 1, p.fail(err)
		}
	}
	p.addField(uint32(base+i), uint32(j-i), uint32(base+v), uint32(e-v), id)
	return k + 2, nil
}

// headLoop runs the start-line and field-line states. It makes no Handler
// calls: those are made from sEmitHead and sEmitTrailers once the section
// is complete and copied, so a message that fails never reaches the
// Handler past OnMessageBegin.
func (p *Parser) headLoop(data []byte, i int) (int, error) {
	for i < len(data) {
		switch p.state {
		case sMethod:
			base := p.blen - p.cstart
			have := base + i - p.mark
			j := scanToken(data, i)
			if have+j-i > maxMethodLen {
				j = i + maxMethodLen + 1 - have // enough to fail the prefix check
			}
			m := MethodUnknown
			if j < len(data) && data[j] == ' ' {
				m = LookupMethod(p.headBytes(data, p.mark, base+j))
			}
			if m == MethodUnknown {
				// Fail at the first byte that no method starts with, so
				// that the offset does not depend on how input is split.
				b := p.headBytes(data, p.mark, base+j)
				if k := methodPrefixLen(b); k < len(b) {
					return i + k - have, p.fail(ErrUnknownMethod)
				}
				if j == len(data) {
					return j, nil
				}
				if data[j] == ' ' && len(b) > 0 {
					return j, p.fail(ErrUnknownMethod)
				}
				return j, p.fail(ErrInvalidMethod)
			}
			p.info.Method = m
			i = j + 1
			p.state = sTarget
			p.mark = base + i
			fallthrough

		case sTarget:
			base := p.blen - p.cstart
			j := scanTarget(data, i)
			if have := base + i - p.mark; p.maxTarget > 0 && have+j-i > p.maxTarget {
				return i + p.maxTarget - have, p.fail(ErrTargetTooLong)
			}
			i = j
			if i == len(data) {
				return i, nil
			}
			t := p.headBytes(data, p.mark, base+i)
			if c := data[i]; c != ' ' {
				if len(t) > 0 && (c == '\r' || c == '\n') {
					return i, p.fail(ErrInvalidVersion) // HTTP/0.9 form
				}
				return i, p.fail(ErrInvalidTarget)
			}
			if !validTarget(t, p.info.Method) {
				return i, p.fail(ErrInvalidTarget)
			}
			p.target = Span{uint32(p.mark), uint32(len(t))}
			i++
			p.state = sVersion
			p.cnt = 0
			if i == len(data) {
				return i, nil
			}
			fallthrough

		case sVersion, sResVersion:
			term := byte('\r')
			if p.state == sResVersion {
				term = ' '
			}
			if p.cnt == 0 && len(data)-i >= 9 && binary.LittleEndian.Uint64(data[i:]) == http11 && data[i+8] == term {
				p.info.Major, p.info.Minor = 1, 1
				i += 8
			} else {
				for ; p.cnt < 8 && i < len(data); i++ {
					c := data[i]
					switch k := p.cnt; {
					case k < 5:
						if c != "HTTP/"[k] {
							return i, p.fail(ErrInvalidVersion)
						}
					case k == 6:
						if c != '.' {
							return i, p.fail(ErrInvalidVersion)
						}
					default:
						if c < '0' || c > '9' {
							return i, p.fail(ErrInvalidVersion)
						}
						if k == 5 {
							p.info.Major = c - '0'
						} else {
							p.info.Minor = c - '0'
						}
					}
					p.cnt++
				}
				if i == len(data) {
					return i, nil
				}
				if data[i] != term {
					return i, p.fail(ErrInvalidVersion)
				}
				if p.info.Major != 1 || p.info.Minor > 1 {
					return i, p.fail(ErrUnsupportedVersion)
				}
			}
			i++
			if p.state == sVersion {
				p.state = sReqLineLF
				if i < len(data) && data[i] == '\n' {
					i++
					p.state = sFieldStart
				}
			} else {
				p.state = sStatus
				p.cnt = 0
			}

		case sReqLineLF, sStatusLF:
			if data[i] != '\n' {
				return i, p.fail(ErrBareCR)
			}
			i++
			p.state = sFieldStart

		case sStatus:
			for ; p.cnt < 3 && i < len(data); i++ {
				c := data[i]
				if c < '0' || c > '9' {
					return i, p.fail(ErrInvalidStatus)
				}
				p.info.Status = p.info.Status*10 + uint16(c-'0')
				p.cnt++
			}
			if i == len(data) {
				return i, nil
			}
			if p.info.Status < 100 {
				return i, p.fail(ErrInvalidStatus)
			}
			switch data[i] {
			case ' ':
				p.state = sReason
				p.mark = p.blen - p.cstart + i + 1
			case '\r':
				p.state = sStatusLF
			default:
				return i, p.fail(ErrInvalidStatus)
			}
			i++

		case sReason:
			i = scanValue(data, i)
			if i == len(data) {
				return i, nil
			}
			switch data[i] {
			case '\r':
				p.reason = Span{uint32(p.mark), uint32(p.blen - p.cstart + i - p.mark)}
				p.state = sStatusLF
				i++
			case '\n':
				return i, p.fail(ErrBareLF)
			default:
				return i, p.fail(ErrInvalidStatus)
			}

		case sFieldStart:
			base := p.blen - p.cstart
			c := data[i]
			for cls[c]&cTchar != 0 {
				k, err := p.fieldLine(data, i, base)
				if err != nil {
					return k, err
				}
				if k == i {
					break // not whole or not valid: the byte-wise states decide
				}
				if i = k; i == len(data) {
					return i, nil
				}
				c = data[i]
			}
			if cls[c]&cTchar != 0 {
				p.mark = base + i
				p.state = sFieldName
				continue
			}
			switch c {
			case '\r':
				p.state = sHeadEndLF
				i++
				continue
			case ' ', '\t':
				return i, p.fail(ErrObsFold)
			case '\n':
				return i, p.fail(ErrBareLF)
			}
			return i, p.fail(ErrInvalidHeaderName)

		case sFieldName:
			i = scanToken(data, i)
			if i == len(data) {
				return i, nil
			}
			if data[i] != ':' {
				return i, p.fail(ErrInvalidHeaderName)
			}
			base := p.blen - p.cstart
			p.name = Span{uint32(p.mark), uint32(base + i - p.mark)}
			i++
			// The usual single space after the colon.
			if i < len(data) && data[i] == ' ' {
				i++
			}
			p.state = sValueOWS
			fallthrough

		case sValueOWS:
			for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
				i++
			}
			if i == len(data) {
				return i, nil
			}
			p.mark = p.blen - p.cstart + i
			p.state = sValue
			fallthrough

		case sValue:
			i = scanValue(data, i)
			if i == len(data) {
				return i, nil
			}
			if c := data[i]; c != '\r' {
				if c == '\n' {
					return i, p.fail(ErrBareLF)
				}
				return i, p.fail(ErrInvalidHeaderValue)
			}
			// Trailing whitespace is not part of the value.
			end := p.blen - p.cstart + i
			for end > p.mark {
				if c := p.headByte(data, end-1); c != ' ' && c != '\t' {
					break
				}
				end--
			}
			p.value = Span{uint32(p.mark), uint32(end - p.mark)}
			p.state = sFieldLF
			i++
			if i == len(data) {
				return i, nil
			}
			fallthrough

		case sFieldLF:
			if data[i] != '\n' {
				return i, p.fail(ErrBareCR)
			}
			name, value := p.name, p.value
			id := HeaderOther
			if !p.inTrailers {
				// Only the names the parser interprets need their bytes.
				if n := name.Len; n == 4 || n == 6 || n == 7 || n == 10 || n == 14 || n == 17 {
					var err *Error
					id, err = p.interpret(p.headBytes(data, int(name.Off), int(name.Off+n)),
						p.headBytes(data, int(value.Off), int(value.Off+value.Len)))
					if err != nil {
						return i, p.fail(err)
					}
				}
			} else if n := name.Len; n == 14 || n == 17 {
				if err := checkTrailer(p.headBytes(data, int(name.Off), int(name.Off+n))); err != nil {
					return i, p.fail(err)
				}
			}
			p.addField(name.Off, name.Len, value.Off, value.Len, id)
			i++
			p.state = sFieldStart

		case sHeadEndLF:
			if data[i] != '\n' {
				return i, p.fail(ErrBareCR)
			}
			p.emitStep = 0
			if p.inTrailers {
				p.state = sEmitTrailers
				return i + 1, nil
			}
			if err := p.headersDone(); err != nil {
				return i, p.fail(err)
			}
			return i + 1, nil

		default:
			return i, nil
		}
	}
	return i, nil
}
