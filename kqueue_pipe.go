//go:build netbsd || openbsd

package uv

import "golang.org/x/sys/unix"

// The wakeup on systems without EVFILT_USER (x/sys has none for NetBSD and OpenBSD): a
// non-blocking self-pipe whose read end is watched with EVFILT_READ, as libuv's async pipe.

const kqUserFilter = kqNoFilter - 1 // none (distinct from a missing except filter)

type kqWake struct {
	wakeRd, wakeWr int
	one            [1]byte
	drain          [64]byte
}

func (s *kqSys) openWake() error {
	var p [2]int
	if err := pipeCloexec(&p); err != nil {
		return err
	}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return err
		}
	}
	if err := s.register(p[0], unix.EVFILT_READ, unix.EV_ADD); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return err
	}
	s.wakeRd, s.wakeWr = p[0], p[1]
	s.one[0] = 1
	return nil
}

func (s *kqSys) closeWake() {
	unix.Close(s.wakeRd)
	unix.Close(s.wakeWr)
	s.wakeRd, s.wakeWr = -1, -1
}

func (s *kqSys) wakeID() int      { return s.wakeRd }
func (s *kqSys) wakeFilter() int8 { return kfRead }

func (s *kqSys) wake() {
	s.wakeMu.Lock()
	defer s.wakeMu.Unlock()
	if s.closed {
		return
	}
	for {
		_, err := unix.Write(s.wakeWr, s.one[:])
		if err != unix.EINTR {
			return // EAGAIN: the pipe is full, so a wakeup is pending anyway
		}
	}
}

// drainWake empties the pipe, so that the level-triggered filter stops firing.
func (s *kqSys) drainWake() {
	for {
		n, err := unix.Read(s.wakeRd, s.drain[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n < len(s.drain) {
			return
		}
	}
}
