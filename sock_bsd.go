//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Sockets on macOS and the BSDs. Where socket(2) or accept(2) cannot make a descriptor
// close-on-exec in the same step (kqSockFlags, acceptCloexec in the per-OS files), the fork
// lock is held until it is, so that no child spawned meanwhile inherits it.

func socketCloexec(fam, typ int) (int, error) {
	if kqSockFlags != 0 {
		return unix.Socket(fam, typ|kqSockFlags, 0)
	}
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(fam, typ, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func accept(fd int) (int, error) { return acceptCloexec(fd) }

// acceptForkLocked is accept for systems without accept4 in x/sys.
func acceptForkLocked(fd int) (int, error) {
	syscall.ForkLock.RLock()
	nfd, _, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, err
	}
	return nfd, nil
}

func zoneIndex(zone string) (uint32, error) {
	n, err := strconv.ParseUint(zone, 10, 32)
	if err != nil {
		return 0, EINVAL
	}
	return uint32(n), nil
}

func zoneName(idx uint32) string { return strconv.FormatUint(uint64(idx), 10) }

const recvmsgFlags = 0

// recvmsg reads into b and the control buffer oob (unix.Recvmsg; the sender's address it
// converts is dropped).
func recvmsg(fd int, b, oob []byte, flags int) (n, oobn int, err error) {
	n, oobn, _, _, err = unix.Recvmsg(fd, b, oob, flags)
	return n, oobn, err
}

// SetReusePort sets the option that balances connections (or datagrams) between the sockets
// bound to one port, as libuv's reuseport flag does: SO_REUSEPORT_LB on FreeBSD and
// SO_REUSEPORT on DragonFly. Elsewhere SO_REUSEPORT only shares the port, so turning it on
// returns ENOTSUP, as in libuv.
func (s *Sock) SetReusePort(on bool) error {
	if kqReusePortOpt == 0 {
		if on {
			return ENOTSUP
		}
		return nil
	}
	return s.setInt(unix.SOL_SOCKET, kqReusePortOpt, boolInt(on))
}

// setKeepAliveTimes sets the keep-alive idle time, probe interval and probe count where the
// system has per-socket options for them (not on OpenBSD, where they are system-wide).
func (s *Sock) setKeepAliveTimes(idle, intvl, cnt int) error {
	if kqTCPKeepIdle == 0 {
		return nil
	}
	if err := s.setInt(unix.IPPROTO_TCP, kqTCPKeepIdle, idle); err != nil {
		return err
	}
	if err := s.setInt(unix.IPPROTO_TCP, kqTCPKeepIntvl, intvl); err != nil {
		return err
	}
	return s.setInt(unix.IPPROTO_TCP, kqTCPKeepCnt, cnt)
}
