package conformance_test

import "testing"

// The fs tests libuv runs on Windows only. Their bodies are in fs_winonly_windows_test.go;
// elsewhere they skip (winonly_other_test.go), and conformance/README.md lists them as not
// applicable on unix.

// TestFsOpenFlags opens an absent file, an empty one, one holding "a" and a directory with
// every flag combination Node's fs.open strings give ("r", "rs", "r+", ..., "as+") and checks
// what open, read and write then do, as libuv's emulation of POSIX open flags over
// CreateFile answers. libuv runs the cases a second time with UV_FS_O_FILEMAP (reads and
// writes through a file mapping); uv-go has no such flag, so that pass is left out.
// libuv: fs_open_flags
func TestFsOpenFlags(t *testing.T) { fsOpenFlags(t) }

// TestFsUnlinkArchiveReadonly unlinks a file whose only attribute is read-only (the archive
// attribute cleared).
// libuv: fs_unlink_archive_readonly
func TestFsUnlinkArchiveReadonly(t *testing.T) { fsUnlinkArchiveReadonly(t) }

// TestFsFchmodArchiveReadonly makes writable, through fchmod on a descriptor opened
// read-only, a file whose only attribute is read-only.
// libuv: fs_fchmod_archive_readonly
func TestFsFchmodArchiveReadonly(t *testing.T) { fsFchmodArchiveReadonly(t) }

// TestFsInvalidMkdirName checks that mkdir of a name NTFS forbids fails with EINVAL.
// libuv: fs_invalid_mkdir_name
func TestFsInvalidMkdirName(t *testing.T) { fsInvalidMkdirName(t) }

// TestFsWtf lists a directory holding a name with an unpaired surrogate, which is no valid
// UTF-16 and so comes as WTF-8, and stats the entry by the name scandir gave.
// libuv: fs_wtf
func TestFsWtf(t *testing.T) { fsWtf(t) }

// TestFsStatRoot stats the roots of the current drive and of C:, relative parents up past
// the root, a drive's current directory ("c:") and a long-path root.
// libuv: fs_stat_root
func TestFsStatRoot(t *testing.T) { fsStatRoot(t) }

// TestFsExclusiveSharingMode checks that a file opened with FsOExlock cannot be opened again
// until it is closed.
// libuv: fs_exclusive_sharing_mode
func TestFsExclusiveSharingMode(t *testing.T) { fsExclusiveSharingMode(t) }

// TestFsFileFlagNoBuffering opens with FsODirect (FILE_FLAG_NO_BUFFERING) for reading and
// writing, and checks that FsODirect with FsOAppend alone is EINVAL.
// libuv: fs_file_flag_no_buffering
func TestFsFileFlagNoBuffering(t *testing.T) { fsFileFlagNoBuffering(t) }

// TestFsOpenReadonlyACL opens read-only a read-only file whose ACL grants the user read and
// execute only.
// libuv: fs_open_readonly_acl
func TestFsOpenReadonlyACL(t *testing.T) { fsOpenReadonlyACL(t) }

// TestFsStatNoPermission stats a file whose ACL denies everyone everything.
// libuv: fs_stat_no_permission
func TestFsStatNoPermission(t *testing.T) { fsStatNoPermission(t) }

// TestFsSymlinkJunction is TestFsSymlinkDir with a junction to an absolute \\?\ path:
// stat, lstat, readlink, realpath and scandir through it, unlink removing it.
// libuv: fs_symlink_junction
func TestFsSymlinkJunction(t *testing.T) { fsSymlinkJunction(t) }

// TestFsNonSymlinkReparsePoint checks a file carrying a reparse point of a third party's
// tag: readlink is EINVAL, scandir lists it as a link (as libuv and PowerShell do).
// libuv: fs_non_symlink_reparse_point
func TestFsNonSymlinkReparsePoint(t *testing.T) { fsNonSymlinkReparsePoint(t) }

// TestFsReadlinkLxSymlink reads the target of a WSL symlink (IO_REPARSE_TAG_LX_SYMLINK).
// libuv: fs_readlink_lx_symlink
func TestFsReadlinkLxSymlink(t *testing.T) { fsReadlinkLxSymlink(t) }

// TestFsLstatWindowsStoreApps lstats every link in %LOCALAPPDATA%\Microsoft\WindowsApps,
// where the Store's app execution aliases live; it skips, as libuv's does, when there is no
// such directory or nothing in it.
// libuv: fs_lstat_windows_store_apps
func TestFsLstatWindowsStoreApps(t *testing.T) { fsLstatWindowsStoreApps(t) }
