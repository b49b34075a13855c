package uv

import (
	"sort"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Directories and names on Windows: mkdir, rmdir, unlink, the temporary names, rename,
// copyfile and the directory streams (FindFirstFileW / FindNextFileW).

// FsMkdir creates a directory (mode is ignored, as in libuv). An invalid name is EINVAL.
func FsMkdir(path string, mode int) error {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return err
	}
	err = windows.CreateDirectory(p, nil)
	if err == windows.ERROR_INVALID_NAME || err == windows.ERROR_DIRECTORY {
		return EINVAL
	}
	return TranslateSysError(err)
}

// FsRmdir removes an empty directory. A path that is no directory is ENOENT (libuv's choice
// on Windows, which has no ENOTDIR).
func FsRmdir(path string) error { return unlinkRmdir(path, true) }

// FsUnlink removes a file or a link (to a directory too). The read-only attribute does not
// stop it, as libuv makes sure; a directory is EPERM. Where the file system supports it the
// name goes at once even while the file is open (POSIX semantics); elsewhere it goes when the
// last handle closes.
func FsUnlink(path string) error { return unlinkRmdir(path, false) }

// fileDispositionInfoEx flags, and the legacy FILE_DISPOSITION_INFORMATION class.
const (
	fileDispositionInformation   = 13
	fileDispositionInformationEx = 64
)

// unlinkRmdir is libuv's fs__unlink_rmdir: open the name itself for deletion, check its kind,
// then mark it deleted, with POSIX semantics where the file system has them.
func unlinkRmdir(path string, rmdir bool) error {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return err
	}
	h, err := openReparse(p, windows.FILE_READ_ATTRIBUTES|windows.DELETE)
	if err != nil {
		return TranslateSysError(err)
	}
	defer windows.CloseHandle(h)
	var info fileBasicInfo
	if err := windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		return TranslateSysError(err)
	}
	isDir := info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0
	if rmdir && !isDir {
		return ENOENT
	}
	if !rmdir && isDir {
		// Only a link to a directory may be unlinked; a directory is EPERM, as POSIX says.
		if info.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT == 0 {
			return EPERM
		}
		if _, err := readlinkHandle(h); err != nil {
			if err == windows.ERROR_SYMLINK_NOT_SUPPORTED {
				return EPERM
			}
			return TranslateSysError(err)
		}
	}
	var iosb windows.IO_STATUS_BLOCK
	flags := uint32(windows.FILE_DISPOSITION_DELETE | windows.FILE_DISPOSITION_POSIX_SEMANTICS |
		windows.FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE)
	s := ntSetInformationFile(h, &iosb, unsafe.Pointer(&flags), 4, fileDispositionInformationEx)
	if int32(s) >= 0 {
		return nil
	}
	switch e := ntErrno(s); e {
	case windows.ERROR_NOT_SUPPORTED, windows.ERROR_INVALID_PARAMETER, windows.ERROR_INVALID_FUNCTION,
		windows.ERROR_CALL_NOT_IMPLEMENTED:
		// No POSIX deletion here (older Windows, FAT, Wine): clear the read-only attribute,
		// which blocks the classic deletion, then mark the file deleted.
	default:
		return TranslateSysError(e)
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_READONLY != 0 {
		// A handle of its own for the attributes, as libuv does: Wine refuses
		// FILE_WRITE_ATTRIBUTES together with DELETE on the first one.
		ah, err := reopenFile(h, windows.FILE_WRITE_ATTRIBUTES)
		if err != nil {
			return TranslateSysError(err)
		}
		b := fileBasicInfo{FileAttributes: info.FileAttributes&^windows.FILE_ATTRIBUTE_READONLY | windows.FILE_ATTRIBUTE_ARCHIVE}
		s := ntSetInformationFile(ah, &iosb, unsafe.Pointer(&b), uint32(unsafe.Sizeof(b)), fileBasicInformation)
		windows.CloseHandle(ah)
		if err := ntError(s); err != nil {
			return err
		}
	}
	del := uint32(1) // FILE_DISPOSITION_INFORMATION's BOOLEAN DeleteFile, padded
	return ntError(ntSetInformationFile(h, &iosb, unsafe.Pointer(&del), 1, fileDispositionInformation))
}

// FsMkdtemp creates a unique directory from tpl, which must end in "XXXXXX" (EINVAL
// otherwise), and returns its path.
func FsMkdtemp(tpl string) (string, error) {
	if hasNUL(tpl) {
		return "", EINVAL
	}
	for range 100 {
		p, err := tempName(tpl)
		if err != nil {
			return "", err
		}
		w, err := utf16Ptr(p)
		if err != nil {
			return "", err
		}
		err = windows.CreateDirectory(w, nil)
		if err == windows.ERROR_ALREADY_EXISTS {
			continue
		}
		if err != nil {
			return "", TranslateSysError(err)
		}
		return p, nil
	}
	return "", EEXIST
}

// FsMkstemp creates and opens (read-write, every sharing mode) a unique file from tpl, which
// must end in "XXXXXX" (EINVAL otherwise).
func FsMkstemp(tpl string) (OSFd, string, error) {
	if hasNUL(tpl) {
		return syscall.InvalidHandle, "", EINVAL
	}
	for range 100 {
		p, err := tempName(tpl)
		if err != nil {
			return syscall.InvalidHandle, "", err
		}
		w, err := utf16Ptr(p)
		if err != nil {
			return syscall.InvalidHandle, "", err
		}
		h, err := windows.CreateFile(w, windows.GENERIC_READ|windows.GENERIC_WRITE, fileShareAll, nil,
			windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
		if err == windows.ERROR_FILE_EXISTS {
			continue
		}
		if err != nil {
			return syscall.InvalidHandle, "", TranslateSysError(err)
		}
		return OSFd(h), p, nil
	}
	return syscall.InvalidHandle, "", EEXIST
}

// FsRename renames a file or directory, replacing a file at the target
// (MoveFileExW with MOVEFILE_REPLACE_EXISTING).
func FsRename(from, to string) error {
	f, err := utf16Ptr(from)
	if err != nil {
		return err
	}
	t, err := utf16Ptr(to)
	if err != nil {
		return err
	}
	return TranslateSysError(windows.MoveFileEx(f, t, windows.MOVEFILE_REPLACE_EXISTING))
}

// FsCopyfile copies a file with CopyFileW (contents, attributes and times), as libuv does.
// CopyfileExcl fails with EEXIST if to exists; CopyfileFIClone copies (Windows has no clone
// call libuv uses); CopyfileFICloneForce is ENOSYS. Copying a file onto itself succeeds and
// changes nothing.
func FsCopyfile(from, to string, flags int) error {
	if hasNUL(from) || hasNUL(to) || flags&^(CopyfileExcl|CopyfileFIClone|CopyfileFICloneForce) != 0 {
		return EINVAL
	}
	if flags&CopyfileFICloneForce != 0 {
		return ENOSYS
	}
	f, err := utf16Ptr(from)
	if err != nil {
		return err
	}
	t, err := utf16Ptr(to)
	if err != nil {
		return err
	}
	if err := procCopyFileW.Find(); err != nil {
		return ENOSYS
	}
	excl := uintptr(0)
	if flags&CopyfileExcl != 0 {
		excl = 1
	}
	r, _, e := syscall.SyscallN(procCopyFileW.Addr(), uintptr(unsafe.Pointer(f)), uintptr(unsafe.Pointer(t)), excl)
	if r != 0 {
		return nil
	}
	cerr := TranslateSysError(e)
	if cerr != EBUSY {
		return cerr
	}
	// The source is open for reading while the target is opened for writing: the same file.
	var s1, s2 Stat
	if statPath(from, false, &s1) == nil && statPath(to, false, &s2) == nil && s1.Dev == s2.Dev && s1.Ino == s2.Ino {
		return nil
	}
	return cerr
}

// FsScandir lists a directory, sorted by name (byte order), without "." and "..". An empty
// directory gives no entries and no error; a path that is no directory ENOTDIR.
func FsScandir(path string) ([]Dirent, error) {
	d, err := FsOpendir(path)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var all []Dirent
	for {
		ents, err := d.Read(256)
		if err != nil {
			return nil, err
		}
		if len(ents) == 0 {
			break
		}
		all = append(all, ents...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, nil
}

// Dir is an open directory stream (libuv's uv_dir_t): a FindFirstFileW search, whose current
// entry waits in data until Read returns it.
type Dir struct {
	h       windows.Handle // the search; 0 when closed, InvalidHandle for a directory with no entries
	data    windows.Win32finddata
	pending bool // data holds an entry not yet returned
	open    bool
}

// FsOpendir opens a directory for Read. ENOTDIR if path is not a directory.
func FsOpendir(path string) (*Dir, error) {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return nil, err
	}
	attrs, err := windows.GetFileAttributes(p)
	if err != nil {
		return nil, TranslateSysError(err)
	}
	if attrs&windows.FILE_ATTRIBUTE_DIRECTORY == 0 {
		return nil, ENOTDIR
	}
	pattern := path
	switch {
	case pattern == "":
		pattern = "./*"
	case isSlash(pattern[len(pattern)-1]):
		pattern += "*"
	default:
		pattern += `\*`
	}
	pp, err := utf16Ptr(pattern)
	if err != nil {
		return nil, err
	}
	d := &Dir{open: true}
	d.h, err = windows.FindFirstFile(pp, &d.data)
	switch {
	case err == windows.ERROR_FILE_NOT_FOUND:
		d.h = windows.InvalidHandle // no entries at all, not even "."
	case err != nil:
		return nil, TranslateSysError(err)
	default:
		d.pending = true
	}
	return d, nil
}

// Read returns up to n entries (fewer at the end; none when done), without "." and "..".
func (d *Dir) Read(n int) ([]Dirent, error) {
	if d == nil || !d.open {
		return nil, EINVAL
	}
	if d.h == windows.InvalidHandle || n <= 0 {
		return nil, nil
	}
	var out []Dirent
	for len(out) < n {
		if !d.pending {
			if err := windows.FindNextFile(d.h, &d.data); err != nil {
				if err == windows.ERROR_NO_MORE_FILES {
					break
				}
				return nil, TranslateSysError(err)
			}
		}
		d.pending = false
		name := windows.UTF16ToString(d.data.FileName[:])
		if name == "." || name == ".." {
			continue
		}
		out = append(out, Dirent{Name: name, Type: direntTypeOf(d.data.FileAttributes)})
	}
	return out, nil
}

// direntTypeOf is libuv's reading of a directory entry's attributes: a device, a link (any
// reparse point), a directory, or a file.
func direntTypeOf(attrs uint32) DirentType {
	switch {
	case attrs&windows.FILE_ATTRIBUTE_DEVICE != 0:
		return DirentChar
	case attrs&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0:
		return DirentLink
	case attrs&windows.FILE_ATTRIBUTE_DIRECTORY != 0:
		return DirentDir
	}
	return DirentFile
}

// Close ends the search.
func (d *Dir) Close() error {
	if d == nil || !d.open {
		return EINVAL
	}
	d.open = false
	if d.h != windows.InvalidHandle {
		windows.FindClose(d.h)
	}
	d.h = 0
	return nil
}
