package uv

import (
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

func socketCloexec(fam, typ int) (int, error) {
	fd, err := unix.Socket(fam, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if globalTracer.Load() != nil {
		traceGlobal(SysSocket, -1, int64(fam), int64(typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC), 0, fd, err)
	}
	return fd, err
}

// accept takes one connection without reading its address (no allocation).
func accept(fd int) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// zoneIndex maps an IPv6 zone (an interface name or number) to its index.
func zoneIndex(zone string) (uint32, error) {
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	b, err := readSmallFile("/sys/class/net/" + zone + "/ifindex")
	if err != nil {
		return 0, EINVAL
	}
	n, err := strconv.ParseUint(string(b), 10, 32)
	if err != nil {
		return 0, EINVAL
	}
	return uint32(n), nil
}

// zoneName maps an interface index to its name, or to the number when it has none.
func zoneName(idx uint32) string {
	return strconv.FormatUint(uint64(idx), 10)
}

func readSmallFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var buf [64]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return nil, err
	}
	for n > 0 && (buf[n-1] == '\n' || buf[n-1] == ' ') {
		n--
	}
	return buf[:n], nil
}

const recvmsgFlags = unix.MSG_CMSG_CLOEXEC

// recvmsg reads into b and the control buffer oob without asking for the sender's address
// (unix.Recvmsg converts the one a socket pair reports, an allocation per read).
func recvmsg(fd int, b, oob []byte, flags int) (n, oobn int, err error) {
	var iov unix.Iovec
	if len(b) > 0 {
		iov.Base = &b[0]
		iov.SetLen(len(b))
	}
	var msg unix.Msghdr
	msg.Iov = &iov
	msg.SetIovlen(1)
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	r, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags))
	if e != 0 {
		return 0, 0, e
	}
	return int(r), int(msg.Controllen), nil
}

// SetReusePort sets SO_REUSEPORT, which on Linux balances connections between the sockets
// bound to the port.
func (s *Sock) SetReusePort(on bool) error {
	return s.setInt(unix.SOL_SOCKET, unix.SO_REUSEPORT, boolInt(on))
}

func (s *Sock) setKeepAliveTimes(idle, intvl, cnt int) error {
	if err := s.setInt(unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, idle); err != nil {
		return err
	}
	if err := s.setInt(unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, intvl); err != nil {
		return err
	}
	return s.setInt(unix.IPPROTO_TCP, unix.TCP_KEEPCNT, cnt)
}
