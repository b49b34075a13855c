package cluster

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// EnvWorker is the environment variable that marks a worker process; it holds the
// worker's id (Node's NODE_UNIQUE_ID).
const EnvWorker = "UV_CLUSTER_WORKER"

// ChannelFd is the descriptor of a worker process's IPC pipe to its primary (Node's
// NODE_CHANNEL_FD).
const ChannelFd = 3

const sigKill = 9

// IsWorker reports whether this process is a worker started by a Primary (Node's
// cluster.isWorker).
func IsWorker() bool { return os.Getenv(EnvWorker) != "" }

// IsPrimary reports whether this process is not a worker (Node's cluster.isPrimary).
func IsPrimary() bool { return !IsWorker() }

// ProcessOptions configure StartPrimary.
type ProcessOptions struct {
	// Workers is the number of worker processes; below 1 means runtime.NumCPU().
	Workers int
	// Port, Host, Backlog and IPv6Only are as in Options.
	Port     int
	Host     string
	Backlog  int
	IPv6Only bool
	// Exe is the worker program; "" means this one (os.Executable). Args are its
	// arguments after the program name; nil means this process's (os.Args[1:]). Env is
	// added to this process's environment; EnvWorker is set by the primary.
	Exe  string
	Args []string
	Env  []string
	// NoRestart keeps an exited worker down (by default it is started again).
	NoRestart bool
	// RestartDelay is the wait before a worker that ran for less than a second (or could
	// not be started) is started again, so that one that crashes at once does not spin;
	// 0 means one second.
	RestartDelay time.Duration
	// ShutdownTimeout is how long Close lets workers end their connections before it kills
	// them; 0 means ten seconds.
	ShutdownTimeout time.Duration
	// Callbacks, for Node's cluster events: fork (started), listening (ready for
	// connections) and exit (with the exit status, or the signal that ended it). They run
	// on the primary's loop goroutine and must not block.
	OnFork      func(id, pid int)
	OnListening func(id, pid int)
	OnExit      func(id, pid int, exitStatus int64, termSignal int)
}

// Primary owns the listening socket and hands connections round-robin to its worker
// processes. Workers get a connection only once ready; while none is, connections wait in
// the kernel's backlog.
type Primary struct {
	o     ProcessOptions
	exe   string
	args  []string
	env   []string
	host  string
	loop  *uv.Loop
	d     distributor
	slots []*slot
	stop  handles.Async
	kill  handles.Timer

	closing  bool
	finished bool
	addr     netip.AddrPort
	done     chan struct{}
	mu       sync.Mutex
	err      error
}

// slot is one worker position: the current process, its IPC channel, and the restart
// timer. A restarted worker keeps its slot's id.
type slot struct {
	p        *Primary
	id       int
	t        target
	proc     *handles.Process
	ch       *channel
	open     int // the process and channel handles not yet closed
	since    uint64
	timer    handles.Timer
	waiting  bool // the restart timer runs
	pid      atomic.Int64
	restarts atomic.Int64
	closedFn func()
	exitFn   func(*handles.Process, int64, int)
}

// WorkerState is a snapshot of one worker slot.
type WorkerState struct {
	ID       int
	Pid      int    // 0 while no process runs
	Handed   uint64 // connections handed to this slot's processes
	Restarts int
}

// StartPrimary listens, starts the workers, and returns (Node's cluster.fork, N times,
// with a round-robin handle). A listen error (in Node's form) or a failure to start a
// worker is returned after whatever started has been stopped.
func StartPrimary(o ProcessOptions) (*Primary, error) {
	if o.Port < 0 || o.Port > 65535 {
		return nil, errors.New("cluster: port should be >= 0 and < 65536, got " + strconv.Itoa(o.Port))
	}
	if o.Workers < 1 {
		o.Workers = runtime.NumCPU()
	}
	if o.RestartDelay <= 0 {
		o.RestartDelay = time.Second
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	p := &Primary{o: o, exe: o.Exe, args: o.Args, done: make(chan struct{})}
	var err error
	if p.host, err = resolveHost(o.Host); err != nil {
		return nil, err
	}
	if p.exe == "" {
		if p.exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	if p.args == nil {
		p.args = os.Args[1:]
	}
	p.args = append([]string{p.exe}, p.args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, EnvWorker+"=") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env, o.Env...)
	for i := range o.Workers {
		s := &slot{p: p, id: i}
		s.closedFn = s.closed
		s.exitFn = s.exited
		p.slots = append(p.slots, s)
	}
	res := make(chan error, 1)
	go p.run(res)
	if err := <-res; err != nil {
		<-p.done
		return nil, err
	}
	return p, nil
}

func (p *Primary) run(res chan<- error) {
	defer close(p.done)
	l, err := uv.NewLoop()
	if err != nil {
		res <- err
		return
	}
	p.loop, p.d.loop = l, l
	if err = p.stop.Init(l, func(*handles.Async) { p.shutdown() }); err == nil {
		err = p.kill.Init(l)
	}
	for _, s := range p.slots {
		if err == nil {
			err = s.timer.Init(l)
			s.timer.Data = s
		}
		p.d.targets = append(p.d.targets, &s.t)
	}
	if err == nil {
		p.d.ln, p.addr, err = listenTCP(l, p.host, p.o.Port, p.o.Backlog, p.o.IPv6Only, &p.d, distConnection)
	}
	for _, s := range p.slots {
		if err == nil {
			err = s.spawn()
		}
	}
	if err != nil {
		p.shutdown()
	} else {
		res <- nil
	}
	_, rerr := l.Run(uv.RunDefault)
	if cerr := finishLoop(l); rerr == nil {
		rerr = cerr
	}
	if err != nil {
		res <- err
		return
	}
	if rerr != nil {
		p.mu.Lock()
		p.err = rerr
		p.mu.Unlock()
	}
}

// spawn starts the slot's worker process with its IPC pipe as descriptor ChannelFd.
func (s *slot) spawn() error {
	p := s.p
	ch := &channel{onMsg: s.message, onEnd: s.channelEnd}
	if err := ch.pipe.Init(p.loop, true); err != nil {
		return fmt.Errorf("cluster: worker %d: channel: %w", s.id, err)
	}
	proc := new(handles.Process)
	s.ch, s.proc, s.open = ch, proc, 2
	s.since = p.loop.Now()
	stdio := make([]handles.StdioContainer, ChannelFd+1)
	stdio[1] = handles.StdioContainer{Flags: handles.StdioInheritFd, Fd: 1}
	stdio[2] = handles.StdioContainer{Flags: handles.StdioInheritFd, Fd: 2}
	stdio[ChannelFd] = handles.StdioContainer{
		Flags:  handles.StdioCreatePipe | handles.StdioReadablePipe | handles.StdioWritablePipe,
		Stream: &ch.pipe.Stream,
	}
	env := append(p.env[:len(p.env):len(p.env)], EnvWorker+"="+strconv.Itoa(s.id))
	err := handles.Spawn(p.loop, proc, &handles.ProcessOptions{File: p.exe, Args: p.args, Env: env, Stdio: stdio, Exit: s.exitFn})
	if err != nil {
		// Node's form ("spawn /path ENOENT"), and the error itself for errors.Is.
		err = fmt.Errorf("spawn %s %s: %w", p.exe, uv.ErrName(err), err)
	} else if err = ch.start(); err != nil {
		proc.Kill(sigKill) // a worker the primary cannot hear from is of no use
		err = fmt.Errorf("cluster: worker %d: reading its channel: %w", s.id, err)
	}
	if err != nil {
		proc.Close(s.closedFn)
		ch.pipe.Close(s.closedFn)
		return err
	}
	s.pid.Store(int64(proc.Pid()))
	if p.o.OnFork != nil {
		p.o.OnFork(s.id, proc.Pid())
	}
	return nil
}

// message handles a byte from the worker: readyMsg makes it a target of the round-robin.
func (s *slot) message(b byte) {
	if b != readyMsg[0] || s.t.ready || s.p.closing {
		return
	}
	s.t.pipe, s.t.ready = &s.ch.pipe, true
	if s.p.o.OnListening != nil {
		s.p.o.OnListening(s.id, int(s.pid.Load()))
	}
	s.p.d.kick()
}

// channelEnd: the worker closed its end (it exited, or is exiting).
func (s *slot) channelEnd(error) {
	s.t.ready = false
	s.closeChannel()
}

func (s *slot) closeChannel() {
	if ch := s.ch; ch != nil && !ch.pipe.IsClosing() {
		ch.pipe.Close(s.closedFn)
	}
}

func (s *slot) exited(proc *handles.Process, status int64, sig int) {
	s.t.ready = false
	pid := proc.Pid()
	s.pid.Store(0)
	s.closeChannel()
	proc.Close(s.closedFn)
	if s.p.o.OnExit != nil {
		s.p.o.OnExit(s.id, pid, status, sig)
	}
}

// closed counts the worker's handles down; with both closed, the slot restarts or, when
// the primary stops, is done.
func (s *slot) closed() {
	if s.open--; s.open > 0 {
		return
	}
	s.proc, s.ch, s.t.pipe = nil, nil, nil
	p := s.p
	if p.closing || p.o.NoRestart {
		p.maybeFinish()
		return
	}
	if p.loop.Now()-s.since < 1000 {
		s.waiting = true
		s.timer.Start(restartTimer, uint64(p.o.RestartDelay/time.Millisecond), 0)
		return
	}
	s.restart()
}

func restartTimer(t *handles.Timer) {
	s := t.Data.(*slot)
	s.waiting = false
	if !s.p.closing {
		s.restart()
	}
}

func (s *slot) restart() {
	s.restarts.Add(1)
	if err := s.spawn(); err != nil {
		s.p.setErr(err) // spawn closed the handles: closed schedules the next try
	}
}

func (p *Primary) setErr(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

// shutdown stops listening and disconnects every worker; a worker then exits once its
// connections have ended, or is killed after ShutdownTimeout.
func (p *Primary) shutdown() {
	if p.closing {
		return
	}
	p.closing = true
	p.d.close()
	for _, s := range p.slots {
		s.t.ready = false
		if s.waiting {
			s.waiting = false
			s.timer.Stop()
		}
		s.closeChannel()
	}
	p.kill.Start(func(*handles.Timer) {
		for _, s := range p.slots {
			if s.proc != nil {
				s.proc.Kill(sigKill)
			}
		}
	}, uint64(p.o.ShutdownTimeout/time.Millisecond), 0)
	p.maybeFinish()
}

// maybeFinish closes the primary's own handles once every worker is down, so that its loop
// ends.
func (p *Primary) maybeFinish() {
	if !p.closing || p.finished {
		return
	}
	for _, s := range p.slots {
		if s.open > 0 {
			return
		}
	}
	p.finished = true
	p.stop.Close(nil)
	p.kill.Close(nil)
	for _, s := range p.slots {
		s.timer.Close(nil)
	}
}

// Addr returns the address the primary listens on.
func (p *Primary) Addr() netip.AddrPort { return p.addr }

// Port returns the port the primary listens on.
func (p *Primary) Port() int { return int(p.addr.Port()) }

// Workers returns a snapshot of the worker slots. It is safe from any goroutine.
func (p *Primary) Workers() []WorkerState {
	out := make([]WorkerState, len(p.slots))
	for i, s := range p.slots {
		out[i] = WorkerState{ID: s.id, Pid: int(s.pid.Load()), Handed: s.t.handed.Load(), Restarts: int(s.restarts.Load())}
	}
	return out
}

// Close stops the primary: it stops listening and disconnects the workers (Node's
// cluster.disconnect), which stop their servers, run their stop callbacks and exit once
// their connections have ended; those still running after ShutdownTimeout are killed. It
// returns at once; Wait waits. It is safe from any goroutine, and more than once.
func (p *Primary) Close() { p.stop.Send() }

// Wait waits until every worker has exited and the primary's loop has ended, and returns
// the first error met on the way (such as a worker that could not be restarted).
func (p *Primary) Wait() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// RunWorker serves as a worker of the primary that started this process: it makes a loop,
// a server with options so, runs setup, tells the primary it is ready, and serves the
// connections the primary hands over until the primary disconnects (or exits); then it
// stops the server, runs the stop callbacks, and returns once the open connections have
// ended. It runs the loop on the calling goroutine.
func RunWorker(so net.ServerOptions, setup Setup) error {
	id, err := strconv.Atoi(os.Getenv(EnvWorker))
	if err != nil {
		return errors.New("cluster: not a worker process (" + EnvWorker + " is not set)")
	}
	l, err := uv.NewLoop()
	if err != nil {
		return err
	}
	w, err := newWorker(id, l, so)
	var ch *channel
	if err == nil {
		ch = &channel{onFd: serveFrom(w.server)}
		ch.onEnd = func(error) {
			ch.close()
			w.stop()
		}
		if err = ch.pipe.Init(l, true); err == nil {
			if err = ch.pipe.Open(ChannelFd); err == nil {
				err = ch.start()
			}
		}
	}
	var ready handles.WriteReq
	if err == nil {
		if setup != nil {
			w.onConn = setup(w)
		}
		err = ch.pipe.Write(&ready, [][]byte{readyMsg}, nil)
	}
	if err == nil {
		_, err = l.Run(uv.RunDefault)
	}
	if cerr := finishLoop(l); err == nil {
		err = cerr
	}
	return err
}
