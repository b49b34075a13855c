// Command hellopeers runs the Go peers of the HTTP hello benchmark on 127.0.0.1:port:
// server=nethttp (net/http), server=fasthttp or server=gnet (gnet v2 with a minimal
// parser: it answers every request that ends in a blank line and ignores the rest, as
// gnet's own HTTP benchmark does). Each answers "Hello, World!" with keep-alive, prints
// "LISTENING port=<n> ver=<module version>" and runs until killed. SIGUSR2 prints the heap
// after a collection: "MEM heap=<HeapAlloc> rss=<bytes>".
//
// Usage: hellopeers server=<name> port=<n>
package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/panjf2000/gnet/v2"
	"github.com/valyala/fasthttp"
)

const body = "Hello, World!"

func main() {
	opts := map[string]string{"server": "nethttp", "port": "8080"}
	for _, a := range os.Args[1:] {
		if k, v, ok := strings.Cut(a, "="); ok {
			opts[k] = v
		}
	}
	addr := "127.0.0.1:" + opts["port"]
	go memOnSignal()
	var err error
	switch opts["server"] {
	case "nethttp":
		err = serveNetHTTP(addr, opts["port"])
	case "fasthttp":
		err = serveFastHTTP(addr, opts["port"])
	case "gnet":
		err = serveGnet(addr, opts["port"])
	default:
		err = fmt.Errorf("unknown server %q", opts["server"])
	}
	fmt.Fprintln(os.Stderr, "hellopeers:", err)
	os.Exit(1)
}

// moduleVersion is the version of the module providing pkg in this build.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return runtime.Version()
}

func listening(port, ver string) {
	fmt.Printf("LISTENING port=%s ver=%s\n", port, ver)
}

func serveNetHTTP(addr, port string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(body))
	})
	srv := &http.Server{Addr: addr, Handler: mux}
	listening(port, runtime.Version())
	return srv.ListenAndServe()
}

func serveFastHTTP(addr, port string) error {
	handler := func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("text/plain")
		ctx.WriteString(body)
	}
	srv := &fasthttp.Server{Handler: handler, Name: "fasthttp"}
	listening(port, "fasthttp-"+moduleVersion("github.com/valyala/fasthttp"))
	return srv.ListenAndServe(addr)
}

// helloGnet is gnet's hello server with a minimal parser: every request is taken to end at
// the first blank line; bodies are not supported.
type helloGnet struct {
	gnet.BuiltinEventEngine
	port string
}

var gnetResponse = []byte("HTTP/1.1 200 OK\r\nServer: gnet\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n" + body)

var crlf2 = []byte("\r\n\r\n")

func (h *helloGnet) OnBoot(gnet.Engine) gnet.Action {
	listening(h.port, "gnet-"+moduleVersion("github.com/panjf2000/gnet/v2"))
	return gnet.None
}

func (h *helloGnet) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	used := 0
	for {
		i := bytes.Index(buf[used:], crlf2)
		if i < 0 {
			break
		}
		used += i + 4
		c.Write(gnetResponse)
	}
	c.Discard(used)
	return gnet.None
}

func serveGnet(addr, port string) error {
	return gnet.Run(&helloGnet{port: port}, "tcp://"+addr, gnet.WithMulticore(false))
}

// memOnSignal prints the live heap and the resident set size on SIGUSR2.
func memOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR2)
	for range ch {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		var size, rss int64
		if b, err := os.ReadFile("/proc/self/statm"); err == nil {
			fmt.Sscan(string(b), &size, &rss)
		}
		fmt.Printf("MEM heap=%d rss=%d\n", ms.HeapAlloc, rss*int64(os.Getpagesize()))
	}
}
