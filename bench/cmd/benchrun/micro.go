package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// impls are the implementations of the micro shapes, uv-go first.
var impls = []string{"uvgo", "libuv", "node"}

var implTitle = map[string]string{"uvgo": "uv-go", "libuv": "libuv", "node": "Node"}

// microShape is one workload and the command that runs it on each implementation.
type microShape struct {
	name  string
	about string
	args  []string // key=value arguments, the same for every implementation
	quick []string // the arguments in -quick mode
	cmds  map[string][]string
	// fixed says the run does a fixed amount of work, so whole-process CPU time compares
	fixed bool
	// the target of issue 8 (issue 6 for the net shapes), as a bound on uv-go / vs in the
	// shape's unit; vs is "libuv" or "node"
	vs     string
	bound  float64 // 0: no target
	target string
}

func cRun(prog string) []string  { return []string{"bin/c_" + prog} }
func nodeRun(js string) []string { return []string{"node", "node/" + js} }
func uvRun(sub string) []string  { return []string{"bin/uvbench", sub} }

var microShapes = []microShape{
	{
		name: "loop_count", fixed: true, about: "one idle handle, ns per loop iteration (Node: a setImmediate chain)",
		args: []string{"n=2000000"}, quick: []string{"n=50000"},
		cmds: map[string][]string{"uvgo": uvRun("loop_count"), "libuv": cRun("loop_count"), "node": nodeRun("loop_count.js")},
		vs:   "libuv", bound: 1, target: "≤ libuv",
	},
	{
		name: "timers_asc", fixed: true, about: "1,000,000 timers, 1000 per ms of timeout, started in ascending order: total s",
		args: []string{"n=1000000", "mode=asc"}, quick: []string{"n=20000", "mode=asc"},
		cmds: map[string][]string{"uvgo": uvRun("timers"), "libuv": cRun("timers"), "node": nodeRun("timers.js")},
		vs:   "libuv", bound: 1, target: "≤ libuv",
	},
	{
		name: "timers_shuf", fixed: true, about: "the same timers started in a shuffled order: total s",
		args: []string{"n=1000000", "mode=shuf"}, quick: []string{"n=20000", "mode=shuf"},
		cmds: map[string][]string{"uvgo": uvRun("timers"), "libuv": cRun("timers"), "node": nodeRun("timers.js")},
		vs:   "libuv", bound: 0.5, target: "≤ 0.5 × libuv",
	},
	// The two shapes above end when the last timer is due, 1 s after the start, so a fast
	// heap only ties there. The _late ones start the same timers when the loop's cached time
	// is 1.1 s old: all are due when the loop runs, and the total is the timers' own cost.
	// An unreferenced timer an hour away stays in the heap, so the due ones leave it one by
	// one (uv-go sorts a heap that is wholly due instead). Node reads a fresh clock at every
	// setTimeout, so it cannot run them.
	{
		name: "timers_asc_late", fixed: true, about: "the ascending timers started with the loop's time 1.1 s stale, all due at once: total s",
		args: []string{"n=1000000", "mode=asc", "late=1"}, quick: []string{"n=20000", "mode=asc", "late=1"},
		cmds: map[string][]string{"uvgo": uvRun("timers"), "libuv": cRun("timers")},
		vs:   "libuv", bound: 1, target: "≤ libuv",
	},
	{
		name: "timers_shuf_late", fixed: true, about: "the shuffled timers started with the loop's time 1.1 s stale, all due at once: total s",
		args: []string{"n=1000000", "mode=shuf", "late=1"}, quick: []string{"n=20000", "mode=shuf", "late=1"},
		cmds: map[string][]string{"uvgo": uvRun("timers"), "libuv": cRun("timers")},
		vs:   "libuv", bound: 0.5, target: "≤ 0.5 × libuv",
	},
	{
		name: "async_pingpong", fixed: true, about: "two loops on two threads wake each other, µs per round trip (Node: worker postMessage)",
		args: []string{"n=40000"}, quick: []string{"n=1000"},
		cmds: map[string][]string{"uvgo": uvRun("async_pingpong"), "libuv": cRun("async_pingpong"), "node": nodeRun("async_pingpong.js")},
		vs:   "libuv", bound: 1, target: "≤ libuv",
	},
	{
		name: "tcp_pingpong", about: "4-byte ping-pong over loopback with the echo server in another process, round trips/s",
		args: []string{"secs=3", "warm=0.5"}, quick: []string{"secs=0.3", "warm=0.1"},
		cmds: map[string][]string{"uvgo": uvRun("tcp_pingpong"), "libuv": cRun("tcp_pingpong"), "node": nodeRun("tcp_pingpong.js")},
		vs:   "libuv", bound: 1, target: "≥ libuv",
	},
	{
		name: "tcp_pump", about: "one connection, one 8 KiB write in flight, sink server in another process, Gbit/s",
		args: []string{"secs=3", "warm=0.5"}, quick: []string{"secs=0.3", "warm=0.1"},
		cmds: map[string][]string{"uvgo": uvRun("tcp_pump"), "libuv": cRun("tcp_pump"), "node": nodeRun("tcp_pump.js")},
	},
	{
		name: "net_echo", about: "net module: 64 connections, one 128-byte message in flight on each, echo server in another process, messages/s",
		args: []string{"conns=64", "size=128", "secs=3", "warm=0.5"}, quick: []string{"conns=64", "size=128", "secs=0.3", "warm=0.1"},
		cmds: map[string][]string{"uvgo": uvRun("net_echo"), "node": nodeRun("net_echo.js")},
		vs:   "node", bound: 1, target: "≥ Node",
	},
	{
		name: "net_connrate", about: "net module: connect, send a byte, get it back, end; 8 at a time, echo server in another process, connections/s",
		args: []string{"inflight=8", "secs=3", "warm=0.5"}, quick: []string{"inflight=8", "secs=0.3", "warm=0.1"},
		cmds: map[string][]string{"uvgo": uvRun("net_connrate"), "node": nodeRun("net_connrate.js")},
		vs:   "node", bound: 1, target: "≥ Node",
	},
	{
		name: "work_noop", fixed: true, about: "no-op threadpool work items, 256 in flight, ns per item",
		args: []string{"n=1000000", "inflight=256"}, quick: []string{"n=20000", "inflight=256"},
		cmds: map[string][]string{"uvgo": uvRun("work"), "libuv": cRun("work")},
		vs:   "libuv", bound: 1, target: "≤ libuv",
	},
	{
		name: "work_chain", fixed: true, about: "one no-op work item at a time, requeued from its callback (libuv's queue_work), ns per item",
		args: []string{"n=30000", "inflight=1"}, quick: []string{"n=500", "inflight=1"},
		cmds: map[string][]string{"uvgo": uvRun("work"), "libuv": cRun("work")},
	},
	{
		name: "fs_stat64", fixed: true, about: "async stat(\".\"), 64 in flight, stats/s",
		args: []string{"n=300000", "inflight=64"}, quick: []string{"n=5000", "inflight=64"},
		cmds: map[string][]string{"uvgo": uvRun("fs_stat"), "libuv": cRun("fs_stat"), "node": nodeRun("fs_stat.js")},
		vs:   "libuv", bound: 1, target: "≥ libuv",
	},
}

// result is one parsed BENCH line.
type result struct {
	shape, impl, unit, better, ver string
	value                          float64
	cpu                            float64 // user+system seconds of the whole process and its children
	extra                          map[string]string
}

func parseResult(line string) (result, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "BENCH ")
	if !ok {
		return result{}, false
	}
	r := result{extra: map[string]string{}}
	for _, f := range strings.Fields(rest) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "shape":
			r.shape = v
		case "impl":
			r.impl = v
		case "unit":
			r.unit = v
		case "better":
			r.better = v
		case "ver":
			r.ver = v
		case "value":
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return result{}, false
			}
			r.value = x
		default:
			r.extra[k] = v
		}
	}
	return r, r.shape != "" && r.impl != "" && r.unit != ""
}

// runOne runs one command in the bench directory and returns its result line.
func runOne(c *config, cmdline []string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.runTimeout)
	defer cancel()
	name := cmdline[0]
	if strings.HasPrefix(name, "bin/") {
		name = filepath.Join(c.dir, name)
	}
	cmd := exec.CommandContext(ctx, name, cmdline[1:]...)
	cmd.Dir = c.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return result{}, fmt.Errorf("%s: %v: %s", strings.Join(cmdline, " "), err, strings.TrimSpace(stderr.String()))
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if r, ok := parseResult(sc.Text()); ok {
			r.cpu = cpu.Seconds()
			if c.raw != nil {
				fmt.Fprintln(c.raw, sc.Text())
			}
			if c.verbose {
				fmt.Fprintln(os.Stderr, sc.Text())
			}
			return r, nil
		}
	}
	return result{}, fmt.Errorf("%s: no BENCH line in its output", strings.Join(cmdline, " "))
}

// microResults holds, per shape, per implementation, the value of each round (NaN-free:
// a failed run leaves its round out).
type microResults struct {
	shapes []microShape
	unit   map[string]string
	better map[string]string
	vals   map[string]map[string]map[int]float64 // shape -> impl -> round -> value
	cpu    map[string]map[string]map[int]float64 // shape -> impl -> round -> process CPU s
	extra  map[string]map[string][]map[string]string
	rounds int
}

func runMicro(c *config, e *env) (*microResults, int) {
	res := &microResults{
		unit: map[string]string{}, better: map[string]string{},
		vals: map[string]map[string]map[int]float64{}, cpu: map[string]map[string]map[int]float64{}, extra: map[string]map[string][]map[string]string{},
		rounds: c.rounds,
	}
	failed := 0
	for _, s := range microShapes {
		if c.shapes == nil || c.shapes[s.name] {
			res.shapes = append(res.shapes, s)
		}
	}
	for round := 0; round < c.rounds; round++ {
		logf("micro round %d of %d", round+1, c.rounds)
		for _, s := range res.shapes {
			order := implOrder(s, c, round)
			for _, impl := range order {
				args := s.args
				if c.quick {
					args = s.quick
				}
				cmdline := append(append([]string{}, s.cmds[impl]...), args...)
				c.load.settle(c)
				r, err := runOne(c, cmdline)
				if err != nil {
					logf("FAILED %s on %s: %v", s.name, impl, err)
					failed++
					continue
				}
				if r.shape != s.name || r.impl != impl {
					logf("FAILED %s on %s: the program reported shape=%s impl=%s", s.name, impl, r.shape, r.impl)
					failed++
					continue
				}
				e.noteVersion(impl, r.ver)
				res.unit[s.name], res.better[s.name] = r.unit, r.better
				if res.vals[s.name] == nil {
					res.vals[s.name] = map[string]map[int]float64{}
					res.cpu[s.name] = map[string]map[int]float64{}
					res.extra[s.name] = map[string][]map[string]string{}
				}
				if res.vals[s.name][impl] == nil {
					res.vals[s.name][impl] = map[int]float64{}
					res.cpu[s.name][impl] = map[int]float64{}
				}
				res.cpu[s.name][impl][round] = r.cpu
				res.vals[s.name][impl][round] = r.value
				res.extra[s.name][impl] = append(res.extra[s.name][impl], r.extra)
			}
		}
	}
	return res, failed
}

// implOrder is the order of the implementations of s in a round: rotated every round, so
// that no implementation always runs right after the same one.
func implOrder(s microShape, c *config, round int) []string {
	var list []string
	for _, impl := range impls {
		if s.cmds[impl] != nil && (c.impls == nil || c.impls[impl]) {
			list = append(list, impl)
		}
	}
	if len(list) == 0 {
		return nil
	}
	k := round % len(list)
	return append(list[k:], list[:k]...)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func values(m map[int]float64) []float64 {
	var xs []float64
	for _, v := range m {
		xs = append(xs, v)
	}
	return xs
}

// ratios returns uv-go / peer for every round in which both ran.
func ratios(a, b map[int]float64) []float64 {
	var xs []float64
	for r, va := range a {
		if vb, ok := b[r]; ok && vb != 0 {
			xs = append(xs, va/vb)
		}
	}
	return xs
}

// num formats a value with 3 significant digits and a thousands separator.
func num(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 1e5:
		return thousands(int64(x + 0.5))
	case x >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case x >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case x >= 1:
		return strconv.FormatFloat(x, 'f', 2, 64)
	default:
		return strconv.FormatFloat(x, 'g', 3, 64)
	}
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

func spread(xs []float64) string {
	if len(xs) < 2 {
		return "-"
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	m := median(xs)
	if m == 0 {
		return "-"
	}
	return fmt.Sprintf("±%.0f%%", (hi-lo)/2/m*100)
}

func reportMicro(c *config, res *microResults) {
	w := c.out
	fmt.Fprintf(w, "## Loop, timer, thread and I/O shapes: medians of %d interleaved round(s)\n\n", res.rounds)
	fmt.Fprintln(w, "uv-go/peer is the median over rounds of uv-go's value divided by the peer's in the same round;")
	fmt.Fprintln(w, "\"better\" says which way is good for the unit. The spread is half the min-max range of the")
	fmt.Fprintln(w, "rounds relative to the median. \"CPU\" is the median ratio of the whole process's user+system")
	fmt.Fprintln(w, "time (children included, start-up too) for the shapes that do a fixed amount of work: other")
	fmt.Fprintln(w, "load on the machine moves it much less than it moves wall-clock time.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| shape | unit | better | uv-go | libuv | Node | uv-go/libuv | uv-go/Node | CPU uv-go/libuv | CPU uv-go/Node | target (issue 8; net: 6) | met |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
	for _, s := range res.shapes {
		v := res.vals[s.name]
		if v == nil {
			fmt.Fprintf(w, "| %s | | | failed | | | | | | | | |\n", s.name)
			continue
		}
		cell := func(impl string) string {
			if len(v[impl]) == 0 {
				if s.cmds[impl] == nil {
					return "n/a"
				}
				return "-"
			}
			xs := values(v[impl])
			return fmt.Sprintf("%s (%s)", num(median(xs)), spread(xs))
		}
		ratio := func(peer string) (string, float64) {
			rs := ratios(v["uvgo"], v[peer])
			if len(rs) == 0 {
				return "-", 0
			}
			m := median(rs)
			return fmt.Sprintf("%.2f", m), m
		}
		rl, rlv := ratio("libuv")
		rn, rnv := ratio("node")
		if s.vs == "node" {
			rlv = rnv
		}
		cpuRatio := func(peer string) string {
			rs := ratios(res.cpu[s.name]["uvgo"], res.cpu[s.name][peer])
			if !s.fixed || len(rs) == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", median(rs))
		}
		met := ""
		if s.bound > 0 && rlv > 0 {
			ok := rlv <= s.bound
			if res.better[s.name] == "higher" {
				ok = rlv >= s.bound
			}
			met = "no"
			if ok {
				met = "yes"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.name, res.unit[s.name],
			res.better[s.name], cell("uvgo"), cell("libuv"), cell("node"), rl, rn, cpuRatio("libuv"), cpuRatio("node"), s.target, met)
	}
	// the timer shapes also report their phases
	for _, s := range res.shapes {
		if !strings.HasPrefix(s.name, "timers") || res.extra[s.name] == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s phases (medians, s):", s.name)
		for _, impl := range impls {
			ex := res.extra[s.name][impl]
			if len(ex) == 0 {
				continue
			}
			fmt.Fprintf(w, " %s init %s, dispatch %s, cleanup %s;", implTitle[impl],
				medianOf(ex, "init"), medianOf(ex, "dispatch"), medianOf(ex, "cleanup"))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

func medianOf(ex []map[string]string, key string) string {
	var xs []float64
	for _, m := range ex {
		if x, err := strconv.ParseFloat(m[key], 64); err == nil {
			xs = append(xs, x)
		}
	}
	if len(xs) == 0 {
		return "-"
	}
	return strconv.FormatFloat(median(xs), 'f', 3, 64)
}
