package conformance_test

import "testing"

// The process tests libuv runs on Windows only: its own search for the program to run
// (processpath_windows.go). Their bodies are in process_winonly_windows_test.go; elsewhere
// they skip (winonly_other_test.go), and conformance/README.md lists them as not applicable
// on unix.

// TestSpawnWithAnOddPath spawns a missing program with ";.;" before this process's PATH
// (an empty entry and a relative one): ENOENT or EACCES, the handle inactive but open.
// libuv: spawn_with_an_odd_path
func TestSpawnWithAnOddPath(t *testing.T) { spawnWithAnOddPath(t) }

// TestSpawnNoPath spawns the helper by its absolute path with an empty environment while
// this process has no PATH at all.
// libuv: spawn_no_path
func TestSpawnNoPath(t *testing.T) { spawnNoPath(t) }

// TestSpawnNoExt spawns, with ProcessWindowsFilePathExactName, a copy of the helper whose
// name has no extension, by its absolute path.
// libuv: spawn_no_ext
func TestSpawnNoExt(t *testing.T) { spawnNoExt(t) }

// TestSpawnPathNoExt checks that ProcessWindowsFilePathExactName does not apply to a bare
// name looked up in PATH: a copy of the helper without extension, in the only PATH entry, is
// not found (ENOENT or EACCES).
// libuv: spawn_path_no_ext
func TestSpawnPathNoExt(t *testing.T) { spawnPathNoExt(t) }

// TestSpawnQuotedPath spawns a bare name with PATH entries that are quoted and hold a
// semicolon. libuv only checks that the search does not crash on "xyz:\test;" (a drive that
// does not exist); this port also finds a program in a quoted directory whose name holds a
// semicolon.
// libuv: spawn_quoted_path
func TestSpawnQuotedPath(t *testing.T) { spawnQuotedPath(t) }
