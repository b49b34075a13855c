package handles

import uv "github.com/uv-go/uv"

// FSPoll polls a path with stat at an interval and reports changes (libuv's uv_fs_poll_t).
// The callback gets the previous and the current stat; a failing stat is reported once per
// distinct error, with a zero current stat. Closing waits for a stat in flight.
type FSPoll struct {
	uv.Handle
	timer    uv.TimerWatcher
	req      FS
	cb       func(h *FSPoll, err error, prev, curr *uv.Stat)
	path     string
	interval uint64
	start    uint64
	prev     uv.Stat
	state    int // 0 before the first stat, 1 after a good one, or the last error code
	inFlight bool
	gen      uint64 // counts Start calls
	reqGen   uint64 // the gen the stat in flight was made for
	statFn   func(*FS)
	// What the callback gets, kept here so that a poll allocates nothing.
	cbPrev, cbCurr uv.Stat
}

// NewFSPoll creates an fs poll handle.
func NewFSPoll(l *uv.Loop) (*FSPoll, error) { return newHandle[FSPoll](l) }

// Init initialises a declared fs poll handle.
func (h *FSPoll) Init(l *uv.Loop) error {
	if err := h.Handle.InitHooks(l, uv.TypeFSPoll, h, &fsPollHooks); err != nil {
		return err
	}
	if h.statFn == nil { // bind once: re-initialising a closed handle allocates nothing
		h.statFn = h.statDone
	}
	return fsPollTick.Bind(&h.timer, h)
}

// fsPollTick is the poll timer's callback, shared by every fs poll handle.
var fsPollTick = uv.NewTimerFunc((*FSPoll).tick,
	func(h *FSPoll) *uv.TimerWatcher { return &h.timer }, func(h *FSPoll) *uv.Handle { return &h.Handle })

// Start polls path every interval milliseconds (libuv's uv_fs_poll_start). Starting a started
// handle does nothing.
func (h *FSPoll) Start(cb func(h *FSPoll, err error, prev, curr *uv.Stat), path string, interval uint64) error {
	if h.Loop() == nil || h.IsClosing() || cb == nil {
		return uv.EINVAL
	}
	if h.IsActive() {
		return nil
	}
	if interval == 0 {
		interval = 1
	}
	h.gen++
	h.cb, h.path, h.interval, h.state = cb, path, interval, 0
	h.prev = uv.Stat{}
	// A stat still in flight from before a Stop belongs to that period: statDone drops its
	// result and stats again for this one.
	if !h.inFlight {
		if err := h.poll(); err != nil {
			h.path = ""
			return err
		}
	}
	h.Activate()
	return nil
}

// Stop stops polling.
func (h *FSPoll) Stop() error {
	h.timer.Stop()
	h.Deactivate()
	return nil
}

// Path returns the polled path (libuv's uv_fs_poll_getpath); EINVAL when not started.
func (h *FSPoll) Path() (string, error) {
	if !h.IsActive() {
		return "", uv.EINVAL
	}
	return h.path, nil
}

var fsPollHooks = uv.HandleHooks{Close: func(h *uv.Handle) { h.Owner().(*FSPoll).closeHook() }}

// closeHook stops the timer; a stat in flight holds the handle out of the closing phase until
// it completes.
func (h *FSPoll) closeHook() {
	h.timer.Stop()
	if h.inFlight {
		h.DeferClose()
	}
}

// poll starts a stat for the current period.
func (h *FSPoll) poll() error {
	h.start = h.Loop().Now()
	if err := FSStatPath(h.Loop(), &h.req, h.path, h.statFn); err != nil {
		return err
	}
	h.inFlight = true
	h.reqGen = h.gen
	return nil
}

func (h *FSPoll) tick() { h.poll() }

func (h *FSPoll) statDone(r *FS) {
	h.inFlight = false
	if h.IsClosing() {
		h.FinishDeferredClose()
		return
	}
	if !h.IsActive() {
		return
	}
	gen := h.gen
	if h.reqGen != gen {
		h.poll() // made before the last Start, maybe for another path
		return
	}
	// The state is updated before the callback, which may stop, restart or close the handle.
	if r.Err != nil {
		code := int(r.Result)
		if code >= 0 {
			code = uv.EIO.Code()
		}
		if h.state != code {
			h.state = code
			h.cbPrev, h.cbCurr = h.prev, uv.Stat{}
			h.cb(h, r.Err, &h.cbPrev, &h.cbCurr)
		}
	} else {
		changed := h.state != 0 && (h.state < 0 || !statEqual(&h.prev, &r.Statbuf))
		if changed {
			h.cbPrev, h.cbCurr = h.prev, r.Statbuf
		}
		h.prev = r.Statbuf
		h.state = 1
		if changed {
			h.cb(h, nil, &h.cbPrev, &h.cbCurr)
		}
	}
	if h.gen != gen || !h.IsActive() || h.IsClosing() {
		return
	}
	elapsed := h.Loop().Now() - h.start
	h.timer.Start(h.interval - elapsed%h.interval)
}

func statEqual(a, b *uv.Stat) bool {
	return a.Ctim == b.Ctim && a.Mtim == b.Mtim && a.Birthtim == b.Birthtim && a.Size == b.Size &&
		a.Mode == b.Mode && a.UID == b.UID && a.GID == b.GID && a.Ino == b.Ino && a.Dev == b.Dev &&
		a.Flags == b.Flags && a.Gen == b.Gen
}
