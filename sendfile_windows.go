package uv

// SendfileSupported reports whether Sock.WriteFile sends files with the kernel's copy: not
// on Windows yet (TransmitFile would be the IOCP counterpart), so the layers above read the
// file and write it.
func SendfileSupported() bool { return false }

// WriteFile returns ENOSYS on Windows: see SendfileSupported.
func (s *Sock) WriteFile(op *WriteOp, file OSFd, off int64, n int, cb func(*WriteOp, error)) error {
	return ENOSYS
}
