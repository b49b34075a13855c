//go:build unix

package uv

// SetSimultaneousAccepts does nothing: a readiness backend accepts what is ready, and only
// the IOCP backend keeps accepts pending (libuv's uv_tcp_simultaneous_accepts).
func (s *Sock) SetSimultaneousAccepts(on bool) {}
