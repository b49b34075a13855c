package http_test

import (
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/http"
)

// Node's hello world: the head and body go out in one write, with Content-Length.
func ExampleCreateServer() {
	srv := http.CreateServer(func(req *http.IncomingMessage, res *http.ServerResponse) {
		res.SetHeader("Content-Type", "text/plain")
		res.EndString("Hello, World!")
	})
	srv.Listen(3000, nil)
	loop, _ := uv.DefaultLoop()
	loop.Run(uv.RunDefault)
}

// A request body read as it arrives, and a streamed (chunked) answer.
func ExampleIncomingMessage() {
	http.CreateServer(func(req *http.IncomingMessage, res *http.ServerResponse) {
		n := 0
		req.OnData(func(chunk []byte) { n += len(chunk) })
		req.OnEnd(func() {
			res.Write([]byte("got "))
			res.WriteString(req.Method + " " + req.URL)
			res.End(nil)
		})
	}).Listen(3000, nil)
}

// The client, with the loop's keep-alive agent.
func ExampleGet() {
	loop, _ := uv.DefaultLoop()
	req, err := http.Get(loop, "http://127.0.0.1:3000/", func(res *http.IncomingMessage) {
		res.OnData(func(chunk []byte) { _ = chunk })
	})
	if err != nil {
		return
	}
	req.OnError(func(err error) {})
	loop.Run(uv.RunDefault)
}
