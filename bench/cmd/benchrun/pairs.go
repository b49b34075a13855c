package main

// Paired HTTP runs (-pairs uvgo:gnet): two servers alternate run by run (A B, B A, A B, ...),
// and each ratio is taken between the two runs next to each other in time. This machine
// moves between fast and slow minutes (25% more kernel time per request in the slow ones),
// and a round of the main HTTP table, which runs every server in turn, can put one server in
// a slow minute and its peer in a fast one; two adjacent runs seldom straddle a change, so the
// median of their ratios is the steadier comparison.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// pairRun is one adjacent A/B pair of runs.
type pairRun struct{ a, b httpRun }

type pairResults struct {
	pairs [][2]string
	conns []int
	runs  map[[2]string]map[int][]pairRun
}

// parsePairs reads "a:b,c:d".
func parsePairs(s string) ([][2]string, error) {
	var out [][2]string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		a, b, ok := strings.Cut(f, ":")
		if !ok || a == "" || b == "" || a == b {
			return nil, fmt.Errorf("bad pair %q (want server:peer)", f)
		}
		for _, n := range []string{a, b} {
			if findServer(n) == nil {
				return nil, fmt.Errorf("unknown server %q in -pairs", n)
			}
		}
		out = append(out, [2]string{a, b})
	}
	return out, nil
}

func findServer(name string) *httpServer {
	for i := range httpServers {
		if httpServers[i].name == name {
			return &httpServers[i]
		}
	}
	return nil
}

func runPairs(c *config, e *env) (*pairResults, int) {
	res := &pairResults{pairs: c.pairs, conns: c.conns, runs: map[[2]string]map[int][]pairRun{}}
	tick := clockTick()
	secs, warm := max(1, int(c.httpSecs+0.5)), max(1, int(c.httpWarm+0.5))
	failed := 0
	for _, p := range c.pairs {
		a, b := findServer(p[0]), findServer(p[1])
		res.runs[p] = map[int][]pairRun{}
		for _, conns := range c.conns {
			logf("paired HTTP %s against %s at -c%d: %d pairs", p[0], p[1], conns, c.pairRounds)
			for i := 0; i < c.pairRounds; i++ {
				first, second := a, b
				if i%2 == 1 {
					first, second = b, a
				}
				r1, err1 := httpOnce(c, e, *first, conns, secs, warm, tick)
				r2, err2 := httpOnce(c, e, *second, conns, secs, warm, tick)
				err := errors.Join(err1, err2)
				if errors.Is(err, errNotAvailable) {
					// As in the main table: a server this machine lacks is skipped, not failed.
					logf("paired HTTP %s/%s: %v, skipped", p[0], p[1], err)
					break
				}
				if err != nil {
					logf("FAILED paired HTTP %s/%s -c%d: %v", p[0], p[1], conns, err)
					failed++
					continue
				}
				if i%2 == 1 {
					r1, r2 = r2, r1
				}
				res.runs[p][conns] = append(res.runs[p][conns], pairRun{a: r1, b: r2})
				if c.verbose {
					logf("pair %s/%s -c%d: %.2f / %.2f µs CPU/req (user %.2f / %.2f)", p[0], p[1], conns, r1.cpuPerReq, r2.cpuPerReq, r1.userPerReq, r2.userPerReq)
				}
			}
		}
	}
	return res, failed
}

func reportPairs(c *config, res *pairResults) {
	secs := max(1, int(c.httpSecs+0.5))
	fmt.Fprintf(c.out, "## HTTP hello, paired runs: medians of the ratios of adjacent runs\n\n")
	fmt.Fprintf(c.out, "Each pair is the two servers' runs one after the other (server on CPU 0, `wrk -t1` on CPU 1,\n")
	fmt.Fprintf(c.out, "%d s each after the warm-up, the order alternating from pair to pair); the ratio is taken\n", secs)
	fmt.Fprintf(c.out, "within each pair, then the median over the pairs, with the range of the per-pair ratios.\n")
	fmt.Fprintf(c.out, "\"user\" is the user-mode part of the CPU per request, the rest is the kernel's. The 95%%\n")
	fmt.Fprintf(c.out, "interval is the median ratio's, from the order statistics of the pairs (no assumption on\n")
	fmt.Fprintf(c.out, "their distribution; 6 pairs at least): \"below\" or \"above\" when it excludes 1, \"level\"\n")
	fmt.Fprintf(c.out, "when this many pairs on this machine cannot tell the two apart.\n\n")
	fmt.Fprintf(c.out, "| server | peer | conns | pairs | server CPU µs/req | peer CPU µs/req | server user µs/req | peer user µs/req | CPU/req ratio | ratio range | 95%% interval | verdict | user ratio | server p99 ms | peer p99 ms | p99 ratio |\n")
	fmt.Fprintf(c.out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|---:|\n")
	for _, p := range res.pairs {
		for _, conns := range res.conns {
			runs := res.runs[p][conns]
			if len(runs) == 0 {
				fmt.Fprintf(c.out, "| %s | %s | %d | 0 | - | - | - | - | - | - | - | - | - | - | - | - |\n", p[0], p[1], conns)
				continue
			}
			var ac, bc, au, bu, cr, ur, ap, bp, pr []float64
			for _, r := range runs {
				ac, bc = append(ac, r.a.cpuPerReq), append(bc, r.b.cpuPerReq)
				au, bu = append(au, r.a.userPerReq), append(bu, r.b.userPerReq)
				ap, bp = append(ap, r.a.p99), append(bp, r.b.p99)
				if r.b.cpuPerReq > 0 {
					cr = append(cr, r.a.cpuPerReq/r.b.cpuPerReq)
				}
				if r.b.userPerReq > 0 {
					ur = append(ur, r.a.userPerReq/r.b.userPerReq)
				}
				if r.b.p99 > 0 {
					pr = append(pr, r.a.p99/r.b.p99)
				}
			}
			rng := "-"
			if len(cr) > 0 {
				rng = fmt.Sprintf("%.2f–%.2f", slices.Min(cr), slices.Max(cr))
			}
			fmt.Fprintf(c.out, "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %.2f | %.2f | %.2f | %.2f |\n", p[0], p[1], conns, len(runs),
				median(ac), median(bc), median(au), median(bu), median(cr), rng, ciText(cr), verdict(cr), median(ur),
				median(ap), median(bp), median(pr))
		}
	}
	fmt.Fprintln(c.out)
}
