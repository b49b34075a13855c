package uv

import (
	"bytes"
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Memory and load figures on Linux, from /proc and the cgroup files, as libuv reads them.

// GetFreeMemory returns the memory available to new allocations in bytes (libuv's
// uv_get_free_memory): MemAvailable of /proc/meminfo, else sysinfo's free RAM; 0 if neither
// can be read.
func GetFreeMemory() uint64 {
	if n := procMeminfo("MemAvailable:"); n != 0 {
		return n
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		return uint64(si.Freeram) * uint64(si.Unit)
	}
	return 0
}

// GetTotalMemory returns the physical memory in bytes (libuv's uv_get_total_memory); 0 if it
// cannot be read.
func GetTotalMemory() uint64 {
	if n := procMeminfo("MemTotal:"); n != 0 {
		return n
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		return uint64(si.Totalram) * uint64(si.Unit)
	}
	return 0
}

// GetConstrainedMemory returns the memory limit of the process in bytes (libuv's
// uv_get_constrained_memory): the smaller of its cgroup's limit (memory.max and memory.high,
// or cgroup v1's limit and soft limit) and its address-space and data rlimits; 0 if there is
// none. A cgroup without a limit gives math.MaxUint64.
func GetConstrainedMemory() uint64 {
	cg := cgroupMemoryLimit(readProcSelfCgroup())
	rl := rlimitMaxMemory()
	switch {
	case cg == 0:
		return rl
	case rl == 0:
		return cg
	}
	return min(cg, rl)
}

// GetAvailableMemory returns the memory the process may still use in bytes (libuv's
// uv_get_available_memory): its cgroup's limit less its cgroup's usage, or GetFreeMemory when
// the cgroup sets no limit below the physical memory.
func GetAvailableMemory() uint64 {
	cgroup := readProcSelfCgroup()
	if cgroup == nil {
		return 0
	}
	limit := cgroupMemoryLimit(cgroup)
	if limit == 0 || limit > GetTotalMemory() {
		return GetFreeMemory()
	}
	var used uint64
	if path, v2 := cgroupV2Path(cgroup); v2 {
		used = readUint64File("/sys/fs/cgroup/" + path + "/memory.current")
	} else {
		if path, ok := cgroupV1MemoryPath(cgroup); ok {
			used = readUint64File("/sys/fs/cgroup/memory/" + path + "/memory.usage_in_bytes")
		}
		if used == 0 {
			used = readUint64File("/sys/fs/cgroup/memory/memory.usage_in_bytes")
		}
	}
	if used > limit { // usage may pass the limit for a moment
		return 0
	}
	return limit - used
}

// Loadavg returns the 1, 5 and 15 minute load averages (libuv's uv_loadavg); zeros if they
// cannot be read.
func Loadavg() [3]float64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return [3]float64{}
	}
	const scale = 1 << 16 // SI_LOAD_SHIFT
	return [3]float64{float64(si.Loads[0]) / scale, float64(si.Loads[1]) / scale, float64(si.Loads[2]) / scale}
}

// procMeminfo returns the value of one /proc/meminfo field in bytes, 0 if it is absent.
func procMeminfo(field string) uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	i := bytes.Index(b, []byte(field))
	if i < 0 {
		return 0
	}
	rest := b[i+len(field):]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	// The line is "Field:   12345 kB".
	f := bytes.Fields(rest)
	if len(f) == 0 {
		return 0
	}
	n, err := strconv.ParseUint(string(f[0]), 10, 64)
	if err != nil {
		return 0
	}
	return n * 1024
}

// readProcSelfCgroup returns /proc/self/cgroup, nil if it cannot be read.
func readProcSelfCgroup() []byte {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	return b
}

// cgroupV2Path returns the cgroup's path without its leading '/' when the process is in a
// cgroup v2 hierarchy only ("0::/path", a single entry).
func cgroupV2Path(cgroup []byte) (string, bool) {
	if !bytes.HasPrefix(cgroup, []byte("0::/")) {
		return "", false
	}
	p := cgroup[len("0::/"):]
	if i := bytes.IndexByte(p, '\n'); i >= 0 {
		p = p[:i]
	}
	return string(p), true
}

// cgroupV1MemoryPath returns the path of the v1 memory controller without its leading '/'.
func cgroupV1MemoryPath(cgroup []byte) (string, bool) {
	for line := range bytes.SplitSeq(cgroup, []byte("\n")) {
		if i := bytes.Index(line, []byte(":memory:/")); i >= 0 {
			return string(line[i+len(":memory:/"):]), true
		}
	}
	return "", false
}

// cgroupMemoryLimit returns the smaller of the cgroup's hard and soft memory limits, 0 if
// either cannot be read.
func cgroupMemoryLimit(cgroup []byte) uint64 {
	if cgroup == nil {
		return 0
	}
	var high, max uint64
	if path, v2 := cgroupV2Path(cgroup); v2 {
		max = readUint64File("/sys/fs/cgroup/" + path + "/memory.max")
		high = readUint64File("/sys/fs/cgroup/" + path + "/memory.high")
	} else {
		if path, ok := cgroupV1MemoryPath(cgroup); ok {
			high = readUint64File("/sys/fs/cgroup/memory/" + path + "/memory.soft_limit_in_bytes")
			max = readUint64File("/sys/fs/cgroup/memory/" + path + "/memory.limit_in_bytes")
		}
		if high == 0 || max == 0 {
			// The controller is not mounted there: the global controller's limits.
			high = readUint64File("/sys/fs/cgroup/memory/memory.soft_limit_in_bytes")
			max = readUint64File("/sys/fs/cgroup/memory/memory.limit_in_bytes")
		}
		// cgroup v1 writes "no limit" as LONG_MAX rounded down to a page.
		v1Max := uint64(math.MaxInt64) &^ uint64(os.Getpagesize()-1)
		if high == v1Max {
			high = math.MaxUint64
		}
		if max == v1Max {
			max = math.MaxUint64
		}
	}
	if high == 0 || max == 0 {
		return 0
	}
	return min(high, max)
}

// readUint64File reads a number from a cgroup file: "max" is math.MaxUint64; 0 if the file
// cannot be read or holds no number.
func readUint64File(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	s := string(bytes.TrimSpace(b))
	if s == "max" {
		return math.MaxUint64
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
