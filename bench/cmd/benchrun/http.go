package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// httpServer is one HTTP hello server: "Hello, World!" on 127.0.0.1:port, keep-alive.
type httpServer struct {
	name  string
	about string
	// cmd returns the command line for port; dir is a scratch directory of the run.
	cmd func(c *config, port int, dir string) ([]string, error)
	// optional servers run only when -servers names them.
	optional bool
}

func binCmd(parts ...string) func(*config, int, string) ([]string, error) {
	return func(c *config, port int, _ string) ([]string, error) {
		out := append([]string{}, parts...)
		if strings.HasPrefix(out[0], "bin/") {
			out[0] = filepath.Join(c.dir, out[0])
		}
		return append(out, fmt.Sprintf("port=%d", port)), nil
	}
}

var httpServers = []httpServer{
	// uv-go's own servers: the plain http.Server, and the app layer with one route.
	{name: "uvgo", about: "uv-go's http server, a request listener (bin/uvbench http_hello)", cmd: binCmd("bin/uvbench", "http_hello")},
	{name: "uvgo-app", about: "uv-go's app layer, one route, res.Send (bin/uvbench http_hello server=app)", cmd: binCmd("bin/uvbench", "http_hello", "server=app")},
	// GOMAXPROCS=2 on the one CPU of the taskset: the loop's thread keeps its P while the
	// runtime's sysmon takes another, so a blocking epoll_wait costs no P hand-off (see
	// README, "Where the time goes"). Optional: the peers all run with the default.
	{name: "uvgo-gmp2", about: "uv-go's http server with GOMAXPROCS=2 (optional: name it in -servers)", cmd: binCmd("env", "GOMAXPROCS=2", "bin/uvbench", "http_hello"), optional: true},
	// A/B: a copy of bin/uvbench built from another tree (optional; copy it there first).
	{name: "uvgo-base", about: "bin/uvbench-base http_hello, for A/B runs against another build (optional)", cmd: binCmd("bin/uvbench-base", "http_hello"), optional: true},
	// Below the http package (optional): the hello on net.Socket and on handles.TCP, without
	// HTTP parsing, and the same with nothing but the system calls (c/http_floor.c), to show
	// what each layer of uv-go's server costs (README, "Where the time goes").
	{name: "uvgo-net", about: "uv-go's net.Socket, blank-line framing, fixed response (bin/uvbench net_hello; optional)", cmd: binCmd("bin/uvbench", "net_hello"), optional: true},
	{name: "uvgo-handles", about: "uv-go's handles.TCP, blank-line framing, fixed response (bin/uvbench handles_hello; optional)", cmd: binCmd("bin/uvbench", "handles_hello"), optional: true},
	{name: "c-floor", about: "C, epoll, recv and send only, blank-line framing (bin/c_http_floor; optional)", cmd: binCmd("bin/c_http_floor"), optional: true},
	{name: "node", about: "Node's http module (node/http_hello.js)", cmd: binCmd("node", "node/http_hello.js")},
	{name: "nethttp", about: "Go net/http (GOMAXPROCS is 1 under taskset)", cmd: binCmd("bin/hellopeers", "server=nethttp")},
	{name: "fasthttp", about: "fasthttp", cmd: binCmd("bin/hellopeers", "server=fasthttp")},
	{name: "gnet", about: "gnet v2, one loop, minimal parser (blank-line framing)", cmd: binCmd("bin/hellopeers", "server=gnet")},
	{name: "nginx", about: "nginx, one process (master_process off), return 200", cmd: nginxCmd},
}

const notImplementedExit = 3

const nginxConf = `worker_processes 1;
daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:%[2]d;
    location / {
      default_type text/plain;
      return 200 "Hello, World!";
    }
  }
}
`

func nginxCmd(_ *config, port int, dir string) ([]string, error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return nil, errNotAvailable
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(nginxConf, dir, port)), 0o644); err != nil {
		return nil, err
	}
	return []string{bin, "-p", dir, "-c", conf}, nil
}

var errNotAvailable = errors.New("not available")

// httpRun is one timed wrk run against one server.
type httpRun struct {
	rps, cpuPerReq, cpuUtil, p50, p99 float64 // p50 and p99 in ms, cpu in µs per request
	userPerReq                        float64 // the user-mode part of cpuPerReq
	errors, requests                  int64
}

type httpResults struct {
	servers []string
	conns   []int
	runs    map[string]map[int]map[int]httpRun // server -> conns -> round -> run
	status  map[string]string                  // server -> why it has no results
	rounds  int
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// process is a started server.
type process struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	stdout syncBuffer
	stderr syncBuffer
}

// syncBuffer is a bytes.Buffer that may be read while the process writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startServer(c *config, s httpServer, port int, dir string) (*process, error) {
	argv, err := s.cmd(c, port, dir)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("taskset", append([]string{"-c", "0"}, argv...)...)
	cmd.Dir = c.dir
	p := &process{cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			var ee *exec.ExitError
			if errors.As(p.err, &ee) && ee.ExitCode() == notImplementedExit {
				return nil, errNotAvailable
			}
			return nil, fmt.Errorf("exited: %v: %s", p.err, strings.TrimSpace(p.stderr.String()))
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return p, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("not listening on %s after 15 s", addr)
}

func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// cpuTicks is the server's user and system time in clock ticks, all threads.
func cpuTicks(pid int) (user, sys int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	return u, s, nil
}

func clockTick() float64 {
	if v, err := strconv.Atoi(output("getconf", "CLK_TCK")); err == nil && v > 0 {
		return float64(v)
	}
	return 100
}

// checkHello sends two requests on one connection and checks both answers.
func checkHello(port int) error {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	for i := 0; i < 2; i++ {
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: benchrun\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return fmt.Errorf("request %d: %v", i+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("request %d: body: %v", i+1, err)
		}
		if resp.StatusCode != 200 || string(body) != "Hello, World!" {
			return fmt.Errorf("request %d: got %d %q, want 200 \"Hello, World!\"", i+1, resp.StatusCode, body)
		}
		if resp.Close {
			return fmt.Errorf("request %d: the server closes the connection (no keep-alive)", i+1)
		}
	}
	return nil
}

func wrk(conns, secs, port int, latency bool) (string, error) {
	args := []string{"-c", "1", "wrk", "-t1", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", secs)}
	if latency {
		args = append(args, "--latency")
	}
	args = append(args, fmt.Sprintf("http://127.0.0.1:%d/", port))
	out, err := exec.Command("taskset", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("wrk: %v: %s", err, out)
	}
	return string(out), nil
}

var (
	reRequests = regexp.MustCompile(`(\d+) requests in ([\d.]+)(\w+)`)
	reRPS      = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	reLat      = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	reSockErr  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	reNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func parseWrk(out string) (httpRun, error) {
	var r httpRun
	m := reRequests.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no request count in wrk output: %s", out)
	}
	r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	if m := reRPS.FindStringSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	for _, m := range reLat.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if m[1] == "50" {
			r.p50 = v
		} else {
			r.p99 = v
		}
	}
	if m := reSockErr.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			r.errors += n
		}
	}
	if m := reNon2xx.FindStringSubmatch(out); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		r.errors += n
	}
	return r, nil
}

func runHTTP(c *config, e *env) (*httpResults, int) {
	res := &httpResults{conns: c.conns, runs: map[string]map[int]map[int]httpRun{}, status: map[string]string{}, rounds: c.rounds}
	if _, err := exec.LookPath("wrk"); err != nil {
		logf("HTTP: wrk is not installed; skipping (bench/run.sh installs it)")
		res.status["*"] = "wrk is not installed"
		return res, 1
	}
	var active []httpServer
	for _, s := range httpServers {
		if c.servers == nil && !s.optional || c.servers[s.name] {
			active = append(active, s)
			res.servers = append(res.servers, s.name)
		}
	}
	tick := clockTick()
	secs, warm := max(1, int(c.httpSecs+0.5)), max(1, int(c.httpWarm+0.5))
	failed := 0
	dead := map[string]bool{}
	for round := 0; round < c.rounds; round++ {
		logf("http round %d of %d", round+1, c.rounds)
		for _, conns := range c.conns {
			k := round % max(1, len(active))
			order := append(append([]httpServer{}, active[k:]...), active[:k]...)
			for _, s := range order {
				if dead[s.name] {
					continue
				}
				r, err := httpOnce(c, e, s, conns, secs, warm, tick)
				if errors.Is(err, errNotAvailable) {
					res.status[s.name] = "not available"
					dead[s.name] = true
					logf("HTTP %s: not available, skipped", s.name)
					continue
				}
				if err != nil {
					logf("FAILED HTTP %s -c%d: %v", s.name, conns, err)
					failed++
					if res.status[s.name] == "" {
						res.status[s.name] = "failed: " + err.Error()
					}
					continue
				}
				if res.runs[s.name] == nil {
					res.runs[s.name] = map[int]map[int]httpRun{}
				}
				if res.runs[s.name][conns] == nil {
					res.runs[s.name][conns] = map[int]httpRun{}
				}
				res.runs[s.name][conns][round] = r
				if c.raw != nil {
					fmt.Fprintf(c.raw, "BENCH shape=http_hello_c%d impl=%s value=%.1f unit=req/s better=higher cpu_us_per_req=%.2f user_us_per_req=%.2f cpu_util=%.2f p50_ms=%.3f p99_ms=%.3f errors=%d requests=%d\n",
						conns, s.name, r.rps, r.cpuPerReq, r.userPerReq, r.cpuUtil, r.p50, r.p99, r.errors, r.requests)
				}
				if c.verbose {
					logf("HTTP %s -c%d: %.0f req/s, %.2f µs CPU/req (user %.2f), p99 %.2f ms, %d errors", s.name, conns, r.rps, r.cpuPerReq, r.userPerReq, r.p99, r.errors)
				}
			}
		}
	}
	return res, failed
}

func httpOnce(c *config, e *env, s httpServer, conns, secs, warm int, tick float64) (httpRun, error) {
	dir, err := os.MkdirTemp("", "benchrun-"+s.name+"-")
	if err != nil {
		return httpRun{}, err
	}
	defer os.RemoveAll(dir)
	port, err := freePort()
	if err != nil {
		return httpRun{}, err
	}
	p, err := startServer(c, s, port, dir)
	if err != nil {
		return httpRun{}, err
	}
	defer p.stop()
	c.load.settle(c)
	if err := checkHello(port); err != nil {
		return httpRun{}, fmt.Errorf("wrong answer: %v", err)
	}
	if m := regexp.MustCompile(`ver=(\S+)`).FindStringSubmatch(p.stdout.String()); m != nil {
		e.noteVersion("http "+s.name, m[1])
	}
	if _, err := wrk(conns, warm, port, false); err != nil {
		return httpRun{}, err
	}
	pid := p.cmd.Process.Pid
	userBefore, sysBefore, err := cpuTicks(pid)
	if err != nil {
		return httpRun{}, err
	}
	out, err := wrk(conns, secs, port, true)
	if err != nil {
		return httpRun{}, err
	}
	userAfter, sysAfter, err := cpuTicks(pid)
	if err != nil {
		return httpRun{}, err
	}
	r, err := parseWrk(out)
	if err != nil {
		return httpRun{}, err
	}
	user := float64(userAfter-userBefore) / tick
	cpu := user + float64(sysAfter-sysBefore)/tick
	if r.requests > 0 {
		r.cpuPerReq = cpu * 1e6 / float64(r.requests)
		r.userPerReq = user * 1e6 / float64(r.requests)
	}
	r.cpuUtil = cpu / float64(secs)
	return r, nil
}

func reportHTTP(c *config, res *httpResults) {
	w := c.out
	fmt.Fprintf(w, "## HTTP hello: medians of %d interleaved round(s)\n\n", res.rounds)
	fmt.Fprintf(w, "Server pinned to CPU 0, `wrk -t1` pinned to CPU 1, %d s after a %d s warm-up. Server CPU is user+system\n",
		max(1, int(c.httpSecs+0.5)), max(1, int(c.httpWarm+0.5)))
	fmt.Fprintln(w, "time from /proc/PID/stat over the timed run (100% = one core, so the server is the bottleneck;")
	fmt.Fprintln(w, "less means wrk is); \"user\" is the user-mode part of the CPU per request, the rest is the")
	fmt.Fprintln(w, "kernel's. Ratios are medians over rounds of the per-round ratios.")
	fmt.Fprintln(w)
	if why := res.status["*"]; why != "" {
		fmt.Fprintf(w, "Not run: %s.\n\n", why)
		return
	}
	fmt.Fprintln(w, "| server | conns | req/s | server CPU | CPU µs/req | user µs/req | p50 ms | p99 ms | errors | req/s ÷ Node | CPU/req ÷ Node | CPU/req ÷ gnet | p99 ÷ gnet |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, name := range res.servers {
		if res.runs[name] == nil {
			fmt.Fprintf(w, "| %s | | %s | | | | | | | | | | |\n", name, orDash(res.status[name]))
			continue
		}
		for _, conns := range res.conns {
			runs := res.runs[name][conns]
			if len(runs) == 0 {
				continue
			}
			get := func(f func(httpRun) float64) []float64 {
				var xs []float64
				for _, r := range runs {
					xs = append(xs, f(r))
				}
				return xs
			}
			ratio := func(peer string, f func(httpRun) float64) string {
				var xs []float64
				for round, r := range runs {
					if pr, ok := res.runs[peer][conns][round]; ok && f(pr) > 0 {
						xs = append(xs, f(r)/f(pr))
					}
				}
				if len(xs) == 0 || peer == name {
					return "-"
				}
				return fmt.Sprintf("%.2f", median(xs))
			}
			rps := func(r httpRun) float64 { return r.rps }
			cpu := func(r httpRun) float64 { return r.cpuPerReq }
			p99 := func(r httpRun) float64 { return r.p99 }
			var errs int64
			for _, r := range runs {
				errs += r.errors
			}
			rpsx := get(rps)
			fmt.Fprintf(w, "| %s | %d | %s (%s) | %.0f%% | %.2f | %.2f | %.2f | %.2f | %d | %s | %s | %s | %s |\n",
				name, conns, num(median(rpsx)), spread(rpsx), median(get(func(r httpRun) float64 { return r.cpuUtil }))*100,
				median(get(cpu)), median(get(func(r httpRun) float64 { return r.userPerReq })),
				median(get(func(r httpRun) float64 { return r.p50 })), median(get(p99)), errs,
				ratio("node", rps), ratio("node", cpu), ratio("gnet", cpu), ratio("gnet", p99))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Issue 8 targets for uv-go's server: CPU/req ≤ gnet's and nginx's and ≤ 0.45 × Node's;")
	fmt.Fprintln(w, "req/s ≥ 1.9 × Node's at -c64; p99 ≤ gnet's.")
	if res.runs["uvgo"] == nil {
		fmt.Fprintf(w, "uv-go: %s.\n", orDash(res.status["uvgo"]))
	} else {
		for _, conns := range res.conns {
			if line := targetLine(res, "uvgo", conns); line != "" {
				fmt.Fprintf(w, "uv-go at -c%d: %s.\n", conns, line)
			}
		}
	}
	fmt.Fprintln(w)
}

// targetLine checks the issue 8 targets for server at conns, on medians of per-round
// ratios; a target whose peer did not run is left out.
func targetLine(res *httpResults, server string, conns int) string {
	ratio := func(peer string, f func(httpRun) float64) (float64, bool) {
		var xs []float64
		for round, r := range res.runs[server][conns] {
			if pr, ok := res.runs[peer][conns][round]; ok && f(pr) > 0 {
				xs = append(xs, f(r)/f(pr))
			}
		}
		if len(xs) == 0 {
			return 0, false
		}
		return median(xs), true
	}
	cpu := func(r httpRun) float64 { return r.cpuPerReq }
	var parts []string
	check := func(what string, v, bound float64, ok, lower bool) {
		if !ok {
			return
		}
		met := v <= bound
		if !lower {
			met = v >= bound
		}
		verdict := "met"
		if !met {
			verdict = "not met"
		}
		parts = append(parts, fmt.Sprintf("%s %.2f (%s)", what, v, verdict))
	}
	v, ok := ratio("gnet", cpu)
	check("CPU/req ÷ gnet", v, 1, ok, true)
	v, ok = ratio("nginx", cpu)
	check("CPU/req ÷ nginx", v, 1, ok, true)
	v, ok = ratio("node", cpu)
	check("CPU/req ÷ Node", v, 0.45, ok, true)
	if conns == 64 {
		v, ok = ratio("node", func(r httpRun) float64 { return r.rps })
		check("req/s ÷ Node", v, 1.9, ok, false)
	}
	v, ok = ratio("gnet", func(r httpRun) float64 { return r.p99 })
	check("p99 ÷ gnet", v, 1, ok, true)
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
