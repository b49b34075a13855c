package handles

import uv "github.com/uv-go/uv"

// Poll events (libuv's uv_poll_event).
const (
	Readable    = uv.EventReadable
	Writable    = uv.EventWritable
	Disconnect  = uv.EventDisconnect
	Prioritized = uv.EventPrioritized
)

// Poll watches a file descriptor or socket for readiness (libuv's uv_poll_t), for code that
// does its own I/O on it, as libuv's poll handle does. Events are level-triggered. Regular
// files cannot be polled. Only one poll handle per fd and loop may be started: another gets
// EEXIST. Close the poll handle before closing the fd.
type Poll struct {
	uv.Handle
	w  uv.IOWatcher
	cb func(p *Poll, status error, events int)
}

// NewPoll creates a poll handle for a file descriptor.
func NewPoll(l *uv.Loop, fd uv.OSFd) (*Poll, error) {
	p := &Poll{}
	if err := p.Init(l, fd); err != nil {
		return nil, err
	}
	return p, nil
}

// NewPollSocket creates a poll handle for a socket (the same as NewPoll on unix systems).
func NewPollSocket(l *uv.Loop, sock uv.OSSock) (*Poll, error) {
	return NewPoll(l, uv.OSFd(sock))
}

// Init initialises a declared poll handle (libuv's uv_poll_init). It fails with EEXIST if
// the fd is already being polled on this loop, and with the backend's error for files it
// cannot watch.
func (p *Poll) Init(l *uv.Loop, fd uv.OSFd) error {
	if err := p.w.Init(l, fd, p.fire); err != nil {
		return err
	}
	return p.Handle.InitHooks(l, uv.TypePoll, p, &pollHooks)
}

// pollHooks: closing stops watching the fd.
var pollHooks = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*Poll).stop() }}

// Start watches for events (a mix of Readable, Writable, Disconnect and Prioritized) and calls
// cb with the events that occurred, or with a non-nil status (EBADF) when the fd fails, after
// which the handle is stopped. Starting again replaces the events and the callback; events 0
// stops the handle. It returns EINVAL for a closing handle or unknown event bits.
func (p *Poll) Start(events int, cb func(p *Poll, status error, events int)) error {
	if p.Loop() == nil || p.IsClosing() || events&^(Readable|Writable|Disconnect|Prioritized) != 0 {
		return uv.EINVAL
	}
	if events != 0 && cb == nil {
		return uv.EINVAL
	}
	p.stop()
	if events == 0 {
		return nil
	}
	if err := p.w.Start(events); err != nil {
		return err
	}
	p.cb = cb
	p.Activate()
	return nil
}

// Stop stops watching.
func (p *Poll) Stop() error {
	if p.Loop() == nil || p.IsClosing() {
		return uv.EINVAL
	}
	p.stop()
	return nil
}

// Fd returns the polled descriptor.
func (p *Poll) Fd() uv.OSFd { return p.w.Fd() }

func (p *Poll) stop() {
	p.w.StopAll()
	p.Deactivate()
}

func (p *Poll) fire(ev int) {
	if ev&uv.EventError != 0 && ev&uv.EventPrioritized == 0 {
		p.stop()
		p.cb(p, uv.EBADF, 0)
		return
	}
	out := ev & (Readable | Writable | Disconnect | Prioritized)
	if ev&(uv.EventError|uv.EventHangup) != 0 {
		out |= p.w.Events()
	}
	p.cb(p, nil, out)
}
