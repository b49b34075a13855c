package uv

// Pipes on Windows are named pipes, which come with the IOCP backend; until then the pipe
// helpers return ENOSYS.

// MaxPipeName is the longest pipe name (a named pipe's name on Windows).
const MaxPipeName = 256

// AbstractPipeNames is false: abstract socket names are Linux only.
const AbstractPipeNames = false

// PipePair returns ENOSYS until the IOCP backend exists.
func PipePair(readFlags, writeFlags int) ([2]OSFd, error) { return [2]OSFd{}, ENOSYS }

// BindPipe returns ENOSYS until the IOCP backend exists.
func BindPipe(fd OSSock, name string) error { return ENOSYS }

// PipeName returns ENOSYS until the IOCP backend exists.
func PipeName(fd OSSock, peer bool) (string, error) { return "", ENOSYS }

// PipeConnectAddr returns ENOSYS until the IOCP backend exists.
func PipeConnectAddr(name string) (SockAddr, error) { return nil, ENOSYS }

// FdAccess returns ENOSYS until the IOCP backend exists.
func FdAccess(fd OSFd) (readable, writable bool, err error) { return false, false, ENOSYS }
