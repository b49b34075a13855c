//go:build linux

package uv_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// recorder keeps every event it is given, in order.
type recorder struct {
	events []any
}

func (r *recorder) TraceSyscall(l *uv.Loop, e uv.SyscallEvent) { r.events = append(r.events, e) }
func (r *recorder) TracePhase(l *uv.Loop, e uv.PhaseEvent)     { r.events = append(r.events, e) }
func (r *recorder) TraceHandle(l *uv.Loop, e uv.HandleEvent)   { r.events = append(r.events, e) }
func (r *recorder) TraceLayer(l *uv.Loop, e uv.LayerEvent)     { r.events = append(r.events, e) }

func (r *recorder) syscalls(c uv.Syscall) []uv.SyscallEvent {
	var out []uv.SyscallEvent
	for _, e := range r.events {
		if s, ok := e.(uv.SyscallEvent); ok && s.Call == c {
			out = append(out, s)
		}
	}
	return out
}

func (r *recorder) handleOps(h *uv.Handle) []string {
	var out []string
	for _, e := range r.events {
		if he, ok := e.(uv.HandleEvent); ok && he.Handle == h {
			out = append(out, he.Type.String()+" "+he.Op.String())
		}
	}
	return out
}

func newTracedLoop(t *testing.T, tr uv.Tracer) *uv.Loop {
	t.Helper()
	l, err := uv.NewLoop()
	require.NoError(t, err)
	l.SetTracer(tr)
	t.Cleanup(func() {
		l.SetTracer(nil)
		l.Walk(func(h *uv.Handle) {
			if !h.IsClosing() {
				h.Close(nil)
			}
		})
		l.Run(uv.RunDefault)
		require.NoError(t, l.Close())
	})
	return l
}

// The trip of a TCP server and a client, seen as system calls: socket, setsockopt, bind,
// listen with the backlog and somaxconn, the epoll registration, accept4, read, writev,
// close; the socket call is made outside any loop and reaches the global tracer.
func TestTraceTCPSyscalls(t *testing.T) {
	rec := &recorder{}
	uv.SetGlobalTracer(rec)
	defer uv.SetGlobalTracer(nil)
	l := newTracedLoop(t, rec)
	require.Equal(t, uv.Tracer(rec), l.Tracer())
	require.True(t, l.Tracing())

	p := newPingPong(&testing.B{}, l)
	p.left = 3
	server, err := p.server.Fileno()
	require.NoError(t, err)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, p.err)

	sockets := rec.syscalls(uv.SysSocket)
	require.Len(t, sockets, 2, "server and client sockets")
	assert.EqualValues(t, 2, sockets[0].Args[0], "AF_INET")
	assert.Equal(t, server, sockets[0].Result)

	binds := rec.syscalls(uv.SysBind)
	require.Len(t, binds, 1)
	assert.Equal(t, server, binds[0].Fd)
	ap, ok := uv.AddrPortOf(binds[0].Addr)
	require.True(t, ok)
	assert.Equal(t, netip.MustParseAddrPort("127.0.0.1:0"), ap)
	assert.NoError(t, binds[0].Err)

	listens := rec.syscalls(uv.SysListen)
	require.Len(t, listens, 1)
	assert.Equal(t, server, listens[0].Fd)
	assert.EqualValues(t, handles.DefaultBacklog, listens[0].Args[0])
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	require.NoError(t, err)
	limit, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	assert.EqualValues(t, limit, listens[0].Args[1])
	assert.EqualValues(t, min(handles.DefaultBacklog, limit), listens[0].Args[2])

	var registered bool
	for _, e := range rec.syscalls(uv.SysEpollCtl) {
		if e.Fd == server && e.Args[1] == 1 /* EPOLL_CTL_ADD */ && e.Args[2] == 1 /* EPOLLIN */ && e.Err == nil {
			registered = true
		}
	}
	assert.True(t, registered, "listening socket added to epoll for EPOLLIN")

	accepts := rec.syscalls(uv.SysAccept4)
	require.NotEmpty(t, accepts)
	assert.Equal(t, server, accepts[0].Fd)
	assert.Greater(t, accepts[0].Result, 0)

	var reads, writes int
	for _, e := range rec.syscalls(uv.SysRead) {
		if e.Err == nil {
			reads++
			assert.Equal(t, 4, e.Result)
			assert.EqualValues(t, 64*1024, e.Args[0])
		}
	}
	for _, e := range rec.syscalls(uv.SysWritev) {
		require.NoError(t, e.Err)
		writes++
		assert.Equal(t, 4, e.Result)
		assert.EqualValues(t, 4, e.Args[1])
	}
	assert.Equal(t, 6, reads, "3 round trips: 6 reads of 4 bytes")
	assert.Equal(t, 6, writes)

	connects := rec.syscalls(uv.SysConnect)
	require.Len(t, connects, 1)
	assert.True(t, errors.Is(connects[0].Err, uv.UNKNOWN) || connects[0].Err == nil, "EINPROGRESS has no libuv code")

	closes := rec.syscalls(uv.SysClose)
	assert.Len(t, closes, 3)
	var fds []int
	for _, c := range closes {
		fds = append(fds, c.Fd)
	}
	assert.Contains(t, fds, server)
}

// A timer's life: init, start, stop when it fires, close, closed; in the order of the
// phases that cause them.
func TestTraceHandleLifecycle(t *testing.T) {
	rec := &recorder{}
	l := newTracedLoop(t, rec)
	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(func(tm *handles.Timer) { tm.Close(nil) }, 0, 0))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	assert.Equal(t, []string{"timer init", "timer start", "timer stop", "timer close", "timer closed"},
		rec.handleOps(&tm.Handle))

	// Each transition falls in the phase that caused it.
	var phase uv.LoopPhase = -1
	for _, e := range rec.events {
		switch e := e.(type) {
		case uv.PhaseEvent:
			if e.End {
				phase = -1
			} else {
				phase = e.Phase
			}
		case uv.HandleEvent:
			switch e.Op {
			case uv.HandleClose, uv.HandleStop:
				assert.Equal(t, uv.LoopPhaseTimers, phase, e.Op.String())
			case uv.HandleClosed:
				assert.Equal(t, uv.LoopPhaseClosing, phase, e.Op.String())
			default:
				assert.EqualValues(t, -1, phase, e.Op.String())
			}
		}
	}
}

// Phases come in libuv's order, begin before end, with their callbacks counted.
func TestTracePhases(t *testing.T) {
	rec := &recorder{}
	l := newTracedLoop(t, rec)
	idle, _ := handles.NewIdle(l)
	check, _ := handles.NewCheck(l)
	runs := 0
	require.NoError(t, idle.Start(func(i *handles.Idle) {
		if runs++; runs == 3 {
			i.Stop()
			check.Stop()
		}
	}))
	require.NoError(t, check.Start(func(c *handles.Check) {}))
	_, err := l.Run(uv.RunDefault)
	require.NoError(t, err)

	want := []uv.LoopPhase{uv.LoopPhasePending, uv.LoopPhaseIdle, uv.LoopPhasePrepare, uv.LoopPhasePoll,
		uv.LoopPhasePending, uv.LoopPhaseCheck, uv.LoopPhaseClosing, uv.LoopPhaseTimers}
	var got []uv.LoopPhase
	var iter uint64
	open := false
	cbs := map[uv.LoopPhase]int{}
	for _, e := range rec.events {
		pe, ok := e.(uv.PhaseEvent)
		if !ok {
			continue
		}
		if !pe.End {
			require.False(t, open, "phase %s begins inside another", pe.Phase)
			open = true
			if pe.Iteration != iter {
				require.Equal(t, iter+1, pe.Iteration)
				iter = pe.Iteration
			}
			if pe.Phase != uv.LoopPhaseTimers || len(got) > 0 { // RunDefault's timers first
				got = append(got, pe.Phase)
			}
			continue
		}
		require.True(t, open)
		open = false
		assert.GreaterOrEqual(t, pe.Duration, pe.Wait)
		cbs[pe.Phase] += pe.Callbacks
	}
	require.False(t, open)
	require.EqualValues(t, 3, iter)
	require.Len(t, got, 3*len(want))
	for i, p := range got {
		assert.Equal(t, want[i%len(want)], p, "phase %d", i)
	}
	assert.Equal(t, 3, cbs[uv.LoopPhaseIdle])
	assert.Equal(t, 2, cbs[uv.LoopPhaseCheck])
	assert.Equal(t, 0, cbs[uv.LoopPhaseTimers])
	assert.Equal(t, l.Metrics().LoopCount, iter)
}

func TestTraceLayer(t *testing.T) {
	l, err := uv.NewLoop()
	require.NoError(t, err)
	defer l.Close()
	l.SetTracer(nil)
	require.False(t, l.Tracing())
	l.TraceLayer("net", "nobody listens") // no tracer: nothing happens

	rec := &recorder{}
	l.SetTracer(rec)
	l.TraceLayer("http", "GET /")
	require.Equal(t, []any{uv.LayerEvent{Layer: "http", What: "GET /"}}, rec.events)
	l.SetTracer(nil)
	require.Nil(t, l.Tracer())
	l.TraceLayer("http", "again")
	require.Len(t, rec.events, 1)
}

func TestMultiTracer(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	l := newTracedLoop(t, uv.MultiTracer(a, b, uv.NopTracer{}))
	l.TraceLayer("app", "hello")
	tm, _ := handles.NewTimer(l)
	tm.Close(nil)
	l.Run(uv.RunDefault)
	require.NotEmpty(t, a.events)
	require.Equal(t, a.events, b.events)
}

// sendfile is made on the threadpool, outside any loop: the global tracer sees it.
func TestTraceSendfile(t *testing.T) {
	rec := &recorder{}
	uv.SetGlobalTracer(rec)
	defer uv.SetGlobalTracer(nil)
	require.Equal(t, uv.Tracer(rec), uv.GlobalTracer())
	dir := t.TempDir()
	in, err := os.Create(filepath.Join(dir, "in"))
	require.NoError(t, err)
	defer in.Close()
	_, err = in.WriteString("hello, sendfile")
	require.NoError(t, err)
	out, err := os.Create(filepath.Join(dir, "out"))
	require.NoError(t, err)
	defer out.Close()
	n, err := uv.FsSendfile(int(out.Fd()), int(in.Fd()), 7, 100)
	require.NoError(t, err)
	require.Equal(t, 8, n)
	calls := rec.syscalls(uv.SysSendfile)
	require.NotEmpty(t, calls)
	c := calls[0]
	assert.Equal(t, int(out.Fd()), c.Fd)
	assert.Equal(t, [3]int64{int64(in.Fd()), 7, 100}, c.Args)
	assert.Equal(t, 8, c.Result)
}

// An attached tracer that drops events, the printers, and phase timing allocate nothing per
// iteration.
func TestTraceAllocs(t *testing.T) {
	for _, tr := range []uv.Tracer{uv.NopTracer{}, uv.NewTextPrinter(io.Discard), uv.NewJSONPrinter(io.Discard), nil} {
		t.Run(fmt.Sprintf("%T", tr), func(t *testing.T) {
			l := newTracedLoop(t, tr)
			if tr == nil {
				require.NoError(t, l.Configure(uv.MetricsPhaseTime))
			}
			p := newPingPong(&testing.B{}, l)
			p.left = 1 << 30
			for range 20 { // connect, accept, warm up
				l.Run(uv.RunOnce)
			}
			tm, _ := handles.NewTimer(l)
			cb := func(*handles.Timer) {}
			allocs := testing.AllocsPerRun(200, func() {
				tm.Start(cb, 0, 0)
				l.Run(uv.RunOnce)
			})
			require.Zero(t, allocs)
			require.NoError(t, p.err)
		})
	}
}

var addrRE = regexp.MustCompile(`0x[0-9a-f]+`)

func TestTextPrinter(t *testing.T) {
	var buf bytes.Buffer
	p := uv.NewTextPrinter(&buf)
	l := newTracedLoop(t, p)
	sa, err := uv.SockaddrOf(netip.MustParseAddrPort("127.0.0.1:8000"))
	require.NoError(t, err)
	p.TraceLayer(l, uv.LayerEvent{Layer: "app", What: "app.listen(8000)"})
	p.TraceLayer(l, uv.LayerEvent{Layer: "net", What: "Server.listen"})
	p.TraceSyscall(nil, uv.SyscallEvent{Call: uv.SysSocket, Fd: -1, Args: [3]int64{2, 1 | 0o4000 | 0o2000000}, Result: 7})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysSetsockopt, Fd: 7, Args: [3]int64{1, 2, 1}})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysBind, Fd: 7, Addr: sa})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysListen, Fd: 7, Args: [3]int64{511, 4096, 511}})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysListen, Fd: 7, Args: [3]int64{8192, 4096, 4096}})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 1, Phase: uv.LoopPhasePending})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 1, Phase: uv.LoopPhasePending, End: true})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 1, Phase: uv.LoopPhasePoll})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysEpollCtl, Fd: 7, Args: [3]int64{4, 1, 1}})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysEpollWait, Fd: 4, Args: [3]int64{1024, -1}, Result: 1})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysAccept4, Fd: 7, Args: [3]int64{0o4000 | 0o2000000}, Result: 8})
	var h uv.Handle
	require.NoError(t, h.Init(newTracedLoop(t, nil), uv.TypeTCP, nil, nil, nil))
	p.TraceHandle(l, uv.HandleEvent{Op: uv.HandleInit, Type: uv.TypeTCP, Handle: &h})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysRead, Fd: 8, Args: [3]int64{65536}, Result: -1, Err: uv.EAGAIN})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysWritev, Fd: 8, Args: [3]int64{2, 95}, Result: 95})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysShutdown, Fd: 8, Args: [3]int64{1}})
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysClose, Fd: 8})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 1, Phase: uv.LoopPhasePoll, End: true, Duration: 1500000, Wait: 1000000, Callbacks: 2})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 1, Phase: uv.LoopPhaseTimers})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 1, Phase: uv.LoopPhaseTimers, End: true, Duration: 20000, Callbacks: 1})
	p.TraceSyscall(nil, uv.SyscallEvent{Call: uv.SysSendfile, Fd: 9, Args: [3]int64{10, 0, 4096}, Result: 4096})

	want := `app      app.listen(8000)
    net      Server.listen
            syscall  socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0) = 7
            syscall  setsockopt(7, SOL_SOCKET, SO_REUSEADDR, 1) = 0
            syscall  bind(7, 127.0.0.1:8000) = 0
            syscall  listen(7, 511) = 0  · accept queue 511 (somaxconn 4096)
            syscall  listen(7, 8192) = 0  · backlog clamped to 4096 by somaxconn
loop     #1 poll
            syscall  epoll_ctl(4, EPOLL_CTL_ADD, 7, EPOLLIN) = 0
            syscall  epoll_wait(4, events[1024], -1) = 1
            syscall  accept4(7, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC) = 8
        handles  tcp 0xADDR init
            syscall  read(8, buf[65536]) = -1 EAGAIN (resource temporarily unavailable)
            syscall  writev(8, iov[2] 95 bytes) = 95
            syscall  shutdown(8, SHUT_WR) = 0
            syscall  close(8) = 0
loop     #1 poll done: 1.500ms (1.000ms waiting for I/O), 2 callbacks
loop     #1 timers 0.020ms, 1 callback
            syscall  sendfile(9, 10, [0], 4096) = 4096
`
	require.Equal(t, want, addrRE.ReplaceAllString(buf.String(), "0xADDR"))

	// Every phase with AllPhases; loop tags once a second loop shows up; timestamps.
	buf.Reset()
	p.AllPhases = true
	p.Timestamps = true
	p.TracePhase(l, uv.PhaseEvent{Iteration: 2, Phase: uv.LoopPhaseIdle})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 2, Phase: uv.LoopPhaseIdle, End: true, Duration: 1000})
	l2 := newTracedLoop(t, nil)
	p.TraceLayer(l2, uv.LayerEvent{Layer: "http", What: "GET /"})
	p.TraceLayer(l, uv.LayerEvent{Layer: "custom", What: "unknown layers are not indented"})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	ts := regexp.MustCompile(`^ {0,9}\d+\.\d{3}ms `)
	for _, line := range lines {
		require.Regexp(t, ts, line)
	}
	assert.True(t, strings.HasSuffix(lines[0], "ms loop     #2 idle 0.001ms, 0 callbacks"), lines[0])
	assert.True(t, strings.HasSuffix(lines[1], "ms L2   http     GET /"), lines[1])
	assert.True(t, strings.HasSuffix(lines[2], "ms L1 custom   unknown layers are not indented"), lines[2])
}

func TestJSONPrinter(t *testing.T) {
	var buf bytes.Buffer
	p := uv.NewJSONPrinter(&buf)
	l := newTracedLoop(t, p)
	sa, _ := uv.SockaddrOf(netip.MustParseAddrPort("[::1]:80"))
	var h uv.Handle
	require.NoError(t, h.Init(newTracedLoop(t, nil), uv.TypeTimer, nil, nil, nil))
	p.TraceSyscall(l, uv.SyscallEvent{Call: uv.SysConnect, Fd: 7, Addr: sa, Result: -1, Err: uv.ECONNREFUSED})
	p.TraceSyscall(nil, uv.SyscallEvent{Call: uv.SysSocket, Fd: -1, Args: [3]int64{10, 1, 0}, Result: 7})
	p.TracePhase(l, uv.PhaseEvent{Iteration: 3, Phase: uv.LoopPhasePoll, End: true, Duration: 81234, Wait: 80000, Callbacks: 1})
	p.TraceHandle(l, uv.HandleEvent{Op: uv.HandleClosed, Type: uv.TypeTimer, Handle: &h})
	p.TraceLayer(l, uv.LayerEvent{Layer: "http", What: "say \"hi\"\n\x01 é \xff"})

	var objs []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		require.Contains(t, m, "t")
		delete(m, "t")
		objs = append(objs, m)
	}
	require.Len(t, objs, 5)
	assert.Equal(t, map[string]any{"loop": 1.0, "ev": "syscall", "call": "connect", "fd": 7.0,
		"args": []any{0.0, 0.0, 0.0}, "addr": "[::1]:80", "ret": -1.0, "err": "ECONNREFUSED"}, objs[0])
	assert.Equal(t, map[string]any{"loop": 0.0, "ev": "syscall", "call": "socket", "fd": -1.0,
		"args": []any{10.0, 1.0, 0.0}, "ret": 7.0}, objs[1])
	assert.Equal(t, map[string]any{"loop": 1.0, "ev": "phase", "iter": 3.0, "phase": "poll", "end": true,
		"dur_ns": 81234.0, "wait_ns": 80000.0, "callbacks": 1.0}, objs[2])
	assert.Equal(t, fmt.Sprintf("%p", &h), objs[3]["handle"])
	assert.Equal(t, "closed", objs[3]["op"])
	assert.Equal(t, "timer", objs[3]["type"])
	assert.Equal(t, "say \"hi\"\n\x01 é \ufffd", objs[4]["what"])
}

// UV_TRACE=1 traces a program that does not know about tracing: run this test binary again
// with it set and look at what it printed.
func TestTraceEnv(t *testing.T) {
	if os.Getenv("UV_TRACE_TEST_CHILD") == "1" {
		l, err := uv.NewLoop()
		require.NoError(t, err)
		tm, _ := handles.NewTimer(l)
		tm.Start(func(tm *handles.Timer) { tm.Close(nil) }, 0, 0)
		l.Run(uv.RunDefault)
		require.NoError(t, l.Close())
		return
	}
	for _, mode := range []string{"1", "json", "0"} {
		t.Run(mode, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "trace")
			cmd := exec.Command(os.Args[0], "-test.run=^TestTraceEnv$", "-test.count=1")
			cmd.Env = append(os.Environ(), "UV_TRACE_TEST_CHILD=1", "UV_TRACE="+mode, "UV_TRACE_FILE="+file)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			b, err := os.ReadFile(file)
			if mode == "0" {
				require.True(t, os.IsNotExist(err), "no trace file with UV_TRACE=0")
				return
			}
			require.NoError(t, err)
			switch mode {
			case "1":
				require.Regexp(t, `(?m)ms +handles  timer 0x[0-9a-f]+ init$`, string(b))
				require.Regexp(t, `(?s)ms loop     #1 timers\n.*timer 0x[0-9a-f]+ close\n`, string(b))
			case "json":
				require.Contains(t, string(b), `"ev":"handle","op":"init","type":"timer"`)
			}
		})
	}
}
