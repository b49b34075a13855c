// Command sockcalls measures what the system calls the core chose between cost on this
// machine's kernel: one thread writes a small message on one end of a loopback TCP
// connection and reads it on the other, with write(2)+read(2), send(2)+recv(2),
// writev(2)+recv(2) and sendmsg(2)+recv(2), interleaved over rounds. The difference is the
// file layer that read, write and writev cross and the socket calls skip (see
// bench/README.md, "Where the time goes").
//
// Usage: taskset -c 0 bin/sockcalls [n=200000] [rounds=10]
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "sockcalls:", err)
		os.Exit(1)
	}
}

// pair returns the two ends of a loopback TCP connection, with TCP_NODELAY as servers set it.
func pair() (int, int) {
	l, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	must(err)
	must(unix.Bind(l, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	must(unix.Listen(l, 1))
	sa, err := unix.Getsockname(l)
	must(err)
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	must(err)
	must(unix.Connect(c, sa))
	s, _, err := unix.Accept(l)
	must(err)
	unix.Close(l)
	for _, fd := range []int{c, s} {
		must(unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1))
	}
	return c, s
}

type variant struct {
	name string
	run  func(c, s int, n int)
}

func main() {
	n, rounds := 200000, 10
	for _, a := range os.Args[1:] {
		k, v, _ := strings.Cut(a, "=")
		x, err := strconv.Atoi(v)
		must(err)
		switch k {
		case "n":
			n = x
		case "rounds":
			rounds = x
		}
	}
	msg := make([]byte, 120) // about an HTTP hello response
	buf := make([]byte, 4096)
	p, q := uintptr(unsafe.Pointer(&msg[0])), uintptr(unsafe.Pointer(&buf[0]))
	iov := make([]unix.Iovec, 2)
	iov[0].Base, iov[1].Base = &msg[0], &msg[100]
	iov[0].SetLen(100)
	iov[1].SetLen(20)
	var mh unix.Msghdr
	mh.Iov = &iov[0]
	mh.SetIovlen(2)
	recv := func(s int) { unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(s), q, 4096, 0, 0, 0) }
	variants := []variant{
		{"write + read", func(c, s, n int) {
			for range n {
				unix.RawSyscall(unix.SYS_WRITE, uintptr(c), p, 120)
				unix.RawSyscall(unix.SYS_READ, uintptr(s), q, 4096)
			}
		}},
		{"send + recv", func(c, s, n int) {
			for range n {
				unix.RawSyscall6(unix.SYS_SENDTO, uintptr(c), p, 120, unix.MSG_NOSIGNAL, 0, 0)
				recv(s)
			}
		}},
		{"writev(2 bufs) + recv", func(c, s, n int) {
			for range n {
				unix.RawSyscall(unix.SYS_WRITEV, uintptr(c), uintptr(unsafe.Pointer(&iov[0])), 2)
				recv(s)
			}
		}},
		{"sendmsg(2 bufs) + recv", func(c, s, n int) {
			for range n {
				unix.RawSyscall(unix.SYS_SENDMSG, uintptr(c), uintptr(unsafe.Pointer(&mh)), unix.MSG_NOSIGNAL)
				recv(s)
			}
		}},
	}
	c, s := pair()
	total := make([]time.Duration, len(variants))
	for range rounds {
		for i, v := range variants {
			t := time.Now()
			v.run(c, s, n)
			total[i] += time.Since(t)
		}
	}
	for i, v := range variants {
		fmt.Printf("%-24s %7.1f ns per pair\n", v.name, float64(total[i].Nanoseconds())/float64(rounds*n))
	}
}
