//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import "golang.org/x/sys/unix"

// File events on the kqueue systems, as libuv's kqueue backend gives them: the watched path is
// opened and its descriptor registered for one EVFILT_VNODE event at a time (the logic is in
// kqueue_poll.go).

// fsWatchSys is empty on the kqueue systems: a watcher's descriptor is in FSWatcher.wds.
type fsWatchSys struct{}

// closeInotify stops the file watchers still started when the loop closes (the name is that
// of the Linux function the loop calls).
func (l *Loop) closeInotify() {
	l.be.kq.closeVnodes(func(fd int) { unix.Close(fd) })
}

// Start watches path (libuv's uv_fs_event_start on kqueue). Every event names the watched
// path itself (its base name), whether a file or a directory was watched: kqueue does not
// say which entry of a directory changed. An attribute change or a write that extends the
// file is FSEventChange; anything else (another write, a rename, a removal, an entry added
// to or removed from a directory) is FSEventRename. recursive is ignored, as in libuv on
// these systems (libuv's macOS FSEvents path, which honours it, is not ported). EINVAL if
// already started, if cb is nil or the path holds a NUL byte; otherwise the error of open.
func (w *FSWatcher) Start(l *Loop, path string, recursive bool, cb func(name string, events int)) error {
	if w.active || l == nil || l.closed || cb == nil {
		return EINVAL
	}
	if hasNUL(path) {
		return EINVAL
	}
	var fd int
	for {
		var err error
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|kqOpenEvtOnly, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return TranslateSysError(err)
		}
		break
	}
	*w = FSWatcher{loop: l, path: path, self: fsEventSelfName(path), recursive: recursive, cb: cb,
		gen: w.gen + 1, errCb: w.errCb}
	if err := l.be.kq.watchVnode(w, fd); err != nil {
		unix.Close(fd)
		return err
	}
	w.wds = []fsWatch{{wd: fd}}
	w.active = true
	return nil
}

// Stop stops watching and closes the path's descriptor. Stopping a stopped watcher does
// nothing.
func (w *FSWatcher) Stop() {
	if !w.active {
		return
	}
	w.active = false
	for _, fw := range w.wds {
		w.loop.be.kq.unwatchVnode(fw.wd)
		unix.Close(fw.wd)
	}
	w.wds = nil
}
