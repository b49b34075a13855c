package uv

import (
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

var somaxconnOnce = sync.OnceValue(func() int {
	b, err := readSmallFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0
	}
	return n
})

// somaxconn is the kernel's limit on listen backlogs, read once, when a listen is traced.
func somaxconn() int { return somaxconnOnce() }

// traceAcceptFlags are the flags accept4 is called with.
const traceAcceptFlags = unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC

type constName struct {
	v    int64
	name string
}

var (
	traceDomains   = []constName{{unix.AF_UNIX, "AF_UNIX"}, {unix.AF_INET, "AF_INET"}, {unix.AF_INET6, "AF_INET6"}}
	traceSockTypes = []constName{{unix.SOCK_STREAM, "SOCK_STREAM"}, {unix.SOCK_DGRAM, "SOCK_DGRAM"}}
	traceSockFlags = []constName{{unix.SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {unix.SOCK_CLOEXEC, "SOCK_CLOEXEC"}}
	traceLevels    = []constName{{unix.SOL_SOCKET, "SOL_SOCKET"}, {unix.IPPROTO_TCP, "IPPROTO_TCP"},
		{unix.IPPROTO_IP, "IPPROTO_IP"}, {unix.IPPROTO_IPV6, "IPPROTO_IPV6"}}
	traceSockOpts = map[int64][]constName{
		unix.SOL_SOCKET: {{unix.SO_REUSEADDR, "SO_REUSEADDR"}, {unix.SO_REUSEPORT, "SO_REUSEPORT"},
			{unix.SO_KEEPALIVE, "SO_KEEPALIVE"}, {unix.SO_BROADCAST, "SO_BROADCAST"},
			{unix.SO_SNDBUF, "SO_SNDBUF"}, {unix.SO_RCVBUF, "SO_RCVBUF"}, {unix.SO_LINGER, "SO_LINGER"}},
		unix.IPPROTO_TCP: {{unix.TCP_NODELAY, "TCP_NODELAY"}, {unix.TCP_KEEPIDLE, "TCP_KEEPIDLE"},
			{unix.TCP_KEEPINTVL, "TCP_KEEPINTVL"}, {unix.TCP_KEEPCNT, "TCP_KEEPCNT"}},
		unix.IPPROTO_IPV6: {{unix.IPV6_V6ONLY, "IPV6_V6ONLY"}},
	}
	traceEpollOps    = []constName{{unix.EPOLL_CTL_ADD, "EPOLL_CTL_ADD"}, {unix.EPOLL_CTL_MOD, "EPOLL_CTL_MOD"}, {unix.EPOLL_CTL_DEL, "EPOLL_CTL_DEL"}}
	traceEpollEvents = []constName{{unix.EPOLLIN, "EPOLLIN"}, {unix.EPOLLOUT, "EPOLLOUT"},
		{unix.EPOLLRDHUP, "EPOLLRDHUP"}, {unix.EPOLLPRI, "EPOLLPRI"}}
	traceShutHow = []constName{{unix.SHUT_RD, "SHUT_RD"}, {unix.SHUT_WR, "SHUT_WR"}, {unix.SHUT_RDWR, "SHUT_RDWR"}}
)

// appendConst appends the name of one of the kernel's constants, or the number.
func appendConst(b []byte, k traceConst, v int64) []byte {
	switch k {
	case constDomain:
		return appendOneOf(b, traceDomains, v)
	case constSockType:
		b = appendOneOf(b, traceSockTypes, v&^(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC))
		return appendFlags(b, traceSockFlags, v&(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC), true)
	case constSockFlags:
		return appendFlags(b, traceSockFlags, v, false)
	case constLevel:
		return appendOneOf(b, traceLevels, v)
	case constEpollOp:
		return appendOneOf(b, traceEpollOps, v)
	case constEpollEvents:
		return appendFlags(b, traceEpollEvents, v, false)
	case constShutHow:
		return appendOneOf(b, traceShutHow, v)
	}
	return strconv.AppendInt(b, v, 10)
}

// appendSockopt appends a socket option's name, given its level.
func appendSockopt(b []byte, level, opt int64) []byte {
	return appendOneOf(b, traceSockOpts[level], opt)
}

func appendOneOf(b []byte, names []constName, v int64) []byte {
	for _, n := range names {
		if n.v == v {
			return append(b, n.name...)
		}
	}
	return strconv.AppendInt(b, v, 10)
}

// appendFlags appends the names of the flags set in v, joined by |; more says a value
// precedes them.
func appendFlags(b []byte, names []constName, v int64, more bool) []byte {
	if v == 0 && !more {
		return append(b, '0')
	}
	for _, n := range names {
		if v&n.v != 0 {
			if more {
				b = append(b, '|')
			}
			b = append(b, n.name...)
			v &^= n.v
			more = true
		}
	}
	if v != 0 {
		if more {
			b = append(b, '|')
		}
		b = append(b, "0x"...)
		b = strconv.AppendInt(b, v, 16)
	}
	return b
}
