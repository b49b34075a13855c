package uv

// SpawnProcess returns ENOSYS until the Windows backend exists (CreateProcess).
func SpawnProcess(o *SpawnOptions) (pid int, exitFd OSFd, err error) { return 0, 0, ENOSYS }

// ReapProcess returns ENOSYS until the Windows backend exists.
func ReapProcess(pid int) (exit ProcessExit, done bool, err error) {
	return ProcessExit{}, false, ENOSYS
}

// KillProcess returns ENOSYS until the Windows backend exists.
func KillProcess(pid, sig int) error { return ENOSYS }

// StdioPipe returns ENOSYS until the Windows backend exists.
func StdioPipe() (parent, child OSSock, err error) { return 0, 0, ENOSYS }
