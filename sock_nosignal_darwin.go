package uv

// msgNoSignal is the send flag that keeps a write to a reset connection from raising
// SIGPIPE. macOS's send(2) page documents no such flag (recent kernels accept one, older
// ones do not), so there the write behaves as write(2) does: Go's runtime already ignores
// SIGPIPE for descriptors other than stdout and stderr.
const msgNoSignal = 0
