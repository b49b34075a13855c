package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The machines this runs on are small (2 cores) and often shared with builds and tests, so
// before each run benchrun samples how busy the CPUs are and, with -quiet, waits for a
// calm moment. Every run's starting load is kept for the report's noise note.

// cpuSample is the busy and total jiffies of all CPUs from /proc/stat.
func cpuSample() (busy, total uint64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, false
	}
	for i, s := range f[1:] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total, true
}

// busyFraction is the share of all CPUs busy over d.
func busyFraction(d time.Duration) float64 {
	b0, t0, ok0 := cpuSample()
	time.Sleep(d)
	b1, t1, ok1 := cpuSample()
	if !ok0 || !ok1 || t1 == t0 {
		return 0
	}
	return float64(b1-b0) / float64(t1-t0)
}

// loadLog keeps the busy fraction seen before each run.
type loadLog struct {
	samples []float64
	waited  time.Duration
	gaveUp  int
}

// settle waits, up to c.quietWait, until the CPUs are at most c.quietBusy busy, and logs
// the busy fraction it started the run with.
func (l *loadLog) settle(c *config) {
	start := time.Now()
	busy := busyFraction(300 * time.Millisecond)
	for c.quietWait > 0 && busy > c.quietBusy {
		if time.Since(start) > c.quietWait {
			l.gaveUp++
			logf("the machine is still %.0f%% busy after %v; running anyway", busy*100, c.quietWait)
			break
		}
		time.Sleep(time.Second)
		busy = busyFraction(300 * time.Millisecond)
	}
	l.waited += time.Since(start)
	l.samples = append(l.samples, busy)
}

func (l *loadLog) summary() string {
	if len(l.samples) == 0 {
		return "no runs"
	}
	hi := 0.0
	var sum float64
	for _, s := range l.samples {
		hi = max(hi, s)
		sum += s
	}
	s := fmt.Sprintf("other load on the CPUs before each run: mean %.0f%%, max %.0f%% of both cores (%d runs)",
		sum/float64(len(l.samples))*100, hi*100, len(l.samples))
	if l.gaveUp > 0 {
		s += fmt.Sprintf("; %d run(s) started on a busy machine after waiting", l.gaveUp)
	}
	return s
}
