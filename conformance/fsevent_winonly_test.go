package conformance_test

import "testing"

// The fs event tests libuv runs on Windows only. Their bodies are in
// fsevent_winonly_windows_test.go; elsewhere they skip (winonly_other_test.go), and
// conformance/README.md lists them as not applicable on unix.

// TestFsEventWatchDeleteDirWin removes a watched directory: after the rename event naming it,
// the callback gets ENOENT, and closes the handle.
// libuv: fs_event_watch_delete_dir_win
func TestFsEventWatchDeleteDirWin(t *testing.T) { fsEventWatchDeleteDirWin(t) }

// TestFsEventWatchDirShortPath watches a directory by its 8.3 short name and touches a file
// in it: one change event names the file.
// libuv: fs_event_watch_dir_short_path
func TestFsEventWatchDirShortPath(t *testing.T) { fsEventWatchDirShortPath(t) }

// TestFsEventWatchFileRootDir starts watching a file in the root of the system drive, by a
// \\?\ path (whose directory is the drive's root), and closes the handle.
// libuv: fs_event_watch_file_root_dir
func TestFsEventWatchFileRootDir(t *testing.T) { fsEventWatchFileRootDir(t) }
