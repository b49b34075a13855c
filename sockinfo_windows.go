package uv

// SockTypeOf returns ENOSYS until the IOCP backend exists.
func SockTypeOf(fd OSSock) (HandleType, error) { return UnknownHandle, ENOSYS }
