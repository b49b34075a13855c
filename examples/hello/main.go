// Command hello is uv-go's hello world, Express-style: an app with one route answering
// "Hello, World!", listening on http://127.0.0.1:3000/ (PORT changes the port), served by
// one loop on one OS thread until Ctrl+C.
//
//	go run ./examples/hello
//	PORT=8080 go run ./examples/hello
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
)

const host = "127.0.0.1"

func main() {
	port := 3000
	if p := os.Getenv("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hello: bad PORT:", p)
			os.Exit(2)
		}
		port = n
	}
	if err := run(port); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

// newApp is the application: the route, as in Express's hello world.
func newApp() *app.App {
	a := app.New()
	a.Get("/", func(req *app.Request, res *app.Response) {
		res.Send("Hello, World!")
	})
	return a
}

// serve starts the app on loop and prints where it runs once listening. Listen errors
// (a port in use) reach onError.
func serve(loop *uv.Loop, port int, out io.Writer, onError func(error)) (*http.Server, error) {
	a := newApp()
	a.SetServerOptions(http.ServerOptions{Loop: loop})
	var srv *http.Server
	srv, err := a.ListenHost(port, host, func() {
		fmt.Fprintf(out, "Server running at http://%s:%d/\n", host, srv.Address().Port)
	})
	if err != nil {
		return nil, err
	}
	srv.OnError(onError)
	return srv, nil
}

// run serves on the default loop until SIGINT or SIGTERM, then closes the server.
func run(port int) error {
	loop, err := uv.DefaultLoop()
	if err != nil {
		return err
	}
	var failed error
	var sigs []*handles.Signal
	stop := func() {
		for _, s := range sigs {
			s.Close(nil)
		}
	}
	srv, err := serve(loop, port, os.Stdout, func(err error) {
		failed = err
		stop()
	})
	if err != nil {
		return err
	}
	for _, signum := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		s, err := handles.NewSignal(loop)
		if err == nil {
			err = s.Start(func(*handles.Signal, int) {
				fmt.Println("\nclosing")
				stop()
				srv.Close(nil)
			}, int(signum))
		}
		if err != nil {
			stop()
			srv.Close(nil)
			loop.Run(uv.RunDefault)
			return err
		}
		sigs = append(sigs, s)
	}
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	return failed
}
