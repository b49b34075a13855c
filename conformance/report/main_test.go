package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree creates files (slash-separated paths) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := tempDir(t)
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func fixtureTree() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"conformance/libuv-tests.tsv": "# name\tarea\n" +
			"timer_again\ttimer\ntimer_init\ttimer\ntimer_order\ttimer\n" +
			"loop_close\tloop\nloop_init_oom\tloop\nloop_alive\tloop\n" +
			"tcp_close\ttcp\n",
		"conformance/README.md": "# x\n\n| libuv test | area | reason |\n|---|---|---|\n| loop_init_oom | loop | C-only |\n",
		"conformance/timer_test.go": "package conformance\n\nimport \"testing\"\n\n" +
			"// libuv: timer_again\nfunc TestTimerAgain(t *testing.T) {}\n\n" +
			"// libuv: timer_init\nfunc TestTimerInit(t *testing.T) {}\n",
		"conformance/loop/loop_test.go": "package loop\n\nimport \"testing\"\n\n" +
			"// libuv: loop_close\nfunc TestLoopClose(t *testing.T) {}\n",
		// Neither the report tool's own tests nor testdata are scanned.
		"conformance/report/x_test.go":   "package main\n\nimport \"testing\"\n\n// libuv: tcp_close\nfunc TestTCPClose(t *testing.T) {}\n",
		"conformance/testdata/x_test.go": "package x\n\n// libuv: no_such_test\n",
	}
}

const passJSON = `{"Action":"output","Package":"example.com/m/conformance","Test":"TestTimerAgain","Output":"=== RUN   TestTimerAgain\n"}
{"Action":"pass","Package":"example.com/m/conformance","Test":"TestTimerAgain"}
{"Action":"output","Package":"example.com/m/conformance","Test":"TestTimerInit","Output":"    timer_test.go:9: not on this OS\n"}
{"Action":"output","Package":"example.com/m/conformance","Test":"TestTimerInit","Output":"--- SKIP: TestTimerInit (0.00s)\n"}
{"Action":"skip","Package":"example.com/m/conformance","Test":"TestTimerInit"}
{"Action":"pass","Package":"example.com/m/conformance"}
{"Action":"pass","Package":"example.com/m/conformance/loop","Test":"TestLoopClose"}
{"Action":"pass","Package":"example.com/m/conformance/loop"}
`

const failJSON = `{"Action":"pass","Package":"example.com/m/conformance","Test":"TestTimerAgain"}
{"Action":"output","Package":"example.com/m/conformance/loop","Test":"TestLoopClose","Output":"=== RUN   TestLoopClose\n"}
{"Action":"output","Package":"example.com/m/conformance/loop","Test":"TestLoopClose","Output":"    loop_test.go:6: Close: got EBUSY\n"}
{"Action":"output","Package":"example.com/m/conformance/loop","Test":"TestLoopClose","Output":"--- FAIL: TestLoopClose (0.00s)\n"}
{"Action":"fail","Package":"example.com/m/conformance/loop","Test":"TestLoopClose"}
{"Action":"fail","Package":"example.com/m/conformance/loop"}
`

func runReport(t *testing.T, root, json string, extra ...string) (int, string, string) {
	t.Helper()
	jf := filepath.Join(tempDir(t), "results.json")
	if err := os.WriteFile(jf, []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := append([]string{"-root", root, "-json", jf}, extra...)
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("output lacks line %q:\n%s", l, out)
		}
	}
}

func TestReportAllPass(t *testing.T) {
	root := writeTree(t, fixtureTree())
	code, out, errOut := runReport(t, root, passJSON, "-os", "plan9", "-v")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	wantLines(t, out,
		"## libuv conformance (plan9)",
		"| area | libuv tests | ported | n/a | not yet ported | pass (plan9) | fail (plan9) | skip (plan9) | n/a (plan9) |",
		"| loop | 3 | 1 | 1 | 1 | 1 | 0 | 0 | 0 |",
		"| tcp | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 |",
		"| timer | 3 | 2 | 0 | 1 | 1 | 0 | 1 | 0 |",
		"| total | 7 | 3 | 1 | 3 | 2 | 0 | 1 | 0 |",
		"- timer_init: TestTimerInit (conformance/timer_test.go:8) — timer_test.go:9: not on this OS",
		"- **loop** (1): loop_alive",
		"- **tcp** (1): tcp_close",
		"- **timer** (1): timer_order",
	)
	for _, s := range []string{"Failed", "Invalid", "Warnings"} {
		if strings.Contains(out, s) {
			t.Errorf("output mentions %q:\n%s", s, out)
		}
	}
}

func TestReportFailure(t *testing.T) {
	root := writeTree(t, fixtureTree())
	code, out, _ := runReport(t, root, failJSON, "-os", "linux")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s", code, out)
	}
	wantLines(t, out,
		"| loop | 3 | 1 | 1 | 1 | 0 | 1 | 0 | 0 |",
		// TestTimerInit has no result and its package has none: not run.
		"| timer | 3 | 2 | 0 | 1 | 1 | 0 | 1 | 0 |",
		"| total | 7 | 3 | 1 | 3 | 1 | 1 | 1 | 0 |",
		"### Failed (linux): 1",
		"#### loop_close: TestLoopClose (conformance/loop/loop_test.go:5)",
		"    loop_test.go:6: Close: got EBUSY",
		"--- FAIL: TestLoopClose (0.00s)",
	)
	if strings.Contains(out, "=== RUN") {
		t.Errorf("progress lines are shown:\n%s", out)
	}
	if strings.Contains(out, "Not yet ported") {
		t.Errorf("unported tests listed without -v:\n%s", out)
	}
}

func TestReportInvalidMarkers(t *testing.T) {
	files := fixtureTree()
	files["conformance/bad_test.go"] = "package conformance\n\nimport \"testing\"\n\n" +
		"// libuv: timer_again\nfunc TestTimerAgainAgain(t *testing.T) {}\n\n" +
		"// libuv: not_in_libuv\nfunc TestNotInLibuv(t *testing.T) {}\n"
	files["conformance/README.md"] += "| loop_close | loop | ported anyway |\n"
	root := writeTree(t, files)
	code, out, _ := runReport(t, root, passJSON)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s", code, out)
	}
	for _, s := range []string{
		"### Invalid markers or not-applicable rows: 3",
		"libuv test timer_again is already ported by", // by TestTimerAgain or TestTimerAgainAgain: whichever is found first
		`conformance/bad_test.go:8: TestNotInLibuv: unknown libuv test "not_in_libuv"`,
		"README.md:6: loop_close is marked not applicable but TestLoopClose ports it",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestReportNothingPortedYet(t *testing.T) {
	files := fixtureTree()
	delete(files, "conformance/timer_test.go")
	delete(files, "conformance/loop/loop_test.go")
	delete(files, "conformance/README.md")
	root := writeTree(t, files)
	code, out, _ := runReport(t, root, "")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stdout:\n%s", code, out)
	}
	wantLines(t, out,
		"| total | 7 | 0 | 0 | 7 | 0 | 0 | 0 | 0 |",
		"- conformance/README.md does not exist: no test is marked not applicable",
	)
}

func TestReportUsageErrors(t *testing.T) {
	root := writeTree(t, fixtureTree())
	for _, args := range [][]string{
		{"-root", root, "extra"},
		{"-nosuchflag"},
		{"-root", filepath.Join(root, "conformance"), "-json", os.DevNull},       // no go.mod there
		{"-root", root, "-json", filepath.Join(root, "missing.json")},            // no such file
		{"-root", writeTree(t, map[string]string{"go.mod": "module x\n"}), "-v"}, // no test list
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2; stderr: %s", args, code, stderr.String())
		}
	}
}

// TestProjectMarkersValid runs the report over this repository with no
// results, so that an invalid marker or not-applicable row also fails
// go test ./....
func TestProjectMarkersValid(t *testing.T) {
	root, err := findModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runReport(t, root, "")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "| total | 516 |") {
		t.Errorf("no total row for 516 tests:\n%s", out)
	}
}

// TestReportTwoOSes puts a linux run and a windows run side by side, with a
// test marked not applicable on windows only.
func TestReportTwoOSes(t *testing.T) {
	files := fixtureTree()
	files["conformance/README.md"] += "\n| libuv test | os | reason |\n|---|---|---|\n| timer_init | windows, plan9 | no such thing there |\n| timer_again | unix | Windows-only |\n"
	root := writeTree(t, files)
	dir := tempDir(t)
	lin, win := filepath.Join(dir, "linux.json"), filepath.Join(dir, "windows.json")
	if err := os.WriteFile(lin, []byte(passJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(win, []byte(failJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-root", root, "-json", lin, "-os", "linux", "-json", win, "-os", "windows", "-v"}, &stdout, &stderr)
	out := stdout.String()
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a windows failure); stdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
	wantLines(t, out,
		"## libuv conformance (linux, windows)",
		"| area | libuv tests | ported | n/a | not yet ported | pass (linux) | fail (linux) | skip (linux) | n/a (linux) | pass (windows) | fail (windows) | skip (windows) | n/a (windows) |",
		"| loop | 3 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 0 | 0 |",
		// timer_init skips on linux (counted as skip) and does not run on windows (n/a there).
		"| timer | 3 | 2 | 0 | 1 | 1 | 0 | 1 | 0 | 1 | 0 | 0 | 1 |",
		"- timer_again passed on linux, where conformance/README.md says it is not applicable",
		"### Failed (windows): 1",
		"- timer_init: TestTimerInit (conformance/timer_test.go:8) [n/a on windows]",
	)
	if strings.Contains(out, "Failed (linux)") {
		t.Errorf("linux failures reported:\n%s", out)
	}
}

// TestReportOSNAProblems checks the per-OS table's rows: a test that is not
// ported cannot be listed there.
func TestReportOSNAProblems(t *testing.T) {
	files := fixtureTree()
	files["conformance/README.md"] += "\n| libuv test | os | reason |\n|---|---|---|\n| timer_order | windows | not ported |\n| nope | windows | unknown |\n"
	root := writeTree(t, files)
	code, out, _ := runReport(t, root, passJSON)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s", code, out)
	}
	for _, s := range []string{
		"timer_order is in the per-OS not-applicable table but not ported",
		`unknown libuv test "nope" in the per-OS not-applicable table`,
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestReportOSFlagErrors(t *testing.T) {
	root := writeTree(t, fixtureTree())
	for _, args := range [][]string{
		{"-root", root, "-json", os.DevNull, "-json", os.DevNull},                         // two runs, no names
		{"-root", root, "-json", os.DevNull, "-os", "a", "-os", "b"},                      // more names than runs
		{"-root", root, "-json", os.DevNull, "-os", "a", "-json", os.DevNull, "-os", "a"}, // one name twice
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2; stderr: %s", args, code, stderr.String())
		}
	}
}
