package uv

import (
	"os"
	"strings"
	"sync"
)

// Process title and priority (libuv's uv_set_process_title, uv_get_process_title,
// uv_os_getpriority, uv_os_setpriority).

var (
	titleMu sync.Mutex
	title   = strings.Join(os.Args, " ")
)

// SetProcessTitle sets the title the process reports (libuv's uv_set_process_title). On
// Linux the kernel's name for the process (what ps -o comm and top show) takes its first 15
// bytes. Safe from any goroutine.
func SetProcessTitle(t string) error {
	if hasNUL(t) {
		return EINVAL
	}
	titleMu.Lock()
	defer titleMu.Unlock()
	title = t
	return setKernelTitle(t)
}

// ProcessTitle returns the title last set, or the command line at start (libuv's
// uv_get_process_title). Safe from any goroutine.
func ProcessTitle() string {
	titleMu.Lock()
	defer titleMu.Unlock()
	return title
}

// Process priorities (libuv's UV_PRIORITY_*): nice values on unix systems.
const (
	PriorityLow         = 19
	PriorityBelowNormal = 10
	PriorityNormal      = 0
	PriorityAboveNormal = -7
	PriorityHigh        = -14
	PriorityHighest     = -20
)
