// Command benchrun is the driver of uv-go's bench harness (bench/run.sh builds everything
// and calls it). It runs the same workload on uv-go and on its peers (libuv C programs,
// Node scripts, Go HTTP servers, nginx) in interleaved rounds, then prints a markdown
// report: the machine, the versions, medians, the spread of each cell, and the ratios of
// uv-go to each peer, computed round by round and then reduced to their median.
//
// Every benchmark program prints one line per run:
//
//	BENCH shape=<shape> impl=<impl> value=<number> unit=<unit> better=<lower|higher> ver=<v> [k=v ...]
//
// and benchrun reads nothing else. Run it from bench/ (or pass -dir).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

type config struct {
	dir         string
	rounds      int
	quick       bool
	shapes      map[string]bool // nil: all
	impls       map[string]bool // nil: all
	micro       bool
	http        bool
	servers     map[string]bool // nil: all
	pairs       [][2]string     // -pairs: servers compared in adjacent runs
	pairRounds  int
	conns       []int
	httpSecs    float64
	httpWarm    float64
	idle        bool
	idleConns   int
	idleServers map[string]bool // nil: all
	idleWait    time.Duration
	out         io.Writer
	raw         io.Writer
	verbose     bool
	runTimeout  time.Duration
	quietWait   time.Duration // wait up to this long for a quiet machine before each run
	quietBusy   float64       // "quiet": at most this share of both CPUs busy
	load        loadLog
}

func splitSet(s string) map[string]bool {
	if s == "" || s == "all" {
		return nil
	}
	m := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			m[f] = true
		}
	}
	return m
}

func main() {
	var (
		c                      config
		shapes, impls, servers string
		idleServers            string
		conns, rawPath, mdPath string
	)
	flag.StringVar(&c.dir, "dir", ".", "the bench directory (holds bin/, c/, node/)")
	flag.IntVar(&c.rounds, "rounds", 3, "interleaved rounds")
	flag.BoolVar(&c.quick, "quick", false, "smoke mode: tiny sizes, one round unless -rounds is given, short HTTP runs")
	flag.StringVar(&shapes, "shapes", "all", "comma-separated micro shapes to run (see -list)")
	flag.StringVar(&impls, "impls", "all", "comma-separated implementations: uvgo,libuv,node")
	flag.BoolVar(&c.micro, "micro", true, "run the micro-benchmark shapes")
	flag.BoolVar(&c.http, "http", true, "run the HTTP hello benchmark")
	flag.StringVar(&servers, "servers", "all", "comma-separated HTTP servers: uvgo,uvgo-app,node,nethttp,fasthttp,gnet,nginx")
	flag.StringVar(&conns, "conns", "64,256", "wrk connection counts")
	var pairs string
	flag.StringVar(&pairs, "pairs", "", "also compare servers in adjacent runs, e.g. uvgo:gnet,uvgo:node (see pairs.go)")
	flag.IntVar(&c.pairRounds, "pair-rounds", 8, "pairs of runs per -pairs entry and connection count")
	flag.Float64Var(&c.httpSecs, "http-secs", 8, "seconds of each timed wrk run")
	flag.Float64Var(&c.httpWarm, "http-warm", 2, "seconds of wrk warm-up before each timed run")
	flag.BoolVar(&c.idle, "idle", true, "measure the servers' memory per idle keep-alive connection")
	flag.IntVar(&c.idleConns, "idle-conns", 10000, "idle keep-alive connections to open")
	flag.StringVar(&idleServers, "idle-servers", "uvgo,uvgo-app,node,nethttp", "comma-separated servers of the idle-memory measurement")
	flag.DurationVar(&c.idleWait, "idle-wait", time.Second, "how long the connections stay idle before the heap is read")
	flag.StringVar(&rawPath, "raw", "", "also append every result line to this file")
	flag.StringVar(&mdPath, "md", "", "also write the report to this file")
	flag.BoolVar(&c.verbose, "v", false, "print each result line as it comes")
	flag.DurationVar(&c.quietWait, "quiet", 2*time.Minute, "before each run, wait up to this long for the other load to drop (0: do not wait)")
	flag.Float64Var(&c.quietBusy, "quiet-busy", 0.10, "the share of both CPUs other processes may use for the machine to count as quiet")
	list := flag.Bool("list", false, "list the shapes and servers, then exit")
	flag.Parse()

	roundsSet := false
	flag.Visit(func(f *flag.Flag) { roundsSet = roundsSet || f.Name == "rounds" })
	if c.quick {
		if !roundsSet {
			c.rounds = 1
		}
		if !flagSet("http-secs") {
			c.httpSecs = 1
		}
		if !flagSet("http-warm") {
			c.httpWarm = 0.5
		}
		if !flagSet("conns") {
			conns = "64"
		}
		if !flagSet("quiet") {
			c.quietWait = 0
		}
		if !flagSet("idle-conns") {
			c.idleConns = 500
		}
		if !flagSet("idle-wait") {
			c.idleWait = 200 * time.Millisecond
		}
	}
	c.shapes, c.impls, c.servers = splitSet(shapes), splitSet(impls), splitSet(servers)
	c.idleServers = splitSet(idleServers)
	var err error
	if c.pairs, err = parsePairs(pairs); err != nil {
		fatalf("%v", err)
	}
	if c.pairRounds <= 0 {
		fatalf("bad -pair-rounds %d", c.pairRounds)
	}
	if c.idleConns <= 0 {
		fatalf("bad -idle-conns %d", c.idleConns)
	}
	for _, f := range strings.Split(conns, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n <= 0 {
			fatalf("bad -conns %q", conns)
		}
		c.conns = append(c.conns, n)
	}
	c.runTimeout = 120 * time.Second
	if *list {
		for _, s := range microShapes {
			fmt.Printf("shape  %-15s %s\n", s.name, s.about)
		}
		for _, s := range httpServers {
			fmt.Printf("server %-15s %s\n", s.name, s.about)
		}
		return
	}
	c.out = os.Stdout
	var md strings.Builder
	if mdPath != "" {
		c.out = io.MultiWriter(os.Stdout, &md)
	}
	if rawPath != "" {
		f, err := os.OpenFile(rawPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fatalf("%v", err)
		}
		defer f.Close()
		c.raw = f
	}
	failed := run(&c)
	if mdPath != "" {
		if err := os.WriteFile(mdPath, []byte(md.String()), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "benchrun: %d run(s) failed\n", failed)
		os.Exit(1)
	}
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func fatalf(format string, v ...any) {
	fmt.Fprintf(os.Stderr, "benchrun: "+format+"\n", v...)
	os.Exit(2)
}

func logf(format string, v ...any) {
	fmt.Fprintf(os.Stderr, "benchrun: "+format+"\n", v...)
}

// run runs everything the config selects and prints the report; it returns the number of
// runs that failed.
func run(c *config) int {
	env := collectEnv(c)
	fmt.Fprintf(c.out, "# uv-go bench run, %s\n\n", env.date)
	env.print(c.out)
	failed := 0
	if c.micro {
		res, f := runMicro(c, env)
		failed += f
		reportMicro(c, res)
	}
	if c.http {
		res, f := runHTTP(c, env)
		failed += f
		reportHTTP(c, res)
	}
	if len(c.pairs) > 0 {
		res, f := runPairs(c, env)
		failed += f
		reportPairs(c, res)
	}
	if c.idle {
		res, order, f := runIdle(c)
		failed += f
		reportIdle(c, res, order)
	}
	fmt.Fprintf(c.out, "Noise: %s.\n\n", c.load.summary())
	env.printVersions(c.out)
	return failed
}
