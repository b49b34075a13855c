package http

import (
	"math/rand"
	"testing"
)

// The word-at-a-time header checks agree with the byte-wise definitions: every byte value
// at every position of strings of 1 to 24 bytes, tabs and DEL around word boundaries, and
// random strings.
func TestValidValueAndTokenMatchDefinition(t *testing.T) {
	refValue := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return false
			}
		}
		return true
	}
	refToken := func(b []byte) bool {
		if len(b) == 0 {
			return false
		}
		for _, c := range b {
			if !tokenChars[c] {
				return false
			}
		}
		return true
	}
	check := func(b []byte) {
		t.Helper()
		if got, want := validValueBytes(b), refValue(b); got != want {
			t.Fatalf("validValueBytes(%q) = %v, want %v", b, got, want)
		}
		if got, want := validValue(string(b)), refValue(b); got != want {
			t.Fatalf("validValue(%q) = %v, want %v", b, got, want)
		}
		if got, want := validToken(string(b)), refToken(b); got != want {
			t.Fatalf("validToken(%q) = %v, want %v", b, got, want)
		}
	}
	check(nil)
	for n := 1; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte("abcdefghijklmnopqrstuvwx"[:n])
				b[pos] = byte(c)
				check(b)
				// A tab before the byte, and a tab in every other place too.
				for k := range b {
					if k != pos {
						b2 := append([]byte(nil), b...)
						b2[k] = '\t'
						check(b2)
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("aZ09 -\t\x7f\x1f\x80\xff:;,")
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.Intn(40))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
		}
		check(b)
	}
}
