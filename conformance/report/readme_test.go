package main

import (
	"strings"
	"testing"
)

const readmeFixture = `# Conformance

Some prose with a | pipe.

| other | table |
| --- | --- |
| loop_close | not this one |

<!-- rows are added per area -->

| libuv test | area | reason |
| --- | :--- | --- |
| loop_init_oom | loop | C-only: tests C malloc failure injection |
| ` + "`fs_poll_ref`" + ` | fs_poll | reason with an escaped \| pipe |
| two_cells | loop |
| empty_reason | loop |  |
| Bad Name | loop | x |

Text after the table ends it.

| not_a_row | loop | outside any table |

|  Libuv  Test | Area | Reason |
|---|---|---|
| tcp_close | tcp | second table |
`

func TestParseNA(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		rows, problems, found, err := parseNA(strings.NewReader(strings.ReplaceAll(readmeFixture, "\n", eol)))
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			t.Fatalf("eol %q: table not found", eol)
		}
		want := []naRow{
			{Name: "loop_init_oom", Area: "loop", Reason: "C-only: tests C malloc failure injection", Line: 13},
			{Name: "fs_poll_ref", Area: "fs_poll", Reason: "reason with an escaped | pipe", Line: 14},
			{Name: "tcp_close", Area: "tcp", Reason: "second table", Line: 25},
		}
		if len(rows) != len(want) {
			t.Fatalf("eol %q: got rows %+v, want %+v", eol, rows, want)
		}
		for i := range want {
			if rows[i] != want[i] {
				t.Errorf("eol %q: row %d = %+v, want %+v", eol, i, rows[i], want[i])
			}
		}
		wantProblems := []string{
			"README.md:15: not-applicable row has 2 cells",
			"README.md:16: empty_reason: the reason is empty",
			`README.md:17: "Bad Name" is not a libuv test name`,
		}
		if len(problems) != len(wantProblems) {
			t.Fatalf("eol %q: problems = %q", eol, problems)
		}
		for i, w := range wantProblems {
			if !strings.Contains(problems[i], w) {
				t.Errorf("eol %q: problem %d = %q, want it to contain %q", eol, i, problems[i], w)
			}
		}
	}
}

func TestParseNANoTable(t *testing.T) {
	rows, problems, found, err := parseNA(strings.NewReader("# Nothing\n\n| a | b |\n|---|---|\n| x | y |\n"))
	if err != nil || found || len(rows) != 0 || len(problems) != 0 {
		t.Fatalf("got rows=%v problems=%v found=%v err=%v, want nothing", rows, problems, found, err)
	}
}

func TestParseNAMissingSeparator(t *testing.T) {
	for _, src := range []string{
		"| libuv test | area | reason |\n| loop_init_oom | loop | x |\n",
		"| libuv test | area | reason |",
	} {
		rows, problems, found, err := parseNA(strings.NewReader(src))
		if err != nil || !found || len(rows) != 0 || len(problems) != 1 || !strings.Contains(problems[0], "separator") {
			t.Errorf("%q: got rows=%v problems=%q found=%v err=%v, want one separator problem", src, rows, problems, found, err)
		}
	}
}

func TestTableCells(t *testing.T) {
	cells, ok := tableCells(`| a | b \| c |  |`)
	if !ok || strings.Join(cells, ",") != "a,b | c," {
		t.Errorf("got %q %v", cells, ok)
	}
	for _, s := range []string{"", "|", "a | b", "| a | b", `| a \|`} {
		if _, ok := tableCells(s); ok {
			t.Errorf("tableCells(%q) accepted a non-row", s)
		}
	}
}

func TestCheckNA(t *testing.T) {
	cat := mustCatalog(t, "loop_init_oom\tloop\nloop_close\tloop\ntcp_close\ttcp\n")
	rows := []naRow{
		{Name: "loop_init_oom", Area: "loop", Reason: "r", Line: 1},
		{Name: "no_such", Area: "loop", Reason: "r", Line: 2},
		{Name: "loop_init_oom", Area: "loop", Reason: "r", Line: 3},
		{Name: "loop_close", Area: "loop", Reason: "r", Line: 4},
		{Name: "tcp_close", Area: "udp", Reason: "r", Line: 5},
	}
	ports := map[string]port{"loop_close": {Libuv: "loop_close", Test: "TestLoopClose", Pos: "x_test.go:9"}}
	na, problems, warnings := checkNA(rows, cat, ports)
	if len(na) != 2 || na["loop_init_oom"].Line != 1 || na["tcp_close"].Line != 5 {
		t.Errorf("na = %v, want loop_init_oom (line 1) and tcp_close", na)
	}
	want := []string{
		`README.md:2: unknown libuv test "no_such"`,
		"README.md:3: loop_init_oom is listed twice in the not-applicable table (also line 1)",
		"README.md:4: loop_close is marked not applicable but TestLoopClose ports it (x_test.go:9)",
	}
	if len(problems) != len(want) {
		t.Fatalf("problems = %q", problems)
	}
	for i, w := range want {
		if !strings.Contains(problems[i], w) {
			t.Errorf("problem %d = %q, want %q", i, problems[i], w)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `tcp_close is in area "tcp", not "udp"`) {
		t.Errorf("warnings = %q", warnings)
	}
}
