package uv

// OSGetPriority returns ENOSYS until the Windows backend exists.
func OSGetPriority(pid int) (int, error) { return 0, ENOSYS }

// OSSetPriority returns ENOSYS until the Windows backend exists.
func OSSetPriority(pid, prio int) error { return ENOSYS }
