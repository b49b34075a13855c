//go:build unix

package handles_test

import (
	"fmt"
	"os"
	"path/filepath"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// A unix-domain socket server and client (libuv's pipe handles; named pipes on Windows).
func ExamplePipe() {
	dir, _ := os.MkdirTemp("", "uv-example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "echo.sock")

	l, _ := uv.NewLoop()
	server, _ := handles.NewPipe(l, false)
	if err := server.Bind(name); err != nil {
		fmt.Println("bind:", err)
		return
	}
	server.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		conn, _ := handles.NewPipe(l, false)
		s.Accept(&conn.Stream)
		conn.ReadStart(nil, func(c *handles.Stream, data []byte, err error) {
			if err != nil {
				c.Close(nil)
				return
			}
			fmt.Printf("server read %q\n", data)
			c.Close(nil)
			server.Close(nil)
		})
	})
	client, _ := handles.NewPipe(l, false)
	client.Connect(new(handles.ConnectReq), name, func(req *handles.ConnectReq, err error) {
		if err != nil {
			fmt.Println("connect:", err)
			return
		}
		client.Write(new(handles.WriteReq), [][]byte{[]byte("over the pipe")}, func(*handles.WriteReq, error) {
			client.Close(nil)
		})
	})
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// server read "over the pipe"
}

// A poll handle reports the readiness of a descriptor the program reads and writes itself
// (libuv's uv_poll_t), here the read end of a pipe.
func ExamplePoll() {
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		fmt.Println(err)
		return
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])

	l, _ := uv.NewLoop()
	p, err := handles.NewPoll(l, fds[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	p.Start(handles.Readable, func(p *handles.Poll, status error, events int) {
		var buf [64]byte
		n, _ := unix.Read(p.Fd(), buf[:])
		fmt.Printf("readable: %q\n", buf[:n])
		p.Close(nil)
	})
	unix.Write(fds[1], []byte("wake up"))
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// readable: "wake up"
}
