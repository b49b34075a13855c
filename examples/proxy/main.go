// Command proxy is a reverse proxy built on the http client: every request is forwarded to
// the upstream server over a keep-alive Agent, bodies streamed both ways with backpressure
// (the request piped into the upstream request, the upstream response piped into the
// response), hop-by-hop headers dropped and X-Forwarded-For added; an unreachable upstream
// is a 502.
//
//	go run ./examples/proxy -upstream http://127.0.0.1:8080    # listens on 127.0.0.1:3000 (PORT)
package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
)

// hopByHop are the headers that belong to one connection (RFC 9110 section 7.6.1).
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-authenticate": true, "proxy-authorization": true,
	"te": true, "trailer": true, "transfer-encoding": true, "upgrade": true,
}

// newApp forwards everything to host:port through agent.
func newApp(agent *http.Agent, host string, port int) *app.App {
	a := app.New()
	a.Disable("x-powered-by").Disable("etag")
	a.Use(func(req *app.Request, res *app.Response, next app.Next) {
		var hdrs []string
		for i := 0; i < req.Headers.Len(); i++ {
			n, v := req.Headers.At(i)
			name := string(n)
			if hopByHop[strings.ToLower(name)] || strings.EqualFold(name, "host") {
				continue
			}
			hdrs = append(hdrs, name, string(v))
		}
		hdrs = append(hdrs, "Host", req.Headers.Get("host"), "X-Forwarded-For", req.IP())
		preq, err := http.Request(http.RequestOptions{
			Agent: agent, Method: req.Method, Host: host, Port: port, Path: req.OriginalURL, Headers: hdrs,
		}, func(pres *http.IncomingMessage) {
			res.StatusCode = pres.StatusCode
			for i := 0; i < pres.Headers.Len(); i++ {
				n, v := pres.Headers.At(i)
				if !hopByHop[strings.ToLower(string(n))] {
					res.AppendHeader(string(n), string(v))
				}
			}
			pres.Pipe(res.ServerResponse)
		})
		if err != nil {
			next(app.NewError(400, err.Error()))
			return
		}
		preq.OnError(func(err error) {
			if res.HeadersSent() {
				res.Destroy(err)
				return
			}
			res.Status(502).Type("txt").Send("bad gateway: " + err.Error() + "\n")
		})
		req.Pipe(preq)
	})
	return a
}

func serve(loop *uv.Loop, upstream string, port int, out io.Writer) (*http.Server, *http.Agent, error) {
	u, err := url.Parse(upstream)
	if err != nil || u.Scheme != "http" || u.Hostname() == "" {
		return nil, nil, fmt.Errorf("upstream must be http://host[:port], not %q", upstream)
	}
	uport := 80
	if p := u.Port(); p != "" {
		uport, _ = strconv.Atoi(p)
	}
	agent, err := http.NewAgent(http.AgentOptions{Loop: loop, MaxSockets: 64})
	if err != nil {
		return nil, nil, err
	}
	a := newApp(agent, u.Hostname(), uport)
	a.SetServerOptions(http.ServerOptions{Loop: loop})
	var srv *http.Server
	srv, err = a.ListenHost(port, "127.0.0.1", func() {
		fmt.Fprintf(out, "proxying http://127.0.0.1:%d/ to %s\n", srv.Address().Port, upstream)
	})
	return srv, agent, err
}

func main() {
	upstream := flag.String("upstream", "http://127.0.0.1:8080", "server to forward to")
	flag.Parse()
	port := 3000
	if p := os.Getenv("PORT"); p != "" {
		port, _ = strconv.Atoi(p)
	}
	if err := run(*upstream, port); err != nil {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(1)
	}
}

func run(upstream string, port int) error {
	loop, err := uv.DefaultLoop()
	if err != nil {
		return err
	}
	srv, agent, err := serve(loop, upstream, port, os.Stdout)
	if err != nil {
		return err
	}
	var failed error
	srv.OnError(func(err error) { failed = err })
	for _, signum := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if s, err := handles.NewSignal(loop); err == nil {
			s.Start(func(*handles.Signal, int) { srv.Close(nil); agent.Destroy() }, int(signum))
			s.Unref()
		}
	}
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	return failed
}
