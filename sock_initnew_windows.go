package uv

// InitNew is Init for a socket that OpenSocket or Accept returned; on Windows it does what
// Init does (the unix backends skip Init's checks for such sockets).
func (s *Sock) InitNew(l *Loop, fd OSSock, kind SockKind, ipc bool) error {
	return s.Init(l, fd, kind, ipc)
}
