package uv

import (
	"encoding/binary"
	"strings"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/sys/windows"
)

// Paths on Windows: UTF-8 Go strings converted to NUL-terminated UTF-16, and the link
// operations (hard links, symbolic links, junctions, readlink, realpath) as libuv does them.

// maxPathW is the longest path the system takes, in UTF-16 units (a UNICODE_STRING holds at
// most 32767 of them). Longer paths fail with ENAMETOOLONG before any system call.
const maxPathW = 32767

// wpath converts one path for one system call. A path shorter than MAX_PATH is stored in the
// array, so that a stat needs no allocation when the wpath lives on the caller's stack (the
// calls are synchronous: the kernel does not keep the pointer).
type wpath struct {
	arr [windows.MAX_PATH]uint16
}

// set converts p and returns the pointer to pass. A NUL byte in p is EINVAL.
func (w *wpath) set(p string) (*uint16, error) {
	n, err := utf16Len(p)
	if err != nil {
		return nil, err
	}
	var b []uint16
	if n < len(w.arr) {
		b = w.arr[:0]
	} else {
		b = make([]uint16, 0, n+1)
	}
	b = appendWTF16(b, p)
	b = append(b, 0)
	return &b[0], nil
}

// Paths are WTF-8, as in libuv and Go's own syscall package: a UTF-16 name may hold
// unpaired surrogates, which the names read from the system (scandir, readdir) carry as
// three-byte sequences that are not valid UTF-8. They must come back as the same unit, or a
// name read from a directory could not be opened.

// wtf8Rune decodes the first character of s: a rune, or an unpaired surrogate (0xD800 to
// 0xDFFF) in its WTF-8 form. Other invalid bytes are utf8.RuneError, one byte each.
func wtf8Rune(s string) (rune, int) {
	if r, size := decodeWTF8(s); size > 0 {
		return r, size
	}
	return utf8.RuneError, 1 // lenient, as Go's own path conversion: wtf8.go's API refuses
}

// isSurrogate reports whether r is a UTF-16 surrogate code unit.
func isSurrogate(r rune) bool { return r >= 0xD800 && r < 0xE000 }

// appendWTF16 appends the UTF-16 form of the WTF-8 string p.
func appendWTF16(b []uint16, p string) []uint16 {
	for i := 0; i < len(p); {
		r, size := wtf8Rune(p[i:])
		i += size
		if isSurrogate(r) {
			b = append(b, uint16(r))
			continue
		}
		b = utf16.AppendRune(b, r)
	}
	return b
}

// utf16Len returns the length of p in UTF-16 units: EINVAL if p holds a NUL byte,
// ENAMETOOLONG if it is longer than the system takes.
func utf16Len(p string) (int, error) {
	n := 0
	for i := 0; i < len(p); {
		r, size := wtf8Rune(p[i:])
		i += size
		switch {
		case r == 0:
			return 0, EINVAL
		case isSurrogate(r):
			n++
		default:
			n += utf16.RuneLen(r)
		}
		if n > maxPathW {
			return 0, ENAMETOOLONG
		}
	}
	return n, nil
}

// utf16Ptr converts a path to a new NUL-terminated UTF-16 string, for the calls where an
// allocation does not matter.
func utf16Ptr(p string) (*uint16, error) {
	n, err := utf16Len(p)
	if err != nil {
		return nil, err
	}
	b := make([]uint16, 0, n+1)
	b = appendWTF16(b, p)
	b = append(b, 0)
	return &b[0], nil
}

// FsLink creates a hard link to from named to (CreateHardLinkW).
func FsLink(from, to string) error {
	f, err := utf16Ptr(from)
	if err != nil {
		return err
	}
	t, err := utf16Ptr(to)
	if err != nil {
		return err
	}
	return TranslateSysError(windows.CreateHardLink(t, f, 0))
}

// symlinkNoUnprivileged is set once the system has refused the flag
// SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE (Windows before 10 1703): links are then made
// without it, as libuv does.
var symlinkNoUnprivileged atomic.Bool

const symbolicLinkFlagAllowUnprivilegedCreate = 0x2

// FsSymlink creates a link at path pointing to target. flags SymlinkDir makes a directory
// symbolic link (Windows tells the two kinds apart), SymlinkJunction a junction, which needs an
// absolute target (EINVAL otherwise) and no privilege. Creating symbolic links needs the
// privilege or developer mode (EPERM otherwise). Slashes in a relative target become
// backslashes, as Node does: Windows does not resolve a link whose relative target has them.
func FsSymlink(target, path string, flags int) error {
	if hasNUL(target) || hasNUL(path) {
		return EINVAL
	}
	if flags&SymlinkJunction != 0 {
		return createJunction(target, path)
	}
	if !isAbsWindows(target) {
		target = strings.ReplaceAll(target, "/", `\`)
	}
	t, err := utf16Ptr(target)
	if err != nil {
		return err
	}
	p, err := utf16Ptr(path)
	if err != nil {
		return err
	}
	for {
		var f uint32
		if flags&SymlinkDir != 0 {
			f = windows.SYMBOLIC_LINK_FLAG_DIRECTORY
		}
		unpriv := !symlinkNoUnprivileged.Load()
		if unpriv {
			f |= symbolicLinkFlagAllowUnprivilegedCreate
		}
		err := windows.CreateSymbolicLink(p, t, f)
		if err == windows.ERROR_INVALID_PARAMETER && unpriv {
			symlinkNoUnprivileged.Store(true)
			continue
		}
		return TranslateSysError(err)
	}
}

// isAbsWindows reports whether p is a drive-absolute path ("C:\...") or a long-path or UNC
// name ("\\?\...", "\\server\...").
func isAbsWindows(p string) bool {
	if len(p) >= 3 && isLetter(p[0]) && p[1] == ':' && isSlash(p[2]) {
		return true
	}
	return len(p) >= 2 && isSlash(p[0]) && isSlash(p[1])
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isSlash(c byte) bool  { return c == '/' || c == '\\' }

// Reparse data layout (REPARSE_DATA_BUFFER): an 8-byte header (tag, data length, reserved),
// then per tag the substitute and print names' offsets and lengths and the path buffer.
const (
	reparseHeaderSize    = 8
	mountPointPathOffset = reparseHeaderSize + 8  // four uint16 offsets/lengths
	symlinkPathOffset    = reparseHeaderSize + 12 // and a uint32 of flags
	ioReparseTagLXSymlnk = 0xA000001D
	ioReparseTagAppExec  = 0x8000001B
)

// createJunction makes path a junction (a mount point reparse point) to the absolute
// directory target, as libuv's fs__create_junction does: it creates the directory, then sets
// the reparse data; the directory is removed again if that fails.
func createJunction(target, path string) error {
	buf, err := junctionData(target)
	if err != nil {
		return err
	}
	p, err := utf16Ptr(path)
	if err != nil {
		return err
	}
	if err := windows.CreateDirectory(p, nil); err != nil {
		return TranslateSysError(err)
	}
	h, err := windows.CreateFile(p, windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_BACKUP_SEMANTICS|windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err == nil {
		var n uint32
		err = windows.DeviceIoControl(h, windows.FSCTL_SET_REPARSE_POINT, &buf[0], uint32(len(buf)), nil, 0, &n, nil)
		windows.CloseHandle(h)
	}
	if err != nil {
		windows.RemoveDirectory(p)
		return TranslateSysError(err)
	}
	return nil
}

// junctionData builds the reparse data of a junction to target, which must be absolute
// (EINVAL otherwise).
func junctionData(target string) ([]byte, error) {
	long := strings.HasPrefix(target, `\\?\`)
	if !long && !(len(target) >= 3 && isLetter(target[0]) && target[1] == ':' && isSlash(target[2])) {
		return nil, EINVAL // junctions need an absolute target
	}
	if long {
		target = target[4:]
	}
	// The substitute name is the NT path (\??\C:\dir\), the print name the DOS path, both with
	// single backslashes; the substitute name ends with one.
	var clean []rune
	slash := false
	for _, r := range target {
		if r == '/' || r == '\\' {
			slash = true
			continue
		}
		if slash {
			clean = append(clean, '\\')
			slash = false
		}
		clean = append(clean, r)
	}
	print := string(clean)
	subst := `\??\` + print
	if slash {
		subst += `\`
	}
	if slash || len(clean) == 2 {
		print += `\`
	}
	s16 := utf16.Encode([]rune(subst))
	p16 := utf16.Encode([]rune(print))
	buf := make([]byte, mountPointPathOffset+2*(len(s16)+1+len(p16)+1))
	le := binary.LittleEndian
	le.PutUint32(buf[0:], windows.IO_REPARSE_TAG_MOUNT_POINT)
	le.PutUint16(buf[4:], uint16(len(buf)-reparseHeaderSize))
	le.PutUint16(buf[8:], 0)                       // substitute name offset
	le.PutUint16(buf[10:], uint16(2*len(s16)))     // substitute name length
	le.PutUint16(buf[12:], uint16(2*(len(s16)+1))) // print name offset
	le.PutUint16(buf[14:], uint16(2*len(p16)))     // print name length
	for i, c := range s16 {
		le.PutUint16(buf[mountPointPathOffset+2*i:], c)
	}
	for i, c := range p16 {
		le.PutUint16(buf[mountPointPathOffset+2*(len(s16)+1+i):], c)
	}
	return buf, nil
}

// readlinkHandle reads the target of the link open as h, as libuv's fs__readlink_handle: a
// symbolic link's target (an absolute one without the \??\ prefix the system added), a WSL
// symlink's, a junction's that names a drive path, an app execution alias's executable.
// Anything else is ERROR_SYMLINK_NOT_SUPPORTED; a file that is no reparse point
// ERROR_NOT_A_REPARSE_POINT. The errors are Win32 errnos, for the callers to tell apart.
func readlinkHandle(h windows.Handle) (string, error) {
	buf := make([]byte, windows.MAXIMUM_REPARSE_DATA_BUFFER_SIZE)
	var n uint32
	if err := windows.DeviceIoControl(h, windows.FSCTL_GET_REPARSE_POINT, nil, 0, &buf[0], uint32(len(buf)), &n, nil); err != nil {
		return "", err
	}
	return parseReparse(buf[:n])
}

// parseReparse reads a link's target from its reparse data (see readlinkHandle).
func parseReparse(buf []byte) (string, error) {
	le := binary.LittleEndian
	if len(buf) < reparseHeaderSize {
		return "", windows.ERROR_SYMLINK_NOT_SUPPORTED
	}
	name := func(pathOff, off, length int) []uint16 {
		start, end := pathOff+off, pathOff+off+length
		if off < 0 || length < 0 || end > len(buf) || length%2 != 0 {
			return nil
		}
		w := make([]uint16, length/2)
		for i := range w {
			w[i] = le.Uint16(buf[start+2*i:])
		}
		return w
	}
	switch le.Uint32(buf[0:]) {
	case windows.IO_REPARSE_TAG_SYMLINK:
		if len(buf) < symlinkPathOffset {
			break
		}
		w := name(symlinkPathOffset, int(le.Uint16(buf[8:])), int(le.Uint16(buf[10:])))
		if w == nil {
			break
		}
		// Undo the \??\ the system puts before an absolute target; a target the user gave
		// in the NT namespace is returned as it is.
		if hasNTPrefix(w) {
			switch {
			case len(w) >= 6 && isLetterW(w[4]) && w[5] == ':' && (len(w) == 6 || w[6] == '\\'):
				w = w[4:]
			case len(w) >= 8 && (w[4]|0x20) == 'u' && (w[5]|0x20) == 'n' && (w[6]|0x20) == 'c' && w[7] == '\\':
				w = append([]uint16{'\\'}, w[7:]...)
			}
		}
		return string(utf16.Decode(w)), nil
	case ioReparseTagLXSymlnk:
		// A WSL symlink: a version, then the target in UTF-8.
		dataLen := int(le.Uint16(buf[4:]))
		if dataLen < 4 || reparseHeaderSize+dataLen > len(buf) {
			break
		}
		return string(buf[reparseHeaderSize+4 : reparseHeaderSize+dataLen]), nil
	case windows.IO_REPARSE_TAG_MOUNT_POINT:
		if len(buf) < mountPointPathOffset {
			break
		}
		w := name(mountPointPathOffset, int(le.Uint16(buf[8:])), int(le.Uint16(buf[10:])))
		// Only junctions to a drive path count as links: a volume mount point
		// (\??\Volume{guid}) would mean nothing to a program reading it.
		if len(w) >= 6 && hasNTPrefix(w) && isLetterW(w[4]) && w[5] == ':' && (len(w) == 6 || w[6] == '\\') {
			return string(utf16.Decode(w[4:])), nil
		}
	case ioReparseTagAppExec:
		// An app execution alias: a count, then NUL-separated strings; the third is the
		// executable, which must be an absolute path.
		if len(buf) < reparseHeaderSize+4 || le.Uint32(buf[reparseHeaderSize:]) < 3 {
			break
		}
		var strs [][]uint16
		var cur []uint16
		for i := reparseHeaderSize + 4; i+1 < len(buf) && len(strs) < 3; i += 2 {
			c := le.Uint16(buf[i:])
			if c == 0 {
				strs = append(strs, cur)
				cur = nil
				continue
			}
			cur = append(cur, c)
		}
		if len(strs) == 3 && len(strs[0]) > 0 && len(strs[1]) > 0 {
			w := strs[2]
			if len(w) >= 3 && isLetterW(w[0]) && w[1] == ':' && w[2] == '\\' {
				return string(utf16.Decode(w)), nil
			}
		}
	}
	return "", windows.ERROR_SYMLINK_NOT_SUPPORTED
}

func hasNTPrefix(w []uint16) bool {
	return len(w) >= 4 && w[0] == '\\' && w[1] == '?' && w[2] == '?' && w[3] == '\\'
}

func isLetterW(c uint16) bool { return c < 0x80 && isLetter(byte(c)) }

// openReparse opens path itself (not what a link points to), with no access rights: enough
// to read reparse data and attributes.
func openReparse(p *uint16, access uint32) (windows.Handle, error) {
	return windows.CreateFile(p, access, fileShareAll, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_OPEN_REPARSE_POINT|windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
}

// FsReadlink returns a link's target. EINVAL if path is no link (or a reparse point that is
// not one libuv reads as a link).
func FsReadlink(path string) (string, error) {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return "", err
	}
	h, err := openReparse(p, 0)
	if err != nil {
		return "", TranslateSysError(err)
	}
	defer windows.CloseHandle(h)
	target, err := readlinkHandle(h)
	if err == windows.ERROR_NOT_A_REPARSE_POINT {
		return "", EINVAL
	}
	return target, TranslateSysError(err)
}

// FsRealpath returns the canonical absolute path, every link resolved, as the system names
// the open file (GetFinalPathNameByHandleW), without the \\?\ prefix (a UNC path comes back
// as \\server\share\...). Windows has no ENOTDIR: a path through a file is ENOENT.
func FsRealpath(path string) (string, error) {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return "", err
	}
	h, err := windows.CreateFile(p, 0, fileShareAll, nil, windows.OPEN_EXISTING,
		windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return "", TranslateSysError(err)
	}
	defer windows.CloseHandle(h)
	return finalPath(h)
}

// volumeNameDOS asks GetFinalPathNameByHandleW for a drive-letter name (x/sys has no name
// for the flag, which is 0).
const volumeNameDOS = 0

// finalPath is the DOS name of the file open as h.
func finalPath(h windows.Handle) (string, error) {
	buf := make([]uint16, windows.MAX_PATH)
	for {
		n, err := windows.GetFinalPathNameByHandle(h, &buf[0], uint32(len(buf)), volumeNameDOS)
		if err != nil {
			return "", TranslateSysError(err)
		}
		if int(n) >= len(buf) {
			buf = make([]uint16, n+1)
			continue
		}
		s := string(utf16.Decode(buf[:n]))
		switch {
		case strings.HasPrefix(s, `\\?\UNC\`):
			return `\` + s[7:], nil
		case strings.HasPrefix(s, `\\?\`):
			return s[4:], nil
		}
		return "", EBADF // a name libuv does not know how to present
	}
}
