//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

import (
	"strconv"

	"golang.org/x/sys/unix"
)

func socketCloexec(fam, typ int) (int, error) {
	fd, err := unix.Socket(fam, typ, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func accept(fd int) (int, error) {
	nfd, _, err := unix.Accept(fd)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(nfd)
	unix.SetNonblock(nfd, true)
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

// SetReusePort returns ENOTSUP: these systems' SO_REUSEPORT does not balance connections,
// which is what libuv's flag promises (FreeBSD's SO_REUSEPORT_LB comes with the kqueue work).
func (s *Sock) SetReusePort(on bool) error { return ENOTSUP }

func (s *Sock) setKeepAliveTimes(idle, intvl, cnt int) error { return nil }
