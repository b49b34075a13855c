package conformance_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// Ports of libuv's test/test-random.c.

// TestRandomAsync checks GetRandom's argument errors and fills an empty and a 256-byte
// buffer on the threadpool. libuv also asks for (size_t)-1 bytes to get E2BIG; a Go slice
// that long cannot be made, so that case is left to handles' own tests of the limit.
// libuv: random_async
func TestRandomAsync(t *testing.T) {
	l := newLoop(t)
	scratch := make([]byte, 256)
	var req handles.Random
	calls := 0
	cb := func(r *handles.Random, err error, buf []byte) {
		require.NoError(t, err)
		require.Same(t, &req, r)
		if calls == 0 {
			require.Empty(t, buf)
			require.Equal(t, make([]byte, 256), scratch, "nothing was written")
		} else {
			require.Len(t, buf, len(scratch))
			require.Same(t, &scratch[0], &buf[0])
			require.NotEqual(t, make([]byte, 256), scratch, "256 random bytes are not all zero")
		}
		calls++
	}
	require.ErrorIs(t, handles.GetRandom(l, &req, scratch, ^uint(0), cb), uv.EINVAL)

	require.NoError(t, handles.GetRandom(l, &req, scratch[:0], 0, cb))
	require.Zero(t, calls)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)

	require.NoError(t, handles.GetRandom(l, &req, scratch, 0, cb))
	require.Equal(t, 1, calls)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 2, calls)
}

// TestRandomSync fills a buffer synchronously (no loop, no request) and checks the flags
// error.
// libuv: random_sync
func TestRandomSync(t *testing.T) {
	newLoop(t)
	buf := make([]byte, 256)
	require.ErrorIs(t, handles.GetRandom(nil, nil, buf, ^uint(0), nil), uv.EINVAL)
	require.NoError(t, handles.GetRandom(nil, nil, buf, 0, nil))
	require.False(t, bytes.Equal(buf, make([]byte, 256)), "256 random bytes are not all zero")
}
