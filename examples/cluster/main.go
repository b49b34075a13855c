// Command cluster is a hello-and-echo TCP server served by every CPU, the way a Node server
// uses the cluster module. Each connection is greeted by the worker that serves it, then
// gets its lines echoed; Ctrl+C stops the server, and the workers say goodbye to the
// clients still connected.
//
//	go run ./examples/cluster                   # one loop per CPU in this process, port 7002
//	go run ./examples/cluster -procs            # a primary and one worker process per CPU
//	go run ./examples/cluster -workers 4 -sched round-robin
//	nc localhost 7002                           # in other terminals
//
// In-process, every loop listens on the port with SO_REUSEPORT where the kernel balances
// it (Linux), or loop 0 accepts and hands connections to the others (-sched round-robin,
// and elsewhere). With -procs the primary accepts and hands connections round-robin to
// worker processes, this same program started again in worker mode, and starts a worker
// again when one exits. It imports uv's net and net/cluster packages.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"

	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/net/cluster"
)

// config is what the flags say.
type config struct {
	port    int
	host    string
	workers int
	procs   bool
	sched   cluster.Scheduling
}

func main() {
	if cluster.IsWorker() {
		os.Exit(workerMain(os.Stdout))
	}
	var cfg config
	flag.IntVar(&cfg.port, "port", 7002, "port to listen on (0 picks a free one)")
	flag.StringVar(&cfg.host, "host", "", `address to listen on ("" is every address, IPv6 and IPv4)`)
	flag.IntVar(&cfg.workers, "workers", 0, "number of workers (0: one per CPU)")
	flag.BoolVar(&cfg.procs, "procs", false, "run the workers as processes")
	sched := flag.String("sched", "auto", "in-process scheduling: auto, reuseport or round-robin")
	flag.Parse()
	switch *sched {
	case "auto":
	case "reuseport":
		cfg.sched = cluster.SchedReusePort
	case "round-robin":
		cfg.sched = cluster.SchedRoundRobin
	default:
		fmt.Fprintln(os.Stderr, "cluster: -sched must be auto, reuseport or round-robin")
		os.Exit(2)
	}
	s, err := start(cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stdout, "primary: %v, closing\n", sig)
		s.Close()
	}()
	err = s.Wait()
	signal.Stop(sigs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stdout, "primary: all workers done")
}

// server is what both modes give back: a *cluster.Cluster or a *cluster.Primary.
type server interface {
	Port() int
	Close()
	Wait() error
}

// start starts the server as cfg says and logs to out.
func start(cfg config, out io.Writer) (server, error) {
	log := &logger{w: out}
	if cfg.procs {
		p, err := cluster.StartPrimary(cluster.ProcessOptions{
			Workers: cfg.workers, Port: cfg.port, Host: cfg.host, Args: []string{},
			OnFork:      func(id, pid int) { log.printf("primary: worker %d started, pid %d\n", id, pid) },
			OnListening: func(id, pid int) { log.printf("primary: worker %d ready\n", id) },
			OnExit: func(id, pid int, status int64, sig int) {
				log.printf("primary: worker %d (pid %d) exited, status %d, signal %d\n", id, pid, status, sig)
			},
		})
		if err != nil {
			return nil, err
		}
		log.printf("primary: listening on %s, pid %d\n", p.Addr(), os.Getpid())
		return p, nil
	}
	c, err := cluster.Serve(cluster.Options{Workers: cfg.workers, Port: cfg.port, Host: cfg.host, Scheduling: cfg.sched},
		func(w *cluster.Worker) func(*net.Socket) { return hello(w, os.Getpid(), log) })
	if err != nil {
		return nil, err
	}
	log.printf("primary: %d loops (%s) listening on %s\n", c.Workers(), c.Scheduling(), c.Addr())
	return c, nil
}

// workerMain is a worker process: it serves what the primary hands it until the primary
// disconnects. Ctrl+C reaches the whole process group; the worker leaves it to the primary,
// which disconnects it.
func workerMain(out io.Writer) int {
	signal.Ignore(os.Interrupt)
	log := &logger{w: out}
	err := cluster.RunWorker(net.ServerOptions{}, func(w *cluster.Worker) func(*net.Socket) {
		return hello(w, os.Getpid(), log)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

// hello is a worker's setup: greet each connection, echo what it sends, and say goodbye to
// those still open when the cluster stops.
func hello(w *cluster.Worker, pid int, log *logger) func(*net.Socket) {
	open := map[*net.Socket]struct{}{}
	greeting := "hello from worker " + strconv.Itoa(w.ID()) + " (pid " + strconv.Itoa(pid) + ")\n"
	w.OnStop(func() {
		log.printf("worker %d: stopping, %d connections open\n", w.ID(), len(open))
		for s := range open {
			s.End([]byte("goodbye\n"))
		}
	})
	return func(s *net.Socket) {
		open[s] = struct{}{}
		s.OnClose(func(bool) { delete(open, s) })
		s.OnData(func(b []byte) { s.Write(b) })
		s.OnError(func(error) {}) // a reset by the peer just closes it
		s.WriteString(greeting)
	}
}

// logger serialises output from the workers' goroutines.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) printf(format string, args ...any) {
	l.mu.Lock()
	fmt.Fprintf(l.w, format, args...)
	l.mu.Unlock()
}
