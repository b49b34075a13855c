//go:build unix

package uv

import (
	"os"

	"golang.org/x/sys/unix"
)

// OSGetPriority returns the scheduling priority (nice value) of pid (libuv's
// uv_os_getpriority). pid 0 means this process: on Linux priorities belong to threads, and a
// goroutine has no fixed thread, so uv-go reads (and OSSetPriority writes) the main thread's,
// whose id is the process id.
func OSGetPriority(pid int) (int, error) {
	if pid == 0 {
		pid = os.Getpid()
	}
	// The raw system call returns 20-nice so that no valid value looks like an error; x/sys
	// undoes that on Linux and returns the nice value itself elsewhere.
	p, err := unix.Getpriority(unix.PRIO_PROCESS, pid)
	if err != nil {
		return 0, TranslateSysError(err)
	}
	return nicePriority(p), nil
}

// OSSetPriority sets the priority of pid (libuv's uv_os_setpriority): -20 (highest) to 19
// (lowest). Raising it needs privileges (EACCES otherwise).
func OSSetPriority(pid, prio int) error {
	if prio < PriorityHighest || prio > PriorityLow {
		return EINVAL
	}
	if pid == 0 {
		pid = os.Getpid()
	}
	return TranslateSysError(unix.Setpriority(unix.PRIO_PROCESS, pid, prio))
}
