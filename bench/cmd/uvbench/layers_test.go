package main

import "testing"

// TestHeadCounter feeds two pipelined heads split at every pair of places and checks that
// each is counted once.
func TestHeadCounter(t *testing.T) {
	in := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: b\r\n\r\n")
	for i := 0; i <= len(in); i++ {
		for j := i; j <= len(in); j++ {
			var h headCounter
			n := h.count(in[:i]) + h.count(in[i:j]) + h.count(in[j:])
			if n != 2 {
				t.Fatalf("split at %d and %d: %d heads, want 2", i, j, n)
			}
		}
	}
	var h headCounter
	if n := h.count([]byte("\r\n\r")) + h.count([]byte("x\r\n\r\n")); n != 1 {
		t.Fatalf("a broken blank line then a whole one: %d heads, want 1", n)
	}
}
