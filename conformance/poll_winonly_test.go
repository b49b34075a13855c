package conformance_test

import "testing"

// The poll tests libuv runs on Windows only: closesocket under a started poll handle, which
// the AFD poll code must survive. Their bodies are in poll_winonly_windows_test.go;
// elsewhere they skip (winonly_other_test.go), and conformance/README.md lists them as not
// applicable on unix.

// TestPollClosesocket waits for a connecting socket to become writable, then, in the
// callback, polls it for reading, closes the socket and closes the handle: the close
// callback runs once and the loop ends. libuv connects to a port where nothing listens (the
// failed connect makes the socket writable too); here a listener of the test's own accepts,
// which is quick on every system (a refused loopback connect takes Windows about 2 s).
// libuv: poll_closesocket
func TestPollClosesocket(t *testing.T) { pollClosesocket(t) }

// TestPollCloseDoesntCorruptStack closes a poll handle whose poll is in flight, then the
// socket, which completes that poll, and checks that nothing was written over memory the
// test owns: 64 KiB on this goroutine's stack, as libuv checks its C stack, and a fresh heap
// block taken after a collection (where the poll's request would be, had it been let go). No
// poll callback runs; the close callback runs once.
// libuv: poll_close_doesnt_corrupt_stack
func TestPollCloseDoesntCorruptStack(t *testing.T) { pollCloseDoesntCorruptStack(t) }
