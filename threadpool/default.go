package threadpool

import (
	"os"
	"sync"
	"sync/atomic"
)

// EnvSize is the environment variable that sizes the default pool, as in libuv.
const EnvSize = "UV_THREADPOOL_SIZE"

// DefaultPoolSize is the default pool's size when EnvSize is not set.
const DefaultPoolSize = 4

var (
	defaultMu   sync.Mutex
	defaultPool *Pool
	defaultSize int // set by SetDefaultSize; 0 means "use the environment"
	// defaultReady is defaultPool once it exists: every submission asks for the pool, and
	// an atomic load is cheaper than the mutex.
	defaultReady atomic.Pointer[Pool]
)

// Default returns the process-wide pool shared by all loops, creating it on first use with
// DefaultSize workers. It is never closed.
func Default() *Pool {
	if p := defaultReady.Load(); p != nil {
		return p
	}
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultPool == nil {
		defaultPool = New(defaultSizeLocked())
		defaultReady.Store(defaultPool)
	}
	return defaultPool
}

// SetDefaultSize sets the default pool's size (clamped to 1..1024), overriding EnvSize. It
// returns ErrStarted once Default has been called.
func SetDefaultSize(n int) error {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultPool != nil {
		return ErrStarted
	}
	defaultSize = ClampSize(n)
	return nil
}

// DefaultSize returns the default pool's size: its actual size once it exists, otherwise the
// value given to SetDefaultSize, otherwise ParseSize of EnvSize, otherwise 4.
func DefaultSize() int {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	return defaultSizeLocked()
}

func defaultSizeLocked() int {
	if defaultPool != nil {
		return defaultPool.Size()
	}
	if defaultSize != 0 {
		return defaultSize
	}
	v, ok := os.LookupEnv(EnvSize)
	if !ok {
		return DefaultPoolSize
	}
	return ParseSize(v)
}

// ParseSize interprets a UV_THREADPOOL_SIZE value the way libuv does with atoi: leading white
// space is skipped, an optional sign and the leading decimal digits are read and the rest is
// ignored ("8 threads" is 8). A value with no digits, empty or zero means 1, and the result is
// clamped to 1..1024. Unlike libuv, where a negative value wraps to a huge unsigned number and
// becomes 1024, a negative value means 1 here.
func ParseSize(v string) int {
	i := 0
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	neg := false
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		neg = v[i] == '-'
		i++
	}
	n := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		if n <= MaxSize { // saturate: anything above MaxSize clamps the same
			n = n*10 + int(v[i]-'0')
		}
	}
	if neg {
		return MinSize
	}
	return ClampSize(n)
}

// isSpace matches C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}
