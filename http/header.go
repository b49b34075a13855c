package http

import (
	"encoding/binary"
	"math/bits"
	"unsafe"

	"github.com/uv-go/uv/http/parser"
)

func methodsList() []string { return parser.Methods() }

// Header is a read-only view of a message's header (or trailer) fields, in the order they
// arrived and with the names as sent. Lookups ignore ASCII case. The view points into the
// connection's parser buffer: it is valid until the response to its request has closed (the
// next request reuses the buffer). The string methods copy; GetBytes, Has and Equal do not
// allocate.
type Header struct {
	buf    []byte
	fields []parser.Field
}

func makeHeader(buf []byte, fields []parser.Field) Header {
	return Header{buf: buf[:cap(buf)], fields: fields}
}

// Len returns the number of fields.
func (h Header) Len() int { return len(h.fields) }

// At returns field i's name and value, pointing into the parser's buffer.
func (h Header) At(i int) (name, value []byte) {
	f := h.fields[i]
	return f.Name.In(h.buf), f.Value.In(h.buf)
}

// GetBytes returns the value of the first field named name, without copying, or nil.
func (h Header) GetBytes(name string) []byte {
	for _, f := range h.fields {
		if equalFold(f.Name.In(h.buf), name) {
			return f.Value.In(h.buf)
		}
	}
	return nil
}

// Has reports whether a field named name is present.
func (h Header) Has(name string) bool {
	for _, f := range h.fields {
		if equalFold(f.Name.In(h.buf), name) {
			return true
		}
	}
	return false
}

// Equal reports whether the first field named name has exactly the value value.
func (h Header) Equal(name, value string) bool {
	for _, f := range h.fields {
		if equalFold(f.Name.In(h.buf), name) {
			return string(f.Value.In(h.buf)) == value
		}
	}
	return false
}

// Get returns the value of name as Node's req.headers[name] does: the first value, or for
// fields Node joins (most of them) all values joined with ", "; Set-Cookie's values are
// joined with ", " too (use Values to keep them apart); "" if absent.
func (h Header) Get(name string) string {
	n := 0
	var first []byte
	for _, f := range h.fields {
		if equalFold(f.Name.In(h.buf), name) {
			if n == 0 {
				first = f.Value.In(h.buf)
			}
			n++
		}
	}
	switch {
	case n == 0:
		return ""
	case n == 1 || dropDuplicate(name):
		return string(first)
	}
	sep := ", "
	if equalFold([]byte(name), "cookie") {
		sep = "; "
	}
	var b []byte
	for _, f := range h.fields {
		if equalFold(f.Name.In(h.buf), name) {
			if len(b) > 0 {
				b = append(b, sep...)
			}
			b = append(b, f.Value.In(h.buf)...)
		}
	}
	return string(b)
}

// dropDuplicate lists the fields whose repeats Node discards (the first value wins).
func dropDuplicate(name string) bool {
	switch len(name) {
	case 3:
		return equalFoldStr(name, "age")
	case 4:
		return equalFoldStr(name, "etag") || equalFoldStr(name, "from") || equalFoldStr(name, "host")
	case 6:
		return equalFoldStr(name, "server")
	case 7:
		return equalFoldStr(name, "expires") || equalFoldStr(name, "referer")
	case 8:
		return equalFoldStr(name, "location")
	case 11:
		return equalFoldStr(name, "retry-after")
	case 12:
		return equalFoldStr(name, "content-type") || equalFoldStr(name, "max-forwards")
	case 13:
		return equalFoldStr(name, "authorization") || equalFoldStr(name, "last-modified")
	case 14:
		return equalFoldStr(name, "content-length")
	case 17:
		return equalFoldStr(name, "if-modified-since")
	case 19:
		return equalFoldStr(name, "if-unmodified-since") || equalFoldStr(name, "proxy-authorization")
	case 10:
		return equalFoldStr(name, "user-agent")
	}
	return false
}

// Values returns every value of the fields named name, in order.
func (h Header) Values(name string) []string {
	var out []string
	for _, f := range h.fields {
		if equalFold(f.Name.In(h.buf), name) {
			out = append(out, string(f.Value.In(h.buf)))
		}
	}
	return out
}

// Raw returns the fields as Node's rawHeaders: name, value, name, value, ... as sent.
func (h Header) Raw() []string {
	out := make([]string, 0, 2*len(h.fields))
	for _, f := range h.fields {
		out = append(out, string(f.Name.In(h.buf)), string(f.Value.In(h.buf)))
	}
	return out
}

// Map returns the fields as a map from lower-case names to their values (a copy).
func (h Header) Map() map[string][]string {
	m := make(map[string][]string, len(h.fields))
	for _, f := range h.fields {
		k := lowerString(f.Name.In(h.buf))
		m[k] = append(m[k], string(f.Value.In(h.buf)))
	}
	return m
}

func lowerString(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lower(c)
	}
	return unsafe.String(unsafe.SliceData(out), len(out))
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] != s[i] && lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func equalFoldStr(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if unsafe.StringData(a) == unsafe.StringData(b) {
		return true // the same literal (the linker keeps one copy of each)
	}
	for i := 0; i < len(a); i++ {
		if c, d := a[i], b[i]; c != d {
			// Equal but for case: the same letter with and without bit 0x20.
			if c |= 0x20; c != d|0x20 || c < 'a' || c > 'z' {
				return false
			}
		}
	}
	return true
}

// tokenChars marks the characters of an HTTP token (RFC 9110 tchar).
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()

func validToken(s string) bool {
	switch s {
	case "":
		return false
	case "Content-Type", "Content-Length", "Cache-Control", "ETag", "X-Powered-By", "Location",
		"Set-Cookie", "Last-Modified", "Server", "Vary":
		// The names set on most responses: a string switch is cheaper than the loop.
		return true
	}
	i := 0
	for ; len(s)-i >= 4; i += 4 {
		if !(tokenChars[s[i]] && tokenChars[s[i+1]] && tokenChars[s[i+2]] && tokenChars[s[i+3]]) {
			return false
		}
	}
	for ; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// validValue is Node's checkInvalidHeaderChar: tab, visible ASCII, space and obs-text. It
// judges each byte alone, which SetHeaderBytes relies on (see there).
func validValue(s string) bool { return validValueBytes(unsafeBytes(s)) }

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

func validValueBytes(b []byte) bool {
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		// Eight bytes at a time: flag those below 0x20 and DEL (0x80 in their place; the
		// lowest flag is always a true one), then let a flagged tab through.
		if m := ctlMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			k := i + bits.TrailingZeros64(m)>>3
			if b[k] != '\t' {
				return false
			}
			i = k + 1 - 8 // go on after the tab
		}
	}
	if i < len(b) && len(b) >= 8 && ctlMask(binary.LittleEndian.Uint64(b[len(b)-8:])) == 0 {
		return true // the rest, in the last eight bytes (read again in part), is clean
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// ctlMask flags (0x80 in their place) the bytes of w below 0x20 and DEL; the lowest flag is
// always a true one.
func ctlMask(w uint64) uint64 {
	less := (w - lo8*0x20) &^ w
	x := w ^ (lo8 * 0x7f)
	del := (x - lo8) &^ x
	return (less | del) & hi8
}

// unsafeBytes views a string's bytes without copying; the bytes are only read.
func unsafeBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// hasToken reports whether the comma-separated list v contains tok (ASCII case ignored).
func hasToken(v, tok string) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		e := v[:i]
		for len(e) > 0 && (e[0] == ' ' || e[0] == '\t') {
			e = e[1:]
		}
		for len(e) > 0 && (e[len(e)-1] == ' ' || e[len(e)-1] == '\t') {
			e = e[:len(e)-1]
		}
		if equalFoldStr(e, tok) {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}
