// Command json-api is a small JSON API on the app layer: an in-memory list of todos with
// the usual routes, a JSON body parser, a request logger and error middleware that answers
// errors as JSON.
//
//	go run ./examples/json-api            # http://127.0.0.1:3000/api/todos (PORT to change)
//	curl -s localhost:3000/api/todos -d '{"title":"write docs"}' -H 'Content-Type: application/json'
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

// Todo is one item of the list.
type Todo struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

// store is the in-memory list; handlers run on the loop's goroutine, so it needs no lock.
type store struct {
	todos  []Todo
	nextID int
}

func (s *store) find(id string) int {
	n, err := strconv.Atoi(id)
	if err != nil {
		return -1
	}
	for i, t := range s.todos {
		if t.ID == n {
			return i
		}
	}
	return -1
}

// newApp builds the API; log receives one line per request.
func newApp(log io.Writer) *app.App {
	s := &store{nextID: 1}
	a := app.New()
	a.Use(func(req *app.Request, res *app.Response, next app.Next) {
		res.OnFinish(func() { fmt.Fprintf(log, "%s %s %d\n", req.Method, req.OriginalURL, res.StatusCode) })
		next()
	})
	a.Use(app.JSONBody(0))

	api := app.NewRouter(app.RouterOptions{})
	api.Get("/todos", func(req *app.Request, res *app.Response) {
		list := s.todos
		if req.Query("done") != "" {
			want := req.Query("done") == "true"
			list = nil
			for _, t := range s.todos {
				if t.Done == want {
					list = append(list, t)
				}
			}
		}
		if list == nil {
			list = []Todo{}
		}
		res.JSON(list)
	})
	api.Get("/todos/:id", func(req *app.Request, res *app.Response, next app.Next) {
		i := s.find(req.Param("id"))
		if i < 0 {
			next(app.NewError(404, "no todo "+req.Param("id")))
			return
		}
		res.JSON(s.todos[i])
	})
	api.Post("/todos", func(req *app.Request, res *app.Response, next app.Next) {
		var t Todo
		if err := req.DecodeJSON(&t); err != nil || t.Title == "" {
			next(app.NewError(400, "a todo needs a title"))
			return
		}
		t.ID = s.nextID
		s.nextID++
		s.todos = append(s.todos, t)
		res.Status(201).Location("/api/todos/" + strconv.Itoa(t.ID)).JSON(t)
	})
	api.Put("/todos/:id", func(req *app.Request, res *app.Response, next app.Next) {
		i := s.find(req.Param("id"))
		if i < 0 {
			next(app.NewError(404, "no todo "+req.Param("id")))
			return
		}
		t := s.todos[i]
		if err := req.DecodeJSON(&t); err != nil {
			next(app.NewError(400, "bad JSON"))
			return
		}
		t.ID = s.todos[i].ID
		s.todos[i] = t
		res.JSON(t)
	})
	api.Delete("/todos/:id", func(req *app.Request, res *app.Response, next app.Next) {
		i := s.find(req.Param("id"))
		if i < 0 {
			next(app.NewError(404, "no todo "+req.Param("id")))
			return
		}
		s.todos = append(s.todos[:i], s.todos[i+1:]...)
		res.SendStatus(204)
	})
	a.Use("/api", api)

	// Errors, and anything not found, as JSON.
	a.Use(func(req *app.Request, res *app.Response, next app.Next) {
		next(app.NewError(404, "cannot "+req.Method+" "+req.Path()))
	})
	a.Use(func(err error, req *app.Request, res *app.Response, next app.Next) {
		status := 500
		if he, ok := err.(*app.HTTPError); ok {
			status = he.Status
		}
		res.Status(status).JSON(map[string]any{"error": err.Error(), "status": status})
	})
	return a
}

func serve(loop *uv.Loop, port int, out io.Writer) (*http.Server, error) {
	a := newApp(out)
	a.SetServerOptions(http.ServerOptions{Loop: loop})
	var srv *http.Server
	srv, err := a.ListenHost(port, "127.0.0.1", func() {
		fmt.Fprintf(out, "JSON API running at http://127.0.0.1:%d/api/todos\n", srv.Address().Port)
	})
	return srv, err
}

func main() {
	port := 3000
	if p := os.Getenv("PORT"); p != "" {
		port, _ = strconv.Atoi(p)
	}
	loop, err := uv.DefaultLoop()
	if err == nil {
		err = run(loop, port)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "json-api:", err)
		os.Exit(1)
	}
}

func run(loop *uv.Loop, port int) error {
	srv, err := serve(loop, port, os.Stdout)
	if err != nil {
		return err
	}
	var failed error
	srv.OnError(func(err error) { failed = err })
	stopOnSignal(loop, func() { srv.Close(nil) })
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	return failed
}

// stopOnSignal calls stop on SIGINT or SIGTERM; the signal handles do not keep the loop
// alive.
func stopOnSignal(loop *uv.Loop, stop func()) {
	for _, signum := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if s, err := handles.NewSignal(loop); err == nil {
			s.Start(func(*handles.Signal, int) { stop() }, int(signum))
			s.Unref()
		}
	}
}
