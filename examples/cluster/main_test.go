package main

import (
	"bufio"
	"bytes"
	gonet "net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/net/cluster"
)

// The -procs workers are this test binary in worker mode.
func TestMain(m *testing.M) {
	if cluster.IsWorker() {
		os.Exit(workerMain(os.Stdout))
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer for the workers' goroutines and the test's; each line with
// "ready" in it (a worker process is ready) is also signalled on ready.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	ready chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready != nil && bytes.Contains(p, []byte(" ready\n")) {
		s.ready <- struct{}{}
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var greeting = regexp.MustCompile(`^hello from worker (\d+) \(pid (\d+)\)\n$`)

// talk connects, reads the greeting, checks an echo, and returns the worker and pid that
// served it, with the connection still open.
func talk(t *testing.T, port int) (worker, pid int, c gonet.Conn, r *bufio.Reader) {
	t.Helper()
	c, err := gonet.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	require.NoError(t, err)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r = bufio.NewReader(c)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	m := greeting.FindStringSubmatch(line)
	require.NotNil(t, m, "greeting %q", line)
	worker, _ = strconv.Atoi(m[1])
	pid, _ = strconv.Atoi(m[2])
	_, err = c.Write([]byte("ping\n"))
	require.NoError(t, err)
	line, err = r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ping\n", line)
	return worker, pid, c, r
}

// In-process, round-robin: four connections meet four loops in turn, all in this process;
// on Close the one still open is told goodbye, and everything ends.
func TestInProcess(t *testing.T) {
	var out syncBuffer
	s, err := start(config{host: "127.0.0.1", workers: 2, sched: cluster.SchedRoundRobin}, &out)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close(); s.Wait() }) // after a failure; Close twice is harmless
	var workers []int
	for range 3 {
		w, pid, c, _ := talk(t, s.Port())
		require.Equal(t, os.Getpid(), pid)
		workers = append(workers, w)
		c.Close()
	}
	require.Equal(t, []int{0, 1, 0}, workers)
	_, _, c, r := talk(t, s.Port())
	s.Close()
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "goodbye\n", line)
	c.Close()
	require.NoError(t, waitFor(t, s))
	require.Contains(t, out.String(), "primary: 2 loops (round-robin) listening on 127.0.0.1:")
	require.Contains(t, out.String(), "worker 1: stopping, 1 connections open")
}

// The default scheduling serves too (SO_REUSEPORT on Linux).
func TestInProcessAuto(t *testing.T) {
	workers := 2
	var out syncBuffer
	s, err := start(config{host: "127.0.0.1", workers: workers}, &out)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close(); s.Wait() })
	_, pid, c, _ := talk(t, s.Port())
	require.Equal(t, os.Getpid(), pid)
	c.Close()
	s.Close()
	require.NoError(t, waitFor(t, s))
}

// -procs: worker processes serve in turn; on Close they say goodbye and exit with status 0.
func TestProcesses(t *testing.T) {
	out := syncBuffer{ready: make(chan struct{}, 8)}
	s, err := start(config{host: "127.0.0.1", workers: 2, procs: true}, &out)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close(); s.Wait() }) // after a failure; Close twice is harmless
	// A worker gets connections once ready: wait for both.
	for range 2 {
		select {
		case <-out.ready:
		case <-time.After(10 * time.Second):
			t.Fatal("the workers did not get ready")
		}
	}
	pids := map[int]int{}
	for range 4 {
		w, pid, c, _ := talk(t, s.Port())
		require.NotEqual(t, os.Getpid(), pid, "served by a worker process")
		if p, ok := pids[w]; ok {
			require.Equal(t, p, pid)
		}
		pids[w] = pid
		c.Close()
	}
	require.Len(t, pids, 2)
	_, _, c, r := talk(t, s.Port())
	s.Close()
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "goodbye\n", line)
	c.Close()
	require.NoError(t, waitFor(t, s))
	log := out.String()
	for w, pid := range pids {
		require.Contains(t, log, "primary: worker "+strconv.Itoa(w)+" started, pid "+strconv.Itoa(pid))
		require.Contains(t, log, "primary: worker "+strconv.Itoa(w)+" (pid "+strconv.Itoa(pid)+") exited, status 0, signal 0")
	}
	require.Equal(t, 2, strings.Count(log, "ready"))
}

// waitFor waits for the server to end, failing the test after ten seconds.
func waitFor(t *testing.T, s server) error {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- s.Wait() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not end")
	}
	return nil
}
