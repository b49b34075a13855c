package uv

import (
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// inotifyState is a loop's inotify instance: one descriptor, and per watch descriptor the
// watchers using it (the kernel gives the same wd to every watch of one inode).
type inotifyState struct {
	fd   int
	io   IOWatcher
	wds  map[int][]wdUser
	buf  [4096]byte
	base map[int]string // the path a wd was added for
}

type wdUser struct {
	w      *FSWatcher
	prefix string
}

const inotifyMask = unix.IN_ATTRIB | unix.IN_CREATE | unix.IN_MODIFY | unix.IN_DELETE |
	unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_MOVED_FROM | unix.IN_MOVED_TO

func (l *Loop) inotify() (*inotifyState, error) {
	if s := l.os.inotify; s != nil {
		return s, nil
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, TranslateSysError(err)
	}
	s := &inotifyState{fd: fd, wds: make(map[int][]wdUser), base: make(map[int]string)}
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

// Start watches path. EINVAL if already started.
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
	*w = FSWatcher{loop: l, path: path, recursive: recursive, cb: cb}
	if err := w.add(s, path, ""); err != nil {
		return err
	}
	if recursive {
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
				if err != nil || !d.IsDir() || p == path {
					return nil
				}
				rel, _ := filepath.Rel(path, p)
				w.add(s, p, rel+"/")
				return nil
			})
		}
	}
	w.active = true
	return nil
}

func (w *FSWatcher) add(s *inotifyState, path, prefix string) error {
	wd, err := unix.InotifyAddWatch(s.fd, path, inotifyMask)
	if err != nil {
		return TranslateSysError(err)
	}
	if _, ok := s.base[wd]; !ok {
		s.base[wd] = path
	}
	s.wds[wd] = append(s.wds[wd], wdUser{w, prefix})
	w.wds = append(w.wds, fsWatch{wd, prefix})
	return nil
}

// Stop stops watching. Stopping a stopped watcher does nothing.
func (w *FSWatcher) Stop() {
	if !w.active {
		return
	}
	w.active = false
	s := w.loop.os.inotify
	if s == nil {
		return
	}
	for _, fw := range w.wds {
		users := s.wds[fw.wd]
		for i, u := range users {
			if u.w == w {
				users = append(users[:i:i], users[i+1:]...)
				break
			}
		}
		if len(users) == 0 {
			delete(s.wds, fw.wd)
			delete(s.base, fw.wd)
			unix.InotifyRmWatch(s.fd, uint32(fw.wd))
		} else {
			s.wds[fw.wd] = users
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
			nameBytes := s.buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(e.Len)]
			off += unix.SizeofInotifyEvent + int(e.Len)
			name := ""
			for i, c := range nameBytes {
				if c == 0 {
					nameBytes = nameBytes[:i]
					break
				}
			}
			if len(nameBytes) > 0 {
				name = string(nameBytes)
			}
			l.inotifyDispatch(s, int(e.Wd), e.Mask, name)
			if l.os.inotify != s {
				return
			}
		}
	}
}

func (l *Loop) inotifyDispatch(s *inotifyState, wd int, mask uint32, name string) {
	users := s.wds[wd]
	if len(users) == 0 {
		return
	}
	events := 0
	if mask&(unix.IN_ATTRIB|unix.IN_MODIFY) != 0 {
		events |= FSEventChange
	}
	if mask&^(unix.IN_ATTRIB|unix.IN_MODIFY|unix.IN_ISDIR|unix.IN_IGNORED|unix.IN_Q_OVERFLOW|unix.IN_UNMOUNT) != 0 {
		events |= FSEventRename
	}
	if events == 0 {
		return
	}
	base := s.base[wd]
	// A snapshot: callbacks may stop watchers.
	snap := append([]wdUser(nil), users...)
	for _, u := range snap {
		if !u.w.active {
			continue
		}
		n := name
		if n == "" {
			n = filepath.Base(base)
			if u.prefix != "" {
				n = u.prefix[:len(u.prefix)-1]
			}
		} else {
			n = u.prefix + name
		}
		if u.w.recursive && name != "" && mask&unix.IN_ISDIR != 0 && mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0 {
			u.w.add(s, filepath.Join(base, name), u.prefix+name+"/")
		}
		u.w.cb(n, events)
	}
}
