package conformance_test

import "testing"

// The tty tests (libuv's test-tty.c). Their bodies are in tty_unix_test.go, which runs them
// on a terminal or a pseudo-terminal, and tty_windows_test.go.

// TestTTY checks a terminal opened read-only and one opened write-only: readability follows
// the access mode, the window size is known, and raw mode can be set, left and reset.
// libuv: tty
func TestTTY(t *testing.T) { ttyTest(t) }

// TestTTYFile checks that files and character devices other than terminals are refused with
// EINVAL, as is a closed descriptor, and that a terminal opened read-write, read-only or
// write-only gives a handle readable and writable accordingly, which stays usable after the
// caller closes its descriptor.
// libuv: tty_file
func TestTTYFile(t *testing.T) { ttyFile(t) }

// TestTTYPty checks that a pty slave is reopened (so its writes need not block) and a pty
// master never is (reopening /dev/ptmx would create a new pair), so its writes block.
// libuv: tty_pty
func TestTTYPty(t *testing.T) { ttyPty(t) }

// TestTTYPtyPartial reads 64 KiB written to a pty slave by another thread from the master in
// 64 KiB buffers, until the slave closes: every byte arrives even though each read returns
// only part of a buffer. libuv repeats it 10 times because the bug it guards against showed
// in about one run in three.
// libuv: tty_pty_partial
func TestTTYPtyPartial(t *testing.T) { ttyPtyPartial(t) }

// TestTTYRaw starts reading a terminal in normal mode, switches it to raw mode and types a
// space: in raw mode the single byte is delivered at once, without waiting for a newline.
// (libuv runs this one on Windows consoles only.)
// libuv: tty_raw
func TestTTYRaw(t *testing.T) { ttyRaw(t) }

// TestTTYRawCancel switches a terminal to raw mode, starts reading and stops at once.
// (libuv runs this one on Windows consoles only, where stopping must cancel a blocked
// console read.)
// libuv: tty_raw_cancel
func TestTTYRawCancel(t *testing.T) { ttyRawCancel(t) }

// TestTTYEmptyWrite checks that TryWrite of an empty buffer to a terminal writes 0 bytes
// without error. (libuv runs this one on Windows consoles only.)
// libuv: tty_empty_write
func TestTTYEmptyWrite(t *testing.T) { ttyEmptyWrite(t) }

// TestTTYLargeWrite checks that TryWrite of 10000 bytes to a terminal writes them all. (libuv
// runs this one on Windows consoles only.) The terminal is first put in binary-safe mode:
// with output processing on, the newline becomes two bytes, and some pseudo-terminals (gVisor's)
// hold not much more than 10000 bytes, so a non-blocking write could fall one byte short.
// libuv: tty_large_write
func TestTTYLargeWrite(t *testing.T) { ttyLargeWrite(t) }
