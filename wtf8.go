package uv

import (
	"unicode/utf16"
	"unicode/utf8"
)

// WTF-8 and UTF-16 conversions (libuv's uv_wtf8_length_as_utf16, uv_wtf8_to_utf16,
// uv_utf16_length_as_wtf8, uv_utf16_to_wtf8). WTF-8 is UTF-8 that may also hold unpaired
// UTF-16 surrogates (U+D800 to U+DFFF), each as its three-byte form: it carries any
// sequence of UTF-16 units, so that a Windows name that is not valid UTF-16 survives the
// round trip. Pure code, the same on every OS.

// decodeWTF8 decodes the first character of s: a rune, or an unpaired surrogate in its
// three-byte form. size is 0 if s does not start with a valid WTF-8 sequence.
func decodeWTF8(s string) (r rune, size int) {
	r, size = utf8.DecodeRuneInString(s)
	if r != utf8.RuneError || size > 1 {
		return r, size
	}
	if len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		return rune(s[0]&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	return utf8.RuneError, 0
}

// WTF8LengthAsUTF16 returns the number of UTF-16 units s converts to; EINVAL if s is not
// valid WTF-8.
func WTF8LengthAsUTF16(s string) (int, error) {
	n := 0
	for i := 0; i < len(s); {
		r, size := decodeWTF8(s[i:])
		if size == 0 {
			return 0, EINVAL
		}
		i += size
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n, nil
}

// WTF8ToUTF16 converts s to UTF-16, an unpaired surrogate to its own unit; EINVAL if s is
// not valid WTF-8.
func WTF8ToUTF16(s string) ([]uint16, error) {
	n, err := WTF8LengthAsUTF16(s)
	if err != nil {
		return nil, err
	}
	return AppendWTF8AsUTF16(make([]uint16, 0, n), s)
}

// AppendWTF8AsUTF16 appends the UTF-16 form of s to b; EINVAL, with b unchanged, if s is not
// valid WTF-8.
func AppendWTF8AsUTF16(b []uint16, s string) ([]uint16, error) {
	n := len(b)
	for i := 0; i < len(s); {
		r, size := decodeWTF8(s[i:])
		if size == 0 {
			return b[:n], EINVAL
		}
		i += size
		if r >= 0xD800 && r < 0xE000 {
			b = append(b, uint16(r))
			continue
		}
		b = utf16.AppendRune(b, r)
	}
	return b, nil
}

// UTF16LengthAsWTF8 returns the number of bytes UTF16ToWTF8 makes of u.
func UTF16LengthAsWTF8(u []uint16) int {
	n := 0
	for i := 0; i < len(u); i++ {
		c := rune(u[i])
		switch {
		case c < 0x80:
			n++
		case c < 0x800:
			n += 2
		case utf16.IsSurrogate(c) && c < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] < 0xE000:
			n += 4
			i++
		default:
			n += 3
		}
	}
	return n
}

// UTF16ToWTF8 converts UTF-16 to WTF-8: a surrogate pair becomes its four-byte character,
// an unpaired surrogate its three-byte form.
func UTF16ToWTF8(u []uint16) string {
	b := make([]byte, 0, UTF16LengthAsWTF8(u))
	for i := 0; i < len(u); i++ {
		c := rune(u[i])
		if c >= 0xD800 && c < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] < 0xE000 {
			b = utf8.AppendRune(b, utf16.DecodeRune(c, rune(u[i+1])))
			i++
			continue
		}
		if c >= 0xD800 && c < 0xE000 {
			// utf8.AppendRune would write U+FFFD; WTF-8 keeps the unit.
			b = append(b, 0xE0|byte(c>>12), 0x80|byte(c>>6)&0x3F, 0x80|byte(c)&0x3F)
			continue
		}
		b = utf8.AppendRune(b, c)
	}
	return string(b)
}
