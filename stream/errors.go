package stream

// Error is one of Node's stream errors, with its code (ERR_STREAM_WRITE_AFTER_END, ...) and
// message.
type Error struct {
	Code string
	msg  string
}

func (e *Error) Error() string { return e.msg }

// Node's stream error codes.
var (
	// ErrWriteAfterEnd: Write or End(chunk) after End (ERR_STREAM_WRITE_AFTER_END).
	ErrWriteAfterEnd = &Error{"ERR_STREAM_WRITE_AFTER_END", "write after end"}
	// ErrPushAfterEOF: Push after PushEOF (ERR_STREAM_PUSH_AFTER_EOF).
	ErrPushAfterEOF = &Error{"ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF"}
	// ErrUnshiftAfterEnd: Unshift after the end callback (ERR_STREAM_UNSHIFT_AFTER_END_EVENT).
	ErrUnshiftAfterEnd = &Error{"ERR_STREAM_UNSHIFT_AFTER_END_EVENT", "stream.unshift() after end event"}
	// ErrNoTicks: Options.Ticks is nil.
	ErrNoTicks = &Error{"ERR_INVALID_ARG_VALUE", "stream: Options.Ticks is required"}
	// ErrNotImplemented: a Writable without Options.Write (ERR_METHOD_NOT_IMPLEMENTED).
	ErrNotImplemented = &Error{"ERR_METHOD_NOT_IMPLEMENTED", "The _write() method is not implemented"}
)
