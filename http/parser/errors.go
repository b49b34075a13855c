package parser

// Error is a parse failure (or, for ErrPause and ErrUpgrade, a stop that is
// not a failure). Every failure has the HTTP status a server should answer
// before it closes the connection, and a Code in the style of Node's
// llhttp error codes, so that a clientError handler can switch on it.
//
// The values below are the only ones the parser returns (apart from errors
// returned by a Handler, which are passed through unchanged); compare them
// with == or errors.Is.
type Error struct {
	// Code is a short upper-case identifier, llhttp's where llhttp has one.
	Code string
	// Status is the HTTP status code a server answers with; 0 for the
	// non-failures ErrPause and ErrUpgrade.
	Status int
	// Reason is a human-readable description.
	Reason string
}

func (e *Error) Error() string { return "http parser: " + e.Code + ": " + e.Reason }

func newErr(code string, status int, reason string) *Error {
	return &Error{Code: code, Status: status, Reason: reason}
}

// Stops that are not failures.
var (
	// ErrPause is returned by Execute when a Handler method returned it.
	// The parser stays usable: call Execute again with the bytes from n on.
	ErrPause = newErr("HPE_PAUSED", 0, "paused by a handler")
	// ErrUpgrade is returned by Execute after a message that switches
	// protocols completes (a request with Connection: upgrade and an
	// Upgrade header, CONNECT, a 101 response, or a 2xx answer to CONNECT).
	// The bytes from n on belong to the new protocol; the parser takes no
	// more input until Reset.
	ErrUpgrade = newErr("HPE_PAUSED_UPGRADE", 0, "connection upgraded")
)

// Failures of the start line.
var (
	ErrInvalidMethod      = newErr("HPE_INVALID_METHOD", 400, "invalid character in method")
	ErrUnknownMethod      = newErr("HPE_INVALID_METHOD", 400, "unknown method")
	ErrInvalidTarget      = newErr("HPE_INVALID_URL", 400, "invalid request target")
	ErrTargetTooLong      = newErr("HPE_URI_TOO_LONG", 414, "request target too long")
	ErrInvalidVersion     = newErr("HPE_INVALID_VERSION", 400, "malformed HTTP version")
	ErrUnsupportedVersion = newErr("HPE_UNSUPPORTED_VERSION", 505, "HTTP version not supported")
	ErrInvalidStatus      = newErr("HPE_INVALID_STATUS", 502, "invalid response status line")
)

// Failures of header and trailer lines.
var (
	ErrInvalidHeaderName  = newErr("HPE_INVALID_HEADER_TOKEN", 400, "invalid character in header name")
	ErrInvalidHeaderValue = newErr("HPE_INVALID_HEADER_TOKEN", 400, "invalid character in header value")
	ErrObsFold            = newErr("HPE_INVALID_HEADER_TOKEN", 400, "whitespace at the start of a header line (obs-fold)")
	ErrBareCR             = newErr("HPE_LF_EXPECTED", 400, "CR not followed by LF")
	ErrBareLF             = newErr("HPE_CR_EXPECTED", 400, "LF not preceded by CR")
	ErrHeaderOverflow     = newErr("HPE_HEADER_OVERFLOW", 431, "headers larger than MaxHeaderSize")
	ErrMissingHost        = newErr("HPE_MISSING_HOST", 400, "HTTP/1.1 request without Host")
	ErrDuplicateHost      = newErr("HPE_DUPLICATE_HOST", 400, "more than one Host header")
	ErrInvalidHost        = newErr("HPE_INVALID_HOST", 400, "invalid Host header value")
)

// Failures of message framing (the request smuggling defences).
var (
	ErrInvalidContentLength    = newErr("HPE_INVALID_CONTENT_LENGTH", 400, "invalid Content-Length")
	ErrDuplicateContentLength  = newErr("HPE_UNEXPECTED_CONTENT_LENGTH", 400, "duplicate Content-Length")
	ErrContentLengthWithTE     = newErr("HPE_UNEXPECTED_CONTENT_LENGTH", 400, "Content-Length together with Transfer-Encoding")
	ErrInvalidTransferEncoding = newErr("HPE_INVALID_TRANSFER_ENCODING", 400, "invalid Transfer-Encoding (chunked must be the final coding, once)")
	ErrTransferEncodingHTTP10  = newErr("HPE_INVALID_TRANSFER_ENCODING", 400, "Transfer-Encoding in an HTTP/1.0 request")
	ErrInvalidChunkSize        = newErr("HPE_INVALID_CHUNK_SIZE", 400, "invalid chunk size")
	ErrChunkSizeOverflow       = newErr("HPE_INVALID_CHUNK_SIZE", 400, "chunk size overflow")
	ErrInvalidChunkExtension   = newErr("HPE_STRICT", 400, "invalid chunk extension")
	ErrChunkExtTooLarge        = newErr("HPE_CHUNK_EXTENSIONS_OVERFLOW", 413, "chunk extensions too large")
	ErrInvalidChunkData        = newErr("HPE_STRICT", 400, "chunk data not followed by CRLF")
	ErrDataAfterClose          = newErr("HPE_CLOSED_CONNECTION", 400, "data after a message that closes the connection")
	ErrIncomplete              = newErr("HPE_INVALID_EOF_STATE", 400, "connection ended inside a message")
)
