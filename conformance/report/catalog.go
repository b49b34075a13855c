// Command report prints how much of libuv's own test suite uv-go has ported
// and how the ported tests fare: it reads the libuv test list
// (conformance/libuv-tests.tsv), finds the `// libuv: <name>` markers above
// the Go tests in conformance/, reads the not-applicable table of
// conformance/README.md, runs (or reads the -json output of) go test, and
// prints one markdown table row per libuv area. It imports only the standard
// library, so it builds wherever the module does.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// catalog is the list of libuv tests with the area each belongs to.
type catalog struct {
	names []string          // in file order
	area  map[string]string // name -> area
}

// areas returns the distinct areas, sorted.
func (c *catalog) areas() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range c.names {
		a := c.area[n]
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// parseCatalog reads the tab-separated test list: one "name<TAB>area" per
// line; blank lines and lines starting with '#' are ignored.
func parseCatalog(r io.Reader) (*catalog, error) {
	c := &catalog{area: map[string]string{}}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Fields(s)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: want \"name<TAB>area\", got %q", line, s)
		}
		if _, dup := c.area[f[0]]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice", line, f[0])
		}
		c.names = append(c.names, f[0])
		c.area[f[0]] = f[1]
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(c.names) == 0 {
		return nil, fmt.Errorf("no tests listed")
	}
	return c, nil
}

// findModuleRoot walks up from dir to the first directory holding go.mod.
func findModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod found in %s or any parent directory", dir)
		}
		dir = parent
	}
}

// modulePath returns the module path declared in a go.mod file's contents.
func modulePath(gomod []byte) (string, error) {
	for _, l := range strings.Split(string(gomod), "\n") {
		l = strings.TrimSpace(l)
		if i := strings.Index(l, "//"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		rest, ok := strings.CutPrefix(l, "module")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '"') {
			continue
		}
		p := strings.Trim(strings.TrimSpace(rest), `"`)
		if p != "" {
			return p, nil
		}
	}
	return "", fmt.Errorf("go.mod has no module line")
}
