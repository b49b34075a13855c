package net

import (
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/stream"
)

// loopState is the per-loop tick queue (Node's nextTick queue) that the streams of one loop
// share. It is drained at the end of every callback this package receives from the loop, and
// otherwise from the loop's pending phase.
type loopState struct {
	loop    *uv.Loop
	ticks   stream.TickQueue
	pending uv.Pending
	one     [1][]byte // the buffer list of a socket's TryWrite, emptied after the call
	// held: a callback that drains when it returns is running (a socket's read), so tasks
	// it queues need no pending-phase drain.
	held bool
}

type loopKey struct{}

func stateOf(l *uv.Loop) *loopState {
	if v, ok := l.Attached(loopKey{}).(*loopState); ok {
		return v
	}
	s := &loopState{loop: l}
	s.ticks.Init(s.wake)
	s.pending.Init(s.ticks.Drain)
	l.Attach(loopKey{}, s)
	return s
}

func (s *loopState) wake() {
	if !s.held {
		s.loop.QueuePending(&s.pending)
	}
}

// hold marks the start of a callback that ends with drain, so that the tasks it queues do
// not queue the pending-phase drain.
func (s *loopState) hold() { s.held = true }

// drain runs the deferred work queued by a callback, as Node does after each callback.
func (s *loopState) drain() {
	s.held = false
	s.ticks.Drain()
	if s.pending.Queued() && !s.ticks.Pending() {
		s.loop.CancelPending(&s.pending)
	}
}

// Ticks returns the loop's tick queue, for streams of other packages (an HTTP body, a file
// stream) that talk to this package's sockets: they must share it. Call it on the loop's
// goroutine.
func Ticks(l *uv.Loop) *stream.TickQueue { return &stateOf(l).ticks }

func loopOrDefault(l *uv.Loop) (*uv.Loop, error) {
	if l != nil {
		return l, nil
	}
	return uv.DefaultLoop()
}
