package uv

import "time"

// The Windows file-system operations come with the IOCP backend; until then each returns
// ENOSYS.

// Open flags (libuv's UV_FS_O_* values on Windows).
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
	FsOSync      = 0x08000000
	FsODirectory = 0
	FsONofollow  = 0
)

// Dir is an open directory stream (libuv's uv_dir_t).
type Dir struct{}

// Read returns ENOSYS until the Windows backend exists.
func (d *Dir) Read(n int) ([]Dirent, error) { return nil, ENOSYS }

// Close returns ENOSYS until the Windows backend exists.
func (d *Dir) Close() error { return ENOSYS }

var _ = time.Time{}

// FsOpen returns ENOSYS until the Windows backend exists.
func FsOpen(path string, flags, mode int) (OSFd, error) { return 0, ENOSYS }

// FsClose returns ENOSYS until the Windows backend exists.
func FsClose(fd OSFd) error { return ENOSYS }

// FsRead returns ENOSYS until the Windows backend exists.
func FsRead(fd OSFd, bufs [][]byte, offset int64) (int, error) { return 0, ENOSYS }

// FsWrite returns ENOSYS until the Windows backend exists.
func FsWrite(fd OSFd, bufs [][]byte, offset int64) (int, error) { return 0, ENOSYS }

// FsSendfile returns ENOSYS until the Windows backend exists.
func FsSendfile(out, in OSFd, offset int64, length int) (int, error) { return 0, ENOSYS }

// FsStat returns ENOSYS until the Windows backend exists.
func FsStat(path string) (Stat, error) { return Stat{}, ENOSYS }

// FsLstat returns ENOSYS until the Windows backend exists.
func FsLstat(path string) (Stat, error) { return Stat{}, ENOSYS }

// FsFstat returns ENOSYS until the Windows backend exists.
func FsFstat(fd OSFd) (Stat, error) { return Stat{}, ENOSYS }

// FsFtruncate returns ENOSYS until the Windows backend exists.
func FsFtruncate(fd OSFd, size int64) error { return ENOSYS }

// FsUtime returns ENOSYS until the Windows backend exists.
func FsUtime(path string, atime, mtime time.Time) error { return ENOSYS }

// FsLutime returns ENOSYS until the Windows backend exists.
func FsLutime(path string, atime, mtime time.Time) error { return ENOSYS }

// FsAccess returns ENOSYS until the Windows backend exists.
func FsAccess(path string, mode int) error { return ENOSYS }

// FsChmod returns ENOSYS until the Windows backend exists.
func FsChmod(path string, mode int) error { return ENOSYS }

// FsFchmod returns ENOSYS until the Windows backend exists.
func FsFchmod(fd OSFd, mode int) error { return ENOSYS }

// FsChown returns ENOSYS until the Windows backend exists.
func FsChown(path string, uid, gid int) error { return ENOSYS }

// FsFchown returns ENOSYS until the Windows backend exists.
func FsFchown(fd OSFd, uid, gid int) error { return ENOSYS }

// FsLchown returns ENOSYS until the Windows backend exists.
func FsLchown(path string, uid, gid int) error { return ENOSYS }

// FsFsync returns ENOSYS until the Windows backend exists.
func FsFsync(fd OSFd) error { return ENOSYS }

// FsUnlink returns ENOSYS until the Windows backend exists.
func FsUnlink(path string) error { return ENOSYS }

// FsRmdir returns ENOSYS until the Windows backend exists.
func FsRmdir(path string) error { return ENOSYS }

// FsMkdir returns ENOSYS until the Windows backend exists.
func FsMkdir(path string, mode int) error { return ENOSYS }

// FsMkdtemp returns ENOSYS until the Windows backend exists.
func FsMkdtemp(tpl string) (string, error) { return "", ENOSYS }

// FsMkstemp returns ENOSYS until the Windows backend exists.
func FsMkstemp(tpl string) (OSFd, string, error) { return 0, "", ENOSYS }

// FsRename returns ENOSYS until the Windows backend exists.
func FsRename(from, to string) error { return ENOSYS }

// FsScandir returns ENOSYS until the Windows backend exists.
func FsScandir(path string) ([]Dirent, error) { return nil, ENOSYS }

// FsOpendir returns ENOSYS until the Windows backend exists.
func FsOpendir(path string) (*Dir, error) { return nil, ENOSYS }

// FsLink returns ENOSYS until the Windows backend exists.
func FsLink(from, to string) error { return ENOSYS }

// FsSymlink returns ENOSYS until the Windows backend exists.
func FsSymlink(target, path string, flags int) error { return ENOSYS }

// FsReadlink returns ENOSYS until the Windows backend exists.
func FsReadlink(path string) (string, error) { return "", ENOSYS }

// FsRealpath returns ENOSYS until the Windows backend exists.
func FsRealpath(path string) (string, error) { return "", ENOSYS }

// FsCopyfile returns ENOSYS until the Windows backend exists.
func FsCopyfile(from, to string, flags int) error { return ENOSYS }

// FsFdatasync returns ENOSYS until the Windows backend exists.
func FsFdatasync(fd OSFd) error { return ENOSYS }

// FsStatfs returns ENOSYS until the Windows backend exists.
func FsStatfs(path string) (StatFs, error) { return StatFs{}, ENOSYS }

// FsFutime returns ENOSYS until the Windows backend exists.
func FsFutime(fd OSFd, atime, mtime time.Time) error { return ENOSYS }
