package main

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// The TCP shapes run their server in a child process (this binary, shape tcp_server), as
// the libuv and Node versions do, so client and server each have a process and a core.

// server is the child's echo (mode=echo) or sink (mode=sink) server. It writes
// "PORT <n>" on stdout and exits when its connection closes.
type server struct {
	tcp  handles.TCP
	echo bool
	free []*echoWrite
	sink []byte
}

type serverConn struct {
	tcp  handles.TCP
	srv  *server
	next *echoWrite // the echo buffer handed to the last alloc
}

type echoWrite struct {
	req  handles.WriteReq
	buf  []byte
	bufs [][]byte
	srv  *server
}

func tcpServerChild(a args) {
	l, err := uv.NewLoop()
	check(err)
	s := &server{echo: a.str("mode", "echo") == "echo", sink: make([]byte, 64*1024)}
	check(s.tcp.Init(l))
	s.tcp.Data = s
	check(s.tcp.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	check(s.tcp.Listen(handles.DefaultBacklog, onServerConnection))
	addr, err := s.tcp.Sockname()
	check(err)
	fmt.Printf("PORT %d\n", addr.Port())
	_, err = l.Run(uv.RunDefault)
	check(err)
	check(l.Close())
}

func onServerConnection(ls *handles.Stream, err error) {
	check(err)
	s := ls.Data.(*server)
	c := &serverConn{srv: s}
	check(c.tcp.Init(ls.Loop()))
	c.tcp.Data = c
	check(ls.Accept(&c.tcp.Stream))
	alloc := serverSinkAlloc
	if s.echo {
		alloc = serverEchoAlloc
	}
	check(c.tcp.ReadStart(alloc, onServerRead))
}

func serverSinkAlloc(st *handles.Stream, _ int) []byte { return st.Data.(*serverConn).srv.sink }

// serverEchoAlloc hands out the buffer of a free echo write, so the echo sends back what
// was read without a copy (the C server does the same).
func serverEchoAlloc(st *handles.Stream, _ int) []byte {
	c := st.Data.(*serverConn)
	if c.next == nil {
		s := c.srv
		if n := len(s.free); n > 0 {
			c.next = s.free[n-1]
			s.free = s.free[:n-1]
		} else {
			w := &echoWrite{buf: make([]byte, 64*1024), bufs: make([][]byte, 1), srv: s}
			w.req.Data = w
			c.next = w
		}
	}
	return c.next.buf
}

func onServerRead(st *handles.Stream, data []byte, err error) {
	c := st.Data.(*serverConn)
	if err != nil {
		c.tcp.Close(nil)
		if !c.srv.tcp.IsClosing() {
			c.srv.tcp.Close(nil)
		}
		return
	}
	if !c.srv.echo || len(data) == 0 {
		return
	}
	w := c.next
	c.next = nil
	w.bufs[0] = data
	check(st.Write(&w.req, w.bufs, onEchoWritten))
}

func onEchoWritten(req *handles.WriteReq, err error) {
	w := req.Data.(*echoWrite)
	w.bufs[0] = nil
	w.srv.free = append(w.srv.free, w)
}

// child is a running server process.
type child struct {
	cmd  *exec.Cmd
	port uint16
}

func startServer(mode string) *child {
	exe, err := os.Executable()
	check(err)
	cmd := exec.Command(exe, "tcp_server", "mode="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	check(err)
	p, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "PORT ")))
	check(err)
	return &child{cmd: cmd, port: uint16(p)}
}

func (c *child) wait() { check(c.cmd.Wait()) }

func (c *child) addr() netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), c.port)
}

// clock measures secs seconds after warm seconds of warm-up on the loop: phase is 0 in
// the warm-up, 1 while measuring, 2 once the time is up.
type clock struct {
	timer  handles.Timer
	phase  int
	secs   float64
	t0, t1 time.Time
	mark   func() // records the counter at the start of the measurement
}

func (c *clock) start(l *uv.Loop, warm, secs float64, mark func()) {
	c.secs, c.mark = secs, mark
	check(c.timer.Init(l))
	check(c.timer.Start(c.tick, uint64(warm*1000), 0))
}

func (c *clock) tick(t *handles.Timer) {
	if c.phase == 0 {
		c.phase = 1
		c.mark()
		c.t0 = time.Now()
		check(t.Start(c.tick, uint64(c.secs*1000), 0))
		return
	}
	c.phase = 2
}

// finish ends the measurement and closes the timer.
func (c *clock) finish() time.Duration {
	c.t1 = time.Now()
	c.timer.Close(nil)
	return c.t1.Sub(c.t0)
}

// pinger is the ping-pong client: a 4-byte "PING", the next sent when the echo is back.
type pinger struct {
	tcp          handles.TCP
	conn         handles.ConnectReq
	reqs         [2]handles.WriteReq
	busy         [2]bool
	turn         int
	ping         [][]byte
	got          int
	pongs, pong0 int
	clk          clock
	dt           time.Duration
}

func (p *pinger) send() {
	i := p.turn
	p.turn ^= 1
	if p.busy[i] {
		die("write %d still in flight", i)
	}
	p.busy[i] = true
	check(p.tcp.Write(&p.reqs[i], p.ping, onPingWritten))
}

func onPingWritten(req *handles.WriteReq, err error) {
	check(err)
	p := req.Stream().Data.(*pinger)
	p.busy[req.Data.(int)] = false
}

func onPingConnected(req *handles.ConnectReq, err error) {
	check(err)
	p := req.Stream().Data.(*pinger)
	check(p.tcp.ReadStart(nil, onPongRead))
	p.send()
}

func onPongRead(st *handles.Stream, data []byte, err error) {
	check(err)
	p := st.Data.(*pinger)
	for _, c := range data {
		if c != "PING"[p.got] {
			die("bad echo byte %q", c)
		}
		if p.got++; p.got < 4 {
			continue
		}
		p.got = 0
		p.pongs++
		if p.clk.phase == 2 {
			p.dt = p.clk.finish()
			p.tcp.Close(nil)
			return
		}
		p.send()
	}
}

func tcpPingPong(a args) {
	srv := startServer("echo")
	l, err := uv.NewLoop()
	check(err)
	p := &pinger{ping: [][]byte{[]byte("PING")}}
	p.reqs[0].Data, p.reqs[1].Data = 0, 1
	check(p.tcp.Init(l))
	p.tcp.Data = p
	p.clk.start(l, a.num("warm", 0.5), a.num("secs", 3), func() { p.pong0 = p.pongs })
	prof := startProfile(a)
	check(p.tcp.Connect(&p.conn, srv.addr(), onPingConnected))
	_, err = l.Run(uv.RunDefault)
	prof.stop()
	check(err)
	check(l.Close())
	srv.wait()
	result("tcp_pingpong", float64(p.pongs-p.pong0)/p.dt.Seconds(), "roundtrips/s", "higher", "")
}

// pumper keeps one 8 KiB write in flight on one connection (libuv's tcp_pump1 shape).
type pumper struct {
	tcp           handles.TCP
	conn          handles.ConnectReq
	req           handles.WriteReq
	buf           [][]byte
	bytes, bytes0 int64
	clk           clock
	dt            time.Duration
}

func (p *pumper) write() { check(p.tcp.Write(&p.req, p.buf, onPumpWritten)) }

func onPumpWritten(req *handles.WriteReq, err error) {
	check(err)
	p := req.Stream().Data.(*pumper)
	p.bytes += int64(len(p.buf[0]))
	if p.clk.phase == 2 {
		p.dt = p.clk.finish()
		p.tcp.Close(nil)
		return
	}
	p.write()
}

func onPumpConnected(req *handles.ConnectReq, err error) {
	check(err)
	req.Stream().Data.(*pumper).write()
}

func tcpPump(a args) {
	srv := startServer("sink")
	l, err := uv.NewLoop()
	check(err)
	p := &pumper{buf: [][]byte{make([]byte, 8192)}}
	check(p.tcp.Init(l))
	p.tcp.Data = p
	p.clk.start(l, a.num("warm", 0.5), a.num("secs", 3), func() { p.bytes0 = p.bytes })
	prof := startProfile(a)
	check(p.tcp.Connect(&p.conn, srv.addr(), onPumpConnected))
	_, err = l.Run(uv.RunDefault)
	prof.stop()
	check(err)
	check(l.Close())
	srv.wait()
	result("tcp_pump", float64(p.bytes-p.bytes0)*8/1e9/p.dt.Seconds(), "Gbit/s", "higher", "")
}
