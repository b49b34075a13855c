// Command uvbench runs uv-go's side of the bench harness: the same shapes as the libuv C
// programs in bench/c and the Node scripts in bench/node, each printing one result line
//
//	BENCH shape=<shape> impl=uvgo value=<number> unit=<unit> better=<lower|higher> ver=<v> [k=v ...]
//
// Usage: uvbench <shape> [key=value ...], where shape is one of loop_count, timers,
// async_pingpong, tcp_pingpong, tcp_pump, work, fs_stat, net_echo, net_connrate, http_hello
// (and tcp_server and net_server, the child processes of the TCP and net shapes; and
// handles_hello and net_hello, the HTTP hello below the http package, see layers.go).
// Every shape accepts cpuprofile=FILE and memprofile=FILE to write pprof profiles of the
// measured part.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
)

// args are the key=value arguments after the shape name.
type args map[string]string

func parseArgs(list []string) args {
	a := args{}
	for _, s := range list {
		if k, v, ok := strings.Cut(s, "="); ok {
			a[k] = v
		}
	}
	return a
}

func (a args) num(key string, def float64) float64 {
	v, ok := a[key]
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		die("%s=%q: %v", key, v, err)
	}
	return f
}

func (a args) str(key, def string) string {
	if v, ok := a[key]; ok {
		return v
	}
	return def
}

// exitNotImplemented is the exit status of a shape uv-go cannot run yet; the harness
// reports it as not available.
const exitNotImplemented = 3

var shapes = map[string]func(args){
	"loop_count":     loopCount,
	"timers":         timersShape,
	"async_pingpong": asyncPingPong,
	"tcp_pingpong":   tcpPingPong,
	"tcp_pump":       tcpPump,
	"tcp_server":     tcpServerChild,
	"work":           workShape,
	"fs_stat":        fsStat,
	"http_hello":     httpHello,
	"net_echo":       netEcho,
	"net_connrate":   netConnRate,
	"net_server":     netServerChild,
	"handles_hello":  handlesHello,
	"net_hello":      netHello,
}

func main() {
	if len(os.Args) < 2 || shapes[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: uvbench <shape> [key=value ...]; shapes:")
		for name := range shapes {
			fmt.Fprintln(os.Stderr, "  ", name)
		}
		os.Exit(2)
	}
	shapes[os.Args[1]](parseArgs(os.Args[2:]))
}

func die(format string, v ...any) {
	fmt.Fprintf(os.Stderr, "uvbench: "+format+"\n", v...)
	os.Exit(2)
}

func check(err error) {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		die("%s:%d: %v", file, line, err)
	}
}

// version names the uv-go build: the VCS revision when the build has one, else "devel".
func version() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				v = s.Value[:7]
			}
		}
	}
	return v + "/" + runtime.Version()
}

func result(shape string, value float64, unit, better, extra string) {
	fmt.Printf("BENCH shape=%s impl=uvgo value=%s unit=%s better=%s ver=%s%s\n",
		shape, strconv.FormatFloat(value, 'g', 6, 64), unit, better, version(), extra)
}

// profiler starts the profiles the arguments ask for; stop writes them.
type profiler struct {
	cpu *os.File
	mem string
}

func startProfile(a args) *profiler {
	p := &profiler{mem: a["memprofile"]}
	if path := a["cpuprofile"]; path != "" {
		f, err := os.Create(path)
		check(err)
		check(pprof.StartCPUProfile(f))
		p.cpu = f
	}
	if p.mem != "" {
		runtime.MemProfileRate = 4096
	}
	return p
}

func (p *profiler) stop() {
	if p.cpu != nil {
		pprof.StopCPUProfile()
		check(p.cpu.Close())
	}
	if p.mem != "" {
		f, err := os.Create(p.mem)
		check(err)
		check(pprof.Lookup("allocs").WriteTo(f, 0))
		check(f.Close())
	}
}
