package uv

// IPCPair creates a connected pair of duplex stream ends for two IPC pipes of this process
// (handles.Pipe with ipc, each end opened with Open, usually on two loops): on Windows the
// server and client ends of a uniquely named pipe, both overlapped (a loop reads and writes
// them without a goroutine) and not inheritable; a unix socket pair on unix.
func IPCPair() ([2]OSSock, error) {
	s, c, err := createPipePair(pipeRead|pipeWrite, pipeRead|pipeWrite, true, true)
	if err != nil {
		return [2]OSSock{InvalidSock, InvalidSock}, err
	}
	return [2]OSSock{OSSock(s), OSSock(c)}, nil
}
