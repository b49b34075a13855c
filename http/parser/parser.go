package parser

// Mode selects what a Parser reads.
type Mode uint8

const (
	// ModeRequest parses requests (a server's side).
	ModeRequest Mode = iota
	// ModeResponse parses responses (a client's side).
	ModeResponse
)

// Defaults for the zero Config fields.
const (
	// DefaultMaxHeaderSize is Node's default maxHeaderSize: 16 KiB.
	DefaultMaxHeaderSize = 16 << 10
	// DefaultMaxChunkExtSize bounds the chunk extensions of one message,
	// as Node does: 16 KiB.
	DefaultMaxChunkExtSize = 16 << 10
)

// Config sets a Parser's mode and limits. The zero value is a request
// parser with Node's defaults.
type Config struct {
	// Mode is ModeRequest or ModeResponse.
	Mode Mode
	// MaxHeaderSize bounds the start line and header section (and the
	// trailer section, which shares the budget) in bytes, CRLFs included;
	// beyond it Execute fails with ErrHeaderOverflow (431). It is also the
	// capacity of the header buffer. 0 means DefaultMaxHeaderSize.
	MaxHeaderSize int
	// MaxTargetSize bounds the request-target; beyond it Execute fails with
	// ErrTargetTooLong (414). 0 means no limit of its own (as Node): a
	// target that overflows MaxHeaderSize fails with ErrHeaderOverflow.
	MaxTargetSize int
	// MaxChunkExtSize bounds the bytes of chunk extensions in one message;
	// beyond it Execute fails with ErrChunkExtTooLarge (413). 0 means
	// DefaultMaxChunkExtSize.
	MaxChunkExtSize int
	// SpansOnly skips the Handler's OnMethod, OnTarget, OnVersion,
	// OnStatus, OnHeader and OnTrailer calls: the handler reads the same
	// parts through Parser.Method, Target, Headers, Trailers and friends
	// from OnHeadersComplete and OnMessageComplete. It saves an interface
	// call per part.
	SpansOnly bool
}

type state uint8

const (
	sMsgStart  state = iota // between messages
	sLeadingLF              // after the CR of the one empty line allowed before a message

	// Head states: every byte counts against MaxHeaderSize.
	sMethod
	sTarget
	sVersion
	sReqLineLF
	sResVersion
	sStatus
	sReason
	sStatusLF
	sFieldStart
	sFieldName
	sValueOWS
	sValue
	sFieldLF
	sHeadEndLF

	sBodyLength
	sBodyEOF
	sChunkSize
	sChunkExtStart
	sChunkExtName
	sChunkExtValStart
	sChunkExtToken
	sChunkExtQuoted
	sChunkExtQuotedEsc
	sChunkExtAfterQuote
	sChunkSizeLF
	sChunkData
	sChunkDataCR
	sChunkDataLF
	sClosed // after a message that closes the connection
	sClosedLF

	// States that take no input.
	sEmitHead     // the header section is complete: calls to the Handler are due
	sEmitTrailers // the trailer section is complete: calls to the Handler are due
	sMsgComplete  // OnMessageComplete is due
	sUpgraded
	sFailed
)

func (s state) isHead() bool { return s >= sMethod && s <= sHeadEndLF }

// Parser is an incremental HTTP/1.1 push parser. It is not safe for
// concurrent use; one Parser reads one connection at a time.
type Parser struct {
	h         Handler
	mode      Mode
	spansOnly bool
	state     state
	afterEmit state // the state after sEmitHead

	skippedCRLF bool // the empty line before this message was seen
	inTrailers  bool
	// header facts not in Info.Flags
	connKeepAlive bool
	upgradeHeader bool
	teChunkedLast bool
	hostCount     uint8
	// the last Host value of 8 to 16 bytes found valid: its first and
	// last eight bytes and its length (see goodHost)
	host    [2]uint64
	hostLen uint8

	// The header buffer holds the raw bytes of the current message's head
	// (and trailer section); Spans index into it. While Execute scans,
	// data[cstart:] is not copied yet, and the byte at buffer offset k is
	// data[k-(blen-cstart)].
	buf      []byte // len(buf) is its capacity
	blen     int    // bytes of buf in use
	cstart   int    // first byte of the current input not yet copied
	mark     int    // buffer offset where the token being read starts
	elen     int    // end of the chunk extension being read (scratch after blen)
	headLeft int    // head bytes still allowed
	extLeft  int    // chunk extension bytes still allowed
	emitStep int    // progress of the calls made in sEmitHead / sEmitTrailers

	maxHead, maxTarget, maxExt int

	cnt       int    // position within the version, status digits
	remaining uint64 // body or chunk bytes left; the chunk size being read

	name, value Span // the field being read
	extName     Span
	target      Span
	reason      Span
	fields      []Field // storage; the first nf are in use
	nf          int
	nHeaders    int

	info      Info
	reqMethod Method // response mode: the method of the request answered
	err       error
}

// New returns a Parser configured by cfg that reports to h (nil: a
// NopHandler). It allocates the header buffer once.
func New(cfg Config, h Handler) *Parser {
	p := new(Parser)
	p.Init(cfg, h)
	return p
}

// Init (re)configures p, reusing its buffers when they are large enough,
// and resets it.
func (p *Parser) Init(cfg Config, h Handler) {
	p.mode = cfg.Mode
	p.spansOnly = cfg.SpansOnly
	p.maxHead = cfg.MaxHeaderSize
	if p.maxHead <= 0 {
		p.maxHead = DefaultMaxHeaderSize
	}
	p.maxTarget = cfg.MaxTargetSize
	if p.maxTarget < 0 {
		p.maxTarget = 0
	}
	p.maxExt = cfg.MaxChunkExtSize
	if p.maxExt <= 0 {
		p.maxExt = DefaultMaxChunkExtSize
	}
	if cap(p.buf) < p.maxHead {
		p.buf = make([]byte, p.maxHead)
	}
	p.buf = p.buf[:p.maxHead]
	if p.fields == nil {
		p.fields = make([]Field, 32)
	}
	p.SetHandler(h)
	p.Reset()
}

// SetHandler replaces the Handler (nil: a NopHandler).
func (p *Parser) SetHandler(h Handler) {
	if h == nil {
		h = NopHandler{}
	}
	p.h = h
}

// Reset returns p to the start of a connection: no message, no error, no
// upgrade. The configuration, handler and buffers are kept.
func (p *Parser) Reset() {
	p.err = nil
	p.skippedCRLF = false
	p.reqMethod = MethodUnknown
	p.beginMessage()
	p.state = sMsgStart
}

// SetRequestMethod tells a response parser which request the next response
// answers: a response to HEAD has no body and a 2xx response to CONNECT
// switches to a tunnel. Call it before the response's first byte (from
// OnMessageBegin at the latest); it stays in force until changed.
func (p *Parser) SetRequestMethod(m Method) {
	p.reqMethod = m
	if p.mode == ModeResponse {
		p.info.Method = m
	}
}

// Mode returns the parser's mode.
func (p *Parser) Mode() Mode { return p.mode }

// Err returns the error that stopped the parser, or nil.
func (p *Parser) Err() error { return p.err }

// Idle reports whether p is between messages with no partial input held,
// so that it may be reset and returned to a pool.
func (p *Parser) Idle() bool { return p.state == sMsgStart || p.state == sClosed }

// Upgraded reports whether the connection switched protocols.
func (p *Parser) Upgraded() bool { return p.state == sUpgraded }

// DeclineUpgrade, after Execute returned ErrUpgrade, goes on parsing the
// connection as HTTP (as Node does for an upgrade request when the server has
// no upgrade listener): the next Execute reads the next message.
func (p *Parser) DeclineUpgrade() {
	if p.state != sUpgraded {
		return
	}
	p.info.Flags &^= FlagUpgrade
	if p.info.Flags&FlagKeepAlive != 0 {
		p.state = sMsgStart
	} else {
		p.state = sClosed
	}
}

// Info returns the current message's information; it is complete from
// OnHeadersComplete on.
func (p *Parser) Info() Info { return p.info }

// Method returns the request method (request mode).
func (p *Parser) Method() Method { return p.info.Method }

// Target returns the request-target (request mode), valid until the next
// message begins.
func (p *Parser) Target() []byte { return p.target.In(p.buf) }

// Status returns the response status code (response mode).
func (p *Parser) Status() int { return int(p.info.Status) }

// Reason returns the response reason phrase (response mode).
func (p *Parser) Reason() []byte { return p.reason.In(p.buf) }

// Buffer returns the header buffer in use: the current message's head
// (start line and header fields, then trailer fields) as received. Spans
// index into it; it stays valid until the next message begins.
func (p *Parser) Buffer() []byte { return p.buf[:p.blen] }

// Headers returns the header fields of the current message as spans into
// Buffer; complete from OnHeadersComplete on.
func (p *Parser) Headers() []Field {
	if p.inTrailers {
		return p.fields[:p.nHeaders:p.nHeaders]
	}
	return p.fields[:p.nf:p.nf]
}

// Trailers returns the trailer fields of the current message; complete
// from OnMessageComplete on.
func (p *Parser) Trailers() []Field {
	if !p.inTrailers {
		return nil
	}
	return p.fields[p.nHeaders:p.nf:p.nf]
}

// Header returns the name and value of header i.
func (p *Parser) Header(i int) (name, value []byte) {
	f := p.Headers()[i]
	return f.Name.In(p.buf), f.Value.In(p.buf)
}

// Get returns the value of the first header named name (compared without
// regard to ASCII case; name must be lower case) and whether there was one.
func (p *Parser) Get(name string) ([]byte, bool) {
	for _, f := range p.Headers() {
		if equalFold(f.Name.In(p.buf), name) {
			return f.Value.In(p.buf), true
		}
	}
	return nil, false
}

func (p *Parser) beginMessage() {
	p.blen = 0
	p.mark = 0
	p.nf = 0
	p.nHeaders = 0
	p.inTrailers = false
	p.connKeepAlive = false
	p.upgradeHeader = false
	p.teChunkedLast = false
	p.hostCount = 0
	p.headLeft = p.maxHead
	p.extLeft = p.maxExt
	p.remaining = 0
	p.cnt = 0
	p.target = Span{}
	p.reason = Span{}
	p.info = Info{ContentLength: -1}
	if p.mode == ModeResponse {
		p.info.Method = p.reqMethod
		p.state = sResVersion
	} else {
		p.state = sMethod
	}
}

func (p *Parser) fail(err *Error) error {
	p.err = err
	p.state = sFailed
	return err
}

// hookErr handles a non-nil error returned by a Handler method.
func (p *Parser) hookErr(err error) error {
	if err != ErrPause {
		p.err = err
		p.state = sFailed
	}
	return err
}

// Execute parses data, calling the Handler as parts complete, and returns
// the number of bytes consumed. Any split of a stream into Execute calls
// gives the same calls and the same result.
//
// err is nil when all of data was consumed; ErrPause when a Handler asked to
// pause (call again with data[n:]); ErrUpgrade when the connection switched
// protocols (data[n:] is not HTTP); otherwise the parse error (data[n] is
// the offending byte) or the Handler's error, after which the parser only
// returns that error until Reset.
func (p *Parser) Execute(data []byte) (int, error) {
	i := 0
	for {
		if p.state >= sEmitHead {
			switch p.state {
			case sEmitHead, sEmitTrailers:
				if err := p.emit(); err != nil {
					return i, p.hookErr(err)
				}
				continue
			case sMsgComplete:
				if err := p.finishMessage(); err != nil {
					return i, p.hookErr(err)
				}
				continue
			case sUpgraded:
				return i, ErrUpgrade
			}
			return i, p.err
		}
		if i >= len(data) {
			return i, nil
		}
		switch st := p.state; st {
		case sMsgStart:
			if data[i] == '\r' && !p.skippedCRLF {
				p.state = sLeadingLF
				i++
				continue
			}
			p.beginMessage()
			if err := p.h.OnMessageBegin(); err != nil {
				return i, p.hookErr(err)
			}
			// On to the head without another turn of the loop: data[i] is
			// its first byte.
			fallthrough

		case sMethod, sTarget, sVersion, sReqLineLF, sResVersion, sStatus, sReason, sStatusLF,
			sFieldStart, sFieldName, sValueOWS, sValue, sFieldLF, sHeadEndLF:
			if st == sFieldStart && p.inTrailers && len(data)-i >= 2 && p.headLeft >= 2 &&
				data[i] == '\r' && data[i+1] == '\n' {
				// The usual end of a chunked body: no trailer section.
				i += 2
				p.headLeft -= 2
				p.state = sEmitTrailers
				continue
			}
			// The usual request: the whole head at the start of the input,
			// parsed in one pass.
			n := 0
			if p.state == sMethod && p.blen == 0 {
				lim := len(data)
				if lim-i > p.headLeft {
					lim = i + p.headLeft
				}
				var err error
				if n, err = p.fastHead(data[i:lim]); err != nil {
					return i + n, err
				}
			}
			if n > 0 {
				i += n
			} else {
				var err error
				if i, err = p.parseHead(data, i); err != nil {
					return i, err
				}
			}
			if p.state == sEmitHead {
				// The common way on: straight to the calls and, without a
				// body, to the message's end.
				var err error
				if p.spansOnly {
					p.state = p.afterEmit // emit's steps when it calls no more than this
					err = p.h.OnHeadersComplete(p.info)
				} else {
					err = p.emit()
				}
				if err != nil {
					return i, p.hookErr(err)
				}
				if p.state == sMsgComplete {
					if err := p.finishMessage(); err != nil {
						return i, p.hookErr(err)
					}
				}
			}

		case sLeadingLF:
			if data[i] != '\n' {
				return i, p.fail(ErrBareCR)
			}
			p.skippedCRLF = true
			p.state = sMsgStart
			i++

		case sBodyLength, sChunkData:
			n := len(data) - i
			if uint64(n) >= p.remaining {
				n = int(p.remaining)
				if st == sBodyLength {
					p.state = sMsgComplete
				} else {
					p.state = sChunkDataCR
				}
			}
			p.remaining -= uint64(n)
			b := data[i : i+n : i+n]
			i += n
			if n > 0 {
				if err := p.h.OnBody(b); err != nil {
					return i, p.hookErr(err)
				}
			}

		case sChunkDataCR:
			if data[i] != '\r' {
				return i, p.fail(ErrInvalidChunkData)
			}
			i++
			p.state = sChunkDataLF
			if i < len(data) {
				if data[i] != '\n' {
					return i, p.fail(ErrInvalidChunkData)
				}
				i++
				p.state = sChunkSize
				p.remaining = 0
				p.cnt = 0
				if err := p.h.OnChunkComplete(); err != nil {
					return i, p.hookErr(err)
				}
			}

		case sChunkDataLF:
			if data[i] != '\n' {
				return i, p.fail(ErrInvalidChunkData)
			}
			i++
			p.state = sChunkSize
			p.remaining = 0
			p.cnt = 0
			if err := p.h.OnChunkComplete(); err != nil {
				return i, p.hookErr(err)
			}

		case sChunkSize:
			for i < len(data) && cls[data[i]]&cHex != 0 {
				if p.remaining>>60 != 0 {
					return i, p.fail(ErrChunkSizeOverflow)
				}
				p.remaining = p.remaining<<4 | unhex(data[i])
				p.cnt++
				i++
			}
			if i == len(data) {
				break
			}
			if p.cnt == 0 {
				return i, p.fail(ErrInvalidChunkSize)
			}
			switch data[i] {
			case '\r':
				p.state = sChunkSizeLF
				if i+1 < len(data) && data[i+1] == '\n' {
					i += 2
					if err := p.chunkHeader(); err != nil {
						return i, err
					}
					continue
				}
			case ';':
				p.state = sChunkExtStart
				p.elen = p.blen
				if p.extLeft--; p.extLeft < 0 {
					return i, p.fail(ErrChunkExtTooLarge)
				}
			default:
				return i, p.fail(ErrInvalidChunkSize)
			}
			i++

		case sChunkSizeLF:
			if data[i] != '\n' {
				return i, p.fail(ErrBareCR)
			}
			i++
			if err := p.chunkHeader(); err != nil {
				return i, err
			}

		case sChunkExtStart, sChunkExtName, sChunkExtValStart, sChunkExtToken, sChunkExtQuoted,
			sChunkExtQuotedEsc, sChunkExtAfterQuote:
			var err error
			if i, err = p.chunkExt(data, i); err != nil {
				return i, err
			}

		case sBodyEOF:
			b := data[i:len(data):len(data)]
			i = len(data)
			if err := p.h.OnBody(b); err != nil {
				return i, p.hookErr(err)
			}

		case sClosed:
			if data[i] == '\r' && !p.skippedCRLF {
				p.state = sClosedLF
				i++
				continue
			}
			return i, p.fail(ErrDataAfterClose)

		case sClosedLF:
			if data[i] != '\n' {
				return i, p.fail(ErrDataAfterClose)
			}
			p.skippedCRLF = true
			p.state = sClosed
			i++
		}
	}
}

// addField records a field line.
func (p *Parser) addField(nameOff, nameLen, valueOff, valueLen uint32, id HeaderID) {
	if p.nf == len(p.fields) {
		p.growFields()
	}
	f := &p.fields[p.nf]
	f.Name = Span{nameOff, nameLen}
	f.Value = Span{valueOff, valueLen}
	f.ID = id
	p.nf++
}

// growFields doubles the field storage.
func (p *Parser) growFields() {
	p.fields = append(p.fields, make([]Field, len(p.fields))...)
}

// chunkHeader runs at the end of a chunk-size line.
func (p *Parser) chunkHeader() error {
	size := p.remaining
	if size == 0 {
		p.inTrailers = true
		p.nHeaders = p.nf
		p.state = sFieldStart
		p.emitStep = 0
	} else {
		p.state = sChunkData
	}
	if err := p.h.OnChunkHeader(size); err != nil {
		return p.hookErr(err)
	}
	return nil
}

// emit makes the Handler calls for a complete header (or trailer) section,
// resumably: emitStep counts the calls already made.
func (p *Parser) emit() error {
	buf := p.buf
	if p.state == sEmitTrailers {
		if !p.spansOnly {
			for k := p.nHeaders + p.emitStep; k < p.nf; k = p.nHeaders + p.emitStep {
				f := p.fields[k]
				p.emitStep++
				if err := p.h.OnTrailer(f.Name.In(buf), f.Value.In(buf)); err != nil {
					return err
				}
			}
		}
		p.state = sMsgComplete
		return nil
	}
	if !p.spansOnly {
		// Steps 0-2: the start line's parts; 3 on: the header fields.
		h := p.h
		if p.emitStep == 0 {
			p.emitStep = 1
			var err error
			if p.mode == ModeRequest {
				err = h.OnMethod(p.info.Method)
			} else {
				err = h.OnVersion(int(p.info.Major), int(p.info.Minor))
			}
			if err != nil {
				return err
			}
		}
		if p.emitStep == 1 {
			p.emitStep = 2
			var err error
			if p.mode == ModeRequest {
				err = h.OnTarget(p.target.In(buf))
			} else {
				err = h.OnStatus(int(p.info.Status), p.reason.In(buf))
			}
			if err != nil {
				return err
			}
		}
		if p.emitStep == 2 {
			p.emitStep = 3
			if p.mode == ModeRequest {
				if err := h.OnVersion(int(p.info.Major), int(p.info.Minor)); err != nil {
					return err
				}
			}
		}
		fields := p.fields[:p.nf]
		for k := p.emitStep - 3; k < len(fields); k++ {
			f := fields[k]
			p.emitStep++
			if err := h.OnHeader(f.Name.In(buf), f.Value.In(buf)); err != nil {
				return err
			}
		}
	}
	p.state = p.afterEmit
	return p.h.OnHeadersComplete(p.info)
}

// Finish tells the parser the connection reached EOF. It completes a
// response whose body runs to EOF and returns nil at a message boundary;
// inside a message it returns ErrIncomplete.
func (p *Parser) Finish() error {
	switch p.state {
	case sMsgStart, sClosed, sUpgraded:
		return nil
	case sFailed:
		return p.err
	case sBodyEOF, sMsgComplete:
		p.state = sMsgComplete
		if err := p.finishMessage(); err != nil {
			return p.hookErr(err)
		}
		return nil
	}
	return p.fail(ErrIncomplete)
}

// finishMessage moves to the state after a message and reports its end.
func (p *Parser) finishMessage() error {
	switch {
	case p.info.Flags&FlagUpgrade != 0:
		p.state = sUpgraded
	case p.mode == ModeResponse && p.info.Status < 200:
		p.state = sMsgStart // an interim response; the final one follows
	case p.info.Flags&FlagKeepAlive == 0:
		p.state = sClosed
	default:
		p.state = sMsgStart
	}
	p.skippedCRLF = false
	return p.h.OnMessageComplete()
}
