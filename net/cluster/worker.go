package cluster

import (
	"sync/atomic"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/net"
)

// Setup prepares one worker: it runs on the worker's loop goroutine, once the worker is
// ready to serve and before its first connection, and returns the connection callback (nil
// leaves them unhandled, as a Node server without a connection listener). It may use every
// method of the worker's server but OnConnection (return the callback instead: the cluster
// counts connections on the way) and create handles on its loop.
type Setup func(w *Worker) (onConnection func(*net.Socket))

// Worker is one loop of a cluster, or the one loop of a worker process: a net.Server that
// receives the connections the cluster gives it. Its methods run on its loop's goroutine,
// except ID and Served.
type Worker struct {
	id      int
	loop    *uv.Loop
	server  *net.Server
	onConn  func(*net.Socket)
	onStop  []func()
	stopped bool
	served  atomic.Uint64
}

func newWorker(id int, l *uv.Loop, so net.ServerOptions) (*Worker, error) {
	w := &Worker{id: id, loop: l}
	so.Loop = l
	srv, err := net.NewServer(so, w.connection)
	if err != nil {
		return nil, err
	}
	w.server = srv
	return w, nil
}

func (w *Worker) connection(s *net.Socket) {
	w.served.Add(1)
	if w.onConn != nil {
		w.onConn(s)
	}
}

// ID returns the worker's number: 0 to Workers-1 in a cluster of loops, the slot number the
// primary gave in a worker process (Node's cluster.worker.id, which counts from 1).
func (w *Worker) ID() int { return w.id }

// Loop returns the worker's loop.
func (w *Worker) Loop() *uv.Loop { return w.loop }

// Server returns the worker's server. In round-robin and process workers it does not
// listen itself: connections reach it from the accepting loop.
func (w *Worker) Server() *net.Server { return w.server }

// Served returns how many connections the worker's server has been given.
func (w *Worker) Served() uint64 { return w.served.Load() }

// OnStop adds a callback for when the cluster stops: the worker's server no longer gets
// connections and will close once the open ones end; end them here (Node's worker
// 'disconnect'). Callbacks run in the order added, on the worker's loop.
func (w *Worker) OnStop(fn func()) { w.onStop = append(w.onStop, fn) }

// stop closes the server and runs the stop callbacks, once.
func (w *Worker) stop() {
	if w.stopped {
		return
	}
	w.stopped = true
	w.server.Close(nil)
	for _, fn := range w.onStop {
		fn()
	}
}

// finishLoop closes what is left on a loop whose Run returned (unreferenced handles), runs
// their close callbacks, and closes the loop.
func finishLoop(l *uv.Loop) error {
	l.Walk(func(h *uv.Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
	if _, err := l.Run(uv.RunDefault); err != nil {
		return err
	}
	return l.Close()
}
