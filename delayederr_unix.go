//go:build unix

package uv

// SendDelayedError records err, the error a TCP handle keeps for its next listen or connect
// (libuv's delayed_error), to travel with socket fd the next time fd is sent over an IPC
// pipe; nil forgets it. Windows carries it in the frame, as libuv does. On unix nothing
// travels with a descriptor and this does nothing.
func SendDelayedError(fd OSSock, err error) {}

// ReceivedDelayedError returns, and forgets, the delayed error that came with socket fd over
// an IPC pipe (Pipe.Accept hands it to the TCP handle that takes fd): always nil on unix.
func ReceivedDelayedError(fd OSSock) error { return nil }
