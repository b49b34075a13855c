package http

import (
	"strings"
	"testing"
)

// equalFoldStr agrees with strings.EqualFold on every pair of bytes (ASCII case folding
// only: bytes from 0x80 up are compared as they are), and on the same string twice.
func TestEqualFoldStr(t *testing.T) {
	ref := func(a, b string) bool {
		if len(a) != len(b) {
			return false
		}
		for i := 0; i < len(a); i++ {
			if a[i] >= 0x80 || b[i] >= 0x80 {
				if a[i] != b[i] {
					return false
				}
			} else if !strings.EqualFold(a[i:i+1], b[i:i+1]) {
				return false
			}
		}
		return true
	}
	for c := 0; c < 256; c++ {
		for d := 0; d < 256; d++ {
			a, b := "x"+string([]byte{byte(c)})+"y", "x"+string([]byte{byte(d)})+"y"
			if got, want := equalFoldStr(a, b), ref(a, b); got != want {
				t.Fatalf("equalFoldStr(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
	s := "Content-Type"
	if !equalFoldStr(s, s) || !equalFoldStr("", "") || equalFoldStr("a", "ab") || !equalFoldStr("ETag", "etag") {
		t.Fatal("equalFoldStr: wrong on the simple cases")
	}
}
