package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// BENCH_TIMERSLACK_NS sets the timer slack of the process's threads (a diagnostic: the Go
// scheduler's usleep(3) while stealing a just-readied goroutine sleeps at least the slack,
// 50 µs by default).
func init() {
	if v := os.Getenv("BENCH_TIMERSLACK_NS"); v != "" {
		n := 0
		for _, ch := range v {
			n = n*10 + int(ch-'0')
		}
		unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(n), 0, 0, 0)
	}
}
