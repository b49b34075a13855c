package parser

import "bytes"

// Character classes, one bit each, looked up in cls.
const (
	cTchar  = 1 << iota // token character (RFC 9110 5.6.2)
	cTarget             // request-target character: VCHAR, 0x21-0x7E
	cValue              // field-value character: HTAB, SP, VCHAR, obs-text
	cHex                // hexadecimal digit
	cHost               // character allowed in a Host value / authority
	cQdtext             // quoted-string text: HTAB, SP, VCHAR but '"' and '\\', obs-text
	cScheme             // scheme character after the first: ALPHA, DIGIT, '+', '-', '.'
)

var cls = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alpha := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		digit := b >= '0' && b <= '9'
		var v uint8
		if alpha || digit {
			v |= cTchar | cHost | cScheme
		}
		switch b {
		case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
			v |= cTchar
		}
		switch b {
		case '!', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', ':', ';', '=', '[', ']', '_', '~':
			v |= cHost
		}
		switch b {
		case '+', '-', '.':
			v |= cScheme
		}
		if b >= 0x21 && b <= 0x7e {
			v |= cTarget
		}
		if b == '\t' || b >= 0x20 && b != 0x7f {
			v |= cValue
			if b != '"' && b != '\\' {
				v |= cQdtext
			}
		}
		if digit || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			v |= cHex
		}
		t[c] = v
	}
	return
}()

// unhex returns the value of hex digit c (which must have class cHex).
func unhex(c byte) uint64 {
	switch {
	case c <= '9':
		return uint64(c - '0')
	case c >= 'a':
		return uint64(c - 'a' + 10)
	default:
		return uint64(c - 'A' + 10)
	}
}

// lower folds an ASCII upper-case letter to lower case.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold reports whether b equals the lower-case ASCII string s, ignoring
// the case of b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// trimOWS strips leading and trailing SP and HTAB.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// nextListElem splits b, a comma-separated list (RFC 9110 5.6.1), into its
// first element (OWS trimmed, possibly empty) and the rest after the comma
// (nil after the last element).
func nextListElem(b []byte) (elem, rest []byte) {
	if i := bytes.IndexByte(b, ','); i >= 0 {
		return trimOWS(b[:i]), b[i+1:]
	}
	return trimOWS(b), nil
}
