package threadpool

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resetDefault forgets the default pool (closing it) and any SetDefaultSize, now and at the
// end of the test.
func resetDefault(t *testing.T) {
	reset := func() {
		defaultMu.Lock()
		p := defaultPool
		defaultPool, defaultSize = nil, 0
		defaultReady.Store(nil)
		defaultMu.Unlock()
		if p != nil {
			p.Close()
		}
	}
	reset()
	t.Cleanup(reset)
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"4", 4},
		{"1", 1},
		{"16", 16},
		{"128", 128},
		{"1024", 1024},
		{"1025", 1024},
		{"99999999999999999999999999", 1024},
		{"0", 1},
		{"", 1},
		{"abc", 1},
		{"-3", 1},
		{"-0", 1},
		{"+7", 7},
		{"  \t12", 12},
		{"8 threads", 8},
		{"12abc", 12},
		{"3.9", 3},
		{" ", 1},
		{"+", 1},
		{"0x10", 1},
		{"007", 7},
	} {
		assert.Equal(t, tc.want, ParseSize(tc.in), "ParseSize(%q)", tc.in)
	}
}

func TestClampSize(t *testing.T) {
	assert.Equal(t, 1, ClampSize(-1))
	assert.Equal(t, 1, ClampSize(0))
	assert.Equal(t, 7, ClampSize(7))
	assert.Equal(t, 1024, ClampSize(5000))
}

func TestDefaultSizeFromEnv(t *testing.T) {
	resetDefault(t)
	t.Setenv(EnvSize, "") // registers restoration of the original value
	require.NoError(t, os.Unsetenv(EnvSize))
	assert.Equal(t, DefaultPoolSize, DefaultSize(), "unset")

	for _, tc := range []struct {
		val  string
		want int
	}{{"16", 16}, {"0", 1}, {"", 1}, {"2000", 1024}, {"x", 1}} {
		t.Setenv(EnvSize, tc.val)
		assert.Equal(t, tc.want, DefaultSize(), "%s=%q", EnvSize, tc.val)
	}

	// SetDefaultSize overrides the environment.
	t.Setenv(EnvSize, "16")
	require.NoError(t, SetDefaultSize(3))
	assert.Equal(t, 3, DefaultSize())
}

func TestSetDefaultSize(t *testing.T) {
	resetDefault(t)
	t.Setenv(EnvSize, "16")
	require.NoError(t, SetDefaultSize(0))
	assert.Equal(t, 1, DefaultSize())
	require.NoError(t, SetDefaultSize(5000))
	assert.Equal(t, 1024, DefaultSize())
	require.NoError(t, SetDefaultSize(6))
	assert.Equal(t, 6, DefaultSize())

	p := Default()
	require.NotNil(t, p)
	assert.Same(t, p, Default(), "one process-wide pool")
	assert.Equal(t, 6, p.Size())

	require.ErrorIs(t, SetDefaultSize(2), ErrStarted)
	assert.Equal(t, 6, DefaultSize())
	t.Setenv(EnvSize, "9")
	assert.Equal(t, 6, DefaultSize(), "the environment no longer matters once started")
	assert.Equal(t, 6, Default().Size())
}

func TestDefaultPoolRunsWork(t *testing.T) {
	resetDefault(t)
	t.Setenv(EnvSize, "2")
	p := Default()
	assert.Equal(t, 2, p.Size())
	done := make(chanCompleter, 1)
	ran := false
	w := &Work{Kind: FastIO, To: done, Fn: func() { ran = true }}
	require.NoError(t, p.Submit(w))
	require.Same(t, w, recv(t, done))
	assert.True(t, ran)
}
