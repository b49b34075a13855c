package uv

import (
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// stat, fstat, statfs and the metadata operations on Windows, as libuv's src/win/fs.c fills
// them: the mode is S_IFDIR, S_IFREG or (lstat of a link) S_IFLNK with 0666, or 0444 for a
// read-only file; chmod can only set or clear the read-only attribute; the owner calls do
// nothing.

// File type bits of st_mode, as libuv reports them on every system.
const (
	sIFMT   = 0o170000
	sIFIFO  = 0o010000
	sIFCHR  = 0o020000
	sIFDIR  = 0o040000
	sIFREG  = 0o100000
	sIFLNK  = 0o120000
	sIREAD  = 0o400
	sIRWALL = 0o666
	sIRALL  = 0o444
)

// The information classes and structures of the native queries.
const (
	fileBasicInformation             = 4
	fileAllInformation               = 18
	fileFsVolumeInformation          = 1
	fileFsDeviceInformation          = 4
	fileFsFullSizeInformation        = 7
	fileDeviceNull                   = 0x15
	fileDeviceConsole                = 0x50
	fileDeviceNamedPipe              = 0x11
	windowsToUnixEpoch               = 116444736000000000 // 100 ns ticks from 1601 to 1970
	ticksPerSecond                   = 10_000_000
	statusNotImplemented      uint32 = 0xC0000002
)

// fileBasicInfo is FILE_BASIC_INFORMATION (and FILE_BASIC_INFO): times in 100 ns ticks
// since 1601, and the attributes.
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}

// fileAllInfo is FILE_ALL_INFORMATION up to the first character of the name, which does not
// fit: the query then reports STATUS_BUFFER_OVERFLOW, a warning, with everything else filled.
type fileAllInfo struct {
	Basic                fileBasicInfo
	AllocationSize       int64
	EndOfFile            int64
	NumberOfLinks        uint32
	DeletePending        bool
	Directory            bool
	IndexNumber          int64
	EaSize               uint32
	AccessFlags          uint32
	CurrentByteOffset    int64
	Mode                 uint32
	AlignmentRequirement uint32
	FileNameLength       uint32
	FileName             [2]uint16
}

// fileFsVolumeInfo is FILE_FS_VOLUME_INFORMATION with room for a label.
type fileFsVolumeInfo struct {
	VolumeCreationTime int64
	VolumeSerialNumber uint32
	VolumeLabelLength  uint32
	SupportsObjects    bool
	_                  bool
	VolumeLabel        [windows.MAX_PATH + 1]uint16
}

// FsStat stats path, following links.
func FsStat(path string) (Stat, error) {
	var st Stat
	if err := statPath(path, false, &st); err != nil {
		return Stat{}, err
	}
	return st, nil
}

// FsLstat stats path itself: a symbolic link or junction is S_IFLNK, its size the length of
// its target. A reparse point that is no link stats as what it is.
func FsLstat(path string) (Stat, error) {
	var st Stat
	if err := statPath(path, true, &st); err != nil {
		return Stat{}, err
	}
	return st, nil
}

// statPath stats path into st. A trailing slash is dropped (except after a drive letter), as
// libuv does.
func statPath(path string, lstat bool, st *Stat) error {
	if n := len(path); n > 1 && isSlash(path[n-1]) && path[n-2] != ':' {
		path = path[:n-1]
	}
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return err
	}
	err = statPathW(p, lstat, st)
	if lstat && (err == windows.ERROR_SYMLINK_NOT_SUPPORTED || err == windows.ERROR_NOT_A_REPARSE_POINT) {
		// A reparse point that is not a link: stat what it is.
		err = statPathW(p, false, st)
	}
	return TranslateSysError(err)
}

// statPathW opens the path for its attributes only and stats the handle. Files the system
// does not let anyone open (a page file, a locked system file) are looked up in their
// directory instead.
func statPathW(p *uint16, lstat bool, st *Stat) error {
	flags := uint32(windows.FILE_FLAG_BACKUP_SEMANTICS)
	if lstat {
		flags |= windows.FILE_FLAG_OPEN_REPARSE_POINT
	}
	h, err := windows.CreateFile(p, windows.FILE_READ_ATTRIBUTES, fileShareAll, nil, windows.OPEN_EXISTING, flags, 0)
	if err != nil {
		if err == windows.ERROR_ACCESS_DENIED || err == windows.ERROR_SHARING_VIOLATION {
			if ferr := statFind(p, lstat, st); ferr == nil {
				return nil
			}
		}
		return err
	}
	err = statHandle(h, lstat, st)
	windows.CloseHandle(h)
	return err
}

// statHandle fills st from an open file, as libuv's fs__stat_handle: everything
// FileAllInformation gives, and the volume's serial number as the device. A handle that has
// no file information may be the NUL device, a character device for stat. (libuv asks for
// the device type first; asking only when needed saves a call, and Wine updates the access
// time of a file whose device type is asked.) Errors are Win32 errnos.
func statHandle(h windows.Handle, lstat bool, st *Stat) error {
	var iosb windows.IO_STATUS_BLOCK
	var all fileAllInfo
	if s := ntQueryInformationFile(h, &iosb, unsafe.Pointer(&all), uint32(unsafe.Sizeof(all)), fileAllInformation); ntIsError(s) {
		var dev struct{ DeviceType, Characteristics uint32 }
		if ds := ntQueryVolumeInformationFile(h, &iosb, unsafe.Pointer(&dev), uint32(unsafe.Sizeof(dev)), fileFsDeviceInformation); !ntIsError(ds) && dev.DeviceType == fileDeviceNull {
			*st = nullStat()
			return nil
		}
		return ntErrno(s)
	}
	var vol fileFsVolumeInfo
	serial := uint32(0)
	s := ntQueryVolumeInformationFile(h, &iosb, unsafe.Pointer(&vol), uint32(unsafe.Sizeof(vol)), fileFsVolumeInformation)
	switch {
	case s == statusNotImplemented:
	case ntIsError(s):
		return ntErrno(s)
	default:
		serial = vol.VolumeSerialNumber
	}
	size := all.EndOfFile
	if lstat && all.Basic.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 {
		target, err := readlinkHandle(h)
		if err != nil {
			return err
		}
		size = int64(len(target))
	}
	fillStat(st, &all.Basic, lstat, size, all.AllocationSize, all.NumberOfLinks, uint64(all.IndexNumber), serial)
	return nil
}

// fillStat is libuv's fs__stat_assign_statbuf.
func fillStat(st *Stat, b *fileBasicInfo, lstat bool, size, alloc int64, nlink uint32, ino uint64, serial uint32) {
	*st = Stat{Dev: uint64(serial), Ino: ino, Nlink: uint64(nlink), Blksize: 4096, Blocks: uint64(alloc) >> 9}
	switch {
	case lstat && b.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0:
		st.Mode = sIFLNK
		st.Size = uint64(size)
	case b.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0:
		st.Mode = sIFDIR
	default:
		st.Mode = sIFREG
		st.Size = uint64(size)
	}
	if b.FileAttributes&windows.FILE_ATTRIBUTE_READONLY != 0 {
		st.Mode |= sIRALL
	} else {
		st.Mode |= sIRWALL
	}
	st.Atim = filetimeSpec(b.LastAccessTime)
	st.Mtim = filetimeSpec(b.LastWriteTime)
	st.Ctim = filetimeSpec(b.ChangeTime)
	st.Birthtim = filetimeSpec(b.CreationTime)
}

// nullStat is what the NUL device stats as: a character device readable and writable by all.
func nullStat() Stat {
	return Stat{Mode: sIFCHR | sIRWALL, Nlink: 1, Blksize: 4096, Rdev: fileDeviceNull << 16}
}

// filetimeSpec converts 100 ns ticks since 1601 to a Timespec since 1970.
func filetimeSpec(ft int64) Timespec {
	ft -= windowsToUnixEpoch
	ts := Timespec{Sec: ft / ticksPerSecond, Nsec: ft % ticksPerSecond * 100}
	if ts.Nsec < 0 {
		ts.Sec--
		ts.Nsec += 1e9
	}
	return ts
}

// statFind stats a file nobody may open from its directory entry (FindFirstFileW): the
// attributes, times and size; no inode, change time or device.
func statFind(p *uint16, lstat bool, st *Stat) error {
	var fd windows.Win32finddata
	h, err := windows.FindFirstFile(p, &fd)
	if err != nil {
		return err
	}
	windows.FindClose(h)
	if !lstat && fd.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 {
		return windows.ERROR_ACCESS_DENIED // a link's size needs a handle
	}
	b := fileBasicInfo{
		CreationTime:   filetimeTicks(fd.CreationTime),
		LastAccessTime: filetimeTicks(fd.LastAccessTime),
		LastWriteTime:  filetimeTicks(fd.LastWriteTime),
		ChangeTime:     filetimeTicks(fd.LastWriteTime),
		FileAttributes: fd.FileAttributes,
	}
	size := int64(fd.FileSizeHigh)<<32 | int64(fd.FileSizeLow)
	fillStat(st, &b, lstat, size, size, 1, 0, 0)
	return nil
}

func filetimeTicks(ft windows.Filetime) int64 {
	return int64(ft.HighDateTime)<<32 | int64(ft.LowDateTime)
}

// FsFstat stats an open handle. Disk files stat as FsStat; a console is S_IFCHR and a pipe
// S_IFIFO with nothing else to tell, as in libuv; an invalid handle is EBADF.
func FsFstat(fd OSFd) (Stat, error) {
	h, err := fileHandle(fd)
	if err != nil {
		return Stat{}, err
	}
	t, _ := windows.GetFileType(h)
	switch t {
	case windows.FILE_TYPE_DISK:
	case windows.FILE_TYPE_CHAR:
		var mode uint32
		if windows.GetConsoleMode(h, &mode) == nil {
			return Stat{Mode: sIFCHR, Nlink: 1, Rdev: fileDeviceConsole << 16, Ino: uint64(h)}, nil
		}
		// Another character device (NUL): stat the handle.
	case windows.FILE_TYPE_PIPE:
		return Stat{Mode: sIFIFO, Nlink: 1, Rdev: fileDeviceNamedPipe << 16, Ino: uint64(h)}, nil
	default:
		return Stat{}, EBADF
	}
	var st Stat
	if err := statHandle(h, false, &st); err != nil {
		return Stat{}, TranslateSysError(err)
	}
	return st, nil
}

// FsStatfs reports on the volume holding path (FileFsFullSizeInformation, as libuv). Windows
// tells no file system type and no inode counts: Type, Files and Ffree are 0.
func FsStatfs(path string) (StatFs, error) {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return StatFs{}, err
	}
	h, err := windows.CreateFile(p, windows.FILE_READ_ATTRIBUTES, fileShareAll, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return StatFs{}, TranslateSysError(err)
	}
	defer windows.CloseHandle(h)
	var info struct {
		TotalAllocationUnits, CallerAvailableAllocationUnits, ActualAvailableAllocationUnits int64
		SectorsPerAllocationUnit, BytesPerSector                                             uint32
	}
	var iosb windows.IO_STATUS_BLOCK
	if s := ntQueryVolumeInformationFile(h, &iosb, unsafe.Pointer(&info), uint32(unsafe.Sizeof(info)), fileFsFullSizeInformation); ntIsError(s) {
		return StatFs{}, TranslateSysError(ntErrno(s))
	}
	bsize := uint64(info.SectorsPerAllocationUnit) * uint64(info.BytesPerSector)
	return StatFs{Bsize: bsize, Frsize: bsize, Blocks: uint64(info.TotalAllocationUnits),
		Bfree: uint64(info.ActualAvailableAllocationUnits), Bavail: uint64(info.CallerAvailableAllocationUnits)}, nil
}

// filetimeOf converts a time given to the utime calls: nil for UtimeOmit (SetFileTime leaves
// that time alone), the system's current time for UtimeNow. Times before 1601 are EINVAL.
func filetimeOf(t time.Time, ft *windows.Filetime) (*windows.Filetime, error) {
	switch {
	case t.IsZero():
		return nil, nil
	case isUtimeNow(t):
		windows.GetSystemTimeAsFileTime(ft)
		return ft, nil
	}
	sec := t.Unix()
	const maxSec = (1<<63 - 1 - windowsToUnixEpoch) / ticksPerSecond
	if sec >= maxSec || sec < -windowsToUnixEpoch/ticksPerSecond {
		return nil, EINVAL
	}
	ticks := sec*ticksPerSecond + int64(t.Nanosecond())/100 + windowsToUnixEpoch
	if ticks < 0 {
		return nil, EINVAL
	}
	*ft = windows.Filetime{LowDateTime: uint32(ticks), HighDateTime: uint32(ticks >> 32)}
	return ft, nil
}

// setTimes sets the access and modification times of an open file.
func setTimes(h windows.Handle, atime, mtime time.Time) error {
	var a, m windows.Filetime
	pa, err := filetimeOf(atime, &a)
	if err != nil {
		return err
	}
	pm, err := filetimeOf(mtime, &m)
	if err != nil {
		return err
	}
	return TranslateSysError(windows.SetFileTime(h, nil, pa, pm))
}

// utimePath sets the times of path, or of a link itself with lutime.
func utimePath(path string, atime, mtime time.Time, lutime bool) error {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return err
	}
	flags := uint32(windows.FILE_FLAG_BACKUP_SEMANTICS)
	if lutime {
		flags |= windows.FILE_FLAG_OPEN_REPARSE_POINT
	}
	h, err := windows.CreateFile(p, windows.FILE_WRITE_ATTRIBUTES, fileShareAll, nil, windows.OPEN_EXISTING, flags, 0)
	if err != nil {
		return TranslateSysError(err)
	}
	defer windows.CloseHandle(h)
	return setTimes(h, atime, mtime)
}

// FsUtime sets the access and modification times of path, to 100 ns. UtimeOmit (the zero
// time) leaves a time unchanged; UtimeNow sets it to the current time.
func FsUtime(path string, atime, mtime time.Time) error { return utimePath(path, atime, mtime, false) }

// FsLutime is FsUtime on a link itself.
func FsLutime(path string, atime, mtime time.Time) error { return utimePath(path, atime, mtime, true) }

// FsFutime sets the times of an open file, which needs FILE_WRITE_ATTRIBUTES (a handle opened
// for writing has it).
func FsFutime(fd OSFd, atime, mtime timeArg) error {
	h, err := fileHandle(fd)
	if err != nil {
		return err
	}
	return setTimes(h, atime, mtime)
}

// FsAccess checks that path exists; asking for AccessWrite on a read-only file (not a
// directory, which the attribute does not protect) is EPERM, as in libuv. Windows keeps
// permissions in ACLs, which libuv does not consult.
func FsAccess(path string, mode int) error {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return err
	}
	attrs, err := windows.GetFileAttributes(p)
	if err != nil {
		return TranslateSysError(err)
	}
	if mode&AccessWrite != 0 && attrs&windows.FILE_ATTRIBUTE_READONLY != 0 && attrs&windows.FILE_ATTRIBUTE_DIRECTORY == 0 {
		return EPERM
	}
	return nil
}

// readonlyAttrs returns attrs with the read-only attribute set or cleared as mode asks (the
// owner's write bit clears it), never 0, which would mean "leave them as they are".
func readonlyAttrs(attrs uint32, mode int) uint32 {
	if mode&sIWRITE != 0 {
		attrs &^= windows.FILE_ATTRIBUTE_READONLY
	} else {
		attrs |= windows.FILE_ATTRIBUTE_READONLY
	}
	if attrs == 0 {
		attrs = windows.FILE_ATTRIBUTE_NORMAL
	}
	return attrs
}

// FsChmod makes path read-only when mode lacks the owner's write bit (0200) and writable
// otherwise, as the C runtime's _wchmod that libuv calls: that is all Windows can do.
func FsChmod(path string, mode int) error {
	var wp wpath
	p, err := wp.set(path)
	if err != nil {
		return err
	}
	attrs, err := windows.GetFileAttributes(p)
	if err != nil {
		return TranslateSysError(err)
	}
	return TranslateSysError(windows.SetFileAttributes(p, readonlyAttrs(attrs, mode)))
}

// FsFchmod is FsChmod on an open file. The handle is reopened for FILE_WRITE_ATTRIBUTES
// (ReOpenFile), so it works on files opened read-only too.
func FsFchmod(fd OSFd, mode int) error {
	h, err := fileHandle(fd)
	if err != nil {
		return err
	}
	ah, err := reopenFile(h, windows.FILE_WRITE_ATTRIBUTES|windows.FILE_READ_ATTRIBUTES)
	if err != nil {
		return TranslateSysError(err)
	}
	defer windows.CloseHandle(ah)
	var iosb windows.IO_STATUS_BLOCK
	var b fileBasicInfo
	if s := ntQueryInformationFile(ah, &iosb, unsafe.Pointer(&b), uint32(unsafe.Sizeof(b)), fileBasicInformation); ntIsError(s) {
		return TranslateSysError(ntErrno(s))
	}
	// Zero times leave the times alone; only the attributes change.
	b = fileBasicInfo{FileAttributes: readonlyAttrs(b.FileAttributes, mode)}
	return ntError(ntSetInformationFile(ah, &iosb, unsafe.Pointer(&b), uint32(unsafe.Sizeof(b)), fileBasicInformation))
}

// reopenFile opens the file of h again with other access rights (ReOpenFile).
func reopenFile(h windows.Handle, access uint32) (windows.Handle, error) {
	if err := procReOpenFile.Find(); err != nil {
		return 0, ENOSYS
	}
	r, _, e := procReOpenFile.Call(uintptr(h), uintptr(access), fileShareAll,
		windows.FILE_FLAG_BACKUP_SEMANTICS|windows.FILE_FLAG_OPEN_REPARSE_POINT)
	if windows.Handle(r) == windows.InvalidHandle {
		return 0, e
	}
	return windows.Handle(r), nil
}

// FsChown does nothing and succeeds, as in libuv: Windows has no numeric owners.
func FsChown(path string, uid, gid int) error {
	if hasNUL(path) {
		return EINVAL
	}
	return nil
}

// FsFchown does nothing and succeeds, as in libuv (EBADF for INVALID_HANDLE_VALUE).
func FsFchown(fd OSFd, uid, gid int) error {
	_, err := fileHandle(fd)
	return err
}

// FsLchown does nothing and succeeds, as in libuv.
func FsLchown(path string, uid, gid int) error { return FsChown(path, uid, gid) }
