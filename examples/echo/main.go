// Command echo is a TCP echo server and client built on uv-go's handles only: one loop, a
// listening TCP handle, a TCP handle per connection reading with ReadStart and echoing with
// Write, and a client that connects, writes a few lines, prints their echoes and shuts its
// side down. Everything runs on one goroutine, in callbacks, as in libuv.
//
//	go run ./examples/echo                  # server and client on one loop, then exit
//	go run ./examples/echo -addr 127.0.0.1:0
//	go run ./examples/echo -server          # serve until interrupted (Ctrl+C)
//
// It imports only the uv and handles packages (and the standard library).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"syscall"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "address to listen on (port 0 picks a free port)")
	serverOnly := flag.Bool("server", false, "run only the server, until interrupted")
	flag.Parse()

	ap, err := netip.ParseAddrPort(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo: bad -addr:", err)
		os.Exit(2)
	}
	if *serverOnly {
		err = serveUntilInterrupted(ap, os.Stdout)
	} else {
		_, err = runDemo(ap, []string{"hello", "from uv-go", "over TCP loopback"}, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

// runDemo starts an echo server on addr and, on the same loop, a client that sends lines
// and collects their echoes; when all came back it shuts down, the server closes, and the
// loop runs out of work. It returns the echoed lines.
func runDemo(addr netip.AddrPort, lines []string, out io.Writer) ([]string, error) {
	loop, err := uv.NewLoop()
	if err != nil {
		return nil, err
	}
	srv, err := startServer(loop, addr, out)
	if err != nil {
		loop.Close()
		return nil, err
	}
	fmt.Fprintf(out, "server: listening on %s\n", srv.addr)

	c := &client{lines: lines, out: out, srv: srv}
	if err := c.start(loop, srv.addr); err != nil {
		srv.close()
		loop.Run(uv.RunDefault)
		loop.Close()
		return nil, err
	}
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return c.echoes, err
	}
	if err := loop.Close(); err != nil {
		return c.echoes, err
	}
	if c.err == nil && len(c.echoes) != len(lines) {
		c.err = fmt.Errorf("got %d echoes for %d lines", len(c.echoes), len(lines))
	}
	if c.err == nil {
		fmt.Fprintln(out, "client: all lines echoed; done")
	}
	return c.echoes, c.err
}

// serveUntilInterrupted runs the echo server until SIGINT or SIGTERM, then closes it.
func serveUntilInterrupted(addr netip.AddrPort, out io.Writer) error {
	loop, err := uv.NewLoop()
	if err != nil {
		return err
	}
	srv, err := startServer(loop, addr, out)
	if err != nil {
		loop.Close()
		return err
	}
	fmt.Fprintf(out, "server: listening on %s; Ctrl+C stops it\n", srv.addr)
	var sigs []*handles.Signal
	stop := func(_ *handles.Signal, signum int) {
		fmt.Fprintf(out, "server: signal %d, closing\n", signum)
		for _, s := range sigs {
			s.Close(nil)
		}
		srv.close()
	}
	for _, signum := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		s, err := handles.NewSignal(loop)
		if err == nil {
			err = s.Start(stop, int(signum))
		}
		if err != nil {
			srv.close()
			loop.Run(uv.RunDefault)
			loop.Close()
			return err
		}
		sigs = append(sigs, s)
	}
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	return loop.Close()
}

// server is the echo server: a listening TCP handle and its connections.
type server struct {
	tcp   handles.TCP
	addr  netip.AddrPort
	conns map[*conn]struct{}
	out   io.Writer
}

// conn is one accepted connection. Reads go straight into the buffer of a free write
// request, which is then written back: no copy, and no allocation once the free list is
// warm.
type conn struct {
	tcp  handles.TCP
	srv  *server
	next *echoWrite   // the buffer handed to the last alloc callback
	free []*echoWrite // write requests not in flight
}

// echoWrite is a write request with the buffer it echoes.
type echoWrite struct {
	req  handles.WriteReq
	buf  []byte
	bufs [][]byte
	c    *conn
}

const readSize = 64 * 1024

func startServer(loop *uv.Loop, addr netip.AddrPort, out io.Writer) (*server, error) {
	s := &server{conns: map[*conn]struct{}{}, out: out}
	if err := s.tcp.Init(loop); err != nil {
		return nil, err
	}
	s.tcp.Data = s
	err := s.tcp.Bind(addr, 0)
	if err == nil {
		err = s.tcp.Listen(handles.DefaultBacklog, onConnection)
	}
	if err == nil {
		s.addr, err = s.tcp.Sockname()
	}
	if err != nil {
		s.tcp.Close(nil)
		loop.Run(uv.RunDefault)
		return nil, err
	}
	return s, nil
}

// close stops listening and closes every connection.
func (s *server) close() {
	if !s.tcp.IsClosing() {
		s.tcp.Close(nil)
	}
	for c := range s.conns {
		c.close()
	}
}

func onConnection(ls *handles.Stream, err error) {
	s := ls.Data.(*server)
	if err != nil {
		fmt.Fprintln(s.out, "server: listen error:", err)
		return
	}
	c := &conn{srv: s}
	if err := c.tcp.Init(ls.Loop()); err != nil {
		fmt.Fprintln(s.out, "server: init:", err)
		return
	}
	c.tcp.Data = c
	if err := ls.Accept(&c.tcp.Stream); err != nil {
		fmt.Fprintln(s.out, "server: accept:", err)
		c.tcp.Close(nil)
		return
	}
	s.conns[c] = struct{}{}
	if peer, err := c.tcp.Peername(); err == nil {
		fmt.Fprintf(s.out, "server: connection from %s\n", peer)
	}
	if err := c.tcp.ReadStart(connAlloc, connRead); err != nil {
		fmt.Fprintln(s.out, "server: read:", err)
		c.close()
	}
}

func (c *conn) close() {
	if c.tcp.IsClosing() {
		return
	}
	delete(c.srv.conns, c)
	c.tcp.Close(nil) // queued echoes get ECANCELED
}

func connAlloc(st *handles.Stream, suggested int) []byte {
	c := st.Data.(*conn)
	if c.next == nil {
		if n := len(c.free); n > 0 {
			c.next = c.free[n-1]
			c.free = c.free[:n-1]
		} else {
			w := &echoWrite{buf: make([]byte, readSize), bufs: make([][]byte, 1), c: c}
			w.req.Data = w
			c.next = w
		}
	}
	return c.next.buf
}

func connRead(st *handles.Stream, data []byte, err error) {
	c := st.Data.(*conn)
	switch {
	case errors.Is(err, uv.EOF):
		c.close() // the client is done: close our side too
		return
	case err != nil:
		fmt.Fprintln(c.srv.out, "server: read:", err)
		c.close()
		return
	case len(data) == 0:
		return // nothing to read after all; keep the buffer for next time
	}
	w := c.next
	c.next = nil
	w.bufs[0] = data
	if err := st.Write(&w.req, w.bufs, echoWritten); err != nil {
		fmt.Fprintln(c.srv.out, "server: write:", err)
		c.free = append(c.free, w)
		c.close()
	}
}

func echoWritten(req *handles.WriteReq, err error) {
	w := req.Data.(*echoWrite)
	w.bufs[0] = nil
	w.c.free = append(w.c.free, w)
	if err != nil && !errors.Is(err, uv.ECANCELED) {
		fmt.Fprintln(w.c.srv.out, "server: write:", err)
		w.c.close()
	}
}

// client writes its lines, one write each, and reads their echoes line by line.
type client struct {
	tcp     handles.TCP
	connect handles.ConnectReq
	writes  []handles.WriteReq
	bufs    [][][]byte
	shut    handles.ShutdownReq
	lines   []string
	partial []byte
	echoes  []string
	out     io.Writer
	srv     *server
	err     error
}

func (c *client) start(loop *uv.Loop, addr netip.AddrPort) error {
	if err := c.tcp.Init(loop); err != nil {
		return err
	}
	c.tcp.Data = c
	if err := c.tcp.Connect(&c.connect, addr, clientConnected); err != nil {
		c.tcp.Close(nil)
		return err
	}
	return nil
}

// fail records the first error and closes everything, so the loop runs out of work.
func (c *client) fail(err error) {
	if c.err == nil {
		c.err = err
	}
	if !c.tcp.IsClosing() {
		c.tcp.Close(nil)
	}
	c.srv.close()
}

func clientConnected(req *handles.ConnectReq, err error) {
	st := req.Stream()
	c := st.Data.(*client)
	if err != nil {
		c.fail(fmt.Errorf("connect: %w", err))
		return
	}
	fmt.Fprintln(c.out, "client: connected")
	if err := st.ReadStart(nil, clientRead); err != nil {
		c.fail(fmt.Errorf("read: %w", err))
		return
	}
	c.writes = make([]handles.WriteReq, len(c.lines))
	c.bufs = make([][][]byte, len(c.lines))
	for i, line := range c.lines {
		c.bufs[i] = [][]byte{[]byte(line), []byte("\n")}
		if err := st.Write(&c.writes[i], c.bufs[i], clientWritten); err != nil {
			c.fail(fmt.Errorf("write: %w", err))
			return
		}
	}
	if len(c.lines) == 0 {
		c.shutdown(st)
	}
}

func clientWritten(req *handles.WriteReq, err error) {
	if err != nil && !errors.Is(err, uv.ECANCELED) {
		req.Stream().Data.(*client).fail(fmt.Errorf("write: %w", err))
	}
}

// clientRead collects echoed lines; the loop's shared buffer (nil alloc) is valid only during
// the callback, so a partial line is copied.
func clientRead(st *handles.Stream, data []byte, err error) {
	c := st.Data.(*client)
	if errors.Is(err, uv.EOF) {
		// The server closed its side after our shutdown: all done.
		st.Close(nil)
		c.srv.close()
		return
	}
	if err != nil {
		c.fail(fmt.Errorf("read: %w", err))
		return
	}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			c.partial = append(c.partial, data...)
			return
		}
		line := string(append(c.partial, data[:i]...))
		c.partial = c.partial[:0]
		data = data[i+1:]
		c.echoes = append(c.echoes, line)
		fmt.Fprintf(c.out, "client: echo %q\n", line)
		if len(c.echoes) == len(c.lines) {
			c.shutdown(st)
		}
	}
}

// shutdown ends the client's writing side once its writes are flushed; the server sees EOF
// and closes, and the client then sees EOF.
func (c *client) shutdown(st *handles.Stream) {
	if err := st.Shutdown(&c.shut, clientShut); err != nil {
		c.fail(fmt.Errorf("shutdown: %w", err))
	}
}

func clientShut(req *handles.ShutdownReq, err error) {
	if err != nil && !errors.Is(err, uv.ECANCELED) {
		req.Stream().Data.(*client).fail(fmt.Errorf("shutdown: %w", err))
	}
}
