package cluster_test

import (
	"bufio"
	"fmt"
	gonet "net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/net/cluster"
)

// hello is the test servers' setup: every connection is greeted with "worker <id> pid
// <pid>\n", then echoed; the worker's stop callback ends the connections still open.
func hello(w *cluster.Worker) func(*net.Socket) {
	open := map[*net.Socket]struct{}{}
	w.OnStop(func() {
		for s := range open {
			s.End(nil)
		}
	})
	greeting := fmt.Sprintf("worker %d pid %d\n", w.ID(), pid)
	return func(s *net.Socket) {
		open[s] = struct{}{}
		s.OnClose(func(bool) { delete(open, s) })
		s.OnData(func(b []byte) { s.Write(b) })
		s.WriteString(greeting)
	}
}

// client is a Go net connection to a cluster, with its greeting read.
type client struct {
	c      gonet.Conn
	r      *bufio.Reader
	worker int
	pid    int
}

func dial(addr string) (*client, error) {
	c, err := gonet.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang fails instead of blocking
	cl := &client{c: c, r: bufio.NewReader(c)}
	line, err := cl.r.ReadString('\n')
	if err == nil {
		_, err = fmt.Sscanf(line, "worker %d pid %d\n", &cl.worker, &cl.pid)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("greeting %q: %w", line, err)
	}
	return cl, nil
}

// echo checks that a line comes back.
func (cl *client) echo(s string) error {
	if _, err := cl.c.Write([]byte(s + "\n")); err != nil {
		return err
	}
	got, err := cl.r.ReadString('\n')
	if err != nil {
		return err
	}
	if got != s+"\n" {
		return fmt.Errorf("echo: got %q, want %q", got, s)
	}
	return nil
}

// dialMany makes n connections from n goroutines at once, each greeted and echoing, and
// returns how many each worker got.
func dialMany(t *testing.T, addr string, n int) map[int]int {
	t.Helper()
	type res struct {
		worker int
		err    error
	}
	ch := make(chan res, n)
	for i := range n {
		go func() {
			cl, err := dial(addr)
			if err != nil {
				ch <- res{err: err}
				return
			}
			defer cl.c.Close()
			ch <- res{cl.worker, cl.echo(strings.Repeat("x", i))}
		}()
	}
	counts := map[int]int{}
	for range n {
		r := <-ch
		require.NoError(t, r.err)
		counts[r.worker]++
	}
	return counts
}

// signalLoop starts os/signal's own goroutine, which lives for the rest of the process once
// a first signal is watched: started inside a test, it would count as a leak of that test.
var signalLoop sync.Once

// noLeaks checks, when the test ends, that no goroutine started during it is left.
func noLeaks(t *testing.T) {
	signalLoop.Do(func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt)
		signal.Stop(c)
	})
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		// Exiting goroutines finish asynchronously: allow them a bounded moment.
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

var pid = os.Getpid()

func addrOf(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// within receives from ch, or fails the test after ten seconds.
func within[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out")
	}
	var zero T
	return zero
}

// waitFor runs wait (a Cluster's or a Primary's Wait), failing the test after ten seconds.
func waitFor(t *testing.T, wait func() error) error {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- wait() }()
	return within(t, ch)
}

// serve starts a cluster that is stopped when the test ends, whatever happens.
func serve(t *testing.T, o cluster.Options, setup cluster.Setup) *cluster.Cluster {
	t.Helper()
	c, err := cluster.Serve(o, setup)
	require.NoError(t, err)
	t.Cleanup(func() {
		c.Close()
		done := make(chan struct{})
		go func() { c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second): // clients a failed test left open
			t.Error("the cluster did not end")
		}
	})
	return c
}

// needLoopHandoff marks a test whose cluster hands connections between loops: round-robin
// worker 0 writes each one, with Write2, to another loop over an IPC pair (uv.IPCPair: a
// socket pair, or a named pipe on Windows), which every backend has now.
func needLoopHandoff(t testing.TB) {}

// needWorkerProcesses marks a test that starts worker processes: the primary hands them
// their connections over an IPC pipe on their stdio (Write2 of a TCP handle), which every
// backend has now.
func needWorkerProcesses(t testing.TB) {}

// killedStatus is the exit status of a worker killed with signal 9: 0 on unix, where the
// signal ends it; 1 on Windows, where the kill is TerminateProcess with exit code 1, as
// libuv's uv_kill (the exit still reports signal 9).
func killedStatus() int64 {
	if runtime.GOOS == "windows" {
		return 1
	}
	return 0
}
