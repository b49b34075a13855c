package app

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The cache answers exactly what hashing answers: for a body seen before, one just evicted,
// the empty body, bodies of one length that differ, and bodies too large to keep.
func TestETagCache(t *testing.T) {
	var c etagCache
	bodies := []string{
		"Hello, World!", "Hello, World!", "", "", "Hello, World?", "a", "b", "c", "d",
		"Hello, World!", "a", strings.Repeat("x", etagBodyMax), strings.Repeat("x", etagBodyMax),
		strings.Repeat("y", etagBodyMax+1), strings.Repeat("y", etagBodyMax+1), "Hello, World!",
	}
	for i, b := range bodies {
		want := string(appendWeakETag(nil, []byte(b)))
		assert.Equal(t, want, string(c.appendTag([]byte("pre"), []byte(b))[3:]), "body %d", i)
	}
	assert.Equal(t, `W/"d-CgqfKmdylCVXq1NV12r0Qvj2XgE"`, string(c.appendTag(nil, []byte("Hello, World!"))))
	assert.Equal(t, `W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"`, string(c.appendTag(nil, nil)))
}

// One application served by several loops shares the cache: run with -race.
func TestETagCacheConcurrent(t *testing.T) {
	var c etagCache
	bodies := []string{"one", "two", "three", "four", "five", "six"}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				b := []byte(bodies[(i+g)%len(bodies)])
				if got, want := string(c.appendTag(nil, b)), string(appendWeakETag(nil, b)); got != want {
					t.Errorf("%s: %s, want %s", b, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
