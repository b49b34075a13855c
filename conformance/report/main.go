package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

const usage = `usage: go run ./conformance/report [-json FILE [-os NAME]]... [-v] [-root DIR]

Prints, per libuv area, how many of libuv's tests are ported to
conformance/ and how the ported Go tests fare. Without -json it runs
go test -json -count=1 ./conformance/... itself. -json and -os may be
repeated to put several runs side by side, one column group per OS: the
n-th -os names the n-th -json (the default name is this OS's).

Exit status: 0 when no ported test failed on any OS and all markers and
not-applicable rows are valid, 1 otherwise, 2 on a usage or setup error.

`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config holds the command-line options.
type config struct {
	jsonFiles []string
	osNames   []string
	verbose   bool
	root      string
}

func run(args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.Func("json", "read go test -json output from `FILE` (- for stdin) instead of running go test; repeatable", func(v string) error {
		cfg.jsonFiles = append(cfg.jsonFiles, v)
		return nil
	})
	fs.Func("os", "label the result columns of the matching -json with `NAME` (default "+runtime.GOOS+"); repeatable", func(v string) error {
		if v == "" {
			return errors.New("empty OS name")
		}
		cfg.osNames = append(cfg.osNames, v)
		return nil
	})
	fs.BoolVar(&cfg.verbose, "v", false, "also list skipped, not-run and not yet ported tests")
	fs.StringVar(&cfg.root, "root", "", "module root `DIR` (default: the directory holding go.mod, searched upwards from the working directory)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	runs := len(cfg.jsonFiles)
	if runs == 0 {
		runs = 1
	}
	switch {
	case len(cfg.osNames) > runs:
		fmt.Fprintf(stderr, "report: %d -os names for %d runs\n", len(cfg.osNames), runs)
		return 2
	case len(cfg.osNames) < runs && runs > 1:
		fmt.Fprintf(stderr, "report: give one -os name per -json file (%d files, %d names)\n", runs, len(cfg.osNames))
		return 2
	case len(cfg.osNames) == 0:
		cfg.osNames = []string{runtime.GOOS}
	}
	seen := map[string]bool{}
	for _, o := range cfg.osNames {
		if seen[o] {
			fmt.Fprintf(stderr, "report: OS name %q given twice\n", o)
			return 2
		}
		seen[o] = true
	}
	code, err := report(&cfg, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 2
	}
	return code
}

// osStats is one OS's part of a row.
type osStats struct{ pass, fail, skip, na int }

// areaStats is one row of the table.
type areaStats struct {
	area                        string
	tests, ported, na, unported int
	os                          []osStats
}

func (s *areaStats) add(o *areaStats) {
	s.tests += o.tests
	s.ported += o.ported
	s.na += o.na
	s.unported += o.unported
	for i := range o.os {
		s.os[i].pass += o.os[i].pass
		s.os[i].fail += o.os[i].fail
		s.os[i].skip += o.os[i].skip
		s.os[i].na += o.os[i].na
	}
}

// portResult is the outcome of one ported test on one OS.
type portResult struct {
	port
	outcome, why string
	output       []string
}

// osRun is one set of results and what the tally made of it.
type osRun struct {
	name         string
	res          *results
	source       string
	goTestFailed bool
	outcomes     []portResult
}

func report(cfg *config, stdout, stderr io.Writer) (int, error) {
	root := cfg.root
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return 0, err
		}
		if root, err = findModuleRoot(wd); err != nil {
			return 0, err
		}
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return 0, err
	}
	modPath, err := modulePath(gomod)
	if err != nil {
		return 0, err
	}
	confDir := filepath.Join(root, "conformance")
	tsv, err := os.ReadFile(filepath.Join(confDir, "libuv-tests.tsv"))
	if err != nil {
		return 0, err
	}
	cat, err := parseCatalog(bytes.NewReader(tsv))
	if err != nil {
		return 0, fmt.Errorf("conformance/libuv-tests.tsv: %v", err)
	}

	var problems, warnings []string
	found, probs, err := scanTree(root, modPath, confDir)
	if err != nil {
		return 0, err
	}
	problems = append(problems, probs...)
	ports, probs, warns := checkPorts(found, cat)
	problems = append(problems, probs...)
	warnings = append(warnings, warns...)

	var rows, osRows []naRow
	readme, err := os.ReadFile(filepath.Join(confDir, "README.md"))
	switch {
	case errors.Is(err, os.ErrNotExist):
		warnings = append(warnings, "conformance/README.md does not exist: no test is marked not applicable")
	case err != nil:
		return 0, err
	default:
		var tableFound bool
		rows, probs, tableFound, err = parseNA(bytes.NewReader(readme))
		if err != nil {
			return 0, fmt.Errorf("conformance/README.md: %v", err)
		}
		problems = append(problems, probs...)
		if !tableFound {
			warnings = append(warnings, "conformance/README.md has no table headed | libuv test | area | reason |: no test is marked not applicable")
		}
		osRows, probs, _, err = parseOSNA(bytes.NewReader(readme))
		if err != nil {
			return 0, fmt.Errorf("conformance/README.md: %v", err)
		}
		problems = append(problems, probs...)
	}
	na, probs, warns := checkNA(rows, cat, ports)
	problems = append(problems, probs...)
	warnings = append(warnings, warns...)
	osna, probs := checkOSNA(osRows, cat, ports)
	problems = append(problems, probs...)

	runs := make([]*osRun, len(cfg.osNames))
	for i, name := range cfg.osNames {
		jsonFile := ""
		if i < len(cfg.jsonFiles) {
			jsonFile = cfg.jsonFiles[i]
		}
		res, source, goTestFailed, err := getResults(jsonFile, root, stderr)
		if err != nil {
			return 0, err
		}
		runs[i] = &osRun{name: name, res: res, source: source, goTestFailed: goTestFailed}
	}

	// Tally.
	newStats := func(area string) *areaStats {
		return &areaStats{area: area, os: make([]osStats, len(runs))}
	}
	byArea := map[string]*areaStats{}
	for _, a := range cat.areas() {
		byArea[a] = newStats(a)
	}
	unported := map[string][]string{}
	for _, name := range cat.names {
		st := byArea[cat.area[name]]
		st.tests++
		if p, ok := ports[name]; ok {
			st.ported++
			for i, r := range runs {
				o, why := r.res.outcome(p.Package, p.Test, r.goTestFailed)
				pr := portResult{port: p, outcome: o, why: why}
				if tr := r.res.tests[testKey{p.Package, p.Test}]; tr != nil {
					pr.output = tr.Output
				}
				if o == outFail && pr.output == nil {
					pr.output = r.res.pkgOutput[p.Package]
				}
				notHere := osna.on(name, r.name)
				switch {
				case o == outFail:
					st.os[i].fail++
				case o == outPass:
					st.os[i].pass++
					if notHere {
						warnings = append(warnings, fmt.Sprintf("%s passed on %s, where conformance/README.md says it is not applicable", name, r.name))
					}
				case notHere:
					st.os[i].na++
				default:
					st.os[i].skip++
				}
				r.outcomes = append(r.outcomes, pr)
			}
			continue
		}
		if _, ok := na[name]; ok {
			st.na++
			continue
		}
		st.unported++
		unported[cat.area[name]] = append(unported[cat.area[name]], name)
	}

	w := &errWriter{w: stdout}
	total := newStats("total")
	names := strings.Join(cfg.osNames, ", ")
	fmt.Fprintf(w, "## libuv conformance (%s)\n\n", names)
	for _, r := range runs {
		fmt.Fprintf(w, "Results (%s) from %s.\n", r.name, r.source)
	}
	fmt.Fprintf(w, "\nA skipped or not-run test counts as skip, or as n/a on an OS where conformance/README.md says why it cannot apply there.\n\n")
	fmt.Fprintf(w, "| area | libuv tests | ported | n/a | not yet ported |")
	for _, r := range runs {
		fmt.Fprintf(w, " pass (%[1]s) | fail (%[1]s) | skip (%[1]s) | n/a (%[1]s) |", r.name)
	}
	fmt.Fprintf(w, "\n| --- | ---: | ---: | ---: | ---: |%s\n", strings.Repeat(" ---: | ---: | ---: | ---: |", len(runs)))
	for _, a := range cat.areas() {
		st := byArea[a]
		writeRow(w, st)
		total.add(st)
	}
	writeRow(w, total)

	fails := 0
	for _, r := range runs {
		if n := writeFailures(w, r); n > 0 {
			fails += n
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "\n### Invalid markers or not-applicable rows: %d\n\n", len(problems))
		for _, p := range problems {
			fmt.Fprintf(w, "- %s\n", p)
		}
	}
	if len(warnings) > 0 {
		fmt.Fprintf(w, "\n### Warnings: %d\n\n", len(warnings))
		for _, s := range warnings {
			fmt.Fprintf(w, "- %s\n", s)
		}
	}
	if cfg.verbose {
		for _, r := range runs {
			for _, o := range []string{outSkip, outNotRun} {
				list := r.byOutcome(o)
				if len(list) == 0 {
					continue
				}
				fmt.Fprintf(w, "\n### %s (%s): %d\n\n", strings.ToUpper(o[:1])+o[1:], r.name, len(list))
				for _, pr := range list {
					tag := ""
					if osna.on(pr.Libuv, r.name) {
						tag = " [n/a on " + r.name + "]"
					}
					fmt.Fprintf(w, "- %s: %s (%s)%s%s\n", pr.Libuv, pr.Test, pr.Pos, tag, skipReason(pr.output))
				}
			}
		}
		fmt.Fprintf(w, "\n### Not yet ported: %d\n", total.unported)
		for _, a := range cat.areas() {
			if names := unported[a]; len(names) > 0 {
				fmt.Fprintf(w, "\n- **%s** (%d): %s\n", a, len(names), strings.Join(names, ", "))
			}
		}
	}
	if w.err != nil {
		return 0, w.err
	}
	if fails > 0 || len(problems) > 0 {
		return 1, nil
	}
	return 0, nil
}

// byOutcome returns the run's ported tests with outcome o, by libuv name.
func (r *osRun) byOutcome(o string) []portResult {
	var out []portResult
	for _, pr := range r.outcomes {
		if pr.outcome == o {
			out = append(out, pr)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Libuv < out[j].Libuv })
	return out
}

// writeFailures prints the run's failed tests with their output and returns
// how many there were.
func writeFailures(w io.Writer, r *osRun) int {
	fails := r.byOutcome(outFail)
	if len(fails) > 0 {
		fmt.Fprintf(w, "\n### Failed (%s): %d\n", r.name, len(fails))
		for _, pr := range fails {
			fmt.Fprintf(w, "\n#### %s: %s (%s)\n\n", pr.Libuv, pr.Test, pr.Pos)
			if pr.why != "" {
				fmt.Fprintf(w, "%s\n\n", pr.why)
			}
			writeOutput(w, pr.output)
		}
	}
	if failedPkgs := orphanFailures(r.res, r.outcomes); len(failedPkgs) > 0 {
		fmt.Fprintf(w, "\nNote (%s): these packages failed, but not in a ported test: %s\n", r.name, strings.Join(failedPkgs, ", "))
	}
	return len(fails)
}

// getResults runs go test or reads the -json file. It returns a description
// of the source and whether go test exited with an error.
func getResults(jsonFile, root string, stderr io.Writer) (*results, string, bool, error) {
	switch jsonFile {
	case "":
	case "-":
		res, err := parseResults(os.Stdin, stderr)
		return res, "go test -json output on stdin", false, err
	default:
		f, err := os.Open(jsonFile)
		if err != nil {
			return nil, "", false, err
		}
		defer f.Close()
		res, err := parseResults(f, stderr)
		return res, fmt.Sprintf("`%s`", jsonFile), false, err
	}
	args := []string{"test", "-json", "-count=1", "./conformance/..."}
	fmt.Fprintf(stderr, "report: running go %s in %s\n", strings.Join(args, " "), root)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", false, err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", false, err
	}
	res, perr := parseResults(out, stderr)
	if perr != nil {
		_, _ = io.Copy(io.Discard, out)
	}
	werr := cmd.Wait()
	if perr != nil {
		return nil, "", false, perr
	}
	var exit *exec.ExitError
	if werr != nil && !errors.As(werr, &exit) {
		return nil, "", false, werr
	}
	return res, "`go " + strings.Join(args, " ") + "`", werr != nil, nil
}

// orphanFailures lists failed packages in which no ported test failed.
func orphanFailures(res *results, outcomes []portResult) []string {
	explained := map[string]bool{}
	for _, pr := range outcomes {
		if pr.outcome == outFail {
			explained[pr.Package] = true
		}
	}
	var out []string
	for pkg, st := range res.pkgStatus {
		if st == "fail" && !explained[pkg] {
			out = append(out, pkg)
		}
	}
	sort.Strings(out)
	return out
}

func writeRow(w io.Writer, s *areaStats) {
	fmt.Fprintf(w, "| %s | %d | %d | %d | %d |", s.area, s.tests, s.ported, s.na, s.unported)
	for _, o := range s.os {
		fmt.Fprintf(w, " %d | %d | %d | %d |", o.pass, o.fail, o.skip, o.na)
	}
	fmt.Fprintln(w)
}

// maxShownLines bounds the output shown for one failed test.
const maxShownLines = 60

// writeOutput prints a failed test's output as a fenced block, without the
// === RUN/PAUSE/CONT/NAME progress lines.
func writeOutput(w io.Writer, lines []string) {
	var shown []string
	for _, l := range lines {
		if strings.HasPrefix(l, "=== ") {
			continue
		}
		shown = append(shown, l)
	}
	if len(shown) == 0 {
		return
	}
	fmt.Fprintln(w, "```")
	for i, l := range shown {
		if i == maxShownLines {
			fmt.Fprintf(w, "... %d more lines\n", len(shown)-i)
			break
		}
		fmt.Fprintln(w, strings.ReplaceAll(l, "```", "'''"))
	}
	fmt.Fprintln(w, "```")
}

// skipReason returns " — <reason>" from a skipped test's output: the last
// line logged before "--- SKIP", if any.
func skipReason(lines []string) string {
	for i, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), "--- SKIP") {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			r := strings.TrimSpace(lines[j])
			if strings.HasPrefix(r, "=== RUN") {
				return ""
			}
			if r != "" && !strings.HasPrefix(r, "=== ") {
				return " — " + r
			}
		}
	}
	return ""
}

// errWriter remembers the first write error so the printing code can stay
// linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	_, e.err = e.w.Write(p)
	return len(p), nil
}
