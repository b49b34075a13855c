package uv

import (
	"os"
	"strings"

	"golang.org/x/sys/windows"
)

// searchExe finds the program a spawn runs, as libuv's search_path does (cmd.exe's rules,
// without PATHEXT: CreateProcess runs only .com and .exe files):
//
//   - a file named with a directory (relative or absolute) is not searched in PATH;
//   - a bare name is looked for in cwd first (unless NoDefaultCurrentDirectoryInExePath is
//     set), then in each PATH entry; entries may be quoted and relative to cwd;
//   - a name with an extension, or with a directory and ProcessWindowsFilePathExactName, is
//     tried as it is first; then with ".com" and then ".exe" appended.
//
// It returns "" when nothing is found.
func searchExe(file, cwd, path string, flags int) string {
	if file == "" || file == "." {
		return ""
	}
	i := len(file)
	for i > 0 && !strings.ContainsRune(`\/:`, rune(file[i-1])) {
		i--
	}
	dir, name := file[:i], file[i:]
	dot := strings.IndexByte(name, '.')
	hasExt := dot >= 0 && dot+1 < len(name)
	if dir != "" {
		return searchExeIn(dir, name, cwd, hasExt || flags&ProcessWindowsFilePathExactName != 0)
	}
	if _, ok := os.LookupEnv("NoDefaultCurrentDirectoryInExePath"); !ok {
		if r := searchExeIn("", file, cwd, hasExt); r != "" {
			return r
		}
	}
	for rest := path; rest != ""; {
		end := 0
		if q := rest[0]; q == '"' || q == '\'' {
			// A quoted entry runs to its closing quote, and on to the next separator.
			if j := strings.IndexByte(rest[1:], q); j >= 0 {
				end = j + 1
			} else {
				end = len(rest)
			}
		}
		if j := strings.IndexByte(rest[end:], ';'); j >= 0 {
			end += j
		} else {
			end = len(rest)
		}
		entry := rest[:end]
		rest = rest[min(end+1, len(rest)):]
		if entry != "" && (entry[0] == '"' || entry[0] == '\'') {
			entry = entry[1:]
		}
		if entry != "" && (entry[len(entry)-1] == '"' || entry[len(entry)-1] == '\'') {
			entry = entry[:len(entry)-1]
		}
		if entry == "" {
			continue
		}
		if r := searchExeIn(entry, file, cwd, hasExt); r != "" {
			return r
		}
	}
	return ""
}

// searchExeIn tries name in dir: as it is when exact, then with .com and .exe.
func searchExeIn(dir, name, cwd string, exact bool) string {
	if exact {
		if r := exeCandidate(dir, name, "", cwd); r != "" {
			return r
		}
	}
	if r := exeCandidate(dir, name, "com", cwd); r != "" {
		return r
	}
	return exeCandidate(dir, name, "exe", cwd)
}

func isPathSep(c byte) bool { return c == '\\' || c == '/' }

// exeCandidate joins cwd, dir, name and extension as libuv does and returns the path if it
// names something that is not a directory. A UNC dir ignores cwd, a rooted one takes only
// cwd's drive, one with a drive letter but no root takes cwd only if it is on that drive.
func exeCandidate(dir, name, ext, cwd string) string {
	switch {
	case len(dir) > 2 && isPathSep(dir[0]) && isPathSep(dir[1]):
		cwd = ""
	case len(dir) >= 1 && isPathSep(dir[0]):
		cwd = cwd[:min(2, len(cwd))]
	case len(dir) >= 2 && dir[1] == ':' && (len(dir) < 3 || !isPathSep(dir[2])):
		if len(cwd) < 2 || !strings.EqualFold(cwd[:2], dir[:2]) {
			cwd = ""
		} else {
			dir = dir[2:]
		}
	case len(dir) > 2 && dir[1] == ':':
		cwd = ""
	}
	var b strings.Builder
	b.WriteString(cwd)
	if cwd != "" && !strings.ContainsRune(`\/:`, rune(cwd[len(cwd)-1])) {
		b.WriteByte('\\')
	}
	b.WriteString(dir)
	if dir != "" && !strings.ContainsRune(`\/:`, rune(dir[len(dir)-1])) {
		b.WriteByte('\\')
	}
	b.WriteString(name)
	if ext != "" {
		if name != "" && name[len(name)-1] != '.' {
			b.WriteByte('.')
		}
		b.WriteString(ext)
	}
	p := b.String()
	p16, err := windows.UTF16PtrFromString(p)
	if err != nil {
		return ""
	}
	attrs, err := windows.GetFileAttributes(p16)
	if err != nil || attrs&windows.FILE_ATTRIBUTE_DIRECTORY != 0 {
		return ""
	}
	return p
}
