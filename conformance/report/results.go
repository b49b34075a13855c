package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// testEvent is one line of `go test -json` output (see go doc test2json).
type testEvent struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // build-output and build-fail events
	FailedBuild string // package fail caused by a build failure
}

// testKey names one top-level Go test.
type testKey struct{ Pkg, Test string }

// testResult is what go test said about one top-level test.
type testResult struct {
	Status string   // "pass", "fail", "skip", or "" when the test started but never finished
	Output []string // its output and its subtests', up to maxKeptLines lines
}

// results is the parsed output of one or more go test -json runs.
type results struct {
	tests     map[testKey]*testResult
	pkgStatus map[string]string   // package -> pass, fail or skip
	pkgOutput map[string][]string // package-level output, build output included
	nonJSON   int                 // input lines that were not test events
}

// maxKeptLines bounds the output kept per test or package.
const maxKeptLines = 2000

// rank orders statuses when a test ran more than once: any failure wins,
// then any pass.
var rank = map[string]int{"": 0, "skip": 1, "pass": 2, "fail": 3}

// parseResults reads go test -json output. Lines that are not JSON test
// events (for example go's own error messages) are copied to other, if it
// is not nil, and counted.
func parseResults(r io.Reader, other io.Writer) (*results, error) {
	res := &results{
		tests:     map[testKey]*testResult{},
		pkgStatus: map[string]string{},
		pkgOutput: map[string][]string{},
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var ev testEvent
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil || (ev.Action == "") {
			if len(strings.TrimSpace(string(line))) > 0 {
				res.nonJSON++
				if other != nil {
					fmt.Fprintf(other, "%s\n", line)
				}
			}
			continue
		}
		res.add(&ev)
	}
	return res, sc.Err()
}

func (res *results) add(ev *testEvent) {
	if ev.Action == "build-output" || ev.Action == "build-fail" {
		pkg, _, _ := strings.Cut(ev.ImportPath, " ")
		if ev.Output != "" {
			res.pkgOutput[pkg] = keep(res.pkgOutput[pkg], ev.Output)
		}
		return
	}
	if ev.Package == "" {
		return
	}
	if ev.Test == "" {
		switch ev.Action {
		case "pass", "fail", "skip":
			if rank[ev.Action] > rank[res.pkgStatus[ev.Package]] {
				res.pkgStatus[ev.Package] = ev.Action
			}
			if ev.FailedBuild != "" {
				res.pkgOutput[ev.Package] = keep(res.pkgOutput[ev.Package], "build failed: "+ev.FailedBuild+"\n")
			}
		case "output":
			res.pkgOutput[ev.Package] = keep(res.pkgOutput[ev.Package], ev.Output)
		}
		return
	}
	top, _, sub := strings.Cut(ev.Test, "/")
	k := testKey{ev.Package, top}
	tr := res.tests[k]
	if tr == nil {
		tr = &testResult{}
		res.tests[k] = tr
	}
	switch ev.Action {
	case "output":
		tr.Output = keep(tr.Output, ev.Output)
	case "pass", "fail", "skip":
		if !sub && rank[ev.Action] > rank[tr.Status] {
			tr.Status = ev.Action
		}
	}
}

// keep appends an output chunk (which normally ends in a newline) to lines,
// up to maxKeptLines lines.
func keep(lines []string, out string) []string {
	out = strings.TrimRight(out, "\r\n")
	if len(lines) >= maxKeptLines {
		return lines
	}
	return append(lines, out)
}

// Outcome of one ported test.
const (
	outPass   = "pass"
	outFail   = "fail"
	outSkip   = "skip"
	outNotRun = "not run"
)

// outcome classifies a ported test. A test with no final result fails if
// its package failed (build failure, crash, timeout) or if go test itself
// failed without a word about the package (goTestFailed); otherwise it was
// not run (excluded by build constraints or by -run).
func (res *results) outcome(pkg, test string, goTestFailed bool) (string, string) {
	if tr := res.tests[testKey{pkg, test}]; tr != nil && tr.Status != "" {
		return tr.Status, ""
	}
	switch st := res.pkgStatus[pkg]; {
	case st == "fail":
		return outFail, "no result: its package failed"
	case st == "" && goTestFailed:
		return outFail, "no result: go test failed and said nothing about its package"
	}
	return outNotRun, ""
}
