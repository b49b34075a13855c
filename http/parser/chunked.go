package parser

// chunkExt runs the chunk-extension states:
//
//	chunk-ext = *( ";" name [ "=" value ] ), value = token / quoted-string
//
// with no whitespace around ';' and '=' (as llhttp), until the CR that
// ends the chunk-size line. Each extension's name and (unquoted) value are
// gathered after the header buffer's used part and handed to
// OnChunkExtension.
func (p *Parser) chunkExt(data []byte, i int) (int, error) {
	for i < len(data) {
		if p.state == sChunkExtName || p.state == sChunkExtToken {
			// A run of token characters at once.
			j := scanToken(data, i)
			n := j - i
			if n > p.extLeft || p.elen+n > len(p.buf) {
				return i + min(p.extLeft, len(p.buf)-p.elen), p.fail(ErrChunkExtTooLarge)
			}
			p.elen += copy(p.buf[p.elen:], data[i:j])
			p.extLeft -= n
			if i = j; i == len(data) {
				break
			}
		}
		var err error
		if i, err = p.chunkExtByte(data, i); err != nil || p.state == sChunkSizeLF {
			return i, err
		}
	}
	return i, nil
}

// chunkExtByte runs the chunk-extension states over the byte data[i] and
// returns i+1, or the parse error at i, or the Handler's error.
func (p *Parser) chunkExtByte(data []byte, i int) (int, error) {
	c := data[i]
	if c != '\r' {
		if p.extLeft--; p.extLeft < 0 {
			return i, p.fail(ErrChunkExtTooLarge)
		}
	}
	store := false
	end := false // the extension is complete (c is ';' or CR)
	switch p.state {
	case sChunkExtStart:
		if cls[c]&cTchar == 0 {
			return i, p.fail(ErrInvalidChunkExtension)
		}
		p.state = sChunkExtName
		store = true
	case sChunkExtName:
		switch {
		case cls[c]&cTchar != 0:
			store = true
		case c == '=':
			p.extName = Span{uint32(p.blen), uint32(p.elen - p.blen)}
			p.state = sChunkExtValStart
		case c == ';' || c == '\r':
			p.extName = Span{uint32(p.blen), uint32(p.elen - p.blen)}
			end = true
		default:
			return i, p.fail(ErrInvalidChunkExtension)
		}
	case sChunkExtValStart:
		switch {
		case c == '"':
			p.state = sChunkExtQuoted
		case cls[c]&cTchar != 0:
			p.state = sChunkExtToken
			store = true
		default:
			return i, p.fail(ErrInvalidChunkExtension)
		}
	case sChunkExtToken:
		switch {
		case cls[c]&cTchar != 0:
			store = true
		case c == ';' || c == '\r':
			end = true
		default:
			return i, p.fail(ErrInvalidChunkExtension)
		}
	case sChunkExtQuoted:
		switch {
		case c == '"':
			p.state = sChunkExtAfterQuote
		case c == '\\':
			p.state = sChunkExtQuotedEsc
		case cls[c]&cQdtext != 0:
			store = true
		default:
			return i, p.fail(ErrInvalidChunkExtension)
		}
	case sChunkExtQuotedEsc:
		if cls[c]&cValue == 0 {
			return i, p.fail(ErrInvalidChunkExtension)
		}
		p.state = sChunkExtQuoted
		store = true
	case sChunkExtAfterQuote:
		if c != ';' && c != '\r' {
			return i, p.fail(ErrInvalidChunkExtension)
		}
		end = true
	}
	if store {
		if p.elen == len(p.buf) {
			return i, p.fail(ErrChunkExtTooLarge)
		}
		p.buf[p.elen] = c
		p.elen++
	}
	if !end {
		return i + 1, nil
	}
	vstart := p.extName.Off + p.extName.Len
	name := p.extName.In(p.buf)
	value := p.buf[vstart:p.elen:p.elen]
	p.elen = p.blen
	if c == ';' {
		p.state = sChunkExtStart
	} else {
		p.state = sChunkSizeLF
	}
	if err := p.h.OnChunkExtension(name, value); err != nil {
		return i + 1, p.hookErr(err)
	}
	return i + 1, nil
}
