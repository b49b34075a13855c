package app

import (
	"net/url"
	"unsafe"
)

// unsafeBytes views a string's bytes without copying; the bytes are only read.
func unsafeBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

func pathUnescape(s string) (string, error) { return url.PathUnescape(s) }
