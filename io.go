package uv

// Readiness events of an IOWatcher, the same on every OS. The first four are what a watcher
// asks for (libuv's UV_READABLE, UV_WRITABLE, UV_DISCONNECT, UV_PRIORITIZED); EventError and
// EventHangup are only ever delivered, whatever was asked for.
const (
	EventReadable    = 1
	EventWritable    = 2
	EventDisconnect  = 4
	EventPrioritized = 8
	EventError       = 16
	EventHangup      = 32

	eventsWanted = EventReadable | EventWritable | EventDisconnect | EventPrioritized
)

// InvalidSock is the OSSock value that names no socket (-1 on unix systems, INVALID_SOCKET on
// Windows).
const InvalidSock = ^OSSock(0)
