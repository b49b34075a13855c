package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TempDir is t.TempDir but for the removal on Windows: Go's os.RemoveAll deletes with
// FileDispositionInformationEx, which Wine 8 does not implement (STATUS_NOT_IMPLEMENTED), so
// under Wine every t.TempDir that held a file fails its cleanup. There the directory is
// made with os.MkdirTemp and removed entry by entry with os.Remove (DeleteFileW,
// RemoveDirectoryW), each failure but a missing entry failing the test.
func TempDir(t testing.TB) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", tempPattern(t.Name()))
	if err != nil {
		t.Fatalf("making the test directory: %v", err)
	}
	t.Cleanup(func() {
		for _, err := range removeTree(dir) {
			t.Errorf("removing the test directory: %v", err)
		}
	})
	return dir
}

// removeTree removes dir and everything under it one entry at a time, deepest first, and
// returns every failure but that of an entry already gone. It is the part of os.RemoveAll
// Wine can run: plain os.Remove of each path.
func removeTree(dir string) []error {
	var paths []string
	// WalkDir lists a directory before its entries, so the reverse order removes the
	// entries first. Entries it cannot reach are left to fail their directory's removal.
	filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	var errs []error
	for i := len(paths) - 1; i >= 0; i-- {
		if err := os.Remove(paths[i]); err != nil && !os.IsNotExist(err) {
			errs = append(errs, err)
		}
	}
	return errs
}

// tempPattern is os.MkdirTemp's pattern for a test's directory: "uv-", the test's name with
// anything but letters, digits, '-' and '_' made '_' (subtests' '/' included) and cut to a
// length that keeps Windows paths short, then '-' before the random suffix. Naming the test
// tells whose directory a leftover one was.
func tempPattern(name string) string {
	const maxName = 48
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
	if len(name) > maxName {
		name = name[:maxName]
	}
	return "uv-" + name + "-"
}
