package http

import "unsafe"

// headCacheMax is the longest head the server keeps for reuse.
const headCacheMax = 1024

// headCache is the head of a server's last response, kept for the next one: a server tends
// to answer with the same status and fields again and again (a Content-Type, a
// Cache-Control), and copying the bytes costs a fraction of building them. The key is all
// appendHeadLines reads: the status and message, the fields (compared by value, in order),
// the framing and keep-alive inputs, the KeepAliveTimeout and the Date line's second. Fields
// set from bytes (the response's arena) are compared by their bytes, kept in a copy of the
// arena: an application's ETag of the same body, set with SetHeaderBytes, is the same.
type headCache struct {
	valid     bool
	key       uint8
	status    int
	message   string
	kaTimeout int
	dateGen   uint64
	fields    []field
	arena     []byte
	head      []byte // the head up to its framing line, then that line for implicitLen
	lines     int    // the length of the head without the framing line
	implicit  int    // the Content-Length of the framing line, if tail is tailCL

	// What building it decided.
	chunked, keepAlive bool
	tail               uint8
}

// The response settings a head depends on, as bits of a key.
const (
	keySendDate uint8 = 1 << iota
	keyKeepAlive
	keyBodyAllowed
	keyHTTP10
	keyImplicitLen
)

func (r *ServerResponse) headKey() uint8 {
	var k uint8
	if r.SendDate {
		k |= keySendDate
	}
	if r.keepAlive {
		k |= keyKeepAlive
	}
	if r.bodyAllowed {
		k |= keyBodyAllowed
	}
	if r.http10 {
		k |= keyHTTP10
	}
	if r.implicitLen >= 0 {
		k |= keyImplicitLen
	}
	return k
}

// match reports whether r's head is the cached one.
func (h *headCache) match(r *ServerResponse, key uint8, s *Server) bool {
	if !h.valid || h.key != key || h.status != r.headStatus || len(h.fields) != len(r.hdrs) ||
		h.kaTimeout != s.KeepAliveTimeout || s.closing || !sameString(h.message, r.headMessage) {
		return false
	}
	if key&keySendDate != 0 {
		d := &s.date
		if now := s.loop.Now(); now >= d.next {
			d.refresh(now)
		}
		if d.gen != h.dateGen {
			return false
		}
	}
	for i := range r.hdrs {
		f, g := &r.hdrs[i], &h.fields[i]
		if f.arena != g.arena || !sameString(f.name, g.name) {
			return false
		}
		if f.arena {
			// The same place in the arena (fields set in the same order) and the same bytes.
			if f.off != g.off || f.n != g.n ||
				string(r.arena[f.off:f.off+f.n]) != string(h.arena[g.off:g.off+g.n]) {
				return false
			}
		} else if !sameString(f.value, g.value) {
			return false
		}
	}
	return true
}

// sameString is a == b, quicker for the same bytes (a literal set again) and for "".
func sameString(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// store keeps head, just built for r (whose settings were key), for the next response: its
// first lines bytes are the status and header lines, then comes the framing (tail).
func (h *headCache) store(r *ServerResponse, key uint8, s *Server, head []byte, lines int, tail uint8) {
	h.valid = false
	if len(head) > headCacheMax || len(r.arena) > headCacheMax || s.closing {
		return
	}
	h.key, h.status, h.message, h.kaTimeout = key, r.headStatus, r.headMessage, s.KeepAliveTimeout
	h.dateGen = s.date.gen
	h.fields = append(h.fields[:0], r.hdrs...)
	h.arena = append(h.arena[:0], r.arena...)
	h.head = append(h.head[:0], head...)
	h.lines, h.implicit = lines, r.implicitLen
	h.chunked, h.keepAlive, h.tail = r.chunked, r.keepAlive, tail
	h.valid = true
}
