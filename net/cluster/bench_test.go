package cluster_test

import (
	"io"
	gonet "net"
	"testing"

	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/net/cluster"
)

// greet is the benchmark servers' setup: one byte, then the end of the connection.
func greet(w *cluster.Worker) func(*net.Socket) {
	return func(s *net.Socket) { s.End([]byte{'!'}) }
}

// dialRead connects, reads to EOF, and closes: one served connection.
func dialRead(b *testing.B, addr string) {
	c, err := gonet.Dial("tcp", addr)
	if err != nil {
		b.Error(err)
		return
	}
	if n, err := io.Copy(io.Discard, c); err != nil || n != 1 {
		b.Errorf("read %d bytes: %v", n, err)
	}
	c.Close()
}

// BenchmarkClusterConnections is the connection rate of a two-loop cluster, with Go
// clients on parallel goroutines.
func BenchmarkClusterConnections(b *testing.B) {
	for _, sched := range []cluster.Scheduling{cluster.SchedReusePort, cluster.SchedRoundRobin} {
		b.Run(sched.String(), func(b *testing.B) {
			c, err := cluster.Serve(cluster.Options{Workers: 2, Host: "127.0.0.1", Scheduling: sched}, greet)
			if err != nil {
				b.Skip(err)
			}
			addr := addrOf(c.Port())
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					dialRead(b, addr)
				}
			})
			b.StopTimer()
			c.Close()
			if err := c.Wait(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkPrimaryConnections is the connection rate of a primary with two worker
// processes (the allocations counted are this process's: the primary's and the clients').
func BenchmarkPrimaryConnections(b *testing.B) {
	ready := make(chan struct{}, 2)
	p, err := cluster.StartPrimary(cluster.ProcessOptions{Workers: 2, Host: "127.0.0.1", Args: []string{},
		Env: []string{"CLUSTER_TEST_BENCH=1"}, OnListening: func(int, int) { ready <- struct{}{} }})
	if err != nil {
		b.Skip(err)
	}
	<-ready
	<-ready
	addr := addrOf(p.Port())
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			dialRead(b, addr)
		}
	})
	b.StopTimer()
	p.Close()
	if err := p.Wait(); err != nil {
		b.Fatal(err)
	}
}
