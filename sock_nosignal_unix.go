//go:build unix && !darwin

package uv

import "golang.org/x/sys/unix"

// msgNoSignal is the send flag that keeps a write to a reset connection from raising
// SIGPIPE: the write fails with EPIPE instead (see Sock.write1).
const msgNoSignal = unix.MSG_NOSIGNAL
