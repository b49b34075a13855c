//go:build darwin || dragonfly || freebsd

package uv

import "golang.org/x/sys/unix"

// The wakeup on systems with EVFILT_USER: one user event per kqueue, EV_CLEAR so that its
// delivery resets it, triggered with NOTE_TRIGGER.

const kqUserFilter = unix.EVFILT_USER

// kqWakeIdent identifies the user event (any number does: user events have their own space).
const kqWakeIdent = 0x75766b71

type kqWake struct {
	trigger [1]unix.Kevent_t // built once, only read afterwards (by any goroutine)
}

func (s *kqSys) openWake() error {
	if err := s.register(kqWakeIdent, unix.EVFILT_USER, unix.EV_ADD|unix.EV_CLEAR); err != nil {
		return err
	}
	unix.SetKevent(&s.trigger[0], kqWakeIdent, unix.EVFILT_USER, 0)
	s.trigger[0].Fflags = unix.NOTE_TRIGGER
	return nil
}

func (s *kqSys) closeWake() {}

func (s *kqSys) wakeID() int      { return kqWakeIdent }
func (s *kqSys) wakeFilter() int8 { return kfUser }
func (s *kqSys) drainWake()       {}

func (s *kqSys) wake() {
	s.wakeMu.Lock()
	defer s.wakeMu.Unlock()
	if s.closed {
		return
	}
	for {
		_, err := unix.Kevent(s.kq, s.trigger[:], nil, nil)
		if err != unix.EINTR {
			return
		}
	}
}
