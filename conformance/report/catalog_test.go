package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCatalog(t *testing.T) {
	cat := mustCatalog(t, "# name\tarea -- comment\n\ntimer_again\ttimer\r\nloop_close\tloop\ntimer_init\ttimer\n")
	if strings.Join(cat.names, ",") != "timer_again,loop_close,timer_init" {
		t.Errorf("names = %v", cat.names)
	}
	if cat.area["loop_close"] != "loop" || cat.area["timer_init"] != "timer" {
		t.Errorf("areas = %v", cat.area)
	}
	if got := strings.Join(cat.areas(), ","); got != "loop,timer" {
		t.Errorf("areas() = %q, want loop,timer", got)
	}
	for _, bad := range []string{
		"",
		"# only a comment\n",
		"timer_again\n",
		"timer_again\ttimer\textra\n",
		"timer_again\ttimer\ntimer_again\ttimer\n",
	} {
		if _, err := parseCatalog(strings.NewReader(bad)); err == nil {
			t.Errorf("parseCatalog(%q) succeeded, want an error", bad)
		}
	}
}

// TestProjectCatalog checks the list the project carries: 516 tests in 20
// areas, as in libuv's test/test-list.h.
func TestProjectCatalog(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "libuv-tests.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cat, err := parseCatalog(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.names) != 516 || len(cat.areas()) != 20 {
		t.Errorf("got %d tests in %d areas, want 516 in 20", len(cat.names), len(cat.areas()))
	}
	if cat.area["loop_init_oom"] != "loop" || cat.area["tcp_ping_pong"] != "tcp" {
		t.Errorf("loop_init_oom in %q, tcp_ping_pong in %q", cat.area["loop_init_oom"], cat.area["tcp_ping_pong"])
	}
}

func TestModulePath(t *testing.T) {
	for src, want := range map[string]string{
		"module github.com/uv-go/uv\n\ngo 1.26.0\n":          "github.com/uv-go/uv",
		"// comment\nmodule \"example.com/q\" // trailing\n": "example.com/q",
		"go 1.26\r\nmodule\texample.com/tab\r\n":             "example.com/tab",
	} {
		got, err := modulePath([]byte(src))
		if err != nil || got != want {
			t.Errorf("modulePath(%q) = %q, %v; want %q", src, got, err, want)
		}
	}
	for _, bad := range []string{"", "go 1.26\n", "modules x\n"} {
		if got, err := modulePath([]byte(bad)); err == nil {
			t.Errorf("modulePath(%q) = %q, want an error", bad, got)
		}
	}
}

func TestFindModuleRoot(t *testing.T) {
	root := tempDir(t)
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := findModuleRoot(deep)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(root)
	if g, _ := filepath.EvalSymlinks(got); g != want {
		t.Errorf("findModuleRoot = %q, want %q", got, root)
	}
}
