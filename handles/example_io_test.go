//go:build unix

package handles_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// An echo server and a client over TCP on one loop. Read callbacks get the loop's shared
// buffer (nil alloc): its bytes are valid only during the callback.
func ExampleTCP() {
	l, _ := uv.NewLoop()
	server, _ := handles.NewTCP(l)
	server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0)
	server.Listen(handles.DefaultBacklog, func(s *handles.Stream, err error) {
		conn, _ := handles.NewTCP(l)
		s.Accept(&conn.Stream)
		conn.ReadStart(nil, func(c *handles.Stream, data []byte, err error) {
			if err != nil { // uv.EOF: the client is done
				c.Close(nil)
				return
			}
			fmt.Printf("server read %q\n", data)
			c.Write(new(handles.WriteReq), [][]byte{bytes.ToUpper(data)}, nil)
		})
	})
	addr, _ := server.Sockname()

	client, _ := handles.NewTCP(l)
	client.Connect(new(handles.ConnectReq), addr, func(req *handles.ConnectReq, err error) {
		if err != nil {
			fmt.Println("connect:", err)
			return
		}
		client.Write(new(handles.WriteReq), [][]byte{[]byte("hello")}, nil)
		client.ReadStart(nil, func(c *handles.Stream, data []byte, err error) {
			fmt.Printf("client read %q\n", data)
			c.Close(nil)
			server.Close(nil)
		})
	})
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// server read "hello"
	// client read "HELLO"
}

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

// A datagram to oneself. When a read pass finds nothing more waiting, the callback gets an
// empty buffer with an invalid address (libuv's nread 0 with a NULL address): skip it.
func ExampleUDP() {
	l, _ := uv.NewLoop()
	receiver, _ := handles.NewUDP(l)
	receiver.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0)
	to, _ := receiver.Sockname()
	sender, _ := handles.NewUDP(l)
	sender.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0)
	from, _ := sender.Sockname()

	receiver.RecvStart(nil, func(u *handles.UDP, buf []byte, addr netip.AddrPort, flags int, err error) {
		if err != nil || !addr.IsValid() {
			return
		}
		fmt.Printf("received %q from the sender: %v\n", buf, addr == from)
		u.Close(nil)
		sender.Close(nil)
	})
	sender.Send(new(handles.UDPSendReq), [][]byte{[]byte("ping")}, to, nil)
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// received "ping" from the sender: true
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
