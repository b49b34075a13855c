package main

import (
	"bytes"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// step is a line the trace must hold, after the previous step's: a layer line (its
// indentation included) or, on Linux, a system call.
type step struct {
	re      string
	syscall bool
}

// The example prints the whole trip of one request, in order: the listen from the app layer
// down to listen(2) and the epoll registration, then the accept, the read, the parse, the
// handler, the write, keep-alive, and the close. A layer that stops reporting (or reports
// out of order) fails it.
func TestListenTrace(t *testing.T) {
	var out bytes.Buffer
	err := run(&out, 0)
	if errors.Is(err, uv.ENOSYS) {
		t.Skip("no loop on this system yet")
	}
	require.NoError(t, err, "output:\n%s", out.String())
	text := out.String()

	fd := `(\d+)`
	steps := []step{
		{re: `(?m)^app      app\.listen\(0, "127\.0\.0\.1"\)$`},
		{re: `(?m)^  http     http\.createServer\(\)$`},
		{re: `(?m)^  http     Server\.listen\(0, "127\.0\.0\.1"\)$`},
		{re: `(?m)^    net      Server\.listen 127\.0\.0\.1:0 backlog 511$`},
		{re: `(?m)^        handles  tcp_wrap bind 127\.0\.0\.1:0 \(uv_tcp_bind\)$`},
		{re: `(?m)^            syscall  socket\(AF_INET, SOCK_STREAM\|SOCK_NONBLOCK\|SOCK_CLOEXEC, 0\) = ` + fd + `$`, syscall: true},
		{re: `(?m)^            syscall  setsockopt\(\d+, SOL_SOCKET, SO_REUSEADDR, 1\) = 0$`, syscall: true},
		{re: `(?m)^            syscall  bind\(\d+, 127\.0\.0\.1:0\) = 0$`, syscall: true},
		{re: `(?m)^        handles  tcp_wrap listen backlog 511 \(uv_listen\)$`},
		// The backlog asked for, and what somaxconn makes of it.
		{re: `(?m)^            syscall  listen\(\d+, 511\) = 0  · (accept queue 511 \(somaxconn \d+\)|backlog clamped to \d+ by somaxconn)$`, syscall: true},
		{re: `(?m)^    net      listening on 127\.0\.0\.1:\d+$`},
		// The listening socket joins the epoll set at the next poll.
		{re: `(?m)^            syscall  epoll_ctl\(\d+, EPOLL_CTL_ADD, \d+, EPOLLIN\) = 0$`, syscall: true},
		{re: `(?m)^            syscall  accept4\(\d+, NULL, NULL, SOCK_NONBLOCK\|SOCK_CLOEXEC\) = \d+$`, syscall: true},
		{re: `(?m)^        handles  tcp_wrap accept fd \d+ \(uv_accept\)$`},
		{re: `(?m)^    net      connection from 127\.0\.0\.1:\d+ \(1 open\)$`},
		{re: `(?m)^        handles  tcp_wrap readStart \(uv_read_start\)$`},
		{re: `(?m)^  http     connection: reading requests`},
		{re: `(?m)^            syscall  read\(\d+, buf\[\d+\]\) = [1-9]\d*$`, syscall: true},
		{re: `(?m)^  http     request GET / HTTP/1\.1 \(keep-alive\)$`},
		{re: `(?m)^  http     calling the request listener$`},
		{re: `(?m)^app      GET / -> route GET "/" handler$`},
		{re: `(?m)^app      res\.send: 13 bytes$`},
		{re: `(?m)^  http     response head 200 OK, Content-Length 13, keep-alive \(\d+ bytes\)$`},
		{re: `(?m)^    net      Socket\.write \d+ bytes$`},
		{re: `(?m)^            syscall  writev\(\d+, iov\[1\] \d+ bytes\) = \d+$`, syscall: true},
		{re: `(?m)^  http     response finished$`},
		{re: `(?m)^  http     exchange over: keep-alive, waiting for the next request$`},
		{re: `(?m)^--- the client got 200 OK "Hello, World!"; closing the server ---$`},
		{re: `(?m)^  http     Server\.close`},
		{re: `(?m)^    net      Server\.close`},
		{re: `(?m)^            syscall  close\(\d+\) = 0$`, syscall: true},
		{re: `(?m)^    net      Socket\.destroy`},
	}
	pos := 0
	for i, s := range steps {
		if s.syscall && runtime.GOOS != "linux" {
			continue // only the epoll backend reports its system calls so far
		}
		loc := regexp.MustCompile(s.re).FindStringIndex(text[pos:])
		if loc == nil {
			t.Fatalf("step %d (%s) is missing after byte %d; output:\n%s", i, s.re, pos, text)
		}
		pos += loc[1]
	}

	// The listening socket's own descriptor is the one listen, epoll_ctl and accept4 use.
	if runtime.GOOS == "linux" {
		m := regexp.MustCompile(`syscall  listen\((\d+), 511\)`).FindStringSubmatch(text)
		require.NotNil(t, m)
		lfd := m[1]
		at := strings.Index(text, m[0])
		require.Contains(t, text[at:], "EPOLL_CTL_ADD, "+lfd+", EPOLLIN) = 0")
		require.Contains(t, text[at:], "accept4("+lfd+", ")
	}
}
