package handles_test

import (
	"bytes"
	"fmt"
	"net/netip"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The examples of the socket handles, which run on every system (example_io_test.go has the
// unix-only ones).

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
