//go:build darwin || dragonfly || freebsd || netbsd || openbsd || linux

package uv

import (
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The kqueue backend's logic (kqueue_poll.go) against a fake kernel, so that it runs on Linux.
// The fake keeps registrations keyed by (ident, filter) in registration order, reports those
// the test made ready, level-triggered, and follows kevent(2) where the logic depends on it:
// changes are applied in order before anything is waited for; a refused change comes back
// as an EV_ERROR event while the event array has room, and then the call returns at once;
// without room the call fails with the change's errno and the rest of the list is not
// applied; EV_ONESHOT registrations go once fired; EV_CLEAR resets a user event.

type fkKey struct {
	ident  int
	filter int8
}

type fkNote struct {
	flags  uint16
	fflags uint32
	data   int64
}

type fkReady struct {
	eof    bool
	fflags uint32
	data   int64
}

type fkCall struct {
	changes []kev
	room    int // length of the event array
	timeout int
}

type fakeKq struct {
	mu       sync.Mutex
	notes    map[fkKey]fkNote
	order    []fkKey
	ready    map[fkKey]fkReady
	badFds   map[int]bool // closed descriptors: their changes fail with EBADF
	gonePids map[int]bool // reaped children: EVFILT_PROC additions fail with ESRCH
	ncalls   int
	log      bool
	calls    []fkCall
	// hook, when set, runs after the changes of a call are applied; handled=true makes the
	// call return n, err (an interrupted wait, for example).
	hook func(call int, timeout int) (n int, err error, handled bool)

	userWake      bool // the wakeup is an EVFILT_USER event with EV_CLEAR, not a pipe
	wakeKey       fkKey
	triggered     bool
	wakes, drains int
}

func newFakeKq(userWake bool) *fakeKq {
	f := &fakeKq{notes: map[fkKey]fkNote{}, ready: map[fkKey]fkReady{}, badFds: map[int]bool{},
		gonePids: map[int]bool{}, log: true, userWake: userWake}
	if userWake {
		f.wakeKey = fkKey{0x75766b71, kfUser}
		f.apply(kev{ident: f.wakeKey.ident, filter: kfUser, flags: kAdd | kClear})
	} else {
		f.wakeKey = fkKey{3, kfRead}
		f.apply(kev{ident: 3, filter: kfRead, flags: kAdd})
	}
	return f
}

func (f *fakeKq) apply(c kev) syscall.Errno {
	key := fkKey{c.ident, c.filter}
	if c.filter != kfProc && c.filter != kfUser && f.badFds[c.ident] {
		return syscall.EBADF
	}
	if c.flags&kDelete != 0 {
		if _, ok := f.notes[key]; !ok {
			return syscall.ENOENT
		}
		f.remove(key)
		return 0
	}
	if c.flags&kAdd != 0 {
		if c.filter == kfProc && f.gonePids[c.ident] {
			return syscall.ESRCH
		}
		if _, ok := f.notes[key]; !ok {
			f.order = append(f.order, key)
		}
		f.notes[key] = fkNote{flags: c.flags, fflags: c.fflags, data: c.data}
	}
	return 0
}

func (f *fakeKq) remove(key fkKey) {
	delete(f.notes, key)
	if i := slices.Index(f.order, key); i >= 0 {
		f.order = slices.Delete(f.order, i, i+1)
	}
}

func (f *fakeKq) kevent(changes, events []kev, timeout int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := f.ncalls
	f.ncalls++
	if f.log {
		f.calls = append(f.calls, fkCall{changes: slices.Clone(changes), room: len(events), timeout: timeout})
	}
	nerr := 0
	for _, c := range changes {
		if errno := f.apply(c); errno != 0 {
			if nerr == len(events) {
				return 0, errno
			}
			events[nerr] = kev{ident: c.ident, filter: c.filter, flags: kError, data: int64(errno)}
			nerr++
		}
	}
	if f.hook != nil {
		if n, err, ok := f.hook(call, timeout); ok {
			return n, err
		}
	}
	if nerr > 0 || len(events) == 0 {
		return nerr, nil
	}
	n := 0
	for i := 0; i < len(f.order) && n < len(events); {
		key := f.order[i]
		note := f.notes[key]
		ev, ok := f.fire(key, note)
		if !ok {
			i++
			continue
		}
		events[n] = ev
		n++
		if note.flags&kOneshot != 0 {
			f.remove(key)
			continue
		}
		i++
	}
	return n, nil
}

func (f *fakeKq) fire(key fkKey, note fkNote) (kev, bool) {
	ev := kev{ident: key.ident, filter: key.filter}
	if key.filter == kfUser {
		if !f.triggered {
			return ev, false
		}
		if note.flags&kClear != 0 {
			f.triggered = false
		}
		return ev, true
	}
	r, ok := f.ready[key]
	if !ok {
		return ev, false
	}
	if key.filter == kfRead && note.fflags&noteLowat != 0 && !r.eof && r.data < note.data {
		return ev, false
	}
	if r.eof {
		ev.flags |= kEOF
	}
	ev.fflags, ev.data = r.fflags, r.data
	return ev, true
}

func (f *fakeKq) wake() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wakes++
	if f.userWake {
		f.triggered = true
	} else {
		f.ready[f.wakeKey] = fkReady{data: 1}
	}
}

func (f *fakeKq) fd() int { return 99 }

func (f *fakeKq) drainWake() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drains++
	if !f.userWake {
		delete(f.ready, f.wakeKey)
	}
}

func (f *fakeKq) setReady(ident int, filter int8, r fkReady) {
	f.mu.Lock()
	f.ready[fkKey{ident, filter}] = r
	f.mu.Unlock()
}

func (f *fakeKq) clearReady(ident int, filter int8) {
	f.mu.Lock()
	delete(f.ready, fkKey{ident, filter})
	f.mu.Unlock()
}

func (f *fakeKq) registered(ident int, filter int8) (fkNote, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.notes[fkKey{ident, filter}]
	return n, ok
}

// takeCalls returns the calls logged since the last takeCalls.
func (f *fakeKq) takeCalls() []fkCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

var _ kqKernel = (*fakeKq)(nil)

type kqTest struct {
	l *Loop
	p *kqPoller
	f *fakeKq
}

func newKqTest(t *testing.T, userWake, hasExcept bool) *kqTest {
	t.Helper()
	l, err := NewLoop()
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	f := newFakeKq(userWake)
	p := new(kqPoller)
	p.init(l, f, f.wakeKey.ident, f.wakeKey.filter, hasExcept)
	p.reap = func(pid int) (ProcessExit, error) { return ProcessExit{Status: int64(pid % 100)}, nil }
	return &kqTest{l: l, p: p, f: f}
}

// watcher makes a started-able IOWatcher on a made-up descriptor (the fake needs no real one).
func (k *kqTest) watcher(fd int, cb func(events int)) *IOWatcher {
	w := new(IOWatcher)
	*w = IOWatcher{loop: k.l, fd: fd, cb: cb}
	return w
}

func ch(ident int, filter int8, flags uint16) kev {
	return kev{ident: ident, filter: filter, flags: flags}
}

func TestKqChangesGoWithTheWait(t *testing.T) {
	k := newKqTest(t, true, true)
	nop := func(int) {}
	require.NoError(t, k.watcher(5, nop).Start(EventReadable))
	require.NoError(t, k.watcher(6, nop).Start(EventWritable))
	require.NoError(t, k.watcher(7, nop).Start(EventReadable|EventWritable|EventPrioritized))
	k.p.poll(0)
	calls := k.f.takeCalls()
	require.Len(t, calls, 1, "the change list goes with the wait: one kevent call")
	assert.Equal(t, []kev{ch(5, kfRead, kAdd), ch(6, kfWrite, kAdd), ch(7, kfRead, kAdd),
		ch(7, kfWrite, kAdd), ch(7, kfExcept, kAdd)}, calls[0].changes)
	assert.Equal(t, kqMaxEvents, calls[0].room)
	assert.Equal(t, 0, calls[0].timeout)

	k.p.poll(0)
	calls = k.f.takeCalls()
	require.Len(t, calls, 1)
	assert.Empty(t, calls[0].changes, "no change, nothing to give")
}

func TestKqInterestTransitions(t *testing.T) {
	const (
		R = EventReadable
		W = EventWritable
		D = EventDisconnect
		P = EventPrioritized
	)
	lowat := kev{ident: 7, filter: kfRead, flags: kAdd, fflags: noteLowat, data: kqLowatNever}
	cases := []struct {
		name      string
		from, to  int
		noExcept  bool
		want      []kev
		wantFirst []kev
	}{
		{name: "add write", from: R, to: R | W, want: []kev{ch(7, kfWrite, kAdd)}},
		{name: "drop write", from: R | W, to: R, want: []kev{ch(7, kfWrite, kDelete)}},
		{name: "read and write to read", from: R | W, to: R | D, want: []kev{ch(7, kfWrite, kDelete)}},
		// Stopping the last event stops the watcher, which forgets its filters; the read
		// filter goes when its next event finds it unwanted.
		{name: "read to write", from: R, to: W, want: []kev{ch(7, kfWrite, kAdd)}},
		{name: "readable to disconnect only", from: R, to: D, want: []kev{lowat}},
		{name: "disconnect only to both", from: D, to: R | D, want: []kev{ch(7, kfRead, kAdd)}},
		{name: "both to disconnect only", from: R | D, to: D, want: []kev{lowat}},
		{name: "disconnect next to readable", from: R, to: R | D, want: nil},
		{name: "prioritized", from: R, to: R | P, want: []kev{ch(7, kfExcept, kAdd)}},
		{name: "prioritized dropped", from: R | P, to: R, want: []kev{ch(7, kfExcept, kDelete)}},
		{name: "prioritized without an except filter", from: R, to: R | P, noExcept: true, want: nil},
		{name: "stopped: forgotten, deleted lazily", from: R | W, to: 0, want: nil},
		{name: "disconnect only from the start", from: D, to: D, wantFirst: []kev{lowat}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKqTest(t, true, !c.noExcept)
			w := k.watcher(7, func(int) {})
			require.NoError(t, w.Start(c.from))
			k.p.poll(0)
			first := k.f.takeCalls()
			require.Len(t, first, 1)
			if c.wantFirst != nil {
				assert.Equal(t, c.wantFirst, first[0].changes)
			}
			w.Stop(c.from &^ c.to)
			if c.to&^c.from != 0 {
				require.NoError(t, w.Start(c.to&^c.from))
			}
			k.p.poll(0)
			calls := k.f.takeCalls()
			require.Len(t, calls, 1)
			assert.Equal(t, c.want, nilIfEmpty(calls[0].changes))
		})
	}
}

func nilIfEmpty(s []kev) []kev {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestKqStoppedWatcherRestartsWithAnAdd(t *testing.T) {
	k := newKqTest(t, true, true)
	w := k.watcher(7, func(int) {})
	require.NoError(t, w.Start(EventReadable))
	k.p.poll(0)
	w.Stop(EventReadable)
	k.p.poll(0)
	require.NoError(t, w.Start(EventReadable))
	k.p.poll(0)
	calls := k.f.takeCalls()
	require.Len(t, calls, 3)
	assert.Empty(t, calls[1].changes)
	assert.Equal(t, []kev{ch(7, kfRead, kAdd)}, calls[2].changes)
}

func TestKqDispatchMasksToWanted(t *testing.T) {
	k := newKqTest(t, true, true)
	var got []int
	var w *IOWatcher
	w = k.watcher(7, func(ev int) {
		got = append(got, ev)
		w.Stop(EventWritable) // the write event of this batch must not be delivered
	})
	require.NoError(t, w.Start(EventReadable|EventWritable|EventDisconnect))
	k.f.setReady(7, kfRead, fkReady{eof: true, data: 3})
	k.f.setReady(7, kfWrite, fkReady{data: 100})
	k.p.poll(0)
	assert.Equal(t, []int{EventReadable | EventDisconnect}, got)
	assert.Equal(t, EventReadable|EventDisconnect, w.events, "the kernel side no longer has the write filter")

	k.f.takeCalls()
	k.p.poll(0)
	calls := k.f.takeCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, []kev{ch(7, kfWrite, kDelete)}, calls[0].changes,
		"the unwanted write filter is deleted once, with the next wait")
	_, ok := k.f.registered(7, kfWrite)
	assert.False(t, ok)
	assert.Equal(t, []int{EventReadable | EventDisconnect, EventReadable | EventDisconnect}, got,
		"level-triggered: the read event comes again")
}

func TestKqEOFWithoutDisconnectIsReadable(t *testing.T) {
	k := newKqTest(t, true, true)
	var got []int
	w := k.watcher(7, func(ev int) { got = append(got, ev) })
	require.NoError(t, w.Start(EventReadable))
	k.f.setReady(7, kfRead, fkReady{eof: true})
	k.p.poll(0)
	assert.Equal(t, []int{EventReadable}, got)
}

func TestKqDisconnectOnlyFiresAtEOF(t *testing.T) {
	k := newKqTest(t, true, true)
	var got []int
	w := k.watcher(7, func(ev int) { got = append(got, ev) })
	require.NoError(t, w.Start(EventDisconnect))
	k.f.setReady(7, kfRead, fkReady{data: 10})
	k.p.poll(0)
	assert.Empty(t, got, "data alone does not reach the low-water mark")
	k.f.setReady(7, kfRead, fkReady{data: 10, eof: true})
	k.p.poll(0)
	assert.Equal(t, []int{EventDisconnect}, got)
}

func TestKqUnwantedReadIsDeleted(t *testing.T) {
	k := newKqTest(t, true, true)
	calls := 0
	w := k.watcher(7, func(int) { calls++ })
	require.NoError(t, w.Start(EventReadable|EventWritable))
	k.p.poll(0)
	w.Stop(EventReadable)
	// The event comes before the flush that would delete the filter.
	k.f.setReady(7, kfRead, fkReady{data: 1})
	k.f.takeCalls()
	k.p.poll(0)
	k.p.poll(0)
	assert.Zero(t, calls)
	log := k.f.takeCalls()
	require.Len(t, log, 2)
	assert.Equal(t, []kev{ch(7, kfRead, kDelete)}, log[0].changes, "deleted by the flush")
	assert.Empty(t, log[1].changes)
}

func TestKqEventWithoutWatcherDeletesFilter(t *testing.T) {
	k := newKqTest(t, true, true)
	k.f.mu.Lock()
	k.f.apply(ch(9, kfRead, kAdd))
	k.f.mu.Unlock()
	k.f.setReady(9, kfRead, fkReady{data: 1})
	k.p.poll(0)
	k.p.poll(0)
	calls := k.f.takeCalls()
	require.Len(t, calls, 2)
	assert.Equal(t, []kev{ch(9, kfRead, kDelete)}, calls[1].changes)
	_, ok := k.f.registered(9, kfRead)
	assert.False(t, ok)
}

func TestKqInvalidateDropsEventsOfClosedFd(t *testing.T) {
	k := newKqTest(t, true, true)
	var b, c *IOWatcher
	var order []string
	a := k.watcher(7, func(int) {
		order = append(order, "a")
		// Close b's fd and reuse its number for c, within the batch.
		b.Stop(eventsWanted)
		k.p.invalidate(8)
		require.NoError(t, c.Start(EventReadable))
	})
	b = k.watcher(8, func(int) { order = append(order, "b") })
	c = k.watcher(8, func(int) { order = append(order, "c") })
	require.NoError(t, a.Start(EventReadable))
	require.NoError(t, b.Start(EventReadable|EventWritable))
	k.f.setReady(7, kfRead, fkReady{data: 1})
	k.f.setReady(8, kfRead, fkReady{data: 1})
	k.f.setReady(8, kfWrite, fkReady{data: 1})
	k.p.poll(0)
	assert.Equal(t, []string{"a"}, order, "neither the closed watcher nor its successor gets the batch's events")
	k.f.clearReady(7, kfRead)
	k.p.poll(0)
	assert.Equal(t, []string{"a", "c"}, order)
}

func TestKqInvalidateLeavesProcessEvents(t *testing.T) {
	k := newKqTest(t, true, true)
	k.p.events[0] = kev{ident: 8, filter: kfProc, fflags: noteExit}
	k.p.events[1] = kev{ident: 8, filter: kfRead}
	k.p.events[2] = kev{ident: 9, filter: kfRead}
	k.p.nDispatch = 3
	k.p.invalidate(8)
	assert.Equal(t, []int8{kfProc, kfNone, kfRead},
		[]int8{k.p.events[0].filter, k.p.events[1].filter, k.p.events[2].filter})
	k.p.nDispatch = 0
}

func TestKqWakeup(t *testing.T) {
	for _, user := range []bool{true, false} {
		name := "pipe"
		if user {
			name = "EVFILT_USER"
		}
		t.Run(name, func(t *testing.T) {
			k := newKqTest(t, user, true)
			runs := 0
			var a AsyncWatcher
			require.NoError(t, a.Init(k.l, func() { runs++ }))
			a.Send()
			k.f.wake()
			k.p.poll(-1)
			assert.Equal(t, 1, runs)
			assert.Equal(t, 1, k.f.drains)
			// The wakeup is spent: nothing more is reported.
			k.p.poll(0)
			assert.Equal(t, 1, runs)
			assert.Equal(t, 1, k.f.drains)
			// A wakeup with no send runs nothing but still ends the wait.
			k.f.wake()
			k.f.takeCalls()
			k.p.poll(-1)
			assert.Equal(t, 1, runs)
			assert.Len(t, k.f.takeCalls(), 1)
			a.Close()
		})
	}
}

func TestKqWakeupFromOtherGoroutines(t *testing.T) {
	k := newKqTest(t, true, true)
	const senders = 4
	var a AsyncWatcher
	runs := 0
	require.NoError(t, a.Init(k.l, func() { runs++ }))
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.Send()
			k.f.wake()
		}()
	}
	wg.Wait()
	k.p.poll(-1)
	assert.Equal(t, 1, runs, "sends are coalesced")
	a.Close()
}

func startMany(t *testing.T, k *kqTest, from, n int, cb func(fd int)) []*IOWatcher {
	ws := make([]*IOWatcher, n)
	for i := range ws {
		fd := from + i
		ws[i] = k.watcher(fd, func(int) { cb(fd) })
		require.NoError(t, ws[i].Start(EventReadable))
	}
	return ws
}

func TestKqRepollWhileFull(t *testing.T) {
	k := newKqTest(t, true, true)
	const n = 1100
	delivered := 0
	startMany(t, k, 10, n, func(int) { delivered++ })
	for fd := 10; fd < 10+n; fd++ {
		k.f.setReady(fd, kfRead, fkReady{data: 1})
	}
	k.p.poll(-1)
	var waits []fkCall
	for _, c := range k.f.takeCalls() {
		if c.room > 0 {
			waits = append(waits, c)
		}
	}
	require.Len(t, waits, 48, "a full array is followed by more waits, 48 in all")
	assert.Equal(t, -1, waits[0].timeout)
	for _, w := range waits[1:] {
		assert.Equal(t, 0, w.timeout, "the extra waits do not block")
	}
	assert.Equal(t, 48*kqMaxEvents, delivered)
}

func TestKqRepollStopsWhenNotFull(t *testing.T) {
	k := newKqTest(t, true, true)
	const n = 1030
	delivered := 0
	startMany(t, k, 10, n, func(fd int) {
		delivered++
		k.f.clearReady(fd, kfRead)
	})
	for fd := 10; fd < 10+n; fd++ {
		k.f.setReady(fd, kfRead, fkReady{data: 1})
	}
	k.p.poll(-1)
	waits := 0
	for _, c := range k.f.takeCalls() {
		if c.room > 0 {
			waits++
		}
	}
	assert.Equal(t, 2, waits)
	assert.Equal(t, n, delivered)
}

func TestKqEINTRRetriesWithTimeLeft(t *testing.T) {
	k := newKqTest(t, true, true)
	k.f.hook = func(call, timeout int) (int, error, bool) {
		if call == 0 {
			return 0, syscall.EINTR, true
		}
		return 0, nil, false
	}
	require.NoError(t, k.watcher(7, func(int) {}).Start(EventReadable))
	k.l.UpdateTime()
	k.l.time -= 200 // as if the poll began 200 ms ago
	k.p.poll(500)
	calls := k.f.takeCalls()
	require.Len(t, calls, 2)
	assert.Equal(t, []kev{ch(7, kfRead, kAdd)}, calls[0].changes)
	assert.Equal(t, 500, calls[0].timeout)
	assert.Empty(t, calls[1].changes, "the interrupted call applied the changes")
	assert.LessOrEqual(t, calls[1].timeout, 300)
	assert.Greater(t, calls[1].timeout, 200)
	_, ok := k.f.registered(7, kfRead)
	assert.True(t, ok)
}

func TestKqEINTRWithoutTimeout(t *testing.T) {
	k := newKqTest(t, true, true)
	got := 0
	w := k.watcher(7, func(int) { got++ })
	require.NoError(t, w.Start(EventReadable))
	k.f.hook = func(call, timeout int) (int, error, bool) {
		if call < 3 {
			return 0, syscall.EINTR, true
		}
		k.f.ready[fkKey{7, kfRead}] = fkReady{data: 1} // (the fake's lock is held)
		return 0, nil, false
	}
	k.p.poll(-1)
	calls := k.f.takeCalls()
	require.Len(t, calls, 4)
	for _, c := range calls {
		assert.Equal(t, -1, c.timeout)
	}
	assert.Equal(t, 1, got)
}

func TestKqEINTRWithZeroTimeoutReturns(t *testing.T) {
	k := newKqTest(t, true, true)
	k.f.hook = func(int, int) (int, error, bool) { return 0, syscall.EINTR, true }
	k.p.poll(0)
	assert.Len(t, k.f.takeCalls(), 1)
}

func TestKqTimeoutReturns(t *testing.T) {
	k := newKqTest(t, true, true)
	k.p.poll(30) // the fake reports no event: as if the timeout expired
	calls := k.f.takeCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, 30, calls[0].timeout)
}

func TestKqNothingDeliveredWaitsAgain(t *testing.T) {
	k := newKqTest(t, true, true)
	w := k.watcher(7, func(int) { t.Error("unwanted event delivered") })
	require.NoError(t, w.Start(EventWritable))
	k.p.poll(0)
	// The read filter is still registered (say, from an earlier watcher) and fires.
	k.f.mu.Lock()
	k.f.apply(ch(7, kfRead, kAdd))
	k.f.mu.Unlock()
	k.f.setReady(7, kfRead, fkReady{data: 1})
	k.f.takeCalls()
	k.l.UpdateTime()
	k.l.time -= 50
	k.p.poll(100)
	calls := k.f.takeCalls()
	require.Len(t, calls, 2, "an event that delivers nothing does not end the poll")
	assert.Equal(t, 100, calls[0].timeout)
	assert.Equal(t, []kev{ch(7, kfRead, kDelete)}, calls[1].changes)
	assert.LessOrEqual(t, calls[1].timeout, 50)
	assert.Greater(t, calls[1].timeout, 0)
}

func TestKqRefusedAdditionIsAnError(t *testing.T) {
	k := newKqTest(t, true, true)
	var got []int
	w := k.watcher(7, func(ev int) { got = append(got, ev) })
	require.NoError(t, w.Start(EventReadable|EventWritable))
	k.f.badFds[7] = true
	k.f.hook = func(call, timeout int) (int, error, bool) {
		if call > 0 {
			t.Error("the error events end the poll")
		}
		return 0, nil, false
	}
	k.p.poll(-1)
	assert.Equal(t, []int{EventError, EventError}, got)
	assert.Zero(t, w.events)
}

func TestKqRefusedDeletionIsIgnored(t *testing.T) {
	k := newKqTest(t, true, true)
	var got []int
	w := k.watcher(7, func(ev int) { got = append(got, ev) })
	require.NoError(t, w.Start(EventReadable|EventWritable))
	k.p.poll(0)
	w.Stop(EventWritable)
	k.f.mu.Lock()
	k.f.remove(fkKey{7, kfWrite}) // gone already: the deletion gets ENOENT
	k.f.mu.Unlock()
	k.p.poll(0)
	assert.Empty(t, got)
	assert.Equal(t, EventReadable, w.events)
}

// A filter deleted lazily for a closed fd, whose number a new watcher took before the next
// wait: the kernel forgot the old filter at the close, so the deletion fails with ENOENT; it
// must not be taken for a failure of the new watcher's addition, which follows it.
func TestKqLazyDeleteOfReusedFd(t *testing.T) {
	k := newKqTest(t, true, true)
	k.f.mu.Lock()
	k.f.apply(ch(7, kfRead, kAdd))
	k.f.mu.Unlock()
	k.f.setReady(7, kfRead, fkReady{data: 1})
	k.p.poll(0) // no watcher: deletion queued
	k.f.mu.Lock()
	k.f.remove(fkKey{7, kfRead}) // the fd is closed
	k.f.mu.Unlock()
	var got []int
	w := k.watcher(7, func(ev int) { got = append(got, ev) })
	require.NoError(t, w.Start(EventReadable))
	k.f.takeCalls()
	k.p.poll(0)
	calls := k.f.takeCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, []kev{ch(7, kfRead, kDelete), ch(7, kfRead, kAdd)}, calls[0].changes)
	assert.Empty(t, got)
	assert.Equal(t, EventReadable, w.events)
	_, ok := k.f.registered(7, kfRead)
	assert.True(t, ok)
	k.p.poll(0)
	assert.Equal(t, []int{EventReadable}, got)
}

func TestKqEarlyFlush(t *testing.T) {
	k := newKqTest(t, true, true)
	const n = 1100
	startMany(t, k, 10, n, func(int) {})
	k.p.poll(0)
	calls := k.f.takeCalls()
	require.Len(t, calls, 2)
	assert.Len(t, calls[0].changes, kqMaxEvents, "flushed early once the list is full")
	assert.Zero(t, calls[0].room, "the early flush does not take events")
	assert.Zero(t, calls[0].timeout)
	assert.Len(t, calls[1].changes, n-kqMaxEvents)
	assert.Equal(t, kqMaxEvents, calls[1].room)
	for fd := 10; fd < 10+n; fd++ {
		_, ok := k.f.registered(fd, kfRead)
		require.True(t, ok, "fd %d", fd)
	}
}

func TestKqEarlyFlushWithARefusedChange(t *testing.T) {
	k := newKqTest(t, true, true)
	const n = 1100
	var errs []int
	startMany(t, k, 10, n, func(fd int) { errs = append(errs, fd) })
	k.f.badFds[500] = true
	k.p.poll(-1)
	calls := k.f.takeCalls()
	// The batch stops at fd 500; its changes are then given one by one; the refused one is
	// reported before the wait, which then does not block.
	require.Len(t, calls, 1+kqMaxEvents+1)
	for _, c := range calls[1 : 1+kqMaxEvents] {
		assert.Len(t, c.changes, 1)
	}
	last := calls[len(calls)-1]
	assert.Equal(t, 0, last.timeout)
	assert.Len(t, last.changes, n-kqMaxEvents)
	assert.Equal(t, []int{500}, errs)
	for fd := 10; fd < 10+n; fd++ {
		_, ok := k.f.registered(fd, kfRead)
		assert.Equal(t, fd != 500, ok, "fd %d", fd)
	}
	assert.Nil(t, k.p.failed)
}

func TestKqFailedWaitGivesChangesOneByOne(t *testing.T) {
	k := newKqTest(t, true, true)
	k.f.hook = func(call, timeout int) (int, error, bool) {
		if timeout != 0 || call == 0 {
			return 0, syscall.EFAULT, true // not an interruption
		}
		return 0, nil, false
	}
	nop := func(int) {}
	require.NoError(t, k.watcher(7, nop).Start(EventReadable))
	require.NoError(t, k.watcher(8, nop).Start(EventWritable))
	k.p.poll(-1)
	calls := k.f.takeCalls()
	// The failed wait, the two changes again one by one, one more failed wait (with no
	// change to give, the poll gives up rather than spin).
	require.Len(t, calls, 4)
	assert.Len(t, calls[0].changes, 2)
	assert.Equal(t, []kev{ch(7, kfRead, kAdd)}, calls[1].changes)
	assert.Equal(t, []kev{ch(8, kfWrite, kAdd)}, calls[2].changes)
	assert.Empty(t, calls[3].changes)
}

func TestKqProcessExit(t *testing.T) {
	k := newKqTest(t, true, true)
	type exit struct {
		st  ProcessExit
		err error
	}
	var got []exit
	w := &ProcessWatcher{loop: k.l, pid: 4203, active: true,
		cb: func(st ProcessExit, err error) { got = append(got, exit{st, err}) }}
	require.NoError(t, k.p.watchPid(w))
	calls := k.f.takeCalls()
	require.Len(t, calls, 1, "registered at once, not with the next wait")
	assert.Equal(t, []kev{{ident: 4203, filter: kfProc, flags: kAdd | kOneshot, fflags: noteExit}}, calls[0].changes)

	k.p.poll(0)
	assert.Empty(t, got)
	k.f.setReady(4203, kfProc, fkReady{fflags: noteExit})
	k.p.poll(0)
	require.Equal(t, []exit{{ProcessExit{Status: 3}, nil}}, got)
	assert.False(t, w.Active())
	assert.Empty(t, k.p.procs)
	_, ok := k.f.registered(4203, kfProc)
	assert.False(t, ok, "one-shot")
}

func TestKqProcessAlreadyExited(t *testing.T) {
	k := newKqTest(t, true, true)
	var got []ProcessExit
	w := &ProcessWatcher{loop: k.l, pid: 4207, active: true,
		cb: func(st ProcessExit, err error) { got = append(got, st) }}
	k.f.gonePids[4207] = true
	require.NoError(t, k.p.watchPid(w))
	assert.Empty(t, got, "never from inside the start")
	k.l.runPending()
	assert.Equal(t, []ProcessExit{{Status: 7}}, got)
	assert.False(t, w.Active())
}

func TestKqProcessStopped(t *testing.T) {
	k := newKqTest(t, true, true)
	reaped := 0
	k.p.reap = func(int) (ProcessExit, error) { reaped++; return ProcessExit{}, nil }
	w := &ProcessWatcher{loop: k.l, pid: 4211, active: true,
		cb: func(ProcessExit, error) { t.Error("stopped watcher called") }}
	require.NoError(t, k.p.watchPid(w))
	k.p.unwatchPid(w)
	w.active = false
	k.f.setReady(4211, kfProc, fkReady{fflags: noteExit})
	k.p.poll(0)
	assert.Zero(t, reaped, "a stopped watcher's child is not reaped")

	// Stopped while its early exit waits in the pending queue.
	k.f.gonePids[4212] = true
	w2 := &ProcessWatcher{loop: k.l, pid: 4212, active: true,
		cb: func(ProcessExit, error) { t.Error("stopped watcher called") }}
	require.NoError(t, k.p.watchPid(w2))
	k.p.unwatchPid(w2)
	w2.active = false
	k.l.runPending()
	assert.Zero(t, reaped)
}

func TestKqProcessRegistrationError(t *testing.T) {
	k := newKqTest(t, true, true)
	k.f.hook = func(int, int) (int, error, bool) { return 0, syscall.EPERM, true }
	w := &ProcessWatcher{loop: k.l, pid: 4215, cb: func(ProcessExit, error) {}}
	assert.Equal(t, EPERM, k.p.watchPid(w))
	assert.Empty(t, k.p.procs)
}

func TestKqVnodeEvents(t *testing.T) {
	k := newKqTest(t, true, true)
	type fsev struct {
		name   string
		events int
	}
	var got []fsev
	var stopInCb bool
	w := &FSWatcher{loop: k.l, self: "watched", active: true, gen: 1}
	w.cb = func(name string, events int) {
		got = append(got, fsev{name, events})
		k.f.clearReady(20, kfVnode)
		if stopInCb {
			w.active = false
			k.p.unwatchVnode(20)
		}
	}
	require.NoError(t, k.p.watchVnode(w, 20))
	calls := k.f.takeCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, []kev{{ident: 20, filter: kfVnode, flags: kAdd | kOneshot, fflags: kqVnodeNotes}}, calls[0].changes)

	for _, c := range []struct {
		fflags uint32
		want   int
	}{
		{noteAttrib, FSEventChange},
		{noteWrite | noteExtend, FSEventChange},
		{noteWrite, FSEventRename},
		{noteRename, FSEventRename},
		{noteDelete, FSEventRename},
	} {
		got = nil
		k.f.setReady(20, kfVnode, fkReady{fflags: c.fflags})
		k.p.poll(0)
		assert.Equal(t, []fsev{{"watched", c.want}}, got, "fflags %#x", c.fflags)
		_, ok := k.f.registered(20, kfVnode)
		assert.True(t, ok, "armed again after the event")
	}

	stopInCb = true
	got = nil
	k.f.setReady(20, kfVnode, fkReady{fflags: noteAttrib})
	k.p.poll(0)
	assert.Len(t, got, 1)
	_, ok := k.f.registered(20, kfVnode)
	assert.False(t, ok, "not armed again once stopped")
	assert.Empty(t, k.p.vnodes)
}

func TestKqCheckFd(t *testing.T) {
	k := newKqTest(t, true, true)
	require.NoError(t, k.p.checkFd(5))
	calls := k.f.takeCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, []kev{ch(5, kfRead, kAdd), ch(5, kfRead, kDelete)}, calls[0].changes)
	_, ok := k.f.registered(5, kfRead)
	assert.False(t, ok)
	k.f.badFds[6] = true
	assert.Equal(t, EBADF, k.p.checkFd(6))
}

func TestKqMetrics(t *testing.T) {
	k := newKqTest(t, true, true)
	k.l.metricsIdle = true
	require.NoError(t, k.watcher(7, func(int) {}).Start(EventReadable))
	k.f.setReady(7, kfRead, fkReady{data: 1})
	k.p.poll(100)
	calls := k.f.takeCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, 0, calls[0].timeout, "with idle-time metrics the first wait does not block")
	m := k.l.Metrics()
	assert.Equal(t, uint64(1), m.Events)
	assert.Equal(t, uint64(1), m.EventsWaiting)

	k.f.clearReady(7, kfRead)
	k.l.UpdateTime()
	k.p.poll(100)
	calls = k.f.takeCalls()
	require.Len(t, calls, 2, "nothing waiting: then the real wait")
	assert.Equal(t, 0, calls[0].timeout)
	assert.Greater(t, calls[1].timeout, 0)
	assert.Equal(t, uint64(1), k.l.Metrics().Events)
}

// kqTraceRec records the syscall events of a loop.
type kqTraceRec struct {
	NopTracer
	sys []SyscallEvent
}

func (r *kqTraceRec) TraceSyscall(l *Loop, e SyscallEvent) { r.sys = append(r.sys, e) }

// TestKqTrace checks that the kqueue backend reports its kevent calls (the changes with the
// wait, and a flush without one) to a tracer, and that a watcher's callback still runs.
func TestKqTrace(t *testing.T) {
	k := newKqTest(t, true, true)
	rec := new(kqTraceRec)
	k.l.SetTracer(rec)
	calls := 0
	w := k.watcher(7, func(int) { calls++ })
	require.NoError(t, w.Start(EventReadable))
	k.f.setReady(7, kfRead, fkReady{data: 1})
	k.p.poll(0)
	assert.Equal(t, 1, calls)
	require.Len(t, rec.sys, 1)
	e := rec.sys[0]
	assert.Equal(t, SysKevent, e.Call)
	assert.Equal(t, 99, e.Fd)
	assert.Equal(t, [3]int64{1, kqMaxEvents, 0}, e.Args, "one change, the whole array, no blocking")
	assert.Equal(t, 1, e.Result)
	assert.Contains(t, string(appendSyscall(nil, &e)), "kevent(99, changes[1], events[1024], 0) = 1")

	rec.sys = nil
	k.p.change(8, kfRead, kAdd, 0, 0)
	k.p.flushChanges()
	require.Len(t, rec.sys, 1)
	assert.Equal(t, [3]int64{1, 0, 0}, rec.sys[0].Args, "a flush waits for nothing")
	k.l.SetTracer(nil)
}

func TestKqPollAllocatesNothing(t *testing.T) {
	k := newKqTest(t, true, true)
	k.f.log = false
	var w *IOWatcher
	flip := false
	w = k.watcher(7, func(int) {
		// Interest changes every time: a write filter added, then deleted.
		if flip = !flip; flip {
			w.Start(EventWritable)
		} else {
			w.Stop(EventWritable)
		}
	})
	require.NoError(t, w.Start(EventReadable))
	k.f.setReady(7, kfRead, fkReady{data: 1})
	var a AsyncWatcher
	require.NoError(t, a.Init(k.l, func() {}))
	poll := func() {
		a.Send()
		k.f.wake()
		k.p.poll(0)
	}
	for i := 0; i < 10; i++ {
		poll()
	}
	assert.Zero(t, testing.AllocsPerRun(200, poll))
	a.Close()
}

func BenchmarkKqPoll(b *testing.B) {
	l, err := NewLoop()
	require.NoError(b, err)
	defer l.Close()
	f := newFakeKq(true)
	f.log = false
	p := new(kqPoller)
	p.init(l, f, f.wakeKey.ident, f.wakeKey.filter, true)
	for fd := 10; fd < 74; fd++ {
		w := new(IOWatcher)
		*w = IOWatcher{loop: l, fd: fd, cb: func(int) {}}
		require.NoError(b, w.Start(EventReadable))
		f.ready[fkKey{fd, kfRead}] = fkReady{data: 1}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.poll(0)
	}
}
