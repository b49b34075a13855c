package uv

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// fsTestDir is a fresh directory removed entry by entry at the end: Go's os.RemoveAll (and so
// t.TempDir's cleanup) deletes with FileDispositionInformationEx, which Wine 8 lacks.
func fsTestDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "uv-fs-")
	require.NoError(t, err)
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err == nil {
				paths = append(paths, p)
			}
			return nil
		})
		for i := len(paths) - 1; i >= 0; i-- {
			FsChmod(paths[i], 0o666)
			if err := os.Remove(paths[i]); err != nil && !os.IsNotExist(err) {
				t.Errorf("removing the test directory: %v", err)
			}
		}
	})
	return dir
}

func TestFsOpenFlagsWindows(t *testing.T) {
	dir := fsTestDir(t)
	file := filepath.Join(dir, "f")
	fd, err := FsOpen(file, FsOWronly|FsOCreat|FsOExcl, 0o644)
	require.NoError(t, err)
	_, err = FsWrite(fd, [][]byte{[]byte("hello")}, -1)
	require.NoError(t, err)
	require.NoError(t, FsClose(fd))

	_, err = FsOpen(file, FsOWronly|FsOCreat|FsOExcl, 0o644)
	require.ErrorIs(t, err, EEXIST)
	if fd, err := FsOpen(dir, FsOWronly|FsOCreat, 0o644); err == nil {
		// Windows refuses (ERROR_FILE_EXISTS, which libuv reads as EISDIR); Wine opens it.
		require.NoError(t, FsClose(fd))
	} else {
		require.ErrorIs(t, err, EISDIR, "a directory in the way of a create")
	}
	for _, flags := range []int{FsORdonly | FsORandom | FsOSequential, FsOWronly | FsOAppend | FsODirect,
		FsOWronly | FsODsync | FsOSync, 3} {
		_, err = FsOpen(file, flags, 0)
		require.ErrorIs(t, err, EINVAL, "flags %#x", flags)
	}

	// Exclusive: nobody else may open it meanwhile.
	fd, err = FsOpen(file, FsORdonly|FsOExlock, 0)
	require.NoError(t, err)
	_, err = FsOpen(file, FsORdonly, 0)
	require.ErrorIs(t, err, EBUSY)
	require.NoError(t, FsClose(fd))

	// Truncation.
	fd, err = FsOpen(file, FsORdwr|FsOTrunc, 0)
	require.NoError(t, err)
	st, err := FsFstat(fd)
	require.NoError(t, err)
	require.Zero(t, st.Size)
	require.NoError(t, FsClose(fd))

	// A file created without the owner's write bit is read-only, and can still be removed.
	ro := filepath.Join(dir, "ro")
	fd, err = FsOpen(ro, FsOWronly|FsOCreat|FsOShortLived, 0o444)
	require.NoError(t, err)
	require.NoError(t, FsClose(fd))
	st, err = FsStat(ro)
	require.NoError(t, err)
	require.EqualValues(t, 0o100444, st.Mode)
	require.ErrorIs(t, FsAccess(ro, AccessWrite), EPERM)
	require.NoError(t, FsAccess(ro, AccessRead))
	require.NoError(t, FsUnlink(ro))

	// A temporary file goes with its last handle.
	tmp := filepath.Join(dir, "tmp")
	fd, err = FsOpen(tmp, FsORdwr|FsOCreat|FsOTemporary, 0o644)
	require.NoError(t, err)
	_, err = FsStat(tmp)
	require.NoError(t, err)
	require.NoError(t, FsClose(fd))
	_, err = FsStat(tmp)
	require.ErrorIs(t, err, ENOENT)
}

func TestFsBadHandlesAndPathsWindows(t *testing.T) {
	bad := syscall.InvalidHandle
	require.ErrorIs(t, FsClose(bad), EBADF)
	_, err := FsFstat(bad)
	require.ErrorIs(t, err, EBADF)
	_, err = FsRead(bad, [][]byte{make([]byte, 1)}, 0)
	require.ErrorIs(t, err, EBADF)
	require.ErrorIs(t, FsFchown(bad, 0, 0), EBADF)

	_, err = FsStat("a\x00b")
	require.ErrorIs(t, err, EINVAL)
	_, err = FsOpen(strings.Repeat("a", maxPathW+1), FsORdonly, 0)
	require.ErrorIs(t, err, ENAMETOOLONG)
	_, err = FsStat(strings.Repeat("\U0001F600", maxPathW/2+1)) // two UTF-16 units each
	require.ErrorIs(t, err, ENAMETOOLONG)

	dir := fsTestDir(t)
	file := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	require.ErrorIs(t, FsRmdir(file), ENOENT, "libuv's error for rmdir of a file")
	require.ErrorIs(t, FsUnlink(dir), EPERM)
	_, err = FsScandir(file)
	require.ErrorIs(t, err, ENOTDIR)
	_, err = FsOpendir(file)
	require.ErrorIs(t, err, ENOTDIR)
	_, err = FsReadlink(file)
	require.ErrorIs(t, err, EINVAL)
	require.ErrorIs(t, FsSymlink(`rel\target`, filepath.Join(dir, "j"), SymlinkJunction), EINVAL)
	require.ErrorIs(t, FsCopyfile(file, filepath.Join(dir, "c"), CopyfileFICloneForce), ENOSYS)
	require.NoError(t, FsCopyfile(file, file, 0), "a file onto itself")
	require.NoError(t, FsMkdir(filepath.Join(dir, "d"), 0o755))
	require.ErrorIs(t, FsMkdir(filepath.Join(dir, "d"), 0o755), EEXIST)

	wd, err := os.Getwd()
	require.NoError(t, err)
	real, err := FsRealpath(".")
	require.NoError(t, err)
	require.True(t, strings.EqualFold(wd, real), "%s vs %s", wd, real)
}

// TestFsWriteGatherWindows writes many small buffers around large ones, at an offset and at
// the file position, and reads them back.
func TestFsWriteGatherWindows(t *testing.T) {
	dir := fsTestDir(t)
	fd, err := FsOpen(filepath.Join(dir, "f"), FsORdwr|FsOCreat, 0o644)
	require.NoError(t, err)
	defer FsClose(fd)
	var bufs [][]byte
	var want []byte
	for i := range 3000 {
		b := bytes.Repeat([]byte{byte(i)}, i%7)
		if i%1000 == 500 {
			b = bytes.Repeat([]byte{byte(i)}, 100_000)
		}
		bufs = append(bufs, b)
		want = append(want, b...)
	}
	n, err := FsWrite(fd, bufs, 10)
	require.NoError(t, err)
	require.Equal(t, len(want), n)
	pos, err := windows.Seek(windows.Handle(fd), 0, 1)
	require.NoError(t, err)
	require.Zero(t, pos, "a write at an offset leaves the position")
	n, err = FsWrite(fd, bufs, -1)
	require.NoError(t, err)
	require.Equal(t, len(want), n)

	// The second write, at the position (0), covered all but the last 10 bytes of the first.
	got := make([]byte, 10+len(want))
	n, err = FsRead(fd, [][]byte{got}, 0)
	require.NoError(t, err)
	require.Equal(t, len(got), n)
	require.True(t, bytes.Equal(want, got[:len(want)]), "the write at the position")
	require.True(t, bytes.Equal(want[len(want)-10:], got[len(want):]), "the end of the write at 10")
}

func TestFsTimesWindows(t *testing.T) {
	for _, tm := range []time.Time{time.Unix(0, 0), time.Unix(-14245441, 750_000_000), time.Unix(1291404900, 250_000_000),
		time.Date(1601, 1, 1, 0, 0, 0, 100, time.UTC)} {
		var ft windows.Filetime
		p, err := filetimeOf(tm, &ft)
		require.NoError(t, err)
		ts := filetimeSpec(filetimeTicks(*p))
		require.True(t, ts.Time().Equal(tm), "%v gave %v", tm, ts.Time())
	}
	var ft windows.Filetime
	p, err := filetimeOf(UtimeOmit, &ft)
	require.NoError(t, err)
	require.Nil(t, p)
	p, err = filetimeOf(UtimeNow, &ft)
	require.NoError(t, err)
	require.InDelta(t, time.Now().Unix(), filetimeSpec(filetimeTicks(*p)).Sec, 60)
	_, err = filetimeOf(time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), &ft)
	require.ErrorIs(t, err, EINVAL)
}

// reparse builds reparse data: the tag, then the fields and names of a symlink (flags set) or
// a junction (flags nil).
func reparse(tag uint32, subst, print string, flags *uint32) []byte {
	s, p := utf16.Encode([]rune(subst)), utf16.Encode([]rune(print))
	le := binary.LittleEndian
	var body []byte
	body = le.AppendUint16(body, 0)
	body = le.AppendUint16(body, uint16(2*len(s)))
	body = le.AppendUint16(body, uint16(2*len(s)))
	body = le.AppendUint16(body, uint16(2*len(p)))
	if flags != nil {
		body = le.AppendUint32(body, *flags)
	}
	for _, c := range append(s, p...) {
		body = le.AppendUint16(body, c)
	}
	b := le.AppendUint32(nil, tag)
	b = le.AppendUint16(b, uint16(len(body)))
	b = le.AppendUint16(b, 0)
	return append(b, body...)
}

func TestParseReparseWindows(t *testing.T) {
	var relative uint32 = 1
	var absolute uint32
	cases := []struct {
		name string
		data []byte
		want string
		err  error
	}{
		{"relative symlink", reparse(windows.IO_REPARSE_TAG_SYMLINK, `test_file`, `test_file`, &relative), `test_file`, nil},
		{"absolute symlink", reparse(windows.IO_REPARSE_TAG_SYMLINK, `\??\C:\dir\f`, `C:\dir\f`, &absolute), `C:\dir\f`, nil},
		{"drive root", reparse(windows.IO_REPARSE_TAG_SYMLINK, `\??\C:`, `C:`, &absolute), `C:`, nil},
		{"UNC symlink", reparse(windows.IO_REPARSE_TAG_SYMLINK, `\??\UNC\srv\share\x`, `\\srv\share\x`, &absolute), `\\srv\share\x`, nil},
		{"NT namespace kept", reparse(windows.IO_REPARSE_TAG_SYMLINK, `\??\Volume{1}\x`, ``, &absolute), `\??\Volume{1}\x`, nil},
		{"junction", reparse(windows.IO_REPARSE_TAG_MOUNT_POINT, `\??\D:\a\b\`, `D:\a\b\`, nil), `D:\a\b\`, nil},
		{"volume mount point", reparse(windows.IO_REPARSE_TAG_MOUNT_POINT, `\??\Volume{1}\`, ``, nil), "", windows.ERROR_SYMLINK_NOT_SUPPORTED},
		{"other tag", reparse(0x80000017, `x`, `x`, nil), "", windows.ERROR_SYMLINK_NOT_SUPPORTED},
		{"short", []byte{1, 2, 3}, "", windows.ERROR_SYMLINK_NOT_SUPPORTED},
		{"bad lengths", reparse(windows.IO_REPARSE_TAG_SYMLINK, `x`, `x`, &relative)[:21], "", windows.ERROR_SYMLINK_NOT_SUPPORTED},
	}
	// A WSL symlink: a version, then the UTF-8 target.
	lx := binary.LittleEndian.AppendUint32(nil, ioReparseTagLXSymlnk)
	lx = binary.LittleEndian.AppendUint16(lx, 4+3)
	lx = binary.LittleEndian.AppendUint16(lx, 0)
	lx = binary.LittleEndian.AppendUint32(lx, 2)
	lx = append(lx, "a/b"...)
	cases = append(cases, struct {
		name string
		data []byte
		want string
		err  error
	}{"WSL symlink", lx, "a/b", nil})
	// An app execution alias: three strings, the third the executable.
	app := binary.LittleEndian.AppendUint32(nil, ioReparseTagAppExec)
	var strs []byte
	strs = binary.LittleEndian.AppendUint32(strs, 3)
	for _, s := range []string{"pkg", "app", `C:\bin\app.exe`} {
		for _, c := range utf16.Encode([]rune(s)) {
			strs = binary.LittleEndian.AppendUint16(strs, c)
		}
		strs = binary.LittleEndian.AppendUint16(strs, 0)
	}
	app = binary.LittleEndian.AppendUint16(app, uint16(len(strs)))
	app = binary.LittleEndian.AppendUint16(app, 0)
	app = append(app, strs...)
	cases = append(cases, struct {
		name string
		data []byte
		want string
		err  error
	}{"app execution alias", app, `C:\bin\app.exe`, nil})

	for _, c := range cases {
		got, err := parseReparse(c.data)
		require.Equal(t, c.err, err, c.name)
		require.Equal(t, c.want, got, c.name)
	}
}

func TestJunctionDataWindows(t *testing.T) {
	for target, want := range map[string]string{
		`C:/a//b`:      `C:\a\b`,
		`C:\a\b\`:      `C:\a\b\`,
		`\\?\D:\x`:     `D:\x`,
		`C:/`:          `C:\`,
		`E:\dir\sub\f`: `E:\dir\sub\f`,
	} {
		data, err := junctionData(target)
		require.NoError(t, err, target)
		got, err := parseReparse(data)
		require.NoError(t, err, target)
		require.Equal(t, want, got, target)
	}
	for _, bad := range []string{`rel\dir`, `\dir`, `C:rel`, ``} {
		_, err := junctionData(bad)
		require.ErrorIs(t, err, EINVAL, bad)
	}
}

func TestFsStatNulWindows(t *testing.T) {
	st, err := FsStat("NUL")
	require.NoError(t, err)
	require.Equal(t, nullStat(), st)
}
