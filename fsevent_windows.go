package uv

import (
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unsafe"

	"golang.org/x/sys/windows"
)

// File events on Windows, as libuv's src/win/fs-event.c gives them: ReadDirectoryChangesW on
// the watched directory, overlapped on the loop's completion port. A file is watched through
// its directory, keeping only the events that name it. An entry added, removed or renamed is
// FSEventRename, any other change FSEventChange; names are relative to the watched directory,
// with backslashes below it when recursive. A full notify buffer (the system dropped events)
// is reported as one FSEventChange with the name "". The removal of the watched directory is
// one FSEventRename naming it, then ENOENT through the error callback, after which nothing
// more is reported until the watcher is stopped and started again.

// fsEventBufSize is the notify buffer of a watcher. libuv uses 4 KiB; a larger one loses fewer
// events in a burst (the system then drops the lot), and stays under the 64 KiB that network
// shares take.
const fsEventBufSize = 16 * 1024

// fsEventMask is every change libuv asks for.
const fsEventMask = windows.FILE_NOTIFY_CHANGE_FILE_NAME | windows.FILE_NOTIFY_CHANGE_DIR_NAME |
	windows.FILE_NOTIFY_CHANGE_ATTRIBUTES | windows.FILE_NOTIFY_CHANGE_SIZE |
	windows.FILE_NOTIFY_CHANGE_LAST_WRITE | windows.FILE_NOTIFY_CHANGE_LAST_ACCESS |
	windows.FILE_NOTIFY_CHANGE_CREATION | windows.FILE_NOTIFY_CHANGE_SECURITY

// fsWatchSys is a watcher's current start.
type fsWatchSys struct {
	r *fsWatchReq
}

// fsWatchReq is one start of a watcher: the directory handle and the overlapped read of its
// changes. The kernel writes the buffer and the OVERLAPPED until the completion arrives, so
// they are on the heap, and the loop keeps the request reachable (through iocpReq) until then,
// even after the watcher stopped or was started again with a new request.
type fsWatchReq struct {
	req       iocpReq
	w         *FSWatcher
	gen       uint64
	dir       windows.Handle // closed (0) once the watcher stops
	dirPath   string         // the watched directory; "" when a file is watched
	file      string         // the watched file's name, and its 8.3 short name
	shortFile string
	gone      bool // the watched directory was removed
	buf       [fsEventBufSize / 4]uint32
}

// Start watches path (libuv's uv_fs_event_start on Windows): a directory, or a file through
// its directory. EINVAL if already started, if cb is nil or the path holds a NUL byte;
// otherwise the error of opening the path (ENOENT for a missing or invalid one).
func (w *FSWatcher) Start(l *Loop, path string, recursive bool, cb func(name string, events int)) error {
	if w.active || l == nil || l.closed || cb == nil {
		return EINVAL
	}
	p, err := utf16Ptr(path)
	if err != nil {
		return err
	}
	h, err := openWatchDir(p)
	if err != nil {
		return TranslateSysError(err)
	}
	r := &fsWatchReq{w: w, dir: h}
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		windows.CloseHandle(h)
		return TranslateSysError(err)
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0 {
		r.dirPath = path
	} else {
		// A file: watch its directory, keeping the events that name the file (by its long or
		// its short name, which the system may report instead).
		windows.CloseHandle(h)
		r.file = filepath.Base(path)
		r.shortFile = shortName(p)
		dp, err := utf16Ptr(filepath.Dir(path))
		if err != nil {
			return err
		}
		if r.dir, err = openWatchDir(dp); err != nil {
			return TranslateSysError(err)
		}
		if err := windows.GetFileInformationByHandle(r.dir, &info); err != nil || info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY == 0 {
			// The directory was replaced by a file meanwhile.
			windows.CloseHandle(r.dir)
			if err != nil {
				return TranslateSysError(err)
			}
			return ENOENT
		}
	}
	if err := l.associate(r.dir); err != nil {
		windows.CloseHandle(r.dir)
		return err
	}
	*w = FSWatcher{loop: l, path: path, self: fsEventSelfName(path), recursive: recursive, cb: cb,
		gen: w.gen + 1, errCb: w.errCb}
	r.gen = w.gen
	r.req.init(l, r.done)
	if err := r.read(); err != nil {
		windows.CloseHandle(r.dir)
		return err
	}
	w.sys.r = r
	w.active = true
	return nil
}

// openWatchDir opens a path for listing its changes, overlapped.
func openWatchDir(p *uint16) (windows.Handle, error) {
	return windows.CreateFile(p, windows.FILE_LIST_DIRECTORY, fileShareAll, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_BACKUP_SEMANTICS|windows.FILE_FLAG_OVERLAPPED, 0)
}

// shortName returns the 8.3 name of the file at p, or "" if it has none.
func shortName(p *uint16) string {
	buf := make([]uint16, windows.MAX_PATH)
	n, err := windows.GetShortPathName(p, &buf[0], uint32(len(buf)))
	if err != nil || n == 0 || int(n) >= len(buf) {
		return ""
	}
	return filepath.Base(windows.UTF16ToString(buf[:n]))
}

// read queues the next ReadDirectoryChangesW. Its completion comes as a packet even when the
// call finishes at once.
func (r *fsWatchReq) read() error {
	ov := r.req.begin()
	err := windows.ReadDirectoryChanges(r.dir, (*byte)(unsafe.Pointer(&r.buf[0])), fsEventBufSize,
		r.w.recursive, fsEventMask, &r.req.qty, ov, 0)
	if err != nil && err != windows.ERROR_IO_PENDING {
		r.req.abandon()
		return TranslateSysError(err)
	}
	return nil
}

// current reports whether r is still its watcher's running start: the completion of a start
// that was stopped (or replaced by a new Start) is dropped.
func (r *fsWatchReq) current() bool {
	w := r.w
	return w.active && w.gen == r.gen && w.sys.r == r
}

// Stop stops watching: it closes the directory handle, which ends the pending read (its
// completion, cancelled, is then dropped). Stopping a stopped watcher does nothing.
func (w *FSWatcher) Stop() {
	if !w.active {
		return
	}
	w.active = false
	if r := w.sys.r; r != nil {
		r.req.cancel(r.dir)
		windows.CloseHandle(r.dir)
		r.dir = 0
	}
	w.sys.r = nil
}

// done runs in the pending phase when a read of changes completes.
func (r *fsWatchReq) done(*iocpReq) {
	if !r.current() {
		return // stopped meanwhile: whatever status the cancelled read has (Wine and Windows differ)
	}
	w := r.w
	if !r.req.ok() {
		err := windows.NTStatus(r.req.status).Errno()
		if r.deletePending(err) {
			// The watched directory is being removed: report it once, then ENOENT, as libuv
			// does once its handle names a deleted directory, and stay quiet.
			r.gone = true
			w.cb(w.self, FSEventRename)
			if r.current() && w.errCb != nil {
				w.errCb(ENOENT)
			}
			return
		}
		if w.errCb != nil {
			w.errCb(TranslateSysError(err))
		}
		return
	}
	if r.req.bytes == 0 {
		// The buffer overflowed and the system dropped the events: say something changed.
		w.cb("", FSEventChange)
	} else if !r.dispatch() {
		return
	}
	if !r.current() || r.gone {
		return
	}
	if err := r.read(); err != nil && w.errCb != nil {
		w.errCb(err)
	}
}

// deletePending reports whether a failed read means the watched directory is being deleted,
// as libuv checks: access denied on a directory whose deletion is pending. Wine reports the
// removal with other statuses; any failure on a directory that no longer exists counts.
func (r *fsWatchReq) deletePending(err error) bool {
	if r.dirPath == "" {
		return false
	}
	var info struct {
		AllocationSize, EndOfFile int64
		NumberOfLinks             uint32
		DeletePending, Directory  bool
	}
	if e := windows.GetFileInformationByHandleEx(r.dir, windows.FileStandardInfo, (*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); e == nil {
		if info.DeletePending || info.NumberOfLinks == 0 {
			return true
		}
	}
	_, serr := FsStat(r.dirPath)
	return serr == ENOENT
}

// dispatch reports the entries of the buffer. It returns false if a callback stopped the
// watcher (the rest of the buffer is dropped, as libuv does when the handle closes).
func (r *fsWatchReq) dispatch() bool {
	w := r.w
	b := unsafe.Slice((*byte)(unsafe.Pointer(&r.buf[0])), fsEventBufSize)[:min(int(r.req.bytes), fsEventBufSize)]
	for off := 0; off+12 <= len(b); {
		next := int(le32(b[off:]))
		action := le32(b[off+4:])
		nameLen := int(le32(b[off+8:]))
		end := off + 12 + nameLen
		if end > len(b) || nameLen%2 != 0 {
			break
		}
		name16 := make([]uint16, nameLen/2)
		for i := range name16 {
			name16[i] = uint16(b[off+12+2*i]) | uint16(b[off+13+2*i])<<8
		}
		if name, ok := r.entryName(name16, action); ok {
			events := 0
			switch action {
			case windows.FILE_ACTION_ADDED, windows.FILE_ACTION_REMOVED,
				windows.FILE_ACTION_RENAMED_OLD_NAME, windows.FILE_ACTION_RENAMED_NEW_NAME:
				events = FSEventRename
			case windows.FILE_ACTION_MODIFIED:
				events = FSEventChange
			}
			if events != 0 {
				w.cb(name, events)
				if !r.current() {
					return false
				}
			}
		}
		if next == 0 {
			break
		}
		off += next
	}
	return true
}

// entryName returns the name to report for an entry, and whether the watcher wants it. A
// watched file reports its own name; a watched directory the entry's path below it, in its
// long form where the system gave a short one and the entry still exists.
func (r *fsWatchReq) entryName(name16 []uint16, action uint32) (string, bool) {
	name := string(utf16.Decode(name16))
	if r.dirPath == "" {
		if !strings.EqualFold(name, r.file) && (r.shortFile == "" || !strings.EqualFold(name, r.shortFile)) {
			return "", false
		}
		return r.w.self, true
	}
	if strings.Contains(name, "~") && action != windows.FILE_ACTION_REMOVED && action != windows.FILE_ACTION_RENAMED_OLD_NAME {
		if long := longName(filepath.Join(r.dirPath, name)); long != "" {
			if dir := longName(r.dirPath); dir != "" && len(long) > len(dir) && strings.EqualFold(long[:len(dir)], dir) {
				return strings.TrimLeft(long[len(dir):], `\/`), true
			}
		}
	}
	return name, true
}

// longName returns the long form of path, or "" if the system cannot tell it.
func longName(path string) string {
	p, err := utf16Ptr(path)
	if err != nil {
		return ""
	}
	buf := make([]uint16, windows.MAX_PATH)
	for {
		n, err := windows.GetLongPathName(p, &buf[0], uint32(len(buf)))
		if err != nil || n == 0 {
			return ""
		}
		if int(n) < len(buf) {
			return windows.UTF16ToString(buf[:n])
		}
		buf = make([]uint16, n+1)
	}
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
