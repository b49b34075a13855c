package conformance_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"golang.org/x/sys/windows"
)

// The Windows halves of the fs tests that compare with the host's own calls.

// fsUnderWine reports whether the tests run under Wine (its ntdll exports wine_get_version),
// where a few file-system behaviours differ from Windows: those tests skip there, saying why.
func fsUnderWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// seekCur returns the file position of fd.
func seekCur(t *testing.T, fd uv.OSFd) int64 {
	t.Helper()
	pos, err := windows.Seek(windows.Handle(fd), 0, io.SeekCurrent)
	require.NoError(t, err)
	return pos
}

// fstatHostCheck compares an fstat result with GetFileInformationByHandle: the volume serial
// number is the device, the file index the inode; and the mode libuv builds: a regular file,
// 0666 unless read-only.
func fstatHostCheck(t *testing.T, fd uv.OSFd, s uv.Stat) {
	t.Helper()
	var info windows.ByHandleFileInformation
	require.NoError(t, windows.GetFileInformationByHandle(windows.Handle(fd), &info))
	require.EqualValues(t, info.VolumeSerialNumber, s.Dev)
	require.EqualValues(t, uint64(info.FileIndexHigh)<<32|uint64(info.FileIndexLow), s.Ino)
	require.EqualValues(t, info.NumberOfLinks, s.Nlink)
	require.EqualValues(t, uint64(info.FileSizeHigh)<<32|uint64(info.FileSizeLow), s.Size)
	require.EqualValues(t, 0o100666, s.Mode)
	require.Zero(t, s.UID)
	require.Zero(t, s.GID)
	require.Zero(t, s.Rdev)
	require.EqualValues(t, 4096, s.Blksize)
	require.Equal(t, info.LastWriteTime.Nanoseconds(), s.Mtim.Sec*1e9+s.Mtim.Nsec)
	require.Equal(t, info.LastAccessTime.Nanoseconds(), s.Atim.Sec*1e9+s.Atim.Nsec)
	require.Equal(t, info.CreationTime.Nanoseconds(), s.Birthtim.Sec*1e9+s.Birthtim.Nsec)
	require.Zero(t, s.Flags)
	require.Zero(t, s.Gen)
}

// fstatBirthCheck: the birth time of a file just created is the system's creation time,
// which fstatHostCheck compares.
func fstatBirthCheck(t *testing.T, fd uv.OSFd, s uv.Stat) {}
