package main

import (
	"bytes"
	"strings"
	"testing"
)

// jsonFixture is trimmed go test -json output: passes, a failure with a
// failing subtest, a skip, a flaky test run twice, a panic that kills the
// package, a build failure, and a line that is not JSON.
const jsonFixture = `{"Action":"start","Package":"ex/a"}
{"Action":"run","Package":"ex/a","Test":"TestPass"}
{"Action":"output","Package":"ex/a","Test":"TestPass","Output":"=== RUN   TestPass\n"}
{"Action":"output","Package":"ex/a","Test":"TestPass","Output":"--- PASS: TestPass (0.00s)\n"}
{"Action":"pass","Package":"ex/a","Test":"TestPass","Elapsed":0}
{"Action":"run","Package":"ex/a","Test":"TestSub"}
{"Action":"output","Package":"ex/a","Test":"TestSub/x","Output":"    a_test.go:9: subfail\n"}
{"Action":"fail","Package":"ex/a","Test":"TestSub/x","Elapsed":0}
{"Action":"pass","Package":"ex/a","Test":"TestSub/y","Elapsed":0}
{"Action":"fail","Package":"ex/a","Test":"TestSub","Elapsed":0}
{"Action":"output","Package":"ex/a","Test":"TestSkip","Output":"=== RUN   TestSkip\n"}
{"Action":"output","Package":"ex/a","Test":"TestSkip","Output":"    a_test.go:5: needs root\n"}
{"Action":"output","Package":"ex/a","Test":"TestSkip","Output":"--- SKIP: TestSkip (0.00s)\n"}
{"Action":"skip","Package":"ex/a","Test":"TestSkip","Elapsed":0}
{"Action":"pass","Package":"ex/a","Test":"TestFlaky","Elapsed":0}
{"Action":"fail","Package":"ex/a","Test":"TestFlaky","Elapsed":0}
{"Action":"pass","Package":"ex/a","Test":"TestFlaky","Elapsed":0}
{"Action":"output","Package":"ex/a","Output":"FAIL\tex/a\t0.005s\n"}
{"Action":"fail","Package":"ex/a","Elapsed":0.005}
{"Action":"start","Package":"ex/b"}
{"Action":"pass","Package":"ex/b","Test":"TestA","Elapsed":0}
{"Action":"output","Package":"ex/b","Test":"TestPanic","Output":"panic: test timed out after 2s\n"}
{"Action":"fail","Package":"ex/b","Elapsed":2.0}
{"ImportPath":"ex/c [ex/c.test]","Action":"build-output","Output":"# ex/c [ex/c.test]\n"}
{"ImportPath":"ex/c [ex/c.test]","Action":"build-output","Output":"c/a_test.go:3:28: undefined: undefined\n"}
{"ImportPath":"ex/c [ex/c.test]","Action":"build-fail"}
{"Action":"start","Package":"ex/c"}
{"Action":"fail","Package":"ex/c","Elapsed":0,"FailedBuild":"ex/c [ex/c.test]"}
go: warning: something not JSON
{"Action":"pass","Package":"ex/d","Test":"TestD","Elapsed":0}
{"Action":"pass","Package":"ex/d","Elapsed":0}
{"Action":"skip","Package":"ex/e","Elapsed":0}
`

func TestParseResults(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		var other bytes.Buffer
		res, err := parseResults(strings.NewReader(strings.ReplaceAll(jsonFixture, "\n", eol)), &other)
		if err != nil {
			t.Fatal(err)
		}
		if res.nonJSON != 1 || strings.TrimSpace(other.String()) != "go: warning: something not JSON" {
			t.Errorf("eol %q: nonJSON = %d, other = %q", eol, res.nonJSON, other.String())
		}
		for _, c := range []struct {
			pkg, test, want string
		}{
			{"ex/a", "TestPass", "pass"},
			{"ex/a", "TestSub", "fail"},
			{"ex/a", "TestSkip", "skip"},
			{"ex/a", "TestFlaky", "fail"},
			{"ex/b", "TestA", "pass"},
			{"ex/b", "TestPanic", ""},
			{"ex/d", "TestD", "pass"},
		} {
			tr := res.tests[testKey{c.pkg, c.test}]
			if tr == nil {
				t.Errorf("eol %q: no result for %s.%s", eol, c.pkg, c.test)
				continue
			}
			if tr.Status != c.want {
				t.Errorf("eol %q: %s.%s status = %q, want %q", eol, c.pkg, c.test, tr.Status, c.want)
			}
		}
		if _, ok := res.tests[testKey{"ex/a", "TestSub/x"}]; ok {
			t.Errorf("eol %q: subtest recorded as a top-level test", eol)
		}
		if got := strings.Join(res.tests[testKey{"ex/a", "TestSub"}].Output, "|"); got != "    a_test.go:9: subfail" {
			t.Errorf("eol %q: TestSub output = %q, want the subtest's output", eol, got)
		}
		for pkg, want := range map[string]string{"ex/a": "fail", "ex/b": "fail", "ex/c": "fail", "ex/d": "pass", "ex/e": "skip"} {
			if got := res.pkgStatus[pkg]; got != want {
				t.Errorf("eol %q: package %s status = %q, want %q", eol, pkg, got, want)
			}
		}
		if got := strings.Join(res.pkgOutput["ex/c"], "|"); !strings.Contains(got, "undefined: undefined") || !strings.Contains(got, "build failed") {
			t.Errorf("eol %q: ex/c output = %q, want the build output", eol, got)
		}
	}
}

func TestOutcome(t *testing.T) {
	res, err := parseResults(strings.NewReader(jsonFixture), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pkg, test    string
		goTestFailed bool
		want         string
	}{
		{"ex/a", "TestPass", false, outPass},
		{"ex/a", "TestSkip", false, outSkip},
		{"ex/a", "TestSub", false, outFail},
		{"ex/b", "TestPanic", false, outFail},      // started, never finished, package failed
		{"ex/b", "TestNeverRan", false, outFail},   // package died before it ran
		{"ex/c", "TestX", false, outFail},          // build failure
		{"ex/d", "TestFiltered", false, outNotRun}, // package passed without it
		{"ex/e", "TestX", false, outNotRun},        // package had no tests to run
		{"ex/missing", "TestX", false, outNotRun},  // e.g. build constraints excluded it
		{"ex/missing", "TestX", true, outFail},     // but go test failed
	} {
		if got, _ := res.outcome(c.pkg, c.test, c.goTestFailed); got != c.want {
			t.Errorf("outcome(%s, %s, %v) = %q, want %q", c.pkg, c.test, c.goTestFailed, got, c.want)
		}
	}
}

func TestKeepBoundsOutput(t *testing.T) {
	var lines []string
	for range maxKeptLines + 10 {
		lines = keep(lines, "x\n")
	}
	if len(lines) != maxKeptLines || lines[0] != "x" {
		t.Fatalf("kept %d lines (first %q), want %d of \"x\"", len(lines), lines[0], maxKeptLines)
	}
}
