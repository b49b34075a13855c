package uv

import (
	"os"
	"slices"
	"strings"
	"unicode/utf16"
)

// The command line and environment block of a Windows child, built as libuv builds them.

// commandLine joins args into a command line: with verbatim, separated by spaces as they
// are; otherwise each quoted as libuv's quote_cmd_arg quotes it, which the C runtime (and Go's
// os.Args) splits back into the same arguments.
func commandLine(args []string, verbatim bool) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if verbatim {
			b.WriteString(a)
		} else {
			quoteArg(&b, a)
		}
	}
	return b.String()
}

// quoteArg writes one argument with libuv's rules: "" for an empty one, as it is when it has
// no space, tab or quote, in quotes when it has no quote or backslash either, and otherwise
// in quotes with every quote escaped and the backslashes before a quote (or before the
// closing quote) doubled.
func quoteArg(b *strings.Builder, s string) {
	switch {
	case s == "":
		b.WriteString(`""`)
		return
	case !strings.ContainsAny(s, " \t\""):
		b.WriteString(s)
		return
	case !strings.ContainsAny(s, "\"\\"):
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	b.WriteByte('"')
	backslashes := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			backslashes++
		case '"':
			// The backslashes before a quote are doubled, and the quote escaped.
			b.WriteString(strings.Repeat(`\`, 2*backslashes+1))
			b.WriteByte('"')
			backslashes = 0
		default:
			b.WriteString(strings.Repeat(`\`, backslashes))
			b.WriteByte(c)
			backslashes = 0
		}
	}
	// Before the closing quote too.
	b.WriteString(strings.Repeat(`\`, 2*backslashes))
	b.WriteByte('"')
}

// requiredEnv are the variables libuv adds to a child's environment from this process's when
// the given environment lacks them: Winsock fails to start without SYSTEMROOT, many programs
// need TEMP, and Cygwin lists the others.
var requiredEnv = []string{"HOMEDRIVE", "HOMEPATH", "LOGONSERVER", "PATH", "SYSTEMDRIVE",
	"SYSTEMROOT", "TEMP", "USERDOMAIN", "USERNAME", "USERPROFILE", "WINDIR"}

// envName returns the name of a NAME=value entry: up to the first '=' (entries of the form
// "=C:=C:\dir", the per-drive directories, have an empty name).
func envName(kv string) string {
	if i := strings.IndexByte(kv, '='); i >= 0 {
		return kv[:i]
	}
	return kv
}

// envCompare orders variable names as Windows does: ordinally, ignoring case.
func envCompare(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(strings.ToUpper(a))), utf16.Encode([]rune(strings.ToUpper(b))))
}

// environmentBlock is libuv's make_program_env: the NAME=value entries of env (others are
// dropped), with the required variables this process has and env lacks, sorted by name, as
// a block of NUL-terminated UTF-16 strings ending with an empty one.
func environmentBlock(env []string) []uint16 {
	vars := make([]string, 0, len(env)+len(requiredEnv))
	for _, kv := range env {
		if strings.IndexByte(kv, '=') >= 0 {
			vars = append(vars, kv)
		}
	}
	for _, name := range requiredEnv {
		if _, ok := envLookup(vars, name); ok {
			continue
		}
		if v, ok := os.LookupEnv(name); ok {
			vars = append(vars, name+"="+v)
		}
	}
	slices.SortStableFunc(vars, func(a, b string) int { return envCompare(envName(a), envName(b)) })
	var block []uint16
	for _, kv := range vars {
		block = append(block, utf16.Encode([]rune(kv))...)
		block = append(block, 0)
	}
	if len(block) == 0 {
		block = append(block, 0)
	}
	return append(block, 0)
}

// envLookup finds name in env, ignoring case as Windows does.
func envLookup(env []string, name string) (string, bool) {
	for _, kv := range env {
		if i := strings.IndexByte(kv, '='); i >= 0 && strings.EqualFold(kv[:i], name) {
			return kv[i+1:], true
		}
	}
	return "", false
}
