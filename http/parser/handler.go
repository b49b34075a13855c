package parser

// Handler receives a message's parts. Every method returns an error: nil to
// go on, ErrPause to make Execute return at once (resumable: the next
// Execute carries on from the next call), anything else to abort (Execute
// returns it and the parser stays failed until Reset).
//
// The start line and header calls (OnMethod, OnTarget, OnVersion, OnStatus,
// OnHeader) are made once the whole header section has been received and
// checked, just before OnHeadersComplete, so a message the parser rejects
// never reaches them; OnTrailer calls likewise come after the whole trailer
// section, before OnMessageComplete. Config.SpansOnly skips them.
//
// The []byte arguments of OnTarget, OnStatus, OnHeader and OnTrailer point
// into the parser's header buffer and stay valid until the next message
// begins; OnChunkExtension's only until the method returns. OnBody's data
// is a slice of the caller's input: zero copy, valid until Execute returns.
// Embed NopHandler to implement only some methods.
type Handler interface {
	// OnMessageBegin is called at the first byte of a message (after the
	// optional leading empty line). A response parser's SetRequestMethod
	// may be called from here.
	OnMessageBegin() error
	// OnMethod is called in request mode with the method.
	OnMethod(m Method) error
	// OnTarget is called in request mode with the request-target.
	OnTarget(target []byte) error
	// OnVersion is called with the HTTP version (1.0 or 1.1).
	OnVersion(major, minor int) error
	// OnStatus is called in response mode with the status code and the
	// reason phrase.
	OnStatus(code int, reason []byte) error
	// OnHeader is called for each header field, in order; the value has
	// its leading and trailing whitespace removed.
	OnHeader(name, value []byte) error
	// OnHeadersComplete is called once the header section has been
	// checked: framing, Host, keep-alive and upgrade are decided.
	OnHeadersComplete(info Info) error
	// OnBody is called with body bytes (chunked framing removed).
	OnBody(data []byte) error
	// OnChunkExtension is called for each extension of a chunk, before
	// OnChunkHeader; a quoted value is given unquoted.
	OnChunkExtension(name, value []byte) error
	// OnChunkHeader is called when a chunk-size line is complete, for the
	// last (zero-size) chunk too.
	OnChunkHeader(size uint64) error
	// OnChunkComplete is called after the CRLF that ends a chunk's data.
	OnChunkComplete() error
	// OnTrailer is called for each trailer field, in order.
	OnTrailer(name, value []byte) error
	// OnMessageComplete is called when the message is complete.
	OnMessageComplete() error
}

// NopHandler implements every Handler method as a no-op.
type NopHandler struct{}

func (NopHandler) OnMessageBegin() error              { return nil }
func (NopHandler) OnMethod(Method) error              { return nil }
func (NopHandler) OnTarget([]byte) error              { return nil }
func (NopHandler) OnVersion(int, int) error           { return nil }
func (NopHandler) OnStatus(int, []byte) error         { return nil }
func (NopHandler) OnHeader(_, _ []byte) error         { return nil }
func (NopHandler) OnHeadersComplete(Info) error       { return nil }
func (NopHandler) OnBody([]byte) error                { return nil }
func (NopHandler) OnChunkExtension(_, _ []byte) error { return nil }
func (NopHandler) OnChunkHeader(uint64) error         { return nil }
func (NopHandler) OnChunkComplete() error             { return nil }
func (NopHandler) OnTrailer(_, _ []byte) error        { return nil }
func (NopHandler) OnMessageComplete() error           { return nil }

// Flags describe a message once its headers are complete.
type Flags uint16

const (
	// FlagKeepAlive: the connection stays open after this message
	// (HTTP/1.1 without Connection: close; HTTP/1.0 with Connection:
	// keep-alive; never for a response whose body runs to EOF).
	FlagKeepAlive Flags = 1 << iota
	// FlagChunked: the body uses the chunked transfer coding.
	FlagChunked
	// FlagContentLength: a Content-Length header sets the body length.
	FlagContentLength
	// FlagBodyEOF: (responses) the body runs until the connection closes.
	FlagBodyEOF
	// FlagUpgrade: the connection switches protocols after this message
	// (Execute returns ErrUpgrade once it is complete).
	FlagUpgrade
	// FlagExpectContinue: an HTTP/1.1 request with Expect: 100-continue.
	FlagExpectContinue
	// FlagExpect: an HTTP/1.1 request with any Expect header; without
	// FlagExpectContinue a server answers 417.
	FlagExpect
	// FlagConnectionClose: a Connection header lists "close".
	FlagConnectionClose
	// FlagConnectionUpgrade: a Connection header lists "upgrade".
	FlagConnectionUpgrade
	// FlagTransferEncoding: a Transfer-Encoding header is present.
	FlagTransferEncoding
)

// Info is what OnHeadersComplete receives (and Parser.Info returns).
type Info struct {
	// Method is the request method (request mode) or the method set with
	// SetRequestMethod (response mode).
	Method Method
	// Major and Minor are the HTTP version.
	Major, Minor uint8
	// Status is the response status code (response mode).
	Status uint16
	// Flags are the framing and connection flags.
	Flags Flags
	// ContentLength is the Content-Length value, or -1 without one.
	ContentLength int64
}

// KeepAlive reports whether the connection stays open after the message.
func (i Info) KeepAlive() bool { return i.Flags&FlagKeepAlive != 0 }

// Chunked reports whether the body is chunked.
func (i Info) Chunked() bool { return i.Flags&FlagChunked != 0 }

// Upgrade reports whether the connection switches protocols after the
// message.
func (i Info) Upgrade() bool { return i.Flags&FlagUpgrade != 0 }

// ExpectContinue reports whether the request expects 100 Continue.
func (i Info) ExpectContinue() bool { return i.Flags&FlagExpectContinue != 0 }

// HasBody reports whether a body follows the header section.
func (i Info) HasBody() bool {
	return i.Flags&(FlagChunked|FlagBodyEOF) != 0 || i.Flags&FlagContentLength != 0 && i.ContentLength > 0
}

// HeaderID identifies the header fields the parser itself interprets.
type HeaderID uint8

// The headers the parser recognises; every other field is HeaderOther.
const (
	HeaderOther HeaderID = iota
	HeaderHost
	HeaderContentLength
	HeaderTransferEncoding
	HeaderConnection
	HeaderUpgrade
	HeaderExpect
)

// Span locates bytes in the parser's header buffer (Parser.Buffer).
type Span struct {
	Off, Len uint32
}

// In returns the bytes s locates in buf.
func (s Span) In(buf []byte) []byte { return buf[s.Off : s.Off+s.Len : s.Off+s.Len] }

// Field is a header or trailer field as spans into the header buffer.
type Field struct {
	Name, Value Span
	// ID is set for headers (not trailers) the parser recognises.
	ID HeaderID
}
