package http

// Error is one of Node's http errors, with its code (ERR_HTTP_HEADERS_SENT, ...) and message.
type Error struct {
	Code string
	msg  string
}

func (e *Error) Error() string { return e.msg }

// Node's http error codes.
var (
	// ErrHeadersSent: a header change after the head was sent (ERR_HTTP_HEADERS_SENT).
	ErrHeadersSent = &Error{"ERR_HTTP_HEADERS_SENT", "Cannot set headers after they are sent to the client"}
	// ErrInvalidHeaderName: a header name that is not an HTTP token (ERR_INVALID_HTTP_TOKEN).
	ErrInvalidHeaderName = &Error{"ERR_INVALID_HTTP_TOKEN", "Header name must be a valid HTTP token"}
	// ErrInvalidHeaderValue: a header value with a control character (ERR_INVALID_CHAR).
	ErrInvalidHeaderValue = &Error{"ERR_INVALID_CHAR", "Invalid character in header content"}
	// ErrInvalidStatus: a status code outside 100-999 (ERR_HTTP_INVALID_STATUS_CODE).
	ErrInvalidStatus = &Error{"ERR_HTTP_INVALID_STATUS_CODE", "Invalid status code"}
	// ErrTrailerNotChunked: trailers on a response that is not chunked
	// (ERR_HTTP_TRAILER_INVALID).
	ErrTrailerNotChunked = &Error{"ERR_HTTP_TRAILER_INVALID", "Trailers are invalid with this transfer encoding"}
	// ErrAborted is the error of a request whose connection closed before its body was
	// complete (Node's "aborted", code ECONNRESET).
	ErrAborted = &Error{"ECONNRESET", "aborted"}
	// ErrSocketHangUp is the error of a client request whose connection closed before a
	// response (Node's "socket hang up").
	ErrSocketHangUp = &Error{"ECONNRESET", "socket hang up"}
	// ErrRequestTimeout: headersTimeout or requestTimeout expired (ERR_HTTP_REQUEST_TIMEOUT).
	ErrRequestTimeout = &Error{"ERR_HTTP_REQUEST_TIMEOUT", "Request timeout"}
	// ErrServerClosed: a Listen on a closed bridge or a request after Close.
	ErrServerClosed = &Error{"ERR_SERVER_NOT_RUNNING", "Server is not running."}
)
