package main

import (
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// env describes the machine and the versions of everything measured.
type env struct {
	date    string
	cpu     string
	cores   string
	kernel  string
	tools   map[string]string // tool -> version, filled before the runs
	mu      sync.Mutex
	running map[string]string // implementation -> version reported by its result lines
}

func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func collectEnv(c *config) *env {
	e := &env{
		date:    time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		cpu:     "unknown",
		cores:   fmt.Sprint(runtime.NumCPU()),
		kernel:  output("uname", "-r"),
		tools:   map[string]string{},
		running: map[string]string{},
	}
	for _, line := range strings.Split(output("lscpu"), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Model name":
			e.cpu = v
		case "CPU(s)":
			e.cores = v
		case "Hypervisor vendor":
			e.cpu += " (" + v + " guest)"
		}
	}
	e.tools["go"] = strings.TrimPrefix(output("go", "version"), "go version ")
	e.tools["gcc"] = firstLine(output("gcc", "--version"))
	e.tools["libuv (C peers, pkg-config)"] = output("pkg-config", "--modversion", "libuv")
	e.tools["node"] = output("node", "-p", "process.version + ' (libuv ' + process.versions.uv + ')'")
	if v := firstLine(output("wrk", "-v")); v != "" {
		e.tools["wrk"] = strings.Fields(v + " ?")[1]
	}
	if v := output("nginx", "-v"); v != "" {
		e.tools["nginx"] = strings.TrimPrefix(firstLine(v), "nginx version: ")
	}
	root := filepath.Join(c.dir, "..")
	if rev := output("git", "-C", root, "rev-parse", "--short", "HEAD"); rev != "" {
		if output("git", "-C", root, "status", "--porcelain", "--untracked-files=no") != "" {
			rev += " + uncommitted changes"
		}
		e.tools["uv-go"] = rev
	}
	if mods := output("go", "-C", c.dir, "list", "-m", "github.com/valyala/fasthttp", "github.com/panjf2000/gnet/v2"); mods != "" {
		for _, line := range strings.Split(mods, "\n") {
			if f := strings.Fields(line); len(f) == 2 {
				e.tools[f[0]] = f[1]
			}
		}
	}
	return e
}

func (e *env) noteVersion(impl, ver string) {
	if ver == "" {
		return
	}
	e.mu.Lock()
	e.running[impl] = ver
	e.mu.Unlock()
}

func (e *env) print(w io.Writer) {
	fmt.Fprintf(w, "Machine: %s, %s CPUs, Linux %s. Date: %s.\n\n", e.cpu, e.cores, e.kernel, e.date)
}

func (e *env) printVersions(w io.Writer) {
	fmt.Fprintln(w, "## Versions")
	fmt.Fprintln(w)
	var keys []string
	for k := range e.tools {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if e.tools[k] != "" {
			fmt.Fprintf(w, "- %s: %s\n", k, e.tools[k])
		}
	}
	keys = keys[:0]
	for k := range e.running {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "- as reported by the %s runs: %s\n", k, e.running[k])
	}
}
