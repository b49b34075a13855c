package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// port records that one Go test ports one libuv test.
type port struct {
	Libuv   string // libuv test name, e.g. "timer_again"
	Package string // import path of the Go test's package
	Test    string // Go test function name, e.g. "TestTimerAgain"
	Pos     string // file:line of the marker
}

// markerPrefix starts a marker comment line (after the "//").
const markerPrefix = "libuv:"

// markerName is what a libuv test name looks like.
var markerName = regexp.MustCompile(`^[a-z0-9_]+$`)

// scanFile finds the libuv markers in one Go test file. A marker is a line
// "// libuv: <name>" in the comment block directly above (no blank line in
// between) a "func TestXxx(t *testing.T)". Markers anywhere else, malformed
// markers, and several markers on one test are returned as problems.
func scanFile(filename string, src []byte, pkgPath string) (ports []port, problems []string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: cannot parse: %v", filename, err)}
	}
	pos := func(p token.Pos) string {
		q := fset.Position(p)
		return fmt.Sprintf("%s:%d", q.Filename, q.Line)
	}
	attached := map[*ast.CommentGroup]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Doc == nil {
			continue
		}
		marks := markersIn(fd.Doc)
		if len(marks) == 0 {
			continue
		}
		attached[fd.Doc] = true
		if !isTestFunc(fd) {
			problems = append(problems, fmt.Sprintf("%s: libuv marker above %s, which is not a func TestXxx(t *testing.T)", pos(marks[0].Slash), fd.Name.Name))
			continue
		}
		if len(marks) > 1 {
			problems = append(problems, fmt.Sprintf("%s: %s has %d libuv markers; one Go test ports one libuv test", pos(marks[1].Slash), fd.Name.Name, len(marks)))
			continue
		}
		name, ok := markerValue(marks[0].Text)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: malformed marker %q; want \"// libuv: <test_name>\"", pos(marks[0].Slash), strings.TrimSpace(marks[0].Text)))
			continue
		}
		ports = append(ports, port{Libuv: name, Package: pkgPath, Test: fd.Name.Name, Pos: pos(marks[0].Slash)})
	}
	for _, cg := range f.Comments {
		if attached[cg] {
			continue
		}
		for _, c := range markersIn(cg) {
			problems = append(problems, fmt.Sprintf("%s: libuv marker not directly above a func TestXxx(t *testing.T)", pos(c.Slash)))
		}
	}
	return ports, problems
}

// markersIn returns the marker lines of a comment group.
func markersIn(cg *ast.CommentGroup) []*ast.Comment {
	var out []*ast.Comment
	for _, c := range cg.List {
		if _, ok := isMarker(c.Text); ok {
			out = append(out, c)
		}
	}
	return out
}

// isMarker reports whether a raw comment ("// ...") is a marker line and
// returns what follows "libuv:".
func isMarker(text string) (string, bool) {
	body, ok := strings.CutPrefix(text, "//")
	if !ok {
		return "", false
	}
	return strings.CutPrefix(strings.TrimSpace(body), markerPrefix)
}

// markerValue extracts the test name of a marker comment, which must be a
// single lower-case identifier.
func markerValue(text string) (string, bool) {
	rest, ok := isMarker(text)
	if !ok {
		return "", false
	}
	name := strings.TrimSpace(rest)
	return name, markerName.MatchString(name)
}

// isTestFunc reports whether fd is a test that go test runs:
// func TestXxx(t *testing.T) with no receiver, results or type parameters.
func isTestFunc(fd *ast.FuncDecl) bool {
	if fd.Recv != nil || fd.Type.TypeParams != nil || fd.Type.Results != nil {
		return false
	}
	name, ok := strings.CutPrefix(fd.Name.Name, "Test")
	if !ok {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(name); name != "" && unicode.IsLower(r) {
		return false
	}
	ps := fd.Type.Params.List
	if len(ps) != 1 || len(ps[0].Names) > 1 {
		return false
	}
	star, ok := ps[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "testing" && sel.Sel.Name == "T"
}

// scanTree scans every *_test.go file under confDir, skipping the report
// tool's own directory, testdata and directories starting with "." or "_".
// modPath and modRoot turn a directory into its package's import path.
func scanTree(modRoot, modPath, confDir string) (ports []port, problems []string, err error) {
	reportDir := filepath.Join(confDir, "report")
	err = filepath.WalkDir(confDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			base := d.Name()
			if p != confDir && (p == reportDir || base == "testdata" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		relDir, err := filepath.Rel(modRoot, filepath.Dir(p))
		if err != nil {
			return err
		}
		relFile, err := filepath.Rel(modRoot, p)
		if err != nil {
			return err
		}
		pkg := path.Join(modPath, filepath.ToSlash(relDir))
		ps, probs := scanFile(filepath.ToSlash(relFile), src, pkg)
		ports = append(ports, ps...)
		problems = append(problems, probs...)
		return nil
	})
	return ports, problems, err
}

// checkPorts validates ports against the catalog: every marker must name a
// known libuv test, and each libuv test may be ported by one Go test only.
// It returns the valid ports by libuv name, problems (errors) and warnings
// (Go test names that do not follow the libuv name).
func checkPorts(ports []port, cat *catalog) (byName map[string]port, problems, warnings []string) {
	byName = map[string]port{}
	for _, p := range ports {
		if _, ok := cat.area[p.Libuv]; !ok {
			problems = append(problems, fmt.Sprintf("%s: %s: unknown libuv test %q (not in libuv-tests.tsv)", p.Pos, p.Test, p.Libuv))
			continue
		}
		if prev, dup := byName[p.Libuv]; dup {
			problems = append(problems, fmt.Sprintf("%s: %s: libuv test %s is already ported by %s (%s)", p.Pos, p.Test, p.Libuv, prev.Test, prev.Pos))
			continue
		}
		byName[p.Libuv] = p
		if !namedAfter(p.Test, p.Libuv) {
			warnings = append(warnings, fmt.Sprintf("%s: %s ports %s; name it Test%s", p.Pos, p.Test, p.Libuv, camel(p.Libuv)))
		}
	}
	return byName, problems, warnings
}

// namedAfter reports whether Go test name goName is libuv test name
// written in CamelCase, ignoring case (so TestTCPPingPong and TestTcpPingPong
// both match tcp_ping_pong).
func namedAfter(goName, libuvName string) bool {
	return strings.EqualFold(goName, "Test"+strings.ReplaceAll(libuvName, "_", ""))
}

// camel turns timer_start_twice into TimerStartTwice.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}
