// Package stream holds Node's Readable, Writable and Duplex streams in Go form: byte streams
// with a highWaterMark (16 KiB by default), Write returning false once that many bytes are
// buffered and a drain callback when the buffer empties, End, flowing and paused reading, Pipe
// with backpressure in both directions, and Destroy, with Node's order of the data, end,
// finish, error and close callbacks. Events are typed callbacks set with On* methods (one per
// event), not string-keyed listeners. Streams are single-threaded: every method and callback
// runs on one goroutine (a loop's), and the deferred work Node schedules with process.nextTick
// runs from a TickQueue the host drains. A chunk handed through (pushed while flowing, written
// while nothing is queued) is neither copied nor allocated for; bytes that must wait are
// copied into buffers the stream reuses. An owner that is the only one listening to a stream
// may end it in one step instead of its callbacks' two ticks (HoldEnd and Settle; an HTTP
// server does so for requests nobody else watches). The package imports only the standard
// library, so it is independent of the loop and the handles; net builds sockets on it.
package stream
