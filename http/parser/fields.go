package parser

import "encoding/binary"

// Known field names, matched eight bytes at a time: OR-ing 0x20 into every
// byte lower-cases ASCII letters, and no token character other than the
// letter's own capital (or '-' itself) maps onto a lower-case letter or '-'.
func word(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.LittleEndian.Uint64(b[:])
}

var (
	wHost      = word("host")
	wExpe      = word("expe")
	wUpgr      = word("upgr")
	wRade      = word("rade")
	wConnecti  = word("connecti")
	wContent   = word("content-")
	wNtLength  = word("t-length")
	wTransfer  = word("transfer")
	wEncodin   = word("-encodin")
	wExpectEnd = word("ct")
	wOn        = word("on")

	wClos     = word("clos")
	wKeepAli  = word("keep-ali")
	wVe       = word("ve")
	wChun     = word("chun")
	wNked     = word("nked")
	w100Conti = word("100-cont")
	wInue     = word("inue")
)

// The tokens the parser looks for in field values, compared without regard
// to case. The OR-0x20 trick is exact here too: the other byte that maps
// onto a letter, digit or '-' of these tokens is a control character, which
// no field value holds.
func isClose(b []byte) bool {
	return len(b) == 5 && le32(b)|fold4 == wClos && b[4]|0x20 == 'e'
}

func isKeepAlive(b []byte) bool {
	return len(b) == 10 && le64(b)|fold8 == wKeepAli && le16(b[8:])|0x2020 == wVe
}

func isUpgrade(b []byte) bool {
	return len(b) == 7 && le32(b)|fold4 == wUpgr && le32(b[3:])|fold4 == wRade
}

func isChunked(b []byte) bool {
	return len(b) == 7 && le32(b)|fold4 == wChun && le32(b[3:])|fold4 == wNked
}

func is100Continue(b []byte) bool {
	return len(b) == 12 && le64(b)|fold8 == w100Conti && le32(b[8:])|fold4 == wInue
}

const fold4 = 0x20202020
const fold8 = 0x2020202020202020

func le16(b []byte) uint64 { return uint64(binary.LittleEndian.Uint16(b)) }
func le32(b []byte) uint64 { return uint64(binary.LittleEndian.Uint32(b)) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// knownHeader identifies the field names the parser interprets.
func knownHeader(name []byte) HeaderID {
	switch len(name) {
	case 4:
		if le32(name)|fold4 == wHost {
			return HeaderHost
		}
	case 6:
		if le32(name)|fold4 == wExpe && le16(name[4:])|0x2020 == wExpectEnd {
			return HeaderExpect
		}
	case 7:
		if le32(name)|fold4 == wUpgr && le32(name[3:])|fold4 == wRade {
			return HeaderUpgrade
		}
	case 10:
		if le64(name)|fold8 == wConnecti && le16(name[8:])|0x2020 == wOn {
			return HeaderConnection
		}
	case 14:
		if le64(name)|fold8 == wContent && le64(name[6:])|fold8 == wNtLength {
			return HeaderContentLength
		}
	case 17:
		if le64(name)|fold8 == wTransfer && le64(name[8:])|fold8 == wEncodin && name[16]|0x20 == 'g' {
			return HeaderTransferEncoding
		}
	}
	return HeaderOther
}

// interpret checks and records the header fields that decide framing,
// connection handling and Host.
func (p *Parser) interpret(name, value []byte) (HeaderID, *Error) {
	id := knownHeader(name)
	return id, p.interpretID(id, value)
}

func (p *Parser) interpretID(id HeaderID, value []byte) *Error {
	switch id {
	case HeaderHost:
		if p.mode == ModeRequest {
			if p.hostCount++; p.hostCount > 1 {
				return ErrDuplicateHost
			}
			if !validHost(value) {
				return ErrInvalidHost
			}
		}
	case HeaderExpect:
		if p.mode == ModeRequest && p.info.Minor == 1 {
			p.info.Flags |= FlagExpect
			if is100Continue(value) {
				p.info.Flags |= FlagExpectContinue
			}
		}
	case HeaderUpgrade:
		p.upgradeHeader = true
	case HeaderConnection:
		switch {
		case isKeepAlive(value):
			p.connKeepAlive = true
			return nil
		case isClose(value):
			p.info.Flags |= FlagConnectionClose
			return nil
		}
		for rest := value; rest != nil; {
			var e []byte
			e, rest = nextListElem(rest)
			switch {
			case isKeepAlive(e):
				p.connKeepAlive = true
			case isClose(e):
				p.info.Flags |= FlagConnectionClose
			case isUpgrade(e):
				p.info.Flags |= FlagConnectionUpgrade
			}
		}
	case HeaderContentLength:
		if p.info.Flags&FlagContentLength != 0 {
			return ErrDuplicateContentLength
		}
		if p.info.Flags&FlagTransferEncoding != 0 {
			return ErrContentLengthWithTE
		}
		if len(value) == 0 {
			return ErrInvalidContentLength
		}
		var n int64
		for _, c := range value {
			if c < '0' || c > '9' || n > (1<<63-1-9)/10 {
				return ErrInvalidContentLength
			}
			n = n*10 + int64(c-'0')
		}
		p.info.ContentLength = n
		p.info.Flags |= FlagContentLength
	case HeaderTransferEncoding:
		if p.info.Flags&FlagContentLength != 0 {
			return ErrContentLengthWithTE
		}
		p.info.Flags |= FlagTransferEncoding
		if isChunked(value) {
			if p.teChunkedLast {
				return ErrInvalidTransferEncoding
			}
			p.teChunkedLast = true
			return nil
		}
		for rest := value; rest != nil; {
			var e []byte
			e, rest = nextListElem(rest)
			if len(e) == 0 {
				continue
			}
			if isChunked(e) {
				if p.teChunkedLast {
					return ErrInvalidTransferEncoding
				}
				p.teChunkedLast = true
				continue
			}
			if p.teChunkedLast && p.mode == ModeRequest {
				return ErrInvalidTransferEncoding
			}
			p.teChunkedLast = false
			// A coding is a token, optionally with parameters.
			if cls[e[0]]&cTchar == 0 {
				return ErrInvalidTransferEncoding
			}
		}
	}
	return nil
}

// checkTrailer refuses the framing fields in a trailer section (as llhttp
// does), where a recipient that merged trailers into the headers would be
// misled.
func checkTrailer(name []byte) *Error {
	switch knownHeader(name) {
	case HeaderContentLength:
		return ErrContentLengthWithTE
	case HeaderTransferEncoding:
		return ErrInvalidTransferEncoding
	}
	return nil
}

// headersDone decides framing and connection handling at the end of the
// header section and moves to sEmitHead, remembering the state after it.
func (p *Parser) headersDone() *Error {
	in := &p.info
	p.nHeaders = p.nf
	te := in.Flags&FlagTransferEncoding != 0
	keepAlive := in.Flags&FlagConnectionClose == 0 && (in.Minor == 1 || p.connKeepAlive)
	next := sMsgComplete

	if p.mode == ModeRequest {
		if in.Minor == 1 && p.hostCount == 0 {
			return ErrMissingHost
		}
		if te {
			if in.Minor == 0 {
				return ErrTransferEncodingHTTP10
			}
			if !p.teChunkedLast {
				return ErrInvalidTransferEncoding
			}
		}
		if in.Method == MethodConnect || in.Flags&FlagConnectionUpgrade != 0 && p.upgradeHeader {
			in.Flags |= FlagUpgrade
		}
		switch {
		case in.Method == MethodConnect:
			// The tunnel starts after the header section.
		case te:
			in.Flags |= FlagChunked
			next = sChunkSize
		case in.Flags&FlagContentLength != 0 && in.ContentLength > 0:
			next = sBodyLength
		}
	} else {
		noBody := in.Status < 200 || in.Status == 204 || in.Status == 304 || p.reqMethod == MethodHead
		if in.Status == 101 || p.reqMethod == MethodConnect && in.Status/100 == 2 {
			in.Flags |= FlagUpgrade
			noBody = true
		}
		switch {
		case noBody:
		case te && p.teChunkedLast:
			in.Flags |= FlagChunked
			next = sChunkSize
		case te:
			in.Flags |= FlagBodyEOF
			next = sBodyEOF
		case in.Flags&FlagContentLength != 0:
			if in.ContentLength > 0 {
				next = sBodyLength
			}
		default:
			in.Flags |= FlagBodyEOF
			next = sBodyEOF
		}
		if next == sBodyEOF {
			keepAlive = false
		}
	}
	if keepAlive {
		in.Flags |= FlagKeepAlive
	}
	if next == sBodyLength {
		p.remaining = uint64(in.ContentLength)
	}
	p.cnt = 0
	p.emitStep = 0
	p.afterEmit = next
	p.state = sEmitHead
	return nil
}

// validHost reports whether every byte of a Host value may appear in a
// uri-host [ ":" port ] (an empty value is allowed: RFC 9112 3.2). It
// checks eight bytes (or four) at a time, the last window overlapping the
// one before it rather than leaving a tail to check byte by byte.
func validHost(v []byte) bool {
	n := len(v)
	switch {
	case n >= 8:
		for i := 0; i < n-8; i += 8 {
			if !host8(v[i : i+8 : i+8]) {
				return false
			}
		}
		return host8(v[n-8 : n : n])
	case n >= 4:
		return host4(v[:4:4]) && host4(v[n-4:n:n])
	}
	for _, c := range v {
		if cls[c]&cHost == 0 {
			return false
		}
	}
	return true
}

func host8(d []byte) bool {
	d = d[:8:8]
	return cls[d[0]]&cls[d[1]]&cls[d[2]]&cls[d[3]]&cls[d[4]]&cls[d[5]]&cls[d[6]]&cls[d[7]]&cHost != 0
}

func host4(d []byte) bool {
	d = d[:4:4]
	return cls[d[0]]&cls[d[1]]&cls[d[2]]&cls[d[3]]&cHost != 0
}
