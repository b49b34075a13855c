// Command listen-trace follows one HTTP request through every layer of uv-go, the way Node's
// stack is layered: the app layer's hello server (examples/hello) listens on 127.0.0.1 with
// a tracer attached, a Go client makes one request to it, and the trace shows the whole
// trip, indented by layer:
//
//	app.Listen -> http.createServer, Server.listen -> net Server.listen -> tcp_wrap bind,
//	listen -> socket, setsockopt, bind, listen(fd, 511) with the somaxconn clamp ->
//	epoll_ctl (the listening socket joins the epoll set) -> accept4 -> tcp_wrap accept,
//	readStart -> read -> the parsed request -> the route's handler -> res.send -> the
//	response head -> Socket.write -> writev -> keep-alive -> the server's close.
//
// It exits 0 once the server is closed. The port is free (0) unless PORT says otherwise.
//
//	go run ./examples/listen-trace
//
// On Linux every system call is shown; the kqueue and IOCP backends do not report theirs
// yet, so there the layers alone appear. UV_TRACE=1 prints the same for any program.
package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"

	gohttp "net/http"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
	"github.com/uv-go/uv/net"
)

const host = "127.0.0.1"

func main() {
	port := 0
	if p := os.Getenv("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "listen-trace: bad PORT:", p)
			os.Exit(2)
		}
		port = n
	}
	if err := run(os.Stdout, port); err != nil {
		fmt.Fprintln(os.Stderr, "listen-trace:", err)
		os.Exit(1)
	}
}

// newApp is examples/hello's application.
func newApp() *app.App {
	a := app.New()
	a.Get("/", func(req *app.Request, res *app.Response) {
		res.Send("Hello, World!")
	})
	return a
}

// answer is what the client saw.
type answer struct {
	status string
	body   string
	err    error
}

// run serves one request with the trace printed to out, then closes the server.
func run(out io.Writer, port int) error {
	fmt.Fprintln(out, "--- app.Listen: from the app layer down to the kernel ---")
	p := uv.NewTextPrinter(out)
	// The sockets are created outside the loop (uv.OpenSocket): the global tracer sees
	// those calls, and every loop made from now on gets it too.
	prev := uv.GlobalTracer()
	uv.SetGlobalTracer(p)
	defer uv.SetGlobalTracer(prev)
	loop, err := uv.NewLoop()
	if err != nil {
		return err
	}
	loop.SetTracer(p)

	client := &gohttp.Client{Transport: &gohttp.Transport{}}
	defer client.CloseIdleConnections()
	answers := make(chan answer, 1)
	var srv *http.Server
	var failed error
	// done brings the client's answer back to the loop's goroutine, which prints it and
	// closes the server; the loop then has nothing left and Run returns.
	done, err := handles.NewAsync(loop, func(as *handles.Async) {
		a := <-answers
		if a.err != nil {
			failed = a.err
		} else {
			fmt.Fprintf(out, "--- the client got %s %q; closing the server ---\n", a.status, a.body)
		}
		as.Close(nil)
		srv.Close(nil)
		net.Ticks(loop).Drain()
	})
	if err != nil {
		loop.Close()
		return err
	}

	a := newApp()
	a.SetServerOptions(http.ServerOptions{Loop: loop})
	srv, err = a.ListenHost(port, host, func() {
		addr := srv.AddrPort()
		fmt.Fprintf(out, "--- listening on http://%s/; a Go client sends GET / ---\n", addr)
		go func() {
			ans := get(client, addr)
			answers <- ans
			done.Send()
		}()
	})
	if err != nil {
		done.Close(nil)
		loop.Run(uv.RunDefault)
		loop.Close()
		return err
	}
	srv.OnError(func(err error) {
		failed = err
		done.Close(nil)
	})
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	if err := loop.Close(); err != nil {
		return err
	}
	return failed
}

// get makes the request from a goroutine of its own (the loop must keep running to answer).
func get(client *gohttp.Client, addr netip.AddrPort) answer {
	resp, err := client.Get("http://" + addr.String() + "/")
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return answer{status: resp.Status, body: string(body), err: err}
}
