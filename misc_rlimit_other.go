//go:build unix && !openbsd

package uv

import "golang.org/x/sys/unix"

// rlimitAS is the address-space limit.
const rlimitAS = unix.RLIMIT_AS
