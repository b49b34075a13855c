package uv

import "syscall"

// Windows runs on the IOCP backend, which is not written yet: until it is, NewLoop returns
// ENOSYS here (see backend_stub.go), and no IOWatcher can be bound to a loop.

// OSFd is a file handle of the host OS (libuv's uv_os_fd_t).
type OSFd = syscall.Handle

// OSSock is a socket of the host OS (libuv's uv_os_sock_t).
type OSSock = syscall.Handle

// IOWatcher reports readiness of a socket; on Windows it will sit on AFD polling.
type IOWatcher struct {
	loop    *Loop
	fd      OSSock
	pevents int
	qprev   *IOWatcher
	qnext   *IOWatcher
}

// Init returns ENOSYS until the IOCP backend exists.
func (w *IOWatcher) Init(l *Loop, fd OSSock, cb func(events int)) error { return ENOSYS }

// Fd returns the watched socket.
func (w *IOWatcher) Fd() OSSock { return w.fd }

// Events returns the events the watcher wants.
func (w *IOWatcher) Events() int { return w.pevents }

// Start returns ENOSYS until the IOCP backend exists.
func (w *IOWatcher) Start(events int) error { return ENOSYS }

// Stop does nothing until the IOCP backend exists.
func (w *IOWatcher) Stop(events int) {}

// StopAll does nothing until the IOCP backend exists.
func (w *IOWatcher) StopAll() {}

// Close does nothing until the IOCP backend exists.
func (w *IOWatcher) Close() {}

func (l *Loop) ioQueueEmpty() bool { return true }
func (l *Loop) initIOQueue()       {}
