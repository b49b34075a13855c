package uv

import "golang.org/x/sys/unix"

// rlimitAS: OpenBSD has no address-space limit, so the data limit stands in for it.
const rlimitAS = unix.RLIMIT_DATA
