package uv

import (
	"io"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The Windows file-system operations, as libuv's src/win/fs.c does them: descriptors are
// file handles opened synchronously (no FILE_FLAG_OVERLAPPED) with every sharing mode, so a
// file can be renamed or removed while open, as on unix. This file holds open, close, read,
// write, sendfile, ftruncate and the syncs; fs_stat_windows.go the stat family and metadata,
// fs_dir_windows.go directories and names, fs_path_windows.go paths and links.

// Open flags (libuv's UV_FS_O_* values on Windows: the C runtime's _O_* bits, and libuv's own
// for the CreateFile flags). Flags libuv defines as 0 here have no effect.
const (
	FsORdonly    = 0x0000
	FsOWronly    = 0x0001
	FsORdwr      = 0x0002
	FsOAppend    = 0x0008
	FsOCreat     = 0x0100
	FsOTrunc     = 0x0200
	FsOExcl      = 0x0400
	FsONoctty    = 0
	FsONonblock  = 0
	FsODirectory = 0
	FsONofollow  = 0
	// FsOSync and FsODsync open with FILE_FLAG_WRITE_THROUGH.
	FsOSync  = 0x08000000
	FsODsync = 0x04000000
	// FsORandom and FsOSequential hint the cache manager (FILE_FLAG_RANDOM_ACCESS,
	// FILE_FLAG_SEQUENTIAL_SCAN); giving both is EINVAL.
	FsORandom     = 0x0010
	FsOSequential = 0x0020
	// FsOTemporary deletes the file when its last handle closes (FILE_FLAG_DELETE_ON_CLOSE)
	// and asks the cache to keep it in memory (FILE_ATTRIBUTE_TEMPORARY).
	FsOTemporary = 0x0040
	// FsOShortLived asks the cache to keep a file in memory (FILE_ATTRIBUTE_TEMPORARY).
	FsOShortLived = 0x1000
	// FsODirect opens unbuffered (FILE_FLAG_NO_BUFFERING): offsets and sizes must then be
	// multiples of the sector size. It cannot be combined with FsOAppend alone (EINVAL).
	FsODirect = 0x02000000
	// FsOExlock opens with no sharing at all, as raw block devices need.
	FsOExlock = 0x10000000
)

const (
	fileShareAll = windows.FILE_SHARE_READ | windows.FILE_SHARE_WRITE | windows.FILE_SHARE_DELETE
	sIWRITE      = 0o200
)

var (
	fsNtdll                          = windows.NewLazySystemDLL("ntdll.dll")
	procNtQueryInformationFile       = fsNtdll.NewProc("NtQueryInformationFile")
	procNtSetInformationFile         = fsNtdll.NewProc("NtSetInformationFile")
	procNtQueryVolumeInformationFile = fsNtdll.NewProc("NtQueryVolumeInformationFile")
	procCopyFileW                    = modkernel32.NewProc("CopyFileW")
	procReOpenFile                   = modkernel32.NewProc("ReOpenFile")
)

// fileHandle checks a descriptor as libuv's VERIFY_FD does: INVALID_HANDLE_VALUE (-1) is
// EBADF, not the current-process pseudo handle that the same value also is.
func fileHandle(fd OSFd) (windows.Handle, error) {
	if fd == syscall.InvalidHandle {
		return 0, EBADF
	}
	return windows.Handle(fd), nil
}

// FsOpen opens path with libuv's mapping of the open flags to CreateFile: the access from the
// read/write mode (FILE_APPEND_DATA instead of FILE_WRITE_DATA with FsOAppend), the
// disposition from FsOCreat, FsOExcl and FsOTrunc, every sharing mode, and
// FILE_FLAG_BACKUP_SEMANTICS so that directories open too. A file created without the owner's
// write bit in mode gets the read-only attribute. Opening a directory with FsOCreat but not
// FsOExcl is EISDIR.
func FsOpen(path string, flags, mode int) (OSFd, error) {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return syscall.InvalidHandle, err
	}
	var access uint32
	switch flags & (FsORdonly | FsOWronly | FsORdwr) {
	case FsORdonly:
		access = windows.FILE_GENERIC_READ
	case FsOWronly:
		access = windows.FILE_GENERIC_WRITE
	case FsORdwr:
		access = windows.FILE_GENERIC_READ | windows.FILE_GENERIC_WRITE
	default:
		return syscall.InvalidHandle, EINVAL
	}
	if flags&FsOAppend != 0 {
		access &^= windows.FILE_WRITE_DATA
		access |= windows.FILE_APPEND_DATA
	}
	share := uint32(fileShareAll)
	if flags&FsOExlock != 0 {
		share = 0
	}
	var disposition uint32
	switch flags & (FsOCreat | FsOExcl | FsOTrunc) {
	case 0, FsOExcl:
		disposition = windows.OPEN_EXISTING
	case FsOCreat:
		disposition = windows.OPEN_ALWAYS
	case FsOCreat | FsOExcl, FsOCreat | FsOExcl | FsOTrunc:
		disposition = windows.CREATE_NEW
	case FsOTrunc, FsOTrunc | FsOExcl:
		disposition = windows.TRUNCATE_EXISTING
	case FsOCreat | FsOTrunc:
		disposition = windows.CREATE_ALWAYS
	}
	attrs := uint32(windows.FILE_ATTRIBUTE_NORMAL)
	if flags&FsOCreat != 0 && mode&sIWRITE == 0 {
		attrs |= windows.FILE_ATTRIBUTE_READONLY
	}
	if flags&FsOTemporary != 0 {
		attrs |= windows.FILE_FLAG_DELETE_ON_CLOSE | windows.FILE_ATTRIBUTE_TEMPORARY
		access |= windows.DELETE
	}
	if flags&FsOShortLived != 0 {
		attrs |= windows.FILE_ATTRIBUTE_TEMPORARY
	}
	switch flags & (FsOSequential | FsORandom) {
	case FsOSequential:
		attrs |= windows.FILE_FLAG_SEQUENTIAL_SCAN
	case FsORandom:
		attrs |= windows.FILE_FLAG_RANDOM_ACCESS
	case FsOSequential | FsORandom:
		return syscall.InvalidHandle, EINVAL
	}
	if flags&FsODirect != 0 {
		// FILE_APPEND_DATA and FILE_FLAG_NO_BUFFERING do not go together; FILE_WRITE_DATA
		// appends as well, so keep that one when there is a choice.
		if access&windows.FILE_APPEND_DATA != 0 {
			if access&windows.FILE_WRITE_DATA == 0 {
				return syscall.InvalidHandle, EINVAL
			}
			access &^= windows.FILE_APPEND_DATA
		}
		attrs |= windows.FILE_FLAG_NO_BUFFERING
	}
	switch flags & (FsODsync | FsOSync) {
	case FsODsync, FsOSync:
		attrs |= windows.FILE_FLAG_WRITE_THROUGH
	case FsODsync | FsOSync:
		return syscall.InvalidHandle, EINVAL
	}
	attrs |= windows.FILE_FLAG_BACKUP_SEMANTICS
	h, err := windows.CreateFile(p, access, share, nil, disposition, attrs, 0)
	if err != nil {
		// With OPEN_ALWAYS or CREATE_ALWAYS, "file exists" means a directory is in the way.
		if err == windows.ERROR_FILE_EXISTS && flags&FsOCreat != 0 && flags&FsOExcl == 0 {
			return syscall.InvalidHandle, EISDIR
		}
		return syscall.InvalidHandle, TranslateSysError(err)
	}
	return OSFd(h), nil
}

// FsClose closes a handle.
func FsClose(fd OSFd) error {
	h, err := fileHandle(fd)
	if err != nil {
		return err
	}
	return TranslateSysError(windows.CloseHandle(h))
}

// ovPool holds the OVERLAPPED structures that carry the offsets of positioned reads and
// writes. They live on the heap: should a caller pass a handle opened for overlapped I/O, the
// kernel writes the structure after the call returns, while this goroutine's stack may move.
var ovPool = sync.Pool{New: func() any { return new(windows.Overlapped) }}

// fileIO reads or writes b once, at off or (off < 0) at the file position. A positioned
// call on a synchronous handle moves the position too; callers restore it.
func fileIO(h windows.Handle, b []byte, off int64, write bool) (int, error) {
	var ov *windows.Overlapped
	if off >= 0 {
		ov = ovPool.Get().(*windows.Overlapped)
		*ov = windows.Overlapped{Offset: uint32(off), OffsetHigh: uint32(off >> 32)}
		defer ovPool.Put(ov)
	}
	var done uint32 // never nil: x/sys dereferences it under -race
	var err error
	if write {
		err = windows.WriteFile(h, b, &done, ov)
	} else {
		err = windows.ReadFile(h, b, &done, ov)
	}
	if err == windows.ERROR_IO_PENDING && ov != nil {
		err = windows.GetOverlappedResult(h, ov, &done, true)
	}
	return int(done), err
}

// filePos returns the file position, or -1 where the handle has none (pipes, consoles).
func filePos(h windows.Handle) int64 {
	pos, err := windows.Seek(h, 0, io.SeekCurrent)
	if err != nil {
		return -1
	}
	return pos
}

// FsRead reads into bufs at offset, or at the file position when offset is negative, one
// buffer after the other until a read comes back short, as libuv's fs__read does: it returns
// 0 at end of file. A read at an offset leaves the file position where it was (Windows moves
// it; libuv puts it back). At most 1024 buffers are filled, as on unix. It returns EINVAL for
// no buffers; reading a handle opened write-only is EBADF, a directory EISDIR.
func FsRead(fd OSFd, bufs [][]byte, offset int64) (int, error) {
	if len(bufs) == 0 {
		return 0, EINVAL
	}
	h, err := fileHandle(fd)
	if err != nil {
		return 0, err
	}
	if len(bufs) > iovMax {
		bufs = bufs[:iovMax]
	}
	restore := int64(-1)
	if offset >= 0 {
		restore = filePos(h)
	}
	total := 0
	var rerr error
	for _, b := range bufs {
		want := min(len(b), ioMaxBytes)
		off := int64(-1)
		if offset >= 0 {
			off = offset + int64(total)
		}
		n, err := fileIO(h, b[:want], off, false)
		total += n
		if err != nil {
			rerr = err
			break
		}
		if n < want {
			break
		}
	}
	if restore >= 0 {
		windows.Seek(h, restore, io.SeekStart)
	}
	if total > 0 || rerr == nil {
		return total, nil
	}
	switch rerr {
	case windows.ERROR_HANDLE_EOF, windows.ERROR_BROKEN_PIPE:
		return 0, nil
	case windows.ERROR_ACCESS_DENIED:
		return 0, EBADF // not opened for reading, as libuv maps it
	}
	return 0, TranslateSysError(rerr)
}

// FsWrite writes all of bufs at offset, or at the file position when offset is negative, and
// returns the bytes written; an error after some bytes were written is dropped, as in libuv. A
// write at an offset leaves the file position where it was. On a handle opened with
// FsOAppend every write goes to the end of the file. Small buffers are copied together and
// written in one call (libuv makes one call per buffer; a write of many small buffers then
// costs as many system calls). It returns EINVAL for no buffers; writing a handle opened
// read-only is EBADF, a pipe whose reader is gone EPIPE.
func FsWrite(fd OSFd, bufs [][]byte, offset int64) (int, error) {
	if len(bufs) == 0 {
		return 0, EINVAL
	}
	h, err := fileHandle(fd)
	if err != nil {
		return 0, err
	}
	restore := int64(-1)
	if offset >= 0 {
		restore = filePos(h)
	}
	var scratch *[]byte
	total := 0
	var werr error
	for i := 0; i < len(bufs) && werr == nil; {
		b := bufs[i]
		i++
		if len(bufs) > 1 && len(b) < writeGather/2 {
			// Gather this buffer and the small ones after it.
			if scratch == nil {
				scratch = gatherPool.Get().(*[]byte)
				defer gatherPool.Put(scratch)
			}
			g := append((*scratch)[:0], b...)
			for i < len(bufs) && len(g)+len(bufs[i]) <= writeGather {
				g = append(g, bufs[i]...)
				i++
			}
			b = g
		}
		var n int
		n, werr = writeFull(h, b, offset, total)
		total += n
	}
	if restore >= 0 {
		windows.Seek(h, restore, io.SeekStart)
	}
	if total > 0 || werr == nil {
		return total, nil
	}
	return 0, translateWriteError(werr)
}

// writeGather is the most bytes FsWrite copies together for one call.
const writeGather = 64 * 1024

var gatherPool = sync.Pool{New: func() any {
	b := make([]byte, 0, writeGather)
	return &b
}}

// writeFull writes b at offset+done (at the file position when offset is negative) until all
// is written, a write makes no progress or fails. An empty b is written once (a write of
// nothing still reports a bad handle).
func writeFull(h windows.Handle, b []byte, offset int64, done int) (int, error) {
	written := 0
	for first := true; first || len(b) > 0; first = false {
		off := int64(-1)
		if offset >= 0 {
			off = offset + int64(done+written)
		}
		n, err := fileIO(h, b, off, true)
		written += n
		if err != nil {
			return written, err
		}
		if n == 0 && len(b) > 0 {
			return written, windows.ERROR_IO_DEVICE // EIO
		}
		b = b[n:]
	}
	return written, nil
}

// translateWriteError is libuv's uv_translate_write_sys_error, with fs__write's own case.
func translateWriteError(err error) error {
	switch err {
	case windows.ERROR_ACCESS_DENIED:
		return EBADF // not opened for writing
	case windows.ERROR_BROKEN_PIPE, windows.ERROR_NO_DATA:
		return EPIPE
	}
	return TranslateSysError(err)
}

// FsSendfile copies up to length bytes of in, from offset (from its position when offset is
// negative), to out at its position, by reading and writing as libuv does on Windows. A copy
// from an offset leaves in's position unchanged. It stops early at the end of in and returns
// the bytes copied; a read error after some bytes were copied ends the copy quietly, a write
// error is reported.
func FsSendfile(out, in OSFd, offset int64, length int) (int, error) {
	if length <= 0 {
		return 0, nil
	}
	hin, err := fileHandle(in)
	if err != nil {
		return 0, err
	}
	hout, err := fileHandle(out)
	if err != nil {
		return 0, err
	}
	restore := int64(-1)
	if offset >= 0 {
		restore = filePos(hin)
		defer func() {
			if restore >= 0 {
				windows.Seek(hin, restore, io.SeekStart)
			}
		}()
	}
	buf := make([]byte, min(length, 64*1024))
	total := 0
	for total < length {
		want := min(len(buf), length-total)
		off := int64(-1)
		if offset >= 0 {
			off = offset + int64(total)
		}
		n, err := fileIO(hin, buf[:want], off, false)
		if err != nil {
			if total > 0 || err == windows.ERROR_HANDLE_EOF || err == windows.ERROR_BROKEN_PIPE {
				break
			}
			if err == windows.ERROR_ACCESS_DENIED {
				return 0, EBADF
			}
			return 0, TranslateSysError(err)
		}
		if n == 0 {
			break
		}
		if _, err := writeFull(hout, buf[:n], -1, 0); err != nil {
			return 0, translateWriteError(err)
		}
		total += n
	}
	return total, nil
}

// FsFtruncate sets the size of an open file (NtSetInformationFile with
// FileEndOfFileInformation, as libuv).
func FsFtruncate(fd OSFd, size int64) error {
	h, err := fileHandle(fd)
	if err != nil {
		return err
	}
	var iosb windows.IO_STATUS_BLOCK
	st := ntSetInformationFile(h, &iosb, unsafe.Pointer(&size), 8, windows.FileEndOfFileInformation)
	return ntError(st)
}

// FsFsync flushes an open file to storage (FlushFileBuffers).
func FsFsync(fd OSFd) error {
	h, err := fileHandle(fd)
	if err != nil {
		return err
	}
	return TranslateSysError(windows.FlushFileBuffers(h))
}

// FsFdatasync is FsFsync: Windows flushes data and metadata together.
func FsFdatasync(fd OSFd) error { return FsFsync(fd) }

// The native calls below return the NTSTATUS as a number: x/sys returns it as an error, and
// boxing a status such as STATUS_BUFFER_OVERFLOW, which stat expects, would allocate.

func ntQueryInformationFile(h windows.Handle, iosb *windows.IO_STATUS_BLOCK, buf unsafe.Pointer, n uint32, class uint32) uint32 {
	r, _, _ := syscall.SyscallN(procNtQueryInformationFile.Addr(), uintptr(h), uintptr(unsafe.Pointer(iosb)),
		uintptr(buf), uintptr(n), uintptr(class))
	return uint32(r)
}

func ntSetInformationFile(h windows.Handle, iosb *windows.IO_STATUS_BLOCK, buf unsafe.Pointer, n uint32, class uint32) uint32 {
	r, _, _ := syscall.SyscallN(procNtSetInformationFile.Addr(), uintptr(h), uintptr(unsafe.Pointer(iosb)),
		uintptr(buf), uintptr(n), uintptr(class))
	return uint32(r)
}

func ntQueryVolumeInformationFile(h windows.Handle, iosb *windows.IO_STATUS_BLOCK, buf unsafe.Pointer, n uint32, class uint32) uint32 {
	r, _, _ := syscall.SyscallN(procNtQueryVolumeInformationFile.Addr(), uintptr(h), uintptr(unsafe.Pointer(iosb)),
		uintptr(buf), uintptr(n), uintptr(class))
	return uint32(r)
}

// ntIsError reports an NTSTATUS of the error severity (NT_ERROR); warnings such as
// STATUS_BUFFER_OVERFLOW, which a query with a fixed-size buffer expects, are not errors.
func ntIsError(st uint32) bool { return st>>30 == 3 }

// ntErrno converts an NTSTATUS to the Win32 error libuv would translate.
func ntErrno(st uint32) syscall.Errno { return windows.NTStatus(st).Errno() }

// ntError returns nil for a success status (NT_SUCCESS) and the libuv code otherwise.
func ntError(st uint32) error {
	if int32(st) >= 0 {
		return nil
	}
	return TranslateSysError(ntErrno(st))
}
