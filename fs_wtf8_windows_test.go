package uv

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// TestWpathWTF8Windows checks that a name read from the system comes back to it unchanged:
// windows.UTF16ToString gives unpaired surrogates in their WTF-8 form, and the path
// conversion must turn them into the same UTF-16 units (Wine cannot create such names, so
// conformance's TestFsWtf only runs on Windows).
func TestWpathWTF8Windows(t *testing.T) {
	for _, units := range [][]uint16{
		{'h', 'i', 0xD801, '7'},          // a lone high surrogate, as in libuv's fs_wtf
		{0xDC00, 'x'},                    // a lone low surrogate
		{'a', 0xD83D, 0xDE00, 'b'},       // a valid pair: one rune of four bytes
		{0xD800, 0xD800, 0xDBFF},         // several lone ones in a row
		{'t', 0xE9, 0x4E2D, '/', 'z'},    // ordinary characters
		{0xD83D, 0xD83D, 0xDE00, 0xDC00}, // a pair between lone halves
	} {
		name := windows.UTF16ToString(units)
		n, err := utf16Len(name)
		require.NoError(t, err)
		require.Equal(t, len(units), n, "%q", name)

		var wp wpath
		p, err := wp.set(name)
		require.NoError(t, err)
		require.Equal(t, units, unsafe.Slice(p, len(units)+1)[:len(units)], "%q", name)
		require.Zero(t, *(*uint16)(unsafe.Add(unsafe.Pointer(p), 2*len(units))))

		p, err = utf16Ptr(name)
		require.NoError(t, err)
		require.Equal(t, units, unsafe.Slice(p, len(units)))
	}
	// Bytes that are not WTF-8 either still become U+FFFD, one each, as before.
	n, err := utf16Len("a\xffb\xed\x80")
	require.NoError(t, err)
	require.Equal(t, 5, n)
	_, err = utf16Len("a\x00b")
	require.ErrorIs(t, err, EINVAL)
}
