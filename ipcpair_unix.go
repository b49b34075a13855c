//go:build unix

package uv

// IPCPair creates a connected pair of duplex, non-blocking stream ends for two IPC pipes of
// this process (handles.Pipe with ipc, each end opened with Open, usually on two loops): a
// unix socket pair here; the two ends of a named pipe on Windows, where IPC pipes are named
// pipes. Both ends are close-on-exec.
func IPCPair() ([2]OSSock, error) { return Socketpair(SockStream) }
