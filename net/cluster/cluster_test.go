package cluster_test

import (
	"io"
	gonet "net"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/net/cluster"
)

func needReusePort(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the kernel balances SO_REUSEPORT on Linux")
	}
}

// With SO_REUSEPORT every loop listens and the kernel spreads the connections: each worker
// gets some, each greets with its own id, and the counts match the workers' own.
func TestReusePortSpreadsConnections(t *testing.T) {
	needReusePort(t)
	noLeaks(t)
	c := serve(t, cluster.Options{Workers: 4, Host: "127.0.0.1", Scheduling: cluster.SchedReusePort}, hello)
	require.Equal(t, cluster.SchedReusePort, c.Scheduling())
	require.Equal(t, 4, c.Workers())
	require.NotZero(t, c.Port())

	const conns = 64
	counts := dialMany(t, addrOf(c.Port()), conns)
	// A hash of the addresses decides; with 64 connections an empty worker has odds of
	// about 4*(3/4)^64, 1e-8.
	require.Len(t, counts, 4, "every worker got connections: %v", counts)
	served := c.Served()
	for id, n := range counts {
		require.EqualValues(t, n, served[id], "worker %d", id)
	}
	c.Close()
	require.NoError(t, waitFor(t, c.Wait))
}

// With round-robin scheduling worker 0 accepts and hands connections out in turn, so the
// counts are exactly even.
func TestRoundRobinSpreadsConnectionsEvenly(t *testing.T) {
	needLoopHandoff(t)
	noLeaks(t)
	c := serve(t, cluster.Options{Workers: 3, Host: "127.0.0.1", Scheduling: cluster.SchedRoundRobin}, hello)
	require.Equal(t, cluster.SchedRoundRobin, c.Scheduling())

	const conns = 60
	counts := dialMany(t, addrOf(c.Port()), conns)
	require.Equal(t, map[int]int{0: 20, 1: 20, 2: 20}, counts)
	require.Equal(t, []uint64{20, 20, 20}, c.Served())
	c.Close()
	require.NoError(t, waitFor(t, c.Wait))
}

// A one-loop round-robin cluster hands nothing over: worker 0 accepts and serves every
// connection itself. It is the in-process mode that needs no IPC, so it runs on every OS.
func TestRoundRobinOneWorker(t *testing.T) {
	noLeaks(t)
	c := serve(t, cluster.Options{Workers: 1, Host: "127.0.0.1", Scheduling: cluster.SchedRoundRobin}, hello)
	require.Equal(t, cluster.SchedRoundRobin, c.Scheduling())
	require.Equal(t, 1, c.Workers())
	require.Equal(t, map[int]int{0: 5}, dialMany(t, addrOf(c.Port()), 5))
	require.Equal(t, []uint64{5}, c.Served())
	c.Close()
	require.NoError(t, waitFor(t, c.Wait))
}

// Sequential connections go to workers 0, 1, 2, 0, 1, 2, ...
func TestRoundRobinOrder(t *testing.T) {
	needLoopHandoff(t)
	noLeaks(t)
	c := serve(t, cluster.Options{Workers: 3, Host: "127.0.0.1", Scheduling: cluster.SchedRoundRobin}, hello)
	defer func() { c.Close(); require.NoError(t, waitFor(t, c.Wait)) }()
	for i := range 7 {
		cl, err := dial(addrOf(c.Port()))
		require.NoError(t, err)
		require.Equal(t, i%3, cl.worker)
		require.NoError(t, cl.echo("hi"))
		cl.c.Close()
	}
}

// The default host is "::", dual-stack: IPv4 clients reach it, in both schedulings; the
// default worker count is the number of CPUs.
func TestDefaultHostAndWorkers(t *testing.T) {
	needLoopHandoff(t) // runtime.NumCPU() loops, round-robin where SO_REUSEPORT does not balance
	noLeaks(t)
	for _, sched := range []cluster.Scheduling{cluster.SchedAuto, cluster.SchedRoundRobin} {
		t.Run(sched.String(), func(t *testing.T) {
			c := serve(t, cluster.Options{Scheduling: sched}, hello)
			require.Equal(t, runtime.NumCPU(), c.Workers())
			require.Equal(t, "::", c.Addr().Addr().String())
			counts := dialMany(t, addrOf(c.Port()), 8)
			total := 0
			for _, n := range counts {
				total += n
			}
			require.Equal(t, 8, total)
			c.Close()
			require.NoError(t, waitFor(t, c.Wait))
		})
	}
}

// A busy port fails Serve with Node's message, in both schedulings, and leaves nothing
// running.
func TestBusyPort(t *testing.T) {
	noLeaks(t)
	ln, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*gonet.TCPAddr).Port
	for _, sched := range []cluster.Scheduling{cluster.SchedReusePort, cluster.SchedRoundRobin} {
		t.Run(sched.String(), func(t *testing.T) {
			if sched == cluster.SchedReusePort {
				needReusePort(t)
			} else {
				needLoopHandoff(t)
			}
			var setups atomic.Int32
			c, err := cluster.Serve(cluster.Options{Workers: 3, Host: "127.0.0.1", Port: port, Scheduling: sched},
				func(w *cluster.Worker) func(*net.Socket) { setups.Add(1); return nil })
			require.Nil(t, c)
			require.ErrorIs(t, err, uv.EADDRINUSE)
			require.EqualError(t, err, "listen EADDRINUSE: address already in use 127.0.0.1:"+strconv.Itoa(port))
			if sched == cluster.SchedReusePort {
				require.Zero(t, setups.Load(), "no worker was set up")
			}
		})
	}
}

// Bad arguments fail at once.
func TestBadOptions(t *testing.T) {
	_, err := cluster.Serve(cluster.Options{Port: 70000}, nil)
	require.Error(t, err)
	_, err = cluster.Serve(cluster.Options{Port: -1}, nil)
	require.Error(t, err)
	_, err = cluster.Serve(cluster.Options{Scheduling: 9}, nil)
	require.EqualError(t, err, "cluster: unknown scheduling Scheduling(9)")
	_, err = cluster.Serve(cluster.Options{Host: "no-such-host.invalid"}, nil)
	require.EqualError(t, err, "getaddrinfo ENOTFOUND no-such-host.invalid")
}

// Close stops accepting at once, runs every worker's stop callbacks, and Wait returns only
// once the open connections have ended: here the stop callbacks end them, and each client
// reads its data back, then EOF.
func TestCloseEndsOpenConnections(t *testing.T) {
	for _, sched := range []cluster.Scheduling{cluster.SchedReusePort, cluster.SchedRoundRobin} {
		t.Run(sched.String(), func(t *testing.T) {
			if sched == cluster.SchedReusePort {
				needReusePort(t)
			} else {
				needLoopHandoff(t)
			}
			noLeaks(t)
			stops := make(chan int, 2)
			c := serve(t, cluster.Options{Workers: 2, Host: "127.0.0.1", Scheduling: sched},
				func(w *cluster.Worker) func(*net.Socket) {
					w.OnStop(func() {
						assert.False(t, w.Server().Listening())
						stops <- w.ID()
					})
					return hello(w)
				})
			var clients []*client
			for range 6 {
				cl, err := dial(addrOf(c.Port()))
				require.NoError(t, err)
				require.NoError(t, cl.echo("before"))
				clients = append(clients, cl)
			}
			c.Close()
			within(t, stops)
			within(t, stops)
			// Every listener is closed: new clients are refused.
			_, err := gonet.Dial("tcp", addrOf(c.Port()))
			require.Error(t, err)
			for _, cl := range clients {
				_, err := cl.r.ReadByte()
				require.ErrorIs(t, err, io.EOF, "the stop callback ended the connection")
				cl.c.Close()
			}
			require.NoError(t, waitFor(t, c.Wait))
		})
	}
}

// Without a stop callback that ends them, open connections keep being served after Close
// (Node's server.close), and the cluster ends when the last one does.
func TestCloseWaitsForOpenConnections(t *testing.T) {
	needLoopHandoff(t)
	noLeaks(t)
	stopped := make(chan struct{}, 2)
	c := serve(t, cluster.Options{Workers: 2, Host: "127.0.0.1", Scheduling: cluster.SchedRoundRobin},
		func(w *cluster.Worker) func(*net.Socket) {
			w.OnStop(func() { stopped <- struct{}{} })
			return func(s *net.Socket) {
				s.WriteString("worker " + strconv.Itoa(w.ID()) + " pid 0\n")
				s.OnData(func(b []byte) { s.Write(b) })
			}
		})
	a, err := dial(addrOf(c.Port()))
	require.NoError(t, err)
	b, err := dial(addrOf(c.Port()))
	require.NoError(t, err)
	require.NotEqual(t, a.worker, b.worker)
	waited := make(chan error, 1)
	c.Close()
	within(t, stopped)
	within(t, stopped)
	go func() { waited <- c.Wait() }() // bounded below
	require.NoError(t, a.echo("still served"))
	require.NoError(t, b.echo("still served"))
	a.c.Close()
	require.NoError(t, b.echo("still served after the other left"))
	b.c.Close()
	require.NoError(t, within(t, waited))
}

// Close is safe from many goroutines, and twice.
func TestCloseTwiceConcurrently(t *testing.T) {
	needLoopHandoff(t) // two loops: SchedAuto is round-robin where SO_REUSEPORT does not balance
	noLeaks(t)
	c := serve(t, cluster.Options{Workers: 2, Host: "127.0.0.1"}, hello)
	done := make(chan struct{})
	for range 4 {
		go func() { c.Close(); done <- struct{}{} }()
	}
	for range 4 {
		<-done
	}
	c.Close()
	require.NoError(t, waitFor(t, c.Wait))
	require.NoError(t, waitFor(t, c.Wait))
}
