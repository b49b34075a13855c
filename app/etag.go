package app

import (
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"sync"
)

// The ETag cache's shape: how many small bodies it remembers, and how small they are.
const (
	etagSlots   = 4
	etagBodyMax = 128
	etagTagMax  = 48 // W/"<up to 16 hex digits>-<27 base64>" is at most 48 bytes
)

// etagCache remembers the weak ETags of an application's last few small bodies: an app
// tends to send the same small bodies again and again (a greeting, a status document), and
// hashing even a short one costs ten times more than finding it here. Bodies are compared by
// their bytes, so it holds copies; larger bodies are hashed every time. The lock is there for
// an application served by several loops at once; on one loop it is never contended.
type etagCache struct {
	mu    sync.Mutex
	next  uint8 // the slot the next new body replaces
	slots [etagSlots]etagSlot
}

type etagSlot struct {
	bodyLen uint8
	tagLen  uint8 // 0: the slot is empty
	body    [etagBodyMax]byte
	tag     [etagTagMax]byte
}

// appendTag appends body's weak ETag to b, from the cache when it holds body.
func (c *etagCache) appendTag(b, body []byte) []byte {
	if len(body) > etagBodyMax {
		return appendWeakETag(b, body)
	}
	c.mu.Lock()
	for i := range c.slots {
		s := &c.slots[i]
		if s.tagLen != 0 && int(s.bodyLen) == len(body) && string(s.body[:len(body)]) == string(body) {
			b = append(b, s.tag[:s.tagLen]...)
			c.mu.Unlock()
			return b
		}
	}
	start := len(b)
	b = appendWeakETag(b, body)
	s := &c.slots[c.next]
	c.next = (c.next + 1) % etagSlots
	s.bodyLen = uint8(copy(s.body[:], body))
	s.tagLen = uint8(copy(s.tag[:], b[start:]))
	c.mu.Unlock()
	return b
}

// appendWeakETag is the etag module's weak tag of a body: W/"<len hex>-<sha1 base64[:27]>".
func appendWeakETag(b []byte, body []byte) []byte {
	sum := sha1.Sum(body)
	var enc [28]byte
	base64.StdEncoding.Encode(enc[:], sum[:])
	b = append(b, 'W', '/', '"')
	b = strconv.AppendInt(b, int64(len(body)), 16)
	b = append(b, '-')
	b = append(b, enc[:27]...)
	return append(b, '"')
}
