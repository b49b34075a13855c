package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The idle-memory measurement (issue 8): what an idle keep-alive HTTP connection costs the
// server. Per server: start it, answer one request, read its heap (base), open conns
// keep-alive connections from this process and make one request on each, leave them idle,
// read the heap again; the difference over conns is the cost of one connection. Servers
// print their heap on SIGUSR2 ("MEM heap=<bytes> rss=<bytes>", after a collection): Go's
// runtime.MemStats.HeapAlloc, Node's process.memoryUsage().heapUsed (node runs with
// --expose-gc so the figure follows a full collection); the resident set size too, which
// also holds what lives outside the collected heap (Node's native socket and parser state).

var idleServers = []httpServer{
	{name: "uvgo", about: "uv-go's http server", cmd: binCmd("bin/uvbench", "http_hello", "keepalive=600000")},
	{name: "uvgo-app", about: "uv-go's app layer", cmd: binCmd("bin/uvbench", "http_hello", "server=app", "keepalive=600000")},
	{name: "node", about: "Node's http module", cmd: binCmd("node", "--expose-gc", "node/http_hello.js", "keepalive=600000")},
	{name: "nethttp", about: "Go net/http (no idle timeout)", cmd: binCmd("bin/hellopeers", "server=nethttp")},
}

// idleTarget is issue 8's bound on uv-go's heap per idle connection.
const idleTarget = 2048

type memSample struct{ heap, rss int64 }

type idleResult struct {
	base, loaded memSample
	conns        int
	open         time.Duration // time to open the connections and get the answers
	err          error
}

func (r idleResult) perConn() (heap, rss float64) {
	n := float64(r.conns)
	return float64(r.loaded.heap-r.base.heap) / n, float64(r.loaded.rss-r.base.rss) / n
}

// raiseNoFile lifts this process's open-file limit to its hard limit; the servers started
// afterwards inherit it (Go only restores the original limit in children when the program
// left it alone).
func raiseNoFile() (uint64, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, err
	}
	rl.Cur = rl.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, err
	}
	return rl.Cur, nil
}

// sourceAddrs spreads the client sockets over 127.0.0.x when the ephemeral port range is
// too small for conns connections from 127.0.0.1 alone.
func sourceAddrs(conns int) []net.IP {
	lo, hi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		fmt.Sscan(string(b), &lo, &hi)
	}
	free := max(1000, hi-lo+1-5000) // leave room for what else runs
	n := min(250, (conns+free-1)/free)
	var out []net.IP
	for i := 0; i < n; i++ {
		out = append(out, net.IPv4(127, 0, 0, byte(1+i)))
	}
	return out
}

var reMem = regexp.MustCompile(`MEM heap=(\d+) rss=(\d+)`)

// readMem asks the server for its heap and waits for the answer.
func readMem(p *process) (memSample, error) {
	before := len(reMem.FindAllString(p.stdout.String(), -1))
	if err := p.cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		return memSample{}, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		all := reMem.FindAllStringSubmatch(p.stdout.String(), -1)
		if len(all) > before {
			m := all[len(all)-1]
			heap, _ := strconv.ParseInt(m[1], 10, 64)
			rss, _ := strconv.ParseInt(m[2], 10, 64)
			return memSample{heap, rss}, nil
		}
		select {
		case <-p.done:
			return memSample{}, fmt.Errorf("the server exited: %v: %s", p.err, strings.TrimSpace(p.stderr.String()))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return memSample{}, errors.New("no MEM line 30 s after SIGUSR2")
}

const idleRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: benchrun\r\n\r\n"

// openIdle opens n keep-alive connections and makes one request on each.
func openIdle(port, n int) ([]net.Conn, error) {
	srcs := sourceAddrs(n)
	conns := make([]net.Conn, n)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1024)
			for i := range next {
				c, err := dialAsk(port, srcs[i%len(srcs)], buf)
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("connection %d: %v", i, err)
				}
				conns[i] = c
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		closeAll(conns)
		return nil, first
	}
	return conns, nil
}

func dialAsk(port int, src net.IP, buf []byte) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: src}, Control: bindNoPort}
	c, err := d.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, idleRequest); err != nil {
		c.Close()
		return nil, err
	}
	got := 0
	for !bytes.HasSuffix(buf[:got], []byte("\r\n\r\nHello, World!")) {
		if got == len(buf) {
			c.Close()
			return nil, fmt.Errorf("answer too long: %q", buf[:got])
		}
		n, err := c.Read(buf[got:])
		if err != nil {
			c.Close()
			return nil, err
		}
		got += n
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// bindNoPort sets IP_BIND_ADDRESS_NO_PORT: binding the source address then leaves the port
// to connect, which may reuse a port towards another destination (a port bound with
// port 0 is reserved for every destination, and 10,000 of them run the range dry).
func bindNoPort(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

// ipBindAddressNoPort is Linux's IP_BIND_ADDRESS_NO_PORT (not in package syscall).
const ipBindAddressNoPort = 24

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

func idleOnce(c *config, s httpServer) idleResult {
	r := idleResult{conns: c.idleConns}
	dir, err := os.MkdirTemp("", "benchrun-idle-"+s.name+"-")
	if err != nil {
		r.err = err
		return r
	}
	defer os.RemoveAll(dir)
	port, err := freePort()
	if err != nil {
		r.err = err
		return r
	}
	p, err := startServer(c, s, port, dir)
	if err != nil {
		r.err = err
		return r
	}
	var conns []net.Conn
	defer func() {
		// The server goes first, so that it closes the connections: the TIME_WAIT states
		// then hold the server's port, not 10,000 of the client's.
		p.stop()
		closeAll(conns)
	}()
	c.load.settle(c)
	if err := checkHello(port); err != nil {
		r.err = fmt.Errorf("wrong answer: %v", err)
		return r
	}
	time.Sleep(300 * time.Millisecond)
	if r.base, err = readMem(p); err != nil {
		r.err = err
		return r
	}
	t0 := time.Now()
	if conns, err = openIdle(port, c.idleConns); err != nil {
		r.err = err
		return r
	}
	r.open = time.Since(t0)
	time.Sleep(c.idleWait)
	if r.loaded, err = readMem(p); err != nil {
		r.err = err
	}
	return r
}

func runIdle(c *config) (map[string]idleResult, []string, int) {
	res := map[string]idleResult{}
	var order []string
	failed := 0
	if lim, err := raiseNoFile(); err != nil || lim < uint64(c.idleConns)+100 {
		logf("idle memory: the open-file limit (%d, %v) is too low for %d connections; skipping", lim, err, c.idleConns)
		res["*"] = idleResult{err: fmt.Errorf("RLIMIT_NOFILE %d is below %d", lim, c.idleConns+100)}
		return res, []string{"*"}, 1
	}
	for _, s := range idleServers {
		if c.idleServers != nil && !c.idleServers[s.name] {
			continue
		}
		logf("idle memory: %s, %d connections", s.name, c.idleConns)
		r := idleOnce(c, s)
		if errors.Is(r.err, errNotAvailable) {
			continue
		}
		if r.err != nil {
			logf("FAILED idle memory %s: %v", s.name, r.err)
			failed++
		} else if c.verbose {
			h, rss := r.perConn()
			logf("idle memory %s: %.0f B heap, %.0f B RSS per connection", s.name, h, rss)
		}
		if c.raw != nil && r.err == nil {
			h, rss := r.perConn()
			fmt.Fprintf(c.raw, "BENCH shape=http_idle_mem impl=%s value=%.0f unit=B/conn better=lower rss_per_conn=%.0f conns=%d heap_base=%d heap_loaded=%d rss_base=%d rss_loaded=%d\n",
				s.name, h, rss, r.conns, r.base.heap, r.loaded.heap, r.base.rss, r.loaded.rss)
		}
		res[s.name] = r
		order = append(order, s.name)
	}
	return res, order, failed
}

func reportIdle(c *config, res map[string]idleResult, order []string) {
	w := c.out
	fmt.Fprintf(w, "## Idle keep-alive connections: server memory per connection at %s connections\n\n", thousands(int64(c.idleConns)))
	fmt.Fprintf(w, "Each server answers one request on each of %s keep-alive connections from 127.0.0.1, which then\n", thousands(int64(c.idleConns)))
	fmt.Fprintf(w, "stay idle for %s; the server's heap after a collection (Go: HeapAlloc; Node: heapUsed, run with\n", c.idleWait)
	fmt.Fprintln(w, "--expose-gc) and its RSS are read before and after, and the difference divided by the connections.")
	fmt.Fprintln(w)
	if r, ok := res["*"]; ok {
		fmt.Fprintf(w, "Not run: %v.\n\n", r.err)
		return
	}
	fmt.Fprintln(w, "| server | heap B/conn | RSS B/conn | heap before | heap after | RSS before | RSS after | open + answer |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, name := range order {
		r := res[name]
		if r.err != nil {
			fmt.Fprintf(w, "| %s | failed: %v | | | | | | |\n", name, r.err)
			continue
		}
		h, rss := r.perConn()
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %s | %s | %s | %s | %.1f s |\n", name, h, rss,
			mib(r.base.heap), mib(r.loaded.heap), mib(r.base.rss), mib(r.loaded.rss), r.open.Seconds())
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Issue 8 target: uv-go's heap per idle keep-alive connection ≤ %d B", idleTarget)
	if r, ok := res["uvgo"]; ok && r.err == nil {
		h, _ := r.perConn()
		met := "met"
		if h > idleTarget {
			met = "not met"
		}
		fmt.Fprintf(w, ": %.0f B, %s", h, met)
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintln(w)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
