//go:build !linux

package uv

import "strconv"

// somaxconn is the kernel's limit on listen backlogs: unknown (0) outside Linux.
func somaxconn() int { return 0 }

// traceAcceptFlags are the flags accept4 is called with: none are known outside Linux.
const traceAcceptFlags = 0

// appendConst appends the number: the names are known on Linux only.
func appendConst(b []byte, _ traceConst, v int64) []byte { return strconv.AppendInt(b, v, 10) }

// appendSockopt appends the option's number.
func appendSockopt(b []byte, _, opt int64) []byte { return strconv.AppendInt(b, opt, 10) }
