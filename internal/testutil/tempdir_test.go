package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// makeTree fills dir with files, a nested directory and an empty one: what removal has to
// take apart deepest first.
func makeTree(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{"a/b/c", "empty"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"top", "a/one", "a/b/two", "a/b/c/three"} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(f)), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTempDirRemovedWhenTestEnds(t *testing.T) {
	var dirs [2]string
	t.Run("sub", func(t *testing.T) {
		dirs[0], dirs[1] = TempDir(t), TempDir(t)
		if dirs[0] == dirs[1] {
			t.Fatalf("two calls gave one directory %q", dirs[0])
		}
		for _, dir := range dirs {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				t.Fatalf("%s is not empty: %v", dir, entries)
			}
			makeTree(t, dir)
		}
	})
	for _, dir := range dirs {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s is still there after its test (stat: %v)", dir, err)
		}
	}
}

func TestRemoveTree(t *testing.T) {
	tree := filepath.Join(TempDir(t), "tree")
	makeTree(t, tree)
	if errs := removeTree(tree); len(errs) != 0 {
		t.Fatalf("removeTree: %v", errs)
	}
	if _, err := os.Stat(tree); !os.IsNotExist(err) {
		t.Fatalf("%s is still there (stat: %v)", tree, err)
	}
	// A tree already gone (a test that removed its own directory) is no failure.
	if errs := removeTree(tree); len(errs) != 0 {
		t.Fatalf("removeTree of a missing directory: %v", errs)
	}
}

func TestTempPattern(t *testing.T) {
	long := "TestAVeryLongNameThatGoesOnAndOnWellPastTheLimitOfTheDirectoryName"
	for name, want := range map[string]string{
		"TestFoo":             "uv-TestFoo-",
		"TestFoo/sub_case-2":  "uv-TestFoo_sub_case-2-",
		`TestFoo/a b:c*d\e.f`: "uv-TestFoo_a_b_c_d_e_f-",
		long:                  "uv-" + long[:48] + "-",
		"TestÜ":               "uv-Test_-",
	} {
		if got := tempPattern(name); got != want {
			t.Errorf("tempPattern(%q) = %q, want %q", name, got, want)
		}
	}
}
