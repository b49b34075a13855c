//go:build linux

package docs

import (
	"bufio"
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The porting guide lists every function of libuv's uv.h, once, and every Go name it gives
// exists: the guide cannot rot as the code changes.

// goPackages maps the package names the guide uses to import paths.
var goPackages = map[string]string{
	"uv":         "github.com/uv-go/uv",
	"handles":    "github.com/uv-go/uv/handles",
	"threadpool": "github.com/uv-go/uv/threadpool",
	"timers":     "github.com/uv-go/uv/timers",
	"stream":     "github.com/uv-go/uv/stream",
	"os":         "os",
	"net":        "net",
	"netip":      "net/netip",
	"sync":       "sync",
	"time":       "time",
	"runtime":    "runtime",
	"debug":      "runtime/debug",
	"pprof":      "runtime/pprof",
	"syscall":    "syscall",
	"errors":     "errors",
	"fs":         "io/fs",
	"io":         "io",
	"user":       "os/user",
	"signal":     "os/signal",
	"plugin":     "plugin",
	"utf16":      "unicode/utf16",
}

type row struct {
	line         int
	libuv        string
	goNames      []string
	notes        string
	noEquivalent bool
}

var (
	rowRE  = regexp.MustCompile("^\\| `(uv_\\w+)` \\| (.*) \\| (.*) \\|$")
	codeRE = regexp.MustCompile("`([^`]+)`")
	// A qualified Go name: pkg.Name, pkg.Type.Member or pkg.(*Type).Member.
	nameRE = regexp.MustCompile(`^([a-z][a-z0-9]*)\.(\(\*([A-Z]\w*)\)\.([A-Z]\w*)|([A-Z]\w*)(?:\.([A-Z]\w*))?)$`)
)

func readGuide(t *testing.T) (rows []row, code []string) {
	t.Helper()
	f, err := os.Open("porting.md")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		for _, m := range codeRE.FindAllStringSubmatch(line, -1) {
			code = append(code, m[1])
		}
		m := rowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r := row{line: n, libuv: m[1], notes: strings.TrimSpace(m[3])}
		if cell := strings.TrimSpace(m[2]); cell == "—" {
			r.noEquivalent = true
		} else {
			for _, c := range strings.Split(cell, ", ") {
				c = strings.TrimSpace(c)
				require.True(t, strings.HasPrefix(c, "`") && strings.HasSuffix(c, "`"),
					"line %d: the uv-go cell lists `names` or —, got %q", n, c)
				r.goNames = append(r.goNames, strings.Trim(c, "`"))
			}
		}
		rows = append(rows, r)
	}
	require.NoError(t, sc.Err())
	return rows, code
}

func uvFunctions(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/uv_h_1.52.txt")
	require.NoError(t, err)
	var names []string
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	return names
}

func TestPortingGuideCoversUVH(t *testing.T) {
	rows, _ := readGuide(t)
	want := uvFunctions(t)
	require.Len(t, want, 318, "uv.h of libuv 1.52 declares 318 functions")
	seen := map[string]int{}
	for _, r := range rows {
		if prev, ok := seen[r.libuv]; ok {
			t.Errorf("line %d: %s is listed again (first on line %d)", r.line, r.libuv, prev)
		}
		seen[r.libuv] = r.line
		if r.noEquivalent {
			assert.NotEmpty(t, r.notes, "line %d: %s has no equivalent and no reason", r.line, r.libuv)
		}
	}
	known := map[string]bool{}
	for _, name := range want {
		known[name] = true
		if _, ok := seen[name]; !ok {
			t.Errorf("%s is missing from the guide", name)
		}
	}
	for name, line := range seen {
		if !known[name] {
			t.Errorf("line %d: uv.h has no %s", line, name)
		}
	}
}

// lookup reports whether name (a qualified Go name) exists.
func lookup(pkgs map[string]*types.Package, name string) error {
	m := nameRE.FindStringSubmatch(name)
	if m == nil {
		return fmt.Errorf("not a qualified Go name")
	}
	pkg := pkgs[m[1]]
	if pkg == nil {
		return fmt.Errorf("unknown package %q", m[1])
	}
	typeName, member, pointer := m[5], m[6], false
	if m[3] != "" {
		typeName, member, pointer = m[3], m[4], true
	}
	obj := pkg.Scope().Lookup(typeName)
	if obj == nil || !obj.Exported() {
		return fmt.Errorf("%s has no %s", pkg.Path(), typeName)
	}
	if member == "" {
		return nil
	}
	tn, ok := obj.(*types.TypeName)
	if !ok {
		return fmt.Errorf("%s.%s is not a type", m[1], typeName)
	}
	var recv types.Type = tn.Type()
	if pointer {
		recv = types.NewPointer(recv)
	}
	found, _, _ := types.LookupFieldOrMethod(recv, true, pkg, member)
	if found == nil {
		return fmt.Errorf("%s has no field or method %s", typeName, member)
	}
	if _, isMethod := found.(*types.Func); pointer && !isMethod {
		return fmt.Errorf("(*%s).%s is a field: write %s.%s", typeName, member, typeName, member)
	}
	return nil
}

// loadPackages type-checks the packages of goPackages from the compiler's export data,
// which one "go list -export" call finds (building what is not in the build cache).
var loadPackages = sync.OnceValues(func() (map[string]*types.Package, error) {
	paths := make([]string, 0, len(goPackages))
	for _, path := range goPackages {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.String())
	}
	exports := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if path, file, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok && file != "" {
			exports[path] = file
		}
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	pkgs := map[string]*types.Package{}
	for name, path := range goPackages {
		p, err := imp.Import(path)
		if err != nil {
			return nil, err
		}
		pkgs[name] = p
	}
	return pkgs, nil
})

func TestPortingGuideNamesExist(t *testing.T) {
	rows, code := readGuide(t)
	pkgs, err := loadPackages()
	require.NoError(t, err)
	// The names of the uv-go column must exist.
	for _, r := range rows {
		for _, name := range r.goNames {
			if err := lookup(pkgs, name); err != nil {
				t.Errorf("line %d (%s): %s: %v", r.line, r.libuv, name, err)
			}
		}
	}
	// So must every qualified name quoted anywhere else (notes and narrative).
	checked := 0
	for _, c := range code {
		m := nameRE.FindStringSubmatch(c)
		if m == nil || pkgs[m[1]] == nil {
			continue
		}
		checked++
		if err := lookup(pkgs, c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	require.Greater(t, checked, 300)
}

// The checker catches what it is meant to catch.
func TestPortingGuideLookup(t *testing.T) {
	all, err := loadPackages()
	require.NoError(t, err)
	pkgs := map[string]*types.Package{"uv": all["uv"], "sync": all["sync"]}
	for _, ok := range []string{"uv.NewLoop", "uv.(*Loop).Run", "uv.Loop.Data", "uv.HandleType.String", "sync.Mutex.Lock", "uv.(*Handle).Close"} {
		assert.NoError(t, lookup(pkgs, ok), ok)
	}
	for _, bad := range []string{"uv.NoSuchThing", "uv.(*Loop).Fly", "uv.(*Loop).Data", "uv.newLoopless", "net.Dial", "uv.Loop.Run()"} {
		assert.Error(t, lookup(pkgs, bad), bad)
	}
}
