package conformance_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The bodies of the Windows-only fs tests of fs_winonly_test.go. Where Wine 8 lacks what a
// test needs (reparse points, ACLs, names NTFS refuses), the test tries first and skips only
// when Wine refuses, so that it runs once Wine has it.

// openFlagsKind names one of the files fs_open_flags works on: the names change at every
// refresh, so a case names the kind of file, not a path.
type openFlagsKind int

const (
	absentFile openFlagsKind = iota // a name that does not exist
	emptyFile                       // an empty file
	dummyFile                       // a file holding "a"
	emptyDir                        // an empty directory
)

// openFlagsTest is the state of libuv's test-fs-open-flags.c: the open flags under test and
// fresh file names for each case (test_file_N, as libuv names them to avoid EBUSY from
// opening one name again quickly).
type openFlagsTest struct {
	t                    *testing.T
	dir                  string
	flags, sid           int
	absent, empty, dummy string
}

func (o *openFlagsTest) path(k openFlagsKind) string {
	switch k {
	case absentFile:
		return o.absent
	case emptyFile:
		return o.empty
	case dummyFile:
		return o.dummy
	}
	return filepath.Join(o.dir, "empty_dir")
}

// openMode is one of Node's fs.open mode strings and the flags it opens with.
type openMode struct {
	name  string
	flags int
}

// use sets the flags of the cases that follow, logging the mode for a failure to name.
func (o *openFlagsTest) use(m openMode) {
	o.t.Logf("mode %q (flags %#x)", m.name, m.flags)
	o.flags = m.flags
}

func (o *openFlagsTest) next() string {
	p := filepath.Join(o.dir, fmt.Sprintf("test_file_%d", o.sid))
	o.sid++
	return p
}

// refresh makes new names: one absent, one empty file, one file holding "a".
func (o *openFlagsTest) refresh() {
	t := o.t
	t.Helper()
	o.absent = o.next()
	var req handles.FS
	if err := handles.FSUnlinkPath(nil, &req, o.absent, nil); err != nil {
		require.ErrorIs(t, err, uv.ENOENT)
	}
	o.empty = o.next()
	fsClose(t, fsOpen(t, o.empty, uv.FsOTrunc|uv.FsOCreat|uv.FsOWronly, 0o600))
	o.dummy = o.next()
	fd := fsOpen(t, o.dummy, uv.FsOTrunc|uv.FsOCreat|uv.FsOWronly, 0o600)
	require.Equal(t, 1, fsWrite(t, fd, -1, []byte("a")))
	fsClose(t, fd)
}

// cleanup removes the files of the case (libuv's C unlink, whose errors it ignores).
func (o *openFlagsTest) cleanup() {
	for _, p := range []string{o.absent, o.empty, o.dummy} {
		uv.FsUnlink(p)
	}
}

// openFail checks that opening k fails with want, twice: the first attempt creates nothing.
func (o *openFlagsTest) openFail(k openFlagsKind, want *uv.Error) {
	t := o.t
	t.Helper()
	o.refresh()
	for range 2 {
		var req handles.FS
		err := handles.FSOpenFile(nil, &req, o.path(k), o.flags, 0o600, nil)
		requireFSErr(t, &req, err, want)
	}
	o.cleanup()
}

// refreshOpen makes new names and opens k with the flags under test.
func (o *openFlagsTest) refreshOpen(k openFlagsKind) uv.OSFd {
	o.t.Helper()
	o.refresh()
	return fsOpen(o.t, o.path(k), o.flags, 0o600)
}

// writeExpect writes "b" and "c" to k opened with the flags, then checks that k holds
// expected.
func (o *openFlagsTest) writeExpect(k openFlagsKind, expected string) {
	t := o.t
	t.Helper()
	fd := o.refreshOpen(k)
	require.Equal(t, 1, fsWrite(t, fd, -1, []byte("b")))
	require.Equal(t, 1, fsWrite(t, fd, -1, []byte("c")))
	fsClose(t, fd)
	fd = fsOpen(t, o.path(k), uv.FsORdonly, 0o600)
	buf := make([]byte, 32)
	n := fsRead(t, fd, -1, buf)
	require.Equal(t, expected, string(buf[:n]))
	fsClose(t, fd)
	o.cleanup()
}

// writeFail checks that writing to k opened with the flags fails with want, twice.
func (o *openFlagsTest) writeFail(k openFlagsKind, want *uv.Error) {
	t := o.t
	t.Helper()
	fd := o.refreshOpen(k)
	if k == emptyDir && want == uv.EISDIR && fsUnderWine() {
		// Windows fails a write to a directory with ERROR_INVALID_FUNCTION (EISDIR); Wine 8
		// with ERROR_INVALID_HANDLE (EBADF), the error of the unix write.
		want = uv.EBADF
	}
	for range 2 {
		var req handles.FS
		err := handles.FSWriteFile(nil, &req, fd, [][]byte{[]byte("z")}, -1, nil)
		requireFSErr(t, &req, err, want)
	}
	fsClose(t, fd)
	o.cleanup()
}

// readExpect checks that k opened with the flags reads as expected.
func (o *openFlagsTest) readExpect(k openFlagsKind, expected string) {
	t := o.t
	t.Helper()
	fd := o.refreshOpen(k)
	buf := make([]byte, 32)
	n := fsRead(t, fd, -1, buf)
	require.Equal(t, expected, string(buf[:n]))
	fsClose(t, fd)
	o.cleanup()
}

// readFail checks that reading k opened with the flags fails with want, twice.
func (o *openFlagsTest) readFail(k openFlagsKind, want *uv.Error) {
	t := o.t
	t.Helper()
	fd := o.refreshOpen(k)
	for range 2 {
		var req handles.FS
		err := handles.FSReadFile(nil, &req, fd, [][]byte{make([]byte, 32)}, -1, nil)
		requireFSErr(t, &req, err, want)
	}
	fsClose(t, fd)
	o.cleanup()
}

func fsOpenFlags(t *testing.T) {
	o := &openFlagsTest{t: t, dir: fsDir(t)}
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, o.path(emptyDir), 0o755, nil))

	// The cases in the order of Node's lib/internal/fs/utils.js, as libuv has them.
	const (
		rdonly, wronly, rdwr = uv.FsORdonly, uv.FsOWronly, uv.FsORdwr
		creat, trunc, excl   = uv.FsOCreat, uv.FsOTrunc, uv.FsOExcl
		appnd, sync          = uv.FsOAppend, uv.FsOSync
	)
	for _, m := range []openMode{{"r", rdonly}, {"rs", rdonly | sync}} {
		o.use(m)
		o.openFail(absentFile, uv.ENOENT)
		o.writeFail(emptyFile, uv.EBADF)
		o.readExpect(emptyFile, "")
		o.writeFail(dummyFile, uv.EBADF)
		o.readExpect(dummyFile, "a")
		o.writeFail(emptyDir, uv.EBADF)
		o.readFail(emptyDir, uv.EISDIR)
	}
	for _, m := range []openMode{{"r+", rdwr}, {"rs+", rdwr | sync}} {
		o.use(m)
		o.openFail(absentFile, uv.ENOENT)
		o.writeExpect(emptyFile, "bc")
		o.readExpect(emptyFile, "")
		o.writeExpect(dummyFile, "bc")
		o.readExpect(dummyFile, "a")
		o.writeFail(emptyDir, uv.EISDIR)
		o.readFail(emptyDir, uv.EISDIR)
	}

	o.use(openMode{"w", trunc | creat | wronly})
	o.writeExpect(absentFile, "bc")
	o.readFail(absentFile, uv.EBADF)
	o.writeExpect(emptyFile, "bc")
	o.readFail(emptyFile, uv.EBADF)
	o.writeExpect(dummyFile, "bc")
	o.readFail(dummyFile, uv.EBADF)
	o.openFail(emptyDir, uv.EISDIR)

	o.use(openMode{"wx", trunc | creat | wronly | excl})
	o.writeExpect(absentFile, "bc")
	o.readFail(absentFile, uv.EBADF)
	o.openFail(emptyFile, uv.EEXIST)
	o.openFail(dummyFile, uv.EEXIST)
	o.openFail(emptyDir, uv.EEXIST)

	o.use(openMode{"w+", trunc | creat | rdwr})
	o.writeExpect(absentFile, "bc")
	o.readExpect(absentFile, "")
	o.writeExpect(emptyFile, "bc")
	o.readExpect(emptyFile, "")
	o.writeExpect(dummyFile, "bc")
	o.readExpect(dummyFile, "")
	o.openFail(emptyDir, uv.EISDIR)

	o.use(openMode{"wx+", trunc | creat | rdwr | excl})
	o.writeExpect(absentFile, "bc")
	o.readExpect(absentFile, "")
	o.openFail(emptyFile, uv.EEXIST)
	o.openFail(dummyFile, uv.EEXIST)
	o.openFail(emptyDir, uv.EEXIST)

	for _, m := range []openMode{{"a", appnd | creat | wronly}, {"as", appnd | creat | wronly | sync}} {
		o.use(m)
		o.writeExpect(absentFile, "bc")
		o.readFail(absentFile, uv.EBADF)
		o.writeExpect(emptyFile, "bc")
		o.readFail(emptyFile, uv.EBADF)
		o.writeExpect(dummyFile, "abc")
		o.readFail(dummyFile, uv.EBADF)
		o.writeFail(emptyDir, uv.EISDIR)
		o.readFail(emptyDir, uv.EBADF)
	}

	o.use(openMode{"ax", appnd | creat | wronly | excl})
	o.writeExpect(absentFile, "bc")
	o.readFail(absentFile, uv.EBADF)
	o.openFail(emptyFile, uv.EEXIST)
	o.openFail(dummyFile, uv.EEXIST)
	o.openFail(emptyDir, uv.EEXIST)

	for _, m := range []openMode{{"a+", appnd | creat | rdwr}, {"as+", appnd | creat | rdwr | sync}} {
		o.use(m)
		o.writeExpect(absentFile, "bc")
		o.readExpect(absentFile, "")
		o.writeExpect(emptyFile, "bc")
		o.readExpect(emptyFile, "")
		o.writeExpect(dummyFile, "abc")
		o.readExpect(dummyFile, "a")
		o.writeFail(emptyDir, uv.EISDIR)
		o.readFail(emptyDir, uv.EISDIR)
	}

	o.use(openMode{"ax+", appnd | creat | rdwr | excl})
	o.writeExpect(absentFile, "bc")
	o.readExpect(absentFile, "")
	o.openFail(emptyFile, uv.EEXIST)
	o.openFail(dummyFile, uv.EEXIST)
	o.openFail(emptyDir, uv.EEXIST)
}

// setAttributes sets a file's attributes to exactly attrs (libuv's SetFileAttributes call).
func setAttributes(t *testing.T, path string, attrs uint32) {
	t.Helper()
	p, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	require.NoError(t, windows.SetFileAttributes(p, attrs))
}

func fsUnlinkArchiveReadonly(t *testing.T) {
	l := newLoop(t)
	file := filepath.Join(fsDir(t), "test_file")
	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600)
	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))
	var req handles.FS
	require.NoError(t, handles.FSCloseFile(l, &req, fd, nil))

	// Read-only, and the archive attribute cleared.
	setAttributes(t, file, windows.FILE_ATTRIBUTE_READONLY)
	checkPermission(t, file, 0o400)

	require.NoError(t, handles.FSUnlinkPath(nil, &req, file, nil))
	require.Zero(t, req.Result)
	_, err := os.Lstat(file)
	require.True(t, os.IsNotExist(err), "the file is gone: %v", err)
	require.False(t, run(t, l, uv.RunDefault))
}

func fsFchmodArchiveReadonly(t *testing.T) {
	file := filepath.Join(fsDir(t), "test_file")
	fsClose(t, fsOpen(t, file, uv.FsOWronly|uv.FsOCreat, 0o600))
	setAttributes(t, file, windows.FILE_ATTRIBUTE_READONLY)
	checkPermission(t, file, 0o400)

	fd := fsOpen(t, file, uv.FsORdonly, 0)
	var req handles.FS
	require.NoError(t, handles.FSFchmodFile(nil, &req, fd, 0o200, nil))
	require.Zero(t, req.Result)
	fsClose(t, fd)
	checkPermission(t, file, 0o200)
	require.EqualValues(t, 0o666, fsStat(t, file).Mode&0o777, "writable again")
	setAttributes(t, file, windows.FILE_ATTRIBUTE_ARCHIVE)
}

func fsInvalidMkdirName(t *testing.T) {
	l := newLoop(t)
	dir := fsDir(t)
	var req handles.FS
	err := handles.FSMkdirPath(l, &req, filepath.Join(dir, "invalid>"), 0, nil)
	requireFSErr(t, &req, err, uv.EINVAL)
	err = handles.FSMkdirPath(l, &req, filepath.Join(dir, "test:lol"), 0, nil)
	if err == nil && fsUnderWine() {
		t.Skip("Wine 8 takes ':' in a name for a character of the unix file name; NTFS reads it as a stream name")
	}
	requireFSErr(t, &req, err, uv.EINVAL)
}

func fsWtf(t *testing.T) {
	newLoop(t)
	dir := filepath.Join(fsDir(t), "test_dir")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, dir, 0o777, nil))

	// "hi", a lone high surrogate, "7": CreateFileW takes any UTF-16 units.
	name := []uint16{'h', 'i', 0xD801, '7'}
	path, err := windows.UTF16FromString(dir + `\`)
	require.NoError(t, err)
	path = append(append(path[:len(path)-1], name...), 0)
	h, err := windows.CreateFile(&path[0], windows.GENERIC_WRITE|windows.FILE_WRITE_ATTRIBUTES, 0, nil,
		windows.CREATE_ALWAYS, windows.FILE_FLAG_OPEN_REPARSE_POINT|windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil && fsUnderWine() {
		t.Skipf("Wine 8 cannot create a name holding an unpaired surrogate (its unix names are UTF-8): %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, windows.CloseHandle(h))

	require.NoError(t, handles.FSScandirPath(nil, &req, dir, 0, nil))
	require.EqualValues(t, 1, req.Result)
	for {
		d, err := req.ScandirNext()
		if err == uv.EOF {
			break
		}
		require.NoError(t, err)
		require.Equal(t, "hi\xed\xa0\x817", d.Name, "the name in WTF-8")
		var sreq handles.FS
		require.NoError(t, handles.FSStatPath(nil, &sreq, dir+`\`+d.Name, nil))
		require.NoError(t, handles.FSUnlinkPath(nil, &sreq, dir+`\`+d.Name, nil))
	}
	req.Cleanup()
}

func fsStatRoot(t *testing.T) {
	for _, p := range []string{`\`, `..\..\..\..\..\..\..`, `..`, `..\`, `c:`, `c:\`, `\\?\C:\`} {
		var req handles.FS
		require.NoError(t, handles.FSStatPath(nil, &req, p, nil), "stat %q", p)
		require.NotZero(t, req.Statbuf.Mode&0o40000, "%q is a directory", p)
	}
}

func fsExclusiveSharingMode(t *testing.T) {
	file := filepath.Join(fsDir(t), "test_file")
	require.Positive(t, uv.FsOExlock)
	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat|uv.FsOExlock, 0o600)
	var req handles.FS
	err := handles.FSOpenFile(nil, &req, file, uv.FsORdonly|uv.FsOExlock, 0o600, nil)
	requireFSErr(t, &req, err, uv.EBUSY)
	fsClose(t, fd)
	fsClose(t, fsOpen(t, file, uv.FsORdonly|uv.FsOExlock, 0o600))
}

func fsFileFlagNoBuffering(t *testing.T) {
	file := filepath.Join(fsDir(t), "test_file")
	for _, f := range []int{uv.FsOAppend, uv.FsOCreat, uv.FsODirect, uv.FsORdwr} {
		require.Positive(t, f)
	}
	// FILE_APPEND_DATA must be left out of FILE_GENERIC_WRITE.
	fsClose(t, fsOpen(t, file, uv.FsORdwr|uv.FsOCreat|uv.FsODirect, 0o600))
	// FILE_APPEND_DATA and FILE_FLAG_NO_BUFFERING do not go together.
	var req handles.FS
	err := handles.FSOpenFile(nil, &req, file, uv.FsOAppend|uv.FsODirect, 0o600, nil)
	requireFSErr(t, &req, err, uv.EINVAL)
}

// icacls runs icacls on path with args, as libuv's call_icacls does, and returns its error.
func icacls(t *testing.T, path string, args ...string) error {
	t.Helper()
	out, err := exec.Command("icacls", append([]string{path}, args...)...).CombinedOutput()
	if err != nil {
		t.Logf("icacls %s %s: %v\n%s", path, strings.Join(args, " "), err, out)
	}
	return err
}

// skipACLsUnderWine skips under Wine, which stores no ACL that icacls or
// SetNamedSecurityInfo give, and checks none.
func skipACLsUnderWine(t *testing.T) {
	if fsUnderWine() {
		t.Skip("Wine 8 neither sets nor enforces file ACLs (its icacls is a stub)")
	}
}

func fsOpenReadonlyACL(t *testing.T) {
	skipACLsUnderWine(t)
	newLoop(t)
	u, err := user.Current()
	require.NoError(t, err)
	file := filepath.Join(fsDir(t), "test_file_icacls")
	fsClose(t, fsOpen(t, file, uv.FsORdonly|uv.FsOCreat, 0o400))
	t.Cleanup(func() {
		icacls(t, file, "/remove", u.Username, "/inheritance:e")
		uv.FsUnlink(file)
	})
	require.NoError(t, icacls(t, file, "/inheritance:r", "/remove", u.Username))
	require.NoError(t, icacls(t, file, "/grant", u.Username+":RX"))
	fsClose(t, fsOpen(t, file, uv.FsORdonly, 0))
}

func fsStatNoPermission(t *testing.T) {
	skipACLsUnderWine(t)
	newLoop(t)
	file := filepath.Join(fsDir(t), "test_file_no_permission.txt")
	fsClose(t, fsOpen(t, file, uv.FsORdonly|uv.FsOCreat, 0o400))
	t.Cleanup(func() {
		icacls(t, file, "/reset")
		uv.FsUnlink(file)
	})
	require.NoError(t, icacls(t, file, "/deny", "*S-1-1-0:(F)")) // Everyone
	var req handles.FS
	require.NoError(t, handles.FSStatPath(nil, &req, file, nil))
	require.Zero(t, req.Result)
}

func fsSymlinkJunction(t *testing.T) {
	base := fsDir(t)
	newLoop(t)
	dir := filepath.Join(base, "test_dir")
	link := filepath.Join(base, "test_dir_symlink")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, dir, 0o777, nil))

	err := handles.FSSymlinkPath(nil, &req, `\\?\`+dir, link, uv.SymlinkJunction, nil)
	if err != nil && fsUnderWine() {
		t.Skipf("Wine 8 does not implement junctions (mount point reparse points): %v", err)
	}
	require.NoError(t, err)
	require.Zero(t, req.Result)

	require.NoError(t, handles.FSStatPath(nil, &req, link, nil))
	require.NotZero(t, req.Statbuf.Mode&0o40000, "stat follows the junction to the directory")
	require.NoError(t, handles.FSLstatPath(nil, &req, link, nil))
	require.EqualValues(t, 0o120000, req.Statbuf.Mode&0o170000, "lstat sees a link")
	require.EqualValues(t, len(dir), req.Statbuf.Size, "the target's length, without \\\\?\\")
	require.NoError(t, handles.FSReadlinkPath(nil, &req, link, nil))
	require.Equal(t, dir, req.Link)
	require.NoError(t, handles.FSRealpathPath(nil, &req, link, nil))
	// libuv compares with the path it gave; the temporary directory may sit under a short
	// name or a link, which realpath resolves, so compare with the directory's own.
	want, err := uv.FsRealpath(dir)
	require.NoError(t, err)
	require.True(t, strings.EqualFold(want, req.Link), "realpath %q, want %q", req.Link, want)

	fsCreate(t, filepath.Join(dir, "file1"))
	fsCreate(t, filepath.Join(dir, "file2"))
	scan := func(p string) {
		var sreq handles.FS
		require.NoError(t, handles.FSScandirPath(nil, &sreq, p, 0, nil))
		require.EqualValues(t, 2, sreq.Result)
		for {
			d, err := sreq.ScandirNext()
			if err == uv.EOF {
				break
			}
			require.NoError(t, err)
			require.Contains(t, []string{"file1", "file2"}, d.Name)
			require.Equal(t, uv.DirentFile, d.Type)
		}
		sreq.Cleanup()
	}
	scan(link)
	require.NoError(t, handles.FSUnlinkPath(nil, &req, link, nil), "unlink removes the junction")
	err = handles.FSScandirPath(nil, &req, link, 0, nil)
	requireFSErr(t, &req, err, uv.ENOENT)
	scan(dir)
}

// setReparse creates path as a file carrying the reparse data buf, skipping the test where
// Wine refuses.
func setReparse(t *testing.T, path string, buf []byte, what string) {
	t.Helper()
	p, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	h, err := windows.CreateFile(p, windows.GENERIC_WRITE|windows.FILE_WRITE_ATTRIBUTES, 0, nil,
		windows.CREATE_ALWAYS, windows.FILE_FLAG_OPEN_REPARSE_POINT|windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	require.NoError(t, err)
	var n uint32
	err = windows.DeviceIoControl(h, windows.FSCTL_SET_REPARSE_POINT, &buf[0], uint32(len(buf)), nil, 0, &n, nil)
	require.NoError(t, windows.CloseHandle(h))
	t.Cleanup(func() { uv.FsUnlink(path) })
	if err != nil && fsUnderWine() {
		t.Skipf("Wine 8 does not implement FSCTL_SET_REPARSE_POINT for %s: %v", what, err)
	}
	require.NoError(t, err)
}

func fsNonSymlinkReparsePoint(t *testing.T) {
	newLoop(t)
	dir := filepath.Join(fsDir(t), "test_dir")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, dir, 0o777, nil))
	file := filepath.Join(dir, "test_file")

	// REPARSE_GUID_DATA_BUFFER's header: a third party's tag (libuv's 0x9913), no data, and
	// libuv's GUID.
	buf := make([]byte, 24)
	binary.LittleEndian.PutUint32(buf[0:], 0x9913)
	guid := windows.GUID{Data1: 0x1bf6205f, Data2: 0x46ae, Data3: 0x4527,
		Data4: [8]byte{0xb1, 0x0c, 0xc5, 0x09, 0xb7, 0x55, 0x22, 0x80}}
	binary.LittleEndian.PutUint32(buf[8:], guid.Data1)
	binary.LittleEndian.PutUint16(buf[12:], guid.Data2)
	binary.LittleEndian.PutUint16(buf[14:], guid.Data3)
	copy(buf[16:], guid.Data4[:])
	setReparse(t, file, buf, "a third party's tag")

	// libuv also checks that GetLastError() is ERROR_SYMLINK_NOT_SUPPORTED; uv-go reports the
	// libuv code only.
	err := handles.FSReadlinkPath(nil, &req, file, nil)
	requireFSErr(t, &req, err, uv.EINVAL)

	// stat and lstat of such a file need the tag's filter driver, which libuv's test does
	// not install either.
	require.NoError(t, handles.FSScandirPath(nil, &req, dir, 0, nil))
	require.EqualValues(t, 1, req.Result)
	for {
		d, err := req.ScandirNext()
		if err == uv.EOF {
			break
		}
		require.NoError(t, err)
		require.Equal(t, "test_file", d.Name)
		// scandir reads the attributes only: any reparse point is a link, as PowerShell's
		// Get-ChildItem says too.
		require.Equal(t, uv.DirentLink, d.Type)
	}
	req.Cleanup()
}

func fsReadlinkLxSymlink(t *testing.T) {
	newLoop(t)
	dir := filepath.Join(fsDir(t), "test_dir")
	var req handles.FS
	require.NoError(t, handles.FSMkdirPath(nil, &req, dir, 0o777, nil))
	link := filepath.Join(dir, "lx_symlink")

	// REPARSE_DATA_BUFFER of a WSL symlink: the header, a version (2), the target in UTF-8.
	const target = "target_file"
	buf := make([]byte, 8+4+len(target))
	binary.LittleEndian.PutUint32(buf[0:], 0xA000001D) // IO_REPARSE_TAG_LX_SYMLINK
	binary.LittleEndian.PutUint16(buf[4:], uint16(4+len(target)))
	binary.LittleEndian.PutUint32(buf[8:], 2)
	copy(buf[12:], target)
	setReparse(t, link, buf, "WSL symlinks")

	require.NoError(t, handles.FSReadlinkPath(nil, &req, link, nil))
	require.Equal(t, target, req.Link)
}

func fsLstatWindowsStoreApps(t *testing.T) {
	l := newLoop(t)
	local, ok := os.LookupEnv("LOCALAPPDATA")
	if !ok {
		t.Skip("LOCALAPPDATA is not set")
	}
	apps := filepath.Join(local, "Microsoft", "WindowsApps")
	var req handles.FS
	if err := handles.FSOpendirPath(l, &req, apps, nil); err != nil {
		t.Skipf("cannot read %s: %v", apps, err)
	}
	require.NoError(t, handles.FSClosedirDir(nil, &req, req.Dir, nil))
	if err := handles.FSScandirPath(l, &req, apps, 0, nil); err != nil || req.Result <= 0 {
		t.Skipf("nothing in %s (%v)", apps, err)
	}
	for {
		d, err := req.ScandirNext()
		if err == uv.EOF {
			break
		}
		require.NoError(t, err)
		if d.Type != uv.DirentLink {
			continue
		}
		var sreq handles.FS
		require.NoError(t, handles.FSLstatPath(l, &sreq, filepath.Join(apps, d.Name), nil), "lstat %s", d.Name)
	}
	req.Cleanup()
}
