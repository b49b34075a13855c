package handles

import uv "github.com/uv-go/uv"

// FS event flags and events (libuv's uv_fs_event_flags and uv_fs_event).
const (
	FSEventWatchEntry = 1
	FSEventStat       = 2
	// FSEventRecursive watches subdirectories too, including ones created later. libuv
	// offers it on macOS and Windows only; uv-go also does it on Linux.
	FSEventRecursive = 4

	Rename = uv.FSEventRename
	Change = uv.FSEventChange
)

// FSEvent watches a file or directory for changes (libuv's uv_fs_event_t). The callback
// gets the name of the entry that changed (for the watched path itself, its base name) and
// Rename, Change or both, as libuv maps inotify's events: see uv.FSWatcher. Handles watching
// the same file share one kernel watch.
type FSEvent struct {
	uv.Handle
	w  uv.FSWatcher
	cb func(h *FSEvent, filename string, events int, err error)
}

// NewFSEvent creates an fs event handle.
func NewFSEvent(l *uv.Loop) (*FSEvent, error) { return newHandle[FSEvent](l) }

// Init initialises a declared fs event handle.
func (h *FSEvent) Init(l *uv.Loop) error {
	return h.Handle.InitHooks(l, uv.TypeFSEvent, h, &fsEventHooks)
}

// fsEventHooks: closing stops the watch.
var fsEventHooks = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*FSEvent).stop() }}

// Start watches path; cb gets the name of the entry that changed and Rename or Change
// (libuv's uv_fs_event_start). With FSEventRecursive, names below a watched directory are
// relative paths ("sub/file"; `sub\file` on Windows). EINVAL if already started, closing,
// or cb is nil; ENOENT if path does not exist.
func (h *FSEvent) Start(cb func(h *FSEvent, filename string, events int, err error), path string, flags int) error {
	if h.Loop() == nil || h.IsClosing() || h.IsActive() || cb == nil {
		return uv.EINVAL
	}
	h.cb = cb
	h.w.OnError(h.fail)
	if err := h.w.Start(h.Loop(), path, flags&FSEventRecursive != 0, h.fire); err != nil {
		return err
	}
	h.Activate()
	return nil
}

func (h *FSEvent) fire(name string, events int) { h.cb(h, name, events, nil) }

// fail reports an error of the watch (Windows only so far), with no name and no events, as
// libuv does.
func (h *FSEvent) fail(err error) { h.cb(h, "", 0, err) }

// Stop stops watching.
func (h *FSEvent) Stop() error {
	h.stop()
	return nil
}

func (h *FSEvent) stop() {
	h.w.Stop()
	h.Deactivate()
}

// Path returns the watched path (libuv's uv_fs_event_getpath); EINVAL when not started.
func (h *FSEvent) Path() (string, error) {
	if !h.IsActive() {
		return "", uv.EINVAL
	}
	return h.w.Path(), nil
}
