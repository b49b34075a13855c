package uv

// msgNoSignal is the send flag that keeps a write to a reset connection from raising
// SIGPIPE. macOS documents no such flag for send(2), so there the write behaves as write(2)
// does: Go's runtime already ignores SIGPIPE for descriptors other than stdout and stderr.
const msgNoSignal = 0
