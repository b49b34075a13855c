package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// The net shapes measure uv-go's Node-style net module (net.Server and net.Socket, not the
// raw handles) against Node's net module: both sides of each shape use the module, the
// server in a child process (shape net_server) so that client and server each have a core.

// netServerChild is the echo server of the net shapes: every connection writes back what it
// reads, and ends when the client ends (allowHalfOpen off, as in Node). It prints "PORT <n>"
// and runs until killed.
func netServerChild(a args) {
	l, err := uv.NewLoop()
	check(err)
	srv, err := net.NewServer(net.ServerOptions{Loop: l, NoDelay: true}, func(c *net.Socket) {
		c.OnData(func(b []byte) { c.Write(b) })
		c.OnError(func(error) {}) // a client reset: the close follows
	})
	check(err)
	srv.OnError(func(err error) { check(err) })
	check(srv.ListenHost(0, "127.0.0.1", func() { fmt.Printf("PORT %d\n", srv.Address().Port) }))
	_, err = l.Run(uv.RunDefault)
	check(err)
}

// netChild is a running net_server.
type netChild struct {
	cmd  *exec.Cmd
	port int
}

func startNetServer() *netChild {
	exe, err := os.Executable()
	check(err)
	cmd := exec.Command(exe, "net_server")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	check(err)
	p, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "PORT ")))
	check(err)
	return &netChild{cmd: cmd, port: p}
}

// stop kills the server and waits for it.
func (c *netChild) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
}

// window measures secs seconds after warm seconds: mark runs at the start of the
// measurement and done at its end, both on the loop.
type window struct {
	timer    handles.Timer
	secs     float64
	measured bool
	t0       time.Time
	dt       time.Duration
	mark     func()
	done     func()
}

func (w *window) start(l *uv.Loop, warm, secs float64, mark, done func()) {
	w.secs, w.mark, w.done = secs, mark, done
	check(w.timer.Init(l))
	check(w.timer.Start(w.tick, uint64(warm*1000), 0))
}

func (w *window) tick(t *handles.Timer) {
	if !w.measured {
		w.measured = true
		w.mark()
		w.t0 = time.Now()
		check(t.Start(w.tick, uint64(w.secs*1000), 0))
		return
	}
	w.dt = time.Since(w.t0)
	w.done()
	t.Close(nil)
}

// netEcho: conns connections, each with one size-byte message in flight, the next sent
// when the whole echo is back; messages/s over secs seconds after warm seconds.
func netEcho(a args) {
	conns, size := int(a.num("conns", 64)), int(a.num("size", 128))
	srv := startNetServer()
	l, err := uv.NewLoop()
	check(err)
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	var (
		msgs, msgs0, msgs1 int
		stopping           bool
		socks              []*net.Socket
	)
	for i := 0; i < conns; i++ {
		s, err := net.NewSocket(net.SocketOptions{Loop: l, NoDelay: true})
		check(err)
		got := 0
		s.OnData(func(b []byte) {
			if got += len(b); got < size {
				return
			}
			got -= size
			msgs++
			if stopping {
				s.End(nil)
				return
			}
			s.Write(msg)
		})
		s.OnError(func(err error) { check(err) })
		check(s.Connect(srv.port, "127.0.0.1", func() { s.Write(msg) }))
		socks = append(socks, s)
	}
	var w window
	w.start(l, a.num("warm", 0.5), a.num("secs", 3), func() { msgs0 = msgs }, func() {
		msgs1 = msgs
		stopping = true
	})
	prof := startProfile(a)
	_, err = l.Run(uv.RunDefault)
	prof.stop()
	check(err)
	check(l.Close())
	srv.stop()
	rate := float64(msgs1-msgs0) / w.dt.Seconds()
	result("net_echo", rate, "msgs/s", "higher", fmt.Sprintf(" conns=%d size=%d mb_per_s=%.1f", conns, size, rate*float64(size)/1e6))
}

// netConnRate: inflight chains, each connecting, sending one byte, waiting for its echo and
// ending, then starting over once the socket has closed; connections/s.
func netConnRate(a args) {
	inflight := int(a.num("inflight", 8))
	srv := startNetServer()
	l, err := uv.NewLoop()
	check(err)
	one := []byte{'x'}
	var (
		done, done0, done1 int
		stopping           bool
	)
	var next func()
	next = func() {
		s, err := net.NewSocket(net.SocketOptions{Loop: l, NoDelay: true})
		check(err)
		s.OnData(func([]byte) { s.End(nil) })
		s.OnError(func(err error) { check(err) })
		s.OnClose(func(bool) {
			done++
			if !stopping {
				next()
			}
		})
		check(s.Connect(srv.port, "127.0.0.1", func() { s.Write(one) }))
	}
	for i := 0; i < inflight; i++ {
		next()
	}
	var w window
	w.start(l, a.num("warm", 0.5), a.num("secs", 3), func() { done0 = done }, func() {
		done1 = done
		stopping = true
	})
	prof := startProfile(a)
	_, err = l.Run(uv.RunDefault)
	prof.stop()
	check(err)
	check(l.Close())
	srv.stop()
	result("net_connrate", float64(done1-done0)/w.dt.Seconds(), "conns/s", "higher", fmt.Sprintf(" inflight=%d", inflight))
}
