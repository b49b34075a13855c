//go:build !windows

package conformance_test

import "testing"

// The Windows-only tests skip here with the reason conformance/README.md gives for them in
// its table of tests not applicable on one OS.

func fsOpenFlags(t *testing.T) {
	t.Skip("Windows-only: libuv's emulation of POSIX open flags over CreateFile")
}

func fsUnlinkArchiveReadonly(t *testing.T) {
	t.Skip("Windows-only: the read-only and archive file attributes")
}

func fsFchmodArchiveReadonly(t *testing.T) {
	t.Skip("Windows-only: the read-only and archive file attributes")
}

func fsInvalidMkdirName(t *testing.T) {
	t.Skip("Windows-only: characters NTFS does not take in names")
}

func fsWtf(t *testing.T) {
	t.Skip("Windows-only: UTF-16 names with unpaired surrogates, carried as WTF-8")
}

func fsStatRoot(t *testing.T) {
	t.Skip(`Windows-only: drive roots, drive-relative and \\?\ paths`)
}

func fsExclusiveSharingMode(t *testing.T) {
	t.Skip("Windows-only: FsOExlock, a sharing mode of CreateFile")
}

func fsFileFlagNoBuffering(t *testing.T) {
	t.Skip("Windows-only: FsODirect as FILE_FLAG_NO_BUFFERING")
}

func fsOpenReadonlyACL(t *testing.T) {
	t.Skip("Windows-only: file ACLs set with icacls")
}

func fsStatNoPermission(t *testing.T) {
	t.Skip("Windows-only: file ACLs set with icacls")
}

func fsSymlinkJunction(t *testing.T) {
	t.Skip("Windows-only: NTFS junctions (elsewhere the flag makes a plain symlink, as fs_symlink_dir tests)")
}

func fsNonSymlinkReparsePoint(t *testing.T) {
	t.Skip("Windows-only: reparse points of third-party tags")
}

func fsReadlinkLxSymlink(t *testing.T) {
	t.Skip("Windows-only: WSL symlink reparse points")
}

func fsLstatWindowsStoreApps(t *testing.T) {
	t.Skip("Windows-only: app execution alias reparse points")
}

func fsEventWatchDeleteDirWin(t *testing.T) {
	t.Skip("Windows-only: ReadDirectoryChangesW failing on a watched directory that is removed")
}

func fsEventWatchDirShortPath(t *testing.T) {
	t.Skip("Windows-only: 8.3 short names")
}

func fsEventWatchFileRootDir(t *testing.T) {
	t.Skip(`Windows-only: a file in the root of a drive, named by a \\?\ path`)
}

func spawnWithAnOddPath(t *testing.T) {
	t.Skip("Windows-only: PATH entries and names of Windows paths")
}

func spawnNoPath(t *testing.T) {
	t.Skip("Windows-only: Windows' own search for the program to run, without PATH")
}

func spawnNoExt(t *testing.T) {
	t.Skip("Windows-only: ProcessWindowsFilePathExactName, programs without .exe or .com")
}

func spawnPathNoExt(t *testing.T) {
	t.Skip("Windows-only: ProcessWindowsFilePathExactName, programs without .exe or .com")
}

func spawnQuotedPath(t *testing.T) {
	t.Skip("Windows-only: quoted Windows PATH entries")
}

func pollClosesocket(t *testing.T) {
	t.Skip("Windows-only: closesocket() under a started AFD poll")
}

func pollCloseDoesntCorruptStack(t *testing.T) {
	t.Skip("Windows-only: closesocket() under an AFD poll still in flight")
}
