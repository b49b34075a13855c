package main

import (
	"bytes"
	"fmt"
	"net/netip"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// The layer shapes answer the HTTP hello below the http package, to show what each layer of
// uv-go's server costs: handles_hello on handles.TCP (the libuv-style handle), net_hello on
// net.Socket (Node's net). Neither parses HTTP: like the gnet peer, each counts the blank
// lines that end request heads and writes a fixed response per head, the bytes uv-go's http
// server sends (its Date line is fixed here, of the same length). They are measuring
// instruments, not servers: a request body would be taken for heads.

// layerResponse is http_hello's response, byte for byte but for the date.
var layerResponse = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" +
	"Date: Thu, 26 Nov 2026 14:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
	"Content-Length: 13\r\n\r\nHello, World!")

var blankLine = []byte("\r\n\r\n")

// headCounter counts the ends of request heads in a byte stream read in chunks; seen is how
// many bytes of a blank line the last chunk ended with.
type headCounter struct{ seen int }

func (h *headCounter) count(b []byte) int {
	n := 0
	// A blank line across the chunk boundary: the chunk completes what the last one began.
	if h.seen > 0 {
		need := blankLine[h.seen:]
		m := min(len(need), len(b))
		switch {
		case !bytes.Equal(b[:m], need[:m]):
			h.seen = 0
		case m < len(need): // a chunk shorter than the rest of the blank line
			h.seen += m
			return 0
		default:
			n++
			b = b[m:]
			h.seen = 0
		}
	}
	for {
		i := bytes.Index(b, blankLine)
		if i < 0 {
			break
		}
		n++
		b = b[i+len(blankLine):]
	}
	for k := min(3, len(b)); k > 0; k-- {
		if bytes.Equal(b[len(b)-k:], blankLine[:k]) {
			h.seen = k
			break
		}
	}
	return n
}

// handlesConn is one connection of handles_hello.
type handlesConn struct {
	tcp   handles.TCP
	heads headCounter
}

// handlesHello is the hello on handles.TCP: write-behind on, as the http server sets it, and
// each response built in the socket's write-behind buffer when it has room, as the http
// server builds a small one.
func handlesHello(a args) {
	port := int(a.num("port", 8080))
	l, err := uv.NewLoop()
	check(err)
	var srv handles.TCP
	check(srv.Init(l))
	check(srv.Bind(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)), 0))
	buf := make([]byte, 64<<10)
	alloc := func(*handles.Stream, int) []byte { return buf }
	check(srv.Listen(handles.DefaultBacklog, func(ls *handles.Stream, err error) {
		check(err)
		c := &handlesConn{}
		check(c.tcp.Init(l))
		c.tcp.Data = c
		check(ls.Accept(&c.tcp.Stream))
		check(c.tcp.NoDelay(true))
		c.tcp.SetWriteBehind(true)
		check(c.tcp.ReadStart(alloc, handlesRead))
	}))
	fmt.Printf("LISTENING port=%d ver=%s\n", port, version())
	_, err = l.Run(uv.RunDefault)
	check(err)
}

var handlesBufs = make([][]byte, 1)

func handlesRead(st *handles.Stream, data []byte, err error) {
	if err != nil {
		st.Close(nil)
		return
	}
	c := st.Data.(*handlesConn)
	for k := c.heads.count(data); k > 0; k-- {
		if b := st.WriteBehindBuf(len(layerResponse)); b != nil {
			st.CommitWriteBehind(append(b, layerResponse...))
			continue
		}
		handlesBufs[0] = layerResponse
		if n, err := st.TryWrite(handlesBufs); err != nil || n < len(layerResponse) {
			st.Close(nil) // the client does not read: not a case of this benchmark
			return
		}
	}
}

// netHello is the hello on net.Socket, with Node's API: a data callback and Write, on a
// socket in write-behind mode as the http server's are.
func netHello(a args) {
	port := int(a.num("port", 8080))
	l, err := uv.NewLoop()
	check(err)
	srv, err := net.NewServer(net.ServerOptions{Loop: l, NoDelay: true}, func(c *net.Socket) {
		var heads headCounter
		c.SetWriteBehind(true)
		c.OnData(func(b []byte) {
			for k := heads.count(b); k > 0; k-- {
				c.Write(layerResponse)
			}
		})
		c.OnError(func(error) {}) // a client reset: the close follows
	})
	check(err)
	srv.OnError(func(err error) { check(err) })
	check(srv.ListenHost(port, "127.0.0.1", func() { fmt.Printf("LISTENING port=%d ver=%s\n", port, version()) }))
	_, err = l.Run(uv.RunDefault)
	check(err)
}
