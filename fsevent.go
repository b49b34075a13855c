package uv

import "path/filepath"

// File-system change events (libuv's uv_fs_event_t mechanism): Linux watches with inotify,
// kqueue systems with EVFILT_VNODE, Windows with ReadDirectoryChangesW.

// Events of an FSWatcher (libuv's uv_fs_event).
const (
	FSEventRename = 1
	FSEventChange = 2
)

// FSWatcher delivers change events for a file or directory to a callback on the loop. The
// name passed is the entry that changed, relative to the watched directory (for an event on
// the watched file or directory itself, the base name of the watched path). With recursive
// set, subdirectories are watched too, including ones created or moved in later, and names
// are relative paths ("sub/file", `sub\file` on Windows). For handle implementations.
//
// On Linux the events are libuv's: a content change (IN_MODIFY) or an attribute change
// (IN_ATTRIB) of a file is FSEventChange; every other inotify event is FSEventRename, and an
// event about a directory entry carries IN_ISDIR, so an attribute change of a directory is
// FSEventChange|FSEventRename. The removal of the watched path itself gives FSEventRename
// twice (the removal, then the end of the kernel watch), after which nothing more is
// reported until the watcher is stopped and started again. Windows' events are described in
// fsevent_windows.go: added, removed and renamed entries are FSEventRename, other changes
// FSEventChange, as libuv reports them there.
type FSWatcher struct {
	loop      *Loop
	path      string
	self      string // the name events on the watched path itself report
	recursive bool
	cb        func(name string, events int)
	wds       []fsWatch
	active    bool
	gen       uint64 // counts starts, so that a restarted watcher gets no event of its last start
	errCb     func(err error)
	sys       fsWatchSys // what the system's backend keeps per start
}

// fsWatch is one kernel watch of a watcher: the directory prefix its names get.
type fsWatch struct {
	wd     int
	prefix string
}

// OnError sets fn to receive the errors the backend reports after a successful Start (so far
// only Windows does: a failed ReadDirectoryChangesW). The watcher stays started but reports
// nothing more; fn typically stops it. The setting survives Start and Stop. For handle
// implementations.
func (w *FSWatcher) OnError(fn func(err error)) { w.errCb = fn }

// Path returns the watched path ("" when stopped).
func (w *FSWatcher) Path() string {
	if !w.active {
		return ""
	}
	return w.path
}

// Active reports whether the watcher is started.
func (w *FSWatcher) Active() bool { return w.active }

// fsEventSelfName is the name reported for events on the watched path itself: its last
// element, trailing slashes ignored (libuv, which cuts at the last slash, reports "" for
// "dir/").
func fsEventSelfName(path string) string { return filepath.Base(path) }
