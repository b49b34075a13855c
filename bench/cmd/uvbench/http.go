package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
	"github.com/uv-go/uv/http"
)

const helloBody = "Hello, World!"

// httpHello is uv-go's HTTP hello server for the harness: "Hello, World!" to every request
// on 127.0.0.1:port, keep-alive, until killed. server=http (the default) is the plain
// http.Server with a request listener, as Node's hello; server=app is the Express-style app
// layer with one route. keepalive=MS sets the keep-alive timeout (the idle-memory shape
// needs connections to stay open while it opens 10,000 of them). SIGUSR2 prints the heap
// after a collection ("MEM heap=<bytes> rss=<bytes>") and, with heapprofile=FILE, writes
// the heap profile there; SIGTERM writes the profiles asked for (cpuprofile=, memprofile=)
// and exits.
func httpHello(a args) {
	port := int(a.num("port", 8080))
	l, err := uv.NewLoop()
	check(err)
	opts := http.ServerOptions{Loop: l, KeepAliveTimeout: int(a.num("keepalive", 0))}
	var srv *http.Server
	switch kind := a.str("server", "http"); kind {
	case "http":
		srv, err = http.NewServer(opts, func(req *http.IncomingMessage, res *http.ServerResponse) {
			res.SetHeader("Content-Type", "text/plain")
			res.EndString(helloBody)
		})
		check(err)
	case "app":
		ap := app.New()
		ap.Get("/", func(req *app.Request, res *app.Response) {
			res.Type("text/plain").Send(helloBody)
		})
		ap.SetServerOptions(opts)
		srv, err = ap.ListenHost(port, "127.0.0.1", nil)
		check(err)
	default:
		die("unknown server=%s (http or app)", kind)
	}
	srv.OnError(func(err error) { check(err) })
	listening := func() { fmt.Printf("LISTENING port=%d ver=%s\n", srv.Address().Port, version()) }
	if a.str("server", "http") == "http" {
		check(srv.ListenHost(port, "127.0.0.1", listening))
	} else {
		srv.OnListening(listening)
	}
	prof := startProfile(a)
	heapProf := a.str("heapprofile", "")
	if heapProf != "" {
		runtime.MemProfileRate = 256
	}
	go signals(prof, heapProf)
	_, err = l.Run(uv.RunDefault)
	check(err)
}

// signals serves SIGUSR2 (print the heap) and SIGTERM/SIGINT (stop the profiles, exit)
// off the loop's goroutine: the loop never sees them.
func signals(prof *profiler, heapProf string) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGUSR2, syscall.SIGTERM, syscall.SIGINT)
	for sig := range ch {
		if sig == syscall.SIGUSR2 {
			printMem()
			if heapProf != "" {
				f, err := os.Create(heapProf)
				check(err)
				check(pprof.Lookup("heap").WriteTo(f, 0))
				check(f.Close())
			}
			continue
		}
		prof.stop()
		os.Exit(0)
	}
}

// printMem prints the live heap after two collections (the second frees what the first's
// finalizers released) and the resident set size.
func printMem() {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("MEM heap=%d rss=%d\n", ms.HeapAlloc, rssBytes())
}

// rssBytes is the resident set size from /proc/self/statm, or 0.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, rss int64
	if _, err := fmt.Sscan(string(b), &size, &rss); err != nil {
		return 0
	}
	return rss * int64(os.Getpagesize())
}
