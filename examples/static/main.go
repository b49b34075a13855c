// Command static serves a directory over HTTP on the app layer: files with Content-Type,
// ETag, Last-Modified and ranges, 304 for fresh conditional requests, index.html for
// directories, a 404 page for the rest.
//
//	go run ./examples/static -dir ./docs        # http://127.0.0.1:3000/ (PORT to change)
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/http"
)

func newApp(dir string) *app.App {
	a := app.New()
	a.Use(app.Static(dir, &app.StaticOptions{File: http.FileOptions{MaxAge: 60}}))
	a.Use(func(req *app.Request, res *app.Response) {
		res.Status(404).Type("txt").Send("not found: " + req.Path() + "\n")
	})
	return a
}

func serve(loop *uv.Loop, dir string, port int, out io.Writer) (*http.Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	a := newApp(abs)
	a.SetServerOptions(http.ServerOptions{Loop: loop})
	var srv *http.Server
	srv, err = a.ListenHost(port, "127.0.0.1", func() {
		fmt.Fprintf(out, "serving %s at http://127.0.0.1:%d/\n", abs, srv.Address().Port)
	})
	return srv, err
}

func main() {
	dir := flag.String("dir", ".", "directory to serve")
	flag.Parse()
	port := 3000
	if p := os.Getenv("PORT"); p != "" {
		port, _ = strconv.Atoi(p)
	}
	if err := run(*dir, port); err != nil {
		fmt.Fprintln(os.Stderr, "static:", err)
		os.Exit(1)
	}
}

func run(dir string, port int) error {
	loop, err := uv.DefaultLoop()
	if err != nil {
		return err
	}
	srv, err := serve(loop, dir, port, os.Stdout)
	if err != nil {
		return err
	}
	var failed error
	srv.OnError(func(err error) { failed = err })
	for _, signum := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if s, err := handles.NewSignal(loop); err == nil {
			s.Start(func(*handles.Signal, int) { srv.Close(nil) }, int(signum))
			s.Unref()
		}
	}
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	return failed
}
