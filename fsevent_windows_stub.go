//go:build windows

package uv

func (l *Loop) closeInotify() {}

// Start returns ENOSYS until this system's backend exists (EVFILT_VNODE on kqueue,
// ReadDirectoryChangesW on Windows).
func (w *FSWatcher) Start(l *Loop, path string, recursive bool, cb func(name string, events int)) error {
	return ENOSYS
}

// Stop does nothing until this system's backend exists.
func (w *FSWatcher) Stop() {}
