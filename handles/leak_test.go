//go:build unix

package handles_test

import (
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// A loop starts no goroutine of its own, and the signal relay goroutines end when their last
// handle stops: once every loop is closed, the goroutine count is back where it was.
func TestNoGoroutineOutlivesClosedLoops(t *testing.T) {
	// os/signal starts one receive goroutine of the runtime's on first use and keeps it for
	// the life of the process; start it before counting.
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR2)
	signal.Stop(c)
	before := runtime.NumGoroutine()
	for range 3 {
		l := mustLoop(t)
		a, err := handles.NewAsync(l, func(a *handles.Async) { a.Close(nil) })
		require.NoError(t, err)
		s, err := handles.NewSignal(l)
		require.NoError(t, err)
		require.NoError(t, s.Start(func(s *handles.Signal, sig int) { s.Close(nil) }, int(syscall.SIGUSR2)))
		tm, _ := handles.NewTimer(l)
		require.NoError(t, tm.Start(func(t *handles.Timer) {
			syscall.Kill(syscall.Getpid(), syscall.SIGUSR2)
			t.Close(nil)
		}, 1, 0))
		idle, _ := handles.NewIdle(l)
		idle.Start(func(i *handles.Idle) { i.Close(nil) })
		done := make(chan struct{})
		go func() { a.Send(); close(done) }()
		<-done
		_, err = l.Run(uv.RunDefault)
		require.NoError(t, err)
		require.NoError(t, l.Close())
	}
	// Exiting goroutines finish asynchronously: allow them a bounded moment to be gone.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if runtime.NumGoroutine() > before {
		buf := make([]byte, 1<<16)
		t.Logf("%s", buf[:runtime.Stack(buf, true)])
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
}
