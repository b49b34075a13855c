package uv

// File-system change events (libuv's uv_fs_event_t mechanism): Linux watches with inotify;
// kqueue (EVFILT_VNODE) and Windows (ReadDirectoryChangesW) come with their backends.

// Events of an FSWatcher (libuv's uv_fs_event).
const (
	FSEventRename = 1
	FSEventChange = 2
)

// FSWatcher delivers change events for a file or directory to a callback on the loop. The
// name passed is the entry that changed, relative to the watched directory (for a watched
// file, the file's own base name). With recursive set, subdirectories are watched too,
// including ones created later, and names are relative paths ("sub/file"). For handle
// implementations.
type FSWatcher struct {
	loop      *Loop
	path      string
	recursive bool
	cb        func(name string, events int)
	wds       []fsWatch
	active    bool
}

// fsWatch is one kernel watch of a watcher: the directory prefix its names get.
type fsWatch struct {
	wd     int
	prefix string
}

// Path returns the watched path ("" when stopped).
func (w *FSWatcher) Path() string {
	if !w.active {
		return ""
	}
	return w.path
}

// Active reports whether the watcher is started.
func (w *FSWatcher) Active() bool { return w.active }
