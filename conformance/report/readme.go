package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// naRow is one row of the not-applicable table in conformance/README.md.
type naRow struct {
	Name, Area, Reason string
	Line               int
}

// naHeader is the header row, cell by cell, of a not-applicable table.
var naHeader = []string{"libuv test", "area", "reason"}

// osNAHeader is the header row of a table of tests not applicable on some
// OS: the second cell names the OS (or several, comma-separated).
var osNAHeader = []string{"libuv test", "os", "reason"}

// parseNA reads every markdown table whose header row is
// "| libuv test | area | reason |" from r. Rows whose cells cannot be read
// are reported as problems. found is false when r has no such table.
func parseNA(r io.Reader) (rows []naRow, problems []string, found bool, err error) {
	return parseTable(r, naHeader)
}

// parseOSNA reads every "| libuv test | os | reason |" table from r; each
// row's Area holds the OS names.
func parseOSNA(r io.Reader) (rows []naRow, problems []string, found bool, err error) {
	return parseTable(r, osNAHeader)
}

// parseTable reads the three-column tables headed by header.
func parseTable(r io.Reader, header []string) (rows []naRow, problems []string, found bool, err error) {
	what := "not-applicable"
	if header[1] == "os" {
		what = "per-OS not-applicable"
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	line := 0
	// state: 0 outside a table, 1 header seen (separator expected), 2 in rows
	state := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		switch state {
		case 0:
			if cells, ok := tableCells(s); ok && sameHeader(cells, header) {
				state = 1
				found = true
			}
		case 1:
			if cells, ok := tableCells(s); ok && isSeparator(cells) {
				state = 2
			} else {
				problems = append(problems, fmt.Sprintf("README.md:%d: "+what+" table header is not followed by a |---| separator row", line))
				state = 0
			}
		case 2:
			cells, ok := tableCells(s)
			if !ok {
				state = 0
				continue
			}
			if len(cells) != 3 {
				problems = append(problems, fmt.Sprintf("README.md:%d: %s row has %d cells, want 3 (%s)", line, what, len(cells), strings.Join(header, " | ")))
				continue
			}
			row := naRow{Name: unquote(cells[0]), Area: unquote(cells[1]), Reason: cells[2], Line: line}
			switch {
			case !markerName.MatchString(row.Name):
				problems = append(problems, fmt.Sprintf("README.md:%d: %q is not a libuv test name", line, cells[0]))
			case row.Reason == "":
				problems = append(problems, fmt.Sprintf("README.md:%d: %s: the reason is empty", line, row.Name))
			default:
				rows = append(rows, row)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, false, err
	}
	if state == 1 {
		problems = append(problems, fmt.Sprintf("README.md:%d: "+what+" table header is not followed by a |---| separator row", line))
	}
	return rows, problems, found, nil
}

// tableCells splits a markdown table row "| a | b |" into trimmed cells.
// An escaped pipe (\|) stays inside its cell.
func tableCells(s string) ([]string, bool) {
	if len(s) < 2 || s[0] != '|' || s[len(s)-1] != '|' || strings.HasSuffix(s, `\|`) {
		return nil, false
	}
	inner := s[1 : len(s)-1]
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(inner); i++ {
		switch {
		case inner[i] == '\\' && i+1 < len(inner) && inner[i+1] == '|':
			cur.WriteByte('|')
			i++
		case inner[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(inner[i])
		}
	}
	cells = append(cells, strings.TrimSpace(cur.String()))
	return cells, true
}

func sameHeader(cells, header []string) bool {
	if len(cells) != len(header) {
		return false
	}
	for i, c := range cells {
		if !strings.EqualFold(strings.Join(strings.Fields(c), " "), header[i]) {
			return false
		}
	}
	return true
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		c = strings.Trim(c, ":")
		if c == "" || strings.Trim(c, "-") != "" {
			return false
		}
	}
	return true
}

// unquote strips markdown code quotes: `loop_init_oom` -> loop_init_oom.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// checkNA validates the not-applicable rows against the catalog and the
// ports: names must be known, listed once, and not ported. A wrong area is
// only a warning.
func checkNA(rows []naRow, cat *catalog, ports map[string]port) (na map[string]naRow, problems, warnings []string) {
	na = map[string]naRow{}
	for _, r := range rows {
		area, known := cat.area[r.Name]
		switch {
		case !known:
			problems = append(problems, fmt.Sprintf("README.md:%d: unknown libuv test %q in the not-applicable table", r.Line, r.Name))
			continue
		case na[r.Name].Name != "":
			problems = append(problems, fmt.Sprintf("README.md:%d: %s is listed twice in the not-applicable table (also line %d)", r.Line, r.Name, na[r.Name].Line))
			continue
		}
		if p, ported := ports[r.Name]; ported {
			problems = append(problems, fmt.Sprintf("README.md:%d: %s is marked not applicable but %s ports it (%s)", r.Line, r.Name, p.Test, p.Pos))
			continue
		}
		if r.Area != area {
			warnings = append(warnings, fmt.Sprintf("README.md:%d: %s is in area %q, not %q", r.Line, r.Name, area, r.Area))
		}
		na[r.Name] = r
	}
	return na, problems, warnings
}

// osNA maps a libuv test to the OSes it is not applicable on, with the reason.
type osNA map[string]map[string]naRow

// checkOSNA validates the per-OS rows: names must be known and ported (a
// test never ported belongs in the not-applicable table), and each OS listed
// once per test.
func checkOSNA(rows []naRow, cat *catalog, ports map[string]port) (na osNA, problems []string) {
	na = osNA{}
	for _, r := range rows {
		if _, known := cat.area[r.Name]; !known {
			problems = append(problems, fmt.Sprintf("README.md:%d: unknown libuv test %q in the per-OS not-applicable table", r.Line, r.Name))
			continue
		}
		if _, ported := ports[r.Name]; !ported {
			problems = append(problems, fmt.Sprintf("README.md:%d: %s is in the per-OS not-applicable table but not ported", r.Line, r.Name))
			continue
		}
		for _, o := range strings.Split(r.Area, ",") {
			o = strings.TrimSpace(unquote(strings.TrimSpace(o)))
			if o == "" {
				problems = append(problems, fmt.Sprintf("README.md:%d: %s: empty OS name", r.Line, r.Name))
				continue
			}
			if na[r.Name] == nil {
				na[r.Name] = map[string]naRow{}
			}
			if prev, dup := na[r.Name][o]; dup {
				problems = append(problems, fmt.Sprintf("README.md:%d: %s is listed for %s twice (also line %d)", r.Line, r.Name, o, prev.Line))
				continue
			}
			na[r.Name][o] = r
		}
	}
	return na, problems
}

// unixNames are the OS names the word "unix" stands for in the per-OS table.
var unixNames = map[string]bool{
	"linux": true, "darwin": true, "freebsd": true, "netbsd": true, "openbsd": true,
	"dragonfly": true, "solaris": true, "illumos": true, "aix": true, "android": true, "ios": true,
}

// on reports whether name is not applicable on the OS (listed by name, or as "unix").
func (na osNA) on(name, osName string) bool {
	if _, ok := na[name][osName]; ok {
		return true
	}
	_, ok := na[name]["unix"]
	return ok && unixNames[osName]
}
