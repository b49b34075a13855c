package cluster_test

import (
	"errors"
	"fmt"
	gonet "net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/net/cluster"
)

// The worker processes are this test binary in worker mode.
func TestMain(m *testing.M) {
	if cluster.IsWorker() {
		if err := cluster.RunWorker(net.ServerOptions{}, testWorker); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testWorker is hello, plus a line "exit" that makes the worker exit with status 7. With
// CLUSTER_TEST_STUBBORN set, its stop callback leaves connections open; with
// CLUSTER_TEST_BENCH set, it is the benchmarks' greet.
func testWorker(w *cluster.Worker) func(*net.Socket) {
	if os.Getenv("CLUSTER_TEST_BENCH") != "" {
		return greet(w)
	}
	var greet func(*net.Socket)
	if os.Getenv("CLUSTER_TEST_STUBBORN") != "" {
		greet = func(s *net.Socket) { s.WriteString(fmt.Sprintf("worker %d pid %d\n", w.ID(), pid)) }
	} else {
		greet = hello(w)
	}
	return func(s *net.Socket) {
		greet(s)
		s.OnData(func(b []byte) {
			if string(b) == "exit\n" {
				os.Exit(7)
			}
			s.Write(b)
		})
	}
}

// events records a primary's callbacks.
type events struct {
	mu        sync.Mutex
	forks     []int // pids
	listening chan [2]int
	exits     chan exit
}

type exit struct {
	id, pid int
	status  int64
	signal  int
}

func newEvents(o *cluster.ProcessOptions) *events {
	e := &events{listening: make(chan [2]int, 32), exits: make(chan exit, 32)}
	o.OnFork = func(id, pid int) {
		e.mu.Lock()
		e.forks = append(e.forks, pid)
		e.mu.Unlock()
	}
	o.OnListening = func(id, pid int) { e.listening <- [2]int{id, pid} }
	o.OnExit = func(id, pid int, status int64, sig int) { e.exits <- exit{id, pid, status, sig} }
	return e
}

func (e *events) waitListening(t *testing.T, n int) map[int]int {
	t.Helper()
	pids := map[int]int{}
	for range n {
		select {
		case l := <-e.listening:
			pids[l[0]] = l[1]
		case <-time.After(20 * time.Second):
			t.Fatal("workers did not get ready")
		}
	}
	return pids
}

func (e *events) waitExit(t *testing.T) exit {
	t.Helper()
	select {
	case x := <-e.exits:
		return x
	case <-time.After(20 * time.Second):
		t.Fatal("no worker exit")
	}
	return exit{}
}

// gone reports whether no process has the pid (it exited and was reaped).
func gone(pid int) bool { return errors.Is(handles.Kill(pid, 0), uv.ESRCH) }

func startPrimary(t *testing.T, o cluster.ProcessOptions) (*cluster.Primary, *events) {
	t.Helper()
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	o.Args = []string{}
	ev := newEvents(&o)
	p, err := cluster.StartPrimary(o)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close(); p.Wait() }) // after a failure; Close twice is harmless
	return p, ev
}

// The primary hands connections to its worker processes in turn: sequential clients meet
// the workers in order, the counts are even, and after Close every worker has exited (with
// status 0) and been reaped.
func TestPrimaryRoundRobin(t *testing.T) {
	needWorkerProcesses(t)
	noLeaks(t)
	p, ev := startPrimary(t, cluster.ProcessOptions{Workers: 2, RestartDelay: time.Millisecond})
	// The first client does not wait for the workers: its connection waits for one.
	first, err := dial(addrOf(p.Port()))
	require.NoError(t, err)
	require.NoError(t, first.echo("early"))
	first.c.Close()
	pids := ev.waitListening(t, 2)
	require.NotEqual(t, pid, pids[0])
	require.NotEqual(t, pids[0], pids[1])
	require.Equal(t, pids[first.worker], first.pid)

	next := 1 - first.worker
	for range 9 {
		cl, err := dial(addrOf(p.Port()))
		require.NoError(t, err)
		require.Equal(t, next, cl.worker)
		require.Equal(t, pids[next], cl.pid)
		require.NoError(t, cl.echo("hello"))
		cl.c.Close()
		next = 1 - next
	}
	// The primary counts a handoff when its write completes, which may come after the worker
	// has already answered the client: wait for the count to catch up.
	ws := p.Workers()
	require.Eventually(t, func() bool {
		ws = p.Workers()
		return ws[0].Handed+ws[1].Handed == 10
	}, 5*time.Second, time.Millisecond)
	require.EqualValues(t, 5, ws[0].Handed)
	require.EqualValues(t, 5, ws[1].Handed)
	require.Equal(t, pids[0], ws[0].Pid)

	p.Close()
	require.NoError(t, waitFor(t, p.Wait))
	for range 2 {
		x := ev.waitExit(t)
		require.Equal(t, exit{x.id, pids[x.id], 0, 0}, x)
	}
	require.True(t, gone(pids[0]) && gone(pids[1]), "no worker process is left")
	require.Len(t, ev.forks, 2)
}

// A worker that exits, by itself or by a signal, is started again in its slot and takes
// its share of the connections again.
func TestPrimaryRestartsWorkers(t *testing.T) {
	needWorkerProcesses(t)
	noLeaks(t)
	p, ev := startPrimary(t, cluster.ProcessOptions{Workers: 2, RestartDelay: time.Millisecond})
	pids := ev.waitListening(t, 2)

	// Worker 0 (the next in turn) exits with status 7 when told.
	cl, err := dial(addrOf(p.Port()))
	require.NoError(t, err)
	require.Equal(t, 0, cl.worker)
	cl.c.Write([]byte("exit\n"))
	x := ev.waitExit(t)
	require.Equal(t, exit{0, pids[0], 7, 0}, x)
	cl.c.Close()
	again := ev.waitListening(t, 1)
	require.NotEqual(t, pids[0], again[0])
	pids[0] = again[0]

	// Worker 1 is killed.
	require.NoError(t, handles.Kill(pids[1], 9))
	x = ev.waitExit(t)
	require.Equal(t, exit{1, pids[1], killedStatus(), 9}, x)
	again = ev.waitListening(t, 1)
	pids[1] = again[1]

	seen := map[int]int{}
	for range 6 {
		cl, err := dial(addrOf(p.Port()))
		require.NoError(t, err)
		require.Equal(t, pids[cl.worker], cl.pid, "a live worker of that slot")
		require.NoError(t, cl.echo("after restart"))
		cl.c.Close()
		seen[cl.worker]++
	}
	require.Equal(t, map[int]int{0: 3, 1: 3}, seen)
	ws := p.Workers()
	require.Equal(t, 1, ws[0].Restarts)
	require.Equal(t, 1, ws[1].Restarts)

	p.Close()
	require.NoError(t, waitFor(t, p.Wait))
	ev.waitExit(t)
	ev.waitExit(t)
	require.True(t, gone(pids[0]) && gone(pids[1]))
}

// With NoRestart an exited worker stays down and the others get every connection.
func TestPrimaryNoRestart(t *testing.T) {
	needWorkerProcesses(t)
	noLeaks(t)
	p, ev := startPrimary(t, cluster.ProcessOptions{Workers: 2, NoRestart: true})
	pids := ev.waitListening(t, 2)
	require.NoError(t, handles.Kill(pids[0], 9))
	require.Equal(t, 9, ev.waitExit(t).signal)
	for range 3 {
		cl, err := dial(addrOf(p.Port()))
		require.NoError(t, err)
		require.Equal(t, 1, cl.worker)
		cl.c.Close()
	}
	require.Zero(t, p.Workers()[0].Pid)
	p.Close()
	require.NoError(t, waitFor(t, p.Wait))
	ev.waitExit(t)
	require.True(t, gone(pids[1]))
}

// Close lets workers end their connections; one that does not is killed after
// ShutdownTimeout, and its client sees the connection end.
func TestPrimaryKillsWorkersThatDoNotStop(t *testing.T) {
	needWorkerProcesses(t)
	noLeaks(t)
	p, ev := startPrimary(t, cluster.ProcessOptions{Workers: 1, ShutdownTimeout: 50 * time.Millisecond,
		Env: []string{"CLUSTER_TEST_STUBBORN=1"}})
	pids := ev.waitListening(t, 1)
	cl, err := dial(addrOf(p.Port()))
	require.NoError(t, err)
	p.Close()
	x := ev.waitExit(t)
	require.Equal(t, exit{0, pids[0], killedStatus(), 9}, x)
	_, err = cl.r.ReadByte()
	require.Error(t, err)
	cl.c.Close()
	require.NoError(t, waitFor(t, p.Wait))
	require.True(t, gone(pids[0]))
}

// A busy port fails StartPrimary in Node's form, before any worker starts.
func TestPrimaryBusyPort(t *testing.T) {
	noLeaks(t)
	ln, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*gonet.TCPAddr).Port
	forks := 0
	_, err = cluster.StartPrimary(cluster.ProcessOptions{Workers: 2, Host: "127.0.0.1", Port: port,
		OnFork: func(int, int) { forks++ }})
	require.ErrorIs(t, err, uv.EADDRINUSE)
	require.EqualError(t, err, "listen EADDRINUSE: address already in use 127.0.0.1:"+strconv.Itoa(port))
	require.Zero(t, forks)
}

// A worker program that cannot run fails StartPrimary, and nothing is left.
func TestPrimaryBadProgram(t *testing.T) {
	needWorkerProcesses(t)
	noLeaks(t)
	_, err := cluster.StartPrimary(cluster.ProcessOptions{Workers: 2, Host: "127.0.0.1",
		Exe: "/nonexistent/worker"})
	require.ErrorIs(t, err, uv.ENOENT)
	require.ErrorContains(t, err, "spawn /nonexistent/worker ENOENT", "Node's form")
}

// RunWorker outside a worker process is an error; IsWorker and IsPrimary tell them apart.
func TestRunWorkerOutsideAWorker(t *testing.T) {
	require.False(t, cluster.IsWorker())
	require.True(t, cluster.IsPrimary())
	require.Error(t, cluster.RunWorker(net.ServerOptions{}, nil))
}
