package app_test

import (
	"fmt"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/app"
)

// The hello world of Express: a route, then Listen, then the loop serves.
func Example() {
	a := app.New()
	a.Get("/", func(req *app.Request, res *app.Response) {
		res.Send("Hello, World!")
	})
	a.Get("/users/:id", func(req *app.Request, res *app.Response) {
		res.JSON(map[string]string{"id": req.Param("id")})
	})
	if _, err := a.Listen(3000, func() { fmt.Println("Server running at http://localhost:3000/") }); err != nil {
		return
	}
	loop, _ := uv.DefaultLoop()
	loop.Run(uv.RunDefault)
}

// Middleware calls next to go on; error middleware takes the error passed to next.
func ExampleApp_Use() {
	a := app.New()
	a.Use(func(req *app.Request, res *app.Response, next app.Next) {
		res.Set("X-Request-Path", req.Path())
		next()
	})
	a.Use("/admin", func(req *app.Request, res *app.Response, next app.Next) {
		if req.Get("Authorization") == "" {
			next(app.NewError(401, "who are you?"))
			return
		}
		next()
	})
	a.Use(func(err error, req *app.Request, res *app.Response, next app.Next) {
		res.Status(500).JSON(map[string]string{"error": err.Error()})
	})
}
