package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// tempDir is t.TempDir but for the removal on Windows: Go's os.RemoveAll deletes with
// FileDispositionInformationEx, which Wine 8 does not implement (STATUS_NOT_IMPLEMENTED), so
// under Wine every t.TempDir that held a file fails its cleanup. There the directory is
// removed entry by entry with os.Remove.
func tempDir(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "uv-report-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err == nil {
				paths = append(paths, p)
			}
			return nil
		})
		for i := len(paths) - 1; i >= 0; i-- {
			if err := os.Remove(paths[i]); err != nil && !os.IsNotExist(err) {
				t.Errorf("removing the test directory: %v", err)
			}
		}
	})
	return dir
}
