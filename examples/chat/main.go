// Command chat is a TCP chat server built on uv-go's net package, the way one is written
// with Node's net module: net.CreateServer, a callback per connection, data and end and
// close callbacks per socket. Everyone connected sees what the others type, line by line.
//
//	go run ./examples/chat              # listens on port 7001 (PORT or -port to change it)
//	nc localhost 7001                   # in other terminals: type lines; /nick NAME, /who, /quit
//
// Ctrl+C closes the server: clients are told and disconnected, and the loop runs out of
// work. A client that stops reading is disconnected once a megabyte waits for it, so one
// slow reader cannot make the server's memory grow. Everything runs on one loop, on one
// goroutine. It imports uv, handles (for the signal) and net.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

func main() {
	port := 7001
	if p, err := strconv.Atoi(os.Getenv("PORT")); err == nil {
		port = p
	}
	flag.IntVar(&port, "port", port, "port to listen on (0 picks a free one)")
	host := flag.String("host", "", `address to listen on ("" is every address, IPv6 and IPv4)`)
	flag.Parse()

	loop, err := uv.NewLoop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
	c, err := newChat(loop, os.Stdout)
	if err == nil {
		err = c.listen(port, *host)
	}
	if err == nil {
		err = c.stopOnSignals(syscall.SIGINT, syscall.SIGTERM)
	}
	if err == nil {
		_, err = loop.Run(uv.RunDefault)
	}
	if err == nil {
		err = c.err
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
	loop.Close()
}

// maxPending is how much may wait for a client that does not read before it is dropped.
const maxPending = 1 << 20

// chat is the server and the people connected to it.
type chat struct {
	loop    *uv.Loop
	srv     *net.Server
	out     io.Writer
	clients map[*client]struct{}
	signals []*handles.Signal
	nextID  int
	err     error
}

// client is one connection, with the part of a line received so far.
type client struct {
	sock    *net.Socket
	name    string
	partial []byte
	chat    *chat
}

func newChat(loop *uv.Loop, out io.Writer) (*chat, error) {
	c := &chat{loop: loop, out: out, clients: map[*client]struct{}{}}
	srv, err := net.NewServer(net.ServerOptions{Loop: loop, NoDelay: true}, c.join)
	if err != nil {
		return nil, err
	}
	c.srv = srv
	srv.OnError(func(err error) {
		c.err = err
		c.shutdown("")
	})
	return c, nil
}

// listen starts listening, as Node's server.listen(port, host, cb).
func (c *chat) listen(port int, host string) error {
	return c.srv.ListenHost(port, host, func() {
		a := c.srv.Address()
		fmt.Fprintf(c.out, "chat server listening on port %d (%s %s); try: nc localhost %d\n", a.Port, a.Family, a.Address, a.Port)
	})
}

// stopOnSignals shuts the server down on the first of the signals.
func (c *chat) stopOnSignals(sigs ...syscall.Signal) error {
	for _, signum := range sigs {
		s, err := handles.NewSignal(c.loop)
		if err == nil {
			err = s.Start(func(_ *handles.Signal, signum int) {
				fmt.Fprintf(c.out, "signal %d: shutting down\n", signum)
				c.shutdown("*** the server is shutting down\n")
			}, int(signum))
		}
		if err != nil {
			return err
		}
		c.signals = append(c.signals, s)
	}
	return nil
}

// shutdown stops accepting, says goodbye to everyone and ends their connections; the
// server's close callback runs once the last one is closed.
func (c *chat) shutdown(goodbye string) {
	for _, s := range c.signals {
		s.Close(nil)
	}
	c.signals = nil
	if c.srv.Listening() {
		c.srv.Close(func(error) { fmt.Fprintln(c.out, "server closed") })
	}
	for cl := range c.clients {
		cl.sock.End([]byte(goodbye))
	}
}

// join is the connection callback.
func (c *chat) join(sock *net.Socket) {
	c.nextID++
	cl := &client{sock: sock, name: "guest" + strconv.Itoa(c.nextID), chat: c}
	c.clients[cl] = struct{}{}
	fmt.Fprintf(c.out, "%s connected from %s port %d\n", cl.name, sock.RemoteAddress(), sock.RemotePort())
	cl.send(fmt.Sprintf("*** welcome, %s! %d here. /nick NAME, /who, /quit\n", cl.name, len(c.clients)))
	c.broadcast(cl, "*** "+cl.name+" joined\n")
	sock.OnData(cl.data)
	sock.OnEnd(func() { cl.leave("left") }) // the socket then ends itself (no AllowHalfOpen)
	sock.OnError(func(err error) { fmt.Fprintf(c.out, "%s: %v\n", cl.name, err) })
	sock.OnClose(func(hadError bool) {
		if _, ok := c.clients[cl]; ok {
			cl.leave("disconnected")
		}
		fmt.Fprintf(c.out, "%s closed (error: %v), %d bytes in, %d out\n", cl.name, hadError, sock.BytesRead(), sock.BytesWritten())
	})
}

// data splits what arrived into lines; the chunk is only valid during the callback, so an
// unfinished line is copied.
func (cl *client) data(chunk []byte) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			cl.partial = append(cl.partial, chunk...)
			return
		}
		line := string(append(cl.partial, chunk[:i]...))
		cl.partial = cl.partial[:0]
		chunk = chunk[i+1:]
		cl.line(strings.TrimRight(line, "\r"))
		if cl.sock.Destroyed() || cl.sock.WritableEnded() {
			return
		}
	}
}

func (cl *client) line(line string) {
	c := cl.chat
	switch cmd, arg, _ := strings.Cut(line, " "); cmd {
	case "/quit":
		cl.leave("quit")
		cl.sock.End([]byte("*** bye\n"))
	case "/nick":
		name := strings.TrimSpace(arg)
		if name == "" || strings.ContainsAny(name, " \t") || c.byName(name) != nil {
			cl.send("*** that name is not available\n")
			return
		}
		c.broadcast(cl, "*** "+cl.name+" is now "+name+"\n")
		cl.send("*** you are now " + name + "\n")
		cl.name = name
	case "/who":
		names := make([]string, 0, len(c.clients))
		for o := range c.clients {
			names = append(names, o.name)
		}
		sort.Strings(names)
		cl.send("*** here: " + strings.Join(names, ", ") + "\n")
	default:
		if line != "" {
			c.broadcast(cl, cl.name+": "+line+"\n")
		}
	}
}

// leave removes the client from the room and tells the others.
func (cl *client) leave(why string) {
	c := cl.chat
	if _, ok := c.clients[cl]; !ok {
		return
	}
	delete(c.clients, cl)
	fmt.Fprintf(c.out, "%s %s\n", cl.name, why)
	c.broadcast(cl, "*** "+cl.name+" "+why+"\n")
}

// send writes to one client. Write copies only what the kernel does not take at once; a
// client that lets too much pile up is dropped.
func (cl *client) send(msg string) {
	if cl.sock.Destroyed() || cl.sock.WritableEnded() {
		return
	}
	cl.sock.WriteString(msg)
	if cl.sock.WritableLength() > maxPending {
		fmt.Fprintf(cl.chat.out, "%s is not reading: dropped\n", cl.name)
		cl.leave("was too slow")
		cl.sock.Destroy(nil)
	}
}

func (c *chat) broadcast(from *client, msg string) {
	for cl := range c.clients {
		if cl != from {
			cl.send(msg)
		}
	}
}

func (c *chat) byName(name string) *client {
	for cl := range c.clients {
		if cl.name == name {
			return cl
		}
	}
	return nil
}
