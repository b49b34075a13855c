package uv

import (
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// inotifyState is a loop's inotify instance: one descriptor, and per watch descriptor the
// watchers using it (the kernel gives the same wd to every watch of one inode).
type inotifyState struct {
	fd   int
	io   IOWatcher
	wds  map[int][]wdUser
	snap []wdUser // the users of the event being dispatched, reused
	buf  [4096]byte
}

// wdUser is one watcher's use of a watch descriptor: prefix is "" for the watched path
// itself and "sub/dir/" for a subdirectory of a recursive watcher; gen is the watcher's start
// it belongs to.
type wdUser struct {
	w      *FSWatcher
	gen    uint64
	prefix string
}

// fsWatchSys is empty on Linux: a watcher's inotify watches are in FSWatcher.wds.
type fsWatchSys struct{}

const (
	inotifyMask = unix.IN_ATTRIB | unix.IN_CREATE | unix.IN_MODIFY | unix.IN_DELETE |
		unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_MOVED_FROM | unix.IN_MOVED_TO
	// Subdirectories of a recursive watcher: never a file that took a directory's name, never
	// through a symbolic link.
	inotifySubdirMask = inotifyMask | unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW
)

func (l *Loop) inotify() (*inotifyState, error) {
	if s := l.os.inotify; s != nil {
		return s, nil
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, TranslateSysError(err)
	}
	s := &inotifyState{fd: fd, wds: make(map[int][]wdUser)}
	if err := s.io.Init(l, fd, func(int) { l.inotifyRead() }); err != nil {
		unix.Close(fd)
		return nil, err
	}
	s.io.Start(EventReadable)
	l.os.inotify = s
	return s, nil
}

func (l *Loop) closeInotify() {
	if s := l.os.inotify; s != nil {
		s.io.Close()
		unix.Close(s.fd)
		l.os.inotify = nil
	}
}

// Start watches path. EINVAL if already started, if cb is nil or the path holds a NUL byte;
// otherwise the error of inotify_add_watch (ENOENT for a missing path).
func (w *FSWatcher) Start(l *Loop, path string, recursive bool, cb func(name string, events int)) error {
	if w.active || l == nil || l.closed || cb == nil {
		return EINVAL
	}
	if hasNUL(path) {
		return EINVAL
	}
	s, err := l.inotify()
	if err != nil {
		return err
	}
	*w = FSWatcher{loop: l, path: path, self: fsEventSelfName(path), recursive: recursive, cb: cb,
		gen: w.gen + 1, errCb: w.errCb}
	if _, err := w.add(s, path, "", inotifyMask); err != nil {
		return err
	}
	w.active = true
	if recursive {
		w.addTree(s, path, "", nil)
	}
	return nil
}

// add watches path for w, its names getting prefix. It reports whether the watch is new to w.
func (w *FSWatcher) add(s *inotifyState, path, prefix string, mask uint32) (bool, error) {
	wd, err := unix.InotifyAddWatch(s.fd, path, mask)
	if err != nil {
		return false, TranslateSysError(err)
	}
	users := s.wds[wd]
	for i := range users {
		if users[i].w != w || users[i].gen != w.gen {
			continue
		}
		// Already watched by w: the same directory seen twice (found by the walk and then
		// reported created), or moved within the tree. Keep one watch, with the newest name.
		if users[i].prefix == prefix {
			return false, nil
		}
		users[i].prefix = prefix
		for j := range w.wds {
			if w.wds[j].wd == wd {
				w.wds[j].prefix = prefix
			}
		}
		return false, nil
	}
	s.wds[wd] = append(users, wdUser{w, w.gen, prefix})
	w.wds = append(w.wds, fsWatch{wd, prefix})
	return true, nil
}

// addTree watches the subdirectories below dir (whose names get prefix), recursively. With
// found non-nil, it appends the relative name of every entry it meets, directories and
// files, and returns the list (for a directory just created, whose entries were made before
// the watch on it existed).
func (w *FSWatcher) addTree(s *inotifyState, dir, prefix string, found []string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return found
	}
	for _, e := range entries {
		name := prefix + e.Name()
		if found != nil {
			found = append(found, name)
		}
		if !e.IsDir() {
			continue
		}
		sub := dir + "/" + e.Name()
		if added, err := w.add(s, sub, name+"/", inotifySubdirMask); err == nil && added {
			found = w.addTree(s, sub, name+"/", found)
		}
	}
	return found
}

// dropTree stops w's watches of the directory with the given prefix and of everything below
// it (a subdirectory moved away).
func (w *FSWatcher) dropTree(s *inotifyState, prefix string) {
	kept := w.wds[:0]
	for _, fw := range w.wds {
		if strings.HasPrefix(fw.prefix, prefix) {
			s.removeUser(fw.wd, w)
		} else {
			kept = append(kept, fw)
		}
	}
	clear(w.wds[len(kept):])
	w.wds = kept
}

// removeUser takes w off wd, and removes the kernel watch once nobody uses it.
func (s *inotifyState) removeUser(wd int, w *FSWatcher) {
	users := s.wds[wd]
	for i, u := range users {
		if u.w == w {
			users = append(users[:i:i], users[i+1:]...)
			break
		}
	}
	if len(users) == 0 {
		delete(s.wds, wd)
		unix.InotifyRmWatch(s.fd, uint32(wd))
		return
	}
	s.wds[wd] = users
}

// forget drops a watch the kernel has ended (IN_IGNORED: the path was removed or its file
// system unmounted). Its watchers stay started, as in libuv.
func (s *inotifyState) forget(wd int) {
	for _, u := range s.wds[wd] {
		w := u.w
		for i, fw := range w.wds {
			if fw.wd == wd {
				w.wds = append(w.wds[:i:i], w.wds[i+1:]...)
				break
			}
		}
	}
	delete(s.wds, wd)
}

// Stop stops watching. Stopping a stopped watcher does nothing.
func (w *FSWatcher) Stop() {
	if !w.active {
		return
	}
	w.active = false
	if s := w.loop.os.inotify; s != nil {
		for _, fw := range w.wds {
			s.removeUser(fw.wd, w)
		}
	}
	w.wds = nil
}

func (l *Loop) inotifyRead() {
	s := l.os.inotify
	for s != nil {
		n, err := unix.Read(s.fd, s.buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			e := (*unix.InotifyEvent)(unsafe.Pointer(&s.buf[off]))
			end := off + unix.SizeofInotifyEvent + int(e.Len)
			if end > n {
				return
			}
			name := s.buf[off+unix.SizeofInotifyEvent : end]
			off = end
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			l.inotifyDispatch(s, int(e.Wd), e.Mask, name)
			if l.os.inotify != s {
				return
			}
		}
	}
}

// inotifyDispatch calls the watchers of wd for one event. The events are libuv's: IN_ATTRIB
// and IN_MODIFY are a change, any other bit (IN_ISDIR and IN_IGNORED included) a rename.
func (l *Loop) inotifyDispatch(s *inotifyState, wd int, mask uint32, nameBytes []byte) {
	users := s.wds[wd]
	if len(users) == 0 {
		return // a watch already removed: its last events are stale
	}
	events := 0
	if mask&(unix.IN_ATTRIB|unix.IN_MODIFY) != 0 {
		events |= FSEventChange
	}
	if mask&^(unix.IN_ATTRIB|unix.IN_MODIFY) != 0 {
		events |= FSEventRename
	}
	name := ""
	if len(nameBytes) > 0 {
		name = string(nameBytes)
	}
	// Callbacks may stop and start watchers, so go over a copy; a watcher stopped, or
	// restarted, meanwhile is skipped (libuv moves the list aside for the same reason).
	s.snap = append(s.snap[:0], users...)
	for i := range s.snap {
		u := s.snap[i]
		w := u.w
		if !w.active || w.gen != u.gen {
			continue
		}
		if name == "" {
			if u.prefix != "" {
				continue // a subdirectory's own event: its parent reports it by name
			}
			w.cb(w.self, events)
			continue
		}
		var found []string
		if w.recursive && mask&unix.IN_ISDIR != 0 {
			rel := u.prefix + name + "/"
			switch {
			case mask&unix.IN_MOVED_FROM != 0:
				w.dropTree(s, rel)
			case mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0:
				dir := w.path + "/" + u.prefix + name
				if added, err := w.add(s, dir, rel, inotifySubdirMask); err == nil && added {
					if mask&unix.IN_CREATE != 0 {
						found = w.addTree(s, dir, rel, make([]string, 0))
					} else {
						w.addTree(s, dir, rel, nil)
					}
				}
			}
		}
		w.cb(u.prefix+name, events)
		// Entries made in a new directory before its watch existed: report them now.
		for _, f := range found {
			if !w.active || w.gen != u.gen {
				break
			}
			w.cb(f, FSEventRename)
		}
	}
	clear(s.snap)
	if mask&unix.IN_IGNORED != 0 {
		s.forget(wd)
	}
}
