package cluster

import (
	"errors"
	"net/netip"
	"runtime"
	"strconv"
	"sync"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// Scheduling says how a cluster of loops spreads connections over its workers.
type Scheduling int

const (
	// SchedAuto is SchedReusePort where the kernel balances SO_REUSEPORT, SchedRoundRobin
	// elsewhere.
	SchedAuto Scheduling = iota
	// SchedReusePort makes every worker listen on the port with SO_REUSEPORT; the kernel
	// spreads connections over them (by a hash of the connection's addresses).
	SchedReusePort
	// SchedRoundRobin makes worker 0 accept every connection and hand them to the workers
	// in turn, itself included (Node's cluster.SCHED_RR).
	SchedRoundRobin
)

func (s Scheduling) String() string {
	switch s {
	case SchedAuto:
		return "auto"
	case SchedReusePort:
		return "reuseport"
	case SchedRoundRobin:
		return "round-robin"
	}
	return "Scheduling(" + strconv.Itoa(int(s)) + ")"
}

// Options configure Serve.
type Options struct {
	// Workers is the number of loops; below 1 means runtime.NumCPU().
	Workers int
	// Port, Host, Backlog and IPv6Only are as in net.ListenOptions: port 0 picks a free
	// port (all workers share it), an empty host is "::" dual-stack (or "0.0.0.0"), a host
	// name is looked up once, by Serve, and its first address used.
	Port     int
	Host     string
	Backlog  int
	IPv6Only bool
	// Scheduling chooses how connections are spread (SchedAuto by default).
	Scheduling Scheduling
	// Server holds the options of every worker's server (its Loop is ignored).
	Server net.ServerOptions
}

// Cluster is a server served by several loops, each on its own goroutine and OS thread.
type Cluster struct {
	sched   Scheduling
	addr    netip.AddrPort
	members []*member
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
}

// member is one worker of a Cluster and what runs it.
type member struct {
	w    *Worker
	stop handles.Async
	dist *distributor // round-robin worker 0
	ch   *channel     // other round-robin workers
	done bool
}

// started is a member's report to Serve: where it listens, or why it cannot serve.
type started struct {
	addr netip.AddrPort
	err  error
}

// Serve starts a cluster of loops serving one port and returns once every worker is ready
// (or with the first error, such as EADDRINUSE in Node's form, after stopping the others).
// setup runs once per worker, on its loop; the connections it accepts are handed to the
// callback setup returns. Stop the cluster with Close, then Wait.
func Serve(o Options, setup Setup) (*Cluster, error) {
	if o.Port < 0 || o.Port > 65535 {
		return nil, errors.New("cluster: port should be >= 0 and < 65536, got " + strconv.Itoa(o.Port))
	}
	n := o.Workers
	if n < 1 {
		n = runtime.NumCPU()
	}
	host, err := resolveHost(o.Host)
	if err != nil {
		return nil, err
	}
	o.Host = host
	switch o.Scheduling {
	case SchedAuto, SchedReusePort:
		c, err := serveReusePort(o, n, setup)
		if err == nil || o.Scheduling == SchedReusePort || !(errors.Is(err, uv.ENOTSUP) || errors.Is(err, uv.ENOSYS)) {
			return c, err
		}
		return serveRoundRobin(o, n, setup)
	case SchedRoundRobin:
		return serveRoundRobin(o, n, setup)
	}
	return nil, errors.New("cluster: unknown scheduling " + o.Scheduling.String())
}

// Addr returns the address the cluster listens on.
func (c *Cluster) Addr() netip.AddrPort { return c.addr }

// Port returns the port the cluster listens on.
func (c *Cluster) Port() int { return int(c.addr.Port()) }

// Scheduling returns the scheduling in use (never SchedAuto).
func (c *Cluster) Scheduling() Scheduling { return c.sched }

// Workers returns the number of workers.
func (c *Cluster) Workers() int { return len(c.members) }

// Served returns, per worker, the connections its server has been given so far. It is safe
// from any goroutine.
func (c *Cluster) Served() []uint64 {
	out := make([]uint64, len(c.members))
	for i, m := range c.members {
		out[i] = m.w.Served()
	}
	return out
}

// Close stops the cluster: every worker stops getting connections, its stop callbacks run,
// and its loop ends once its open connections have ended. It returns at once; Wait waits.
// It is safe from any goroutine, and more than once.
func (c *Cluster) Close() {
	for _, m := range c.members {
		m.stop.Send()
	}
}

// Wait waits until every worker's loop has ended and been closed, and returns the first
// error one of them met.
func (c *Cluster) Wait() error {
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Cluster) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// abort stops the members started so far and waits for them; for Serve's failures.
func (c *Cluster) abort(err error) (*Cluster, error) {
	c.Close()
	c.wg.Wait()
	return nil, err
}

// shutdown is the member's stop, on its loop: close what feeds it connections, then stop
// the worker.
func (m *member) shutdown() {
	if m.done {
		return
	}
	m.done = true
	m.stop.Close(nil)
	if d := m.dist; d != nil {
		d.close()
		for _, t := range d.targets {
			if t.pipe != nil && !t.pipe.IsClosing() {
				t.pipe.Close(nil)
			}
		}
	}
	if m.ch != nil {
		m.ch.close()
	}
	m.w.stop()
}

// run starts a member's goroutine: init sets up its worker on its new loop and reports
// (then or later, from the loop) through report; then the loop runs until it has no work
// left. abandon, if not nil, runs when init never does (the loop could not be made), to
// release what init would have taken over. A member reports exactly once.
func (c *Cluster) run(id int, so net.ServerOptions, init func(m *member, report func(started)) error,
	abandon func(), res chan<- started) {
	m := &member{}
	c.members = append(c.members, m)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		reported := false
		report := func(s started) {
			if !reported {
				reported = true
				res <- s
			}
		}
		l, err := uv.NewLoop()
		if err == nil {
			if m.w, err = newWorker(id, l, so); err == nil {
				err = m.stop.Init(l, func(*handles.Async) { m.shutdown() })
			}
		}
		if err != nil {
			if abandon != nil {
				abandon()
			}
			if l != nil {
				l.Close()
			}
			report(started{err: err})
			return
		}
		if err = init(m, report); err != nil {
			m.shutdown()
		} else {
			_, err = l.Run(uv.RunDefault)
		}
		if cerr := finishLoop(l); err == nil {
			err = cerr
		}
		if err != nil {
			c.fail(err)
		}
		if !reported { // the loop ended before it was ready
			if err == nil {
				err = uv.ECANCELED
			}
			report(started{err: err})
		}
	}()
}

// serveReusePort starts n workers that each listen on the port with SO_REUSEPORT. Worker 0
// listens first, so that port 0 becomes one port that the others then share.
func serveReusePort(o Options, n int, setup Setup) (*Cluster, error) {
	c := &Cluster{sched: SchedReusePort}
	res := make(chan started, n)
	lo := net.ListenOptions{Port: o.Port, Host: o.Host, Backlog: o.Backlog, IPv6Only: o.IPv6Only, ReusePort: true}
	listen := func(m *member, report func(started)) error {
		srv := m.w.server
		srv.OnError(func(err error) {
			m.shutdown()
			report(started{err: err})
		})
		return srv.ListenWith(lo, func() {
			srv.OnError(nil)
			if setup != nil {
				m.w.onConn = setup(m.w)
			}
			report(started{addr: srv.AddrPort()})
		})
	}
	c.run(0, o.Server, listen, nil, res)
	first := <-res
	if first.err != nil {
		return c.abort(first.err)
	}
	c.addr = first.addr
	lo.Port = int(first.addr.Port())
	for i := 1; i < n; i++ {
		c.run(i, o.Server, listen, nil, res)
	}
	var err error
	for i := 1; i < n; i++ {
		if s := <-res; s.err != nil && err == nil {
			err = s.err
		}
	}
	if err != nil {
		return c.abort(err)
	}
	return c, nil
}

// serveRoundRobin starts n workers; worker 0 listens and hands connections to every worker
// in turn: to its own server directly, to the others over an IPC pair each (uv.IPCPair: a
// unix socket pair, a named pipe on Windows; Write2 on worker 0's end, Accept on the other
// worker's end). The pair is the one way a descriptor moves between loops without a lock:
// each end belongs to one loop.
func serveRoundRobin(o Options, n int, setup Setup) (*Cluster, error) {
	c := &Cluster{sched: SchedRoundRobin}
	pairs := make([][2]uv.OSSock, n)
	for i := 1; i < n; i++ {
		p, err := uv.IPCPair()
		if err != nil {
			for _, q := range pairs[1:i] {
				uv.CloseSocket(q[0])
				uv.CloseSocket(q[1])
			}
			return nil, err
		}
		pairs[i] = p
	}
	res := make(chan started, n)
	var addr netip.AddrPort
	c.run(0, o.Server, func(m *member, report func(started)) error {
		l := m.w.loop
		d := &distributor{loop: l}
		m.dist = d
		d.targets = append(d.targets, &target{local: m.w.server, ready: true})
		var err error
		for _, p := range pairs[1:] {
			t := &target{pipe: new(handles.Pipe)}
			d.targets = append(d.targets, t)
			if err == nil {
				if err = t.pipe.Init(l, true); err == nil {
					err = t.pipe.Open(p[0])
				}
			}
			if err != nil || t.pipe.Loop() == nil {
				uv.CloseSocket(p[0])
				continue
			}
			t.ready = true
		}
		if err != nil {
			return err
		}
		d.ln, addr, err = listenTCP(l, o.Host, o.Port, o.Backlog, o.IPv6Only, d, distConnection)
		if err != nil {
			return err
		}
		if setup != nil {
			m.w.onConn = setup(m.w)
		}
		report(started{addr: addr})
		return nil
	}, func() {
		for _, p := range pairs[1:] {
			uv.CloseSocket(p[0])
		}
	}, res)
	for i := 1; i < n; i++ {
		fd := pairs[i][1]
		c.run(i, o.Server, func(m *member, report func(started)) error {
			ch := &channel{onFd: serveFrom(m.w.server), onEnd: func(error) { m.shutdown() }}
			m.ch = ch
			err := ch.pipe.Init(m.w.loop, true)
			if err == nil {
				if err = ch.pipe.Open(fd); err != nil {
					uv.CloseSocket(fd)
				}
			} else {
				uv.CloseSocket(fd)
			}
			if err == nil {
				err = ch.start()
			}
			if err != nil {
				return err
			}
			if setup != nil {
				m.w.onConn = setup(m.w)
			}
			report(started{})
			return nil
		}, func() { uv.CloseSocket(fd) }, res)
	}
	var err error
	for range n {
		s := <-res
		if s.err != nil && err == nil {
			err = s.err
		}
		if s.addr.IsValid() {
			c.addr = s.addr
		}
	}
	if err != nil {
		return c.abort(err)
	}
	return c, nil
}
