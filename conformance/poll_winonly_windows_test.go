package conformance_test

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

// The bodies of the Windows-only poll tests of poll_winonly_test.go.

// pollConnecting opens a non-blocking socket connecting to a listener of the test's own on
// 127.0.0.1: connect gives WSAEWOULDBLOCK, as libuv's tests check.
func pollConnecting(t *testing.T, fds *pollFds) uv.OSSock {
	t.Helper()
	_, port := fds.listener(1)
	sock := fds.socket()
	one := uint32(1)
	var n uint32
	const fionbio = 0x8004667e
	require.NoError(t, windows.WSAIoctl(windows.Handle(sock), fionbio, (*byte)(unsafe.Pointer(&one)), 4, nil, 0, &n, nil, 0))
	err := pollConnect(sock, port)
	require.True(t, pollWouldBlock(err), "connect: %v", err)
	return sock
}

func pollClosesocket(t *testing.T) {
	fds := newPollFds(t)
	l := newLoop(t)
	pollWatchdog(t, l, 5000)
	sock := pollConnecting(t, fds)
	p, err := handles.NewPollSocket(l, sock)
	require.NoError(t, err)
	calls, closed := 0, 0
	var onPoll func(p *handles.Poll, status error, events int)
	onPoll = func(p *handles.Poll, status error, events int) {
		calls++
		require.NoError(t, status)
		require.NoError(t, p.Start(handles.Readable, onPoll))
		fds.close(sock)
		require.NoError(t, p.Close(func() { closed++ }))
	}
	require.NoError(t, p.Start(handles.Writable, onPoll))
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, calls)
	require.Equal(t, 1, closed)
}

func pollCloseDoesntCorruptStack(t *testing.T) {
	fds := newPollFds(t)
	l := newLoop(t)
	pollWatchdog(t, l, 5000)
	sock := pollConnecting(t, fds)
	p, err := handles.NewPollSocket(l, sock)
	require.NoError(t, err)
	require.NoError(t, p.Start(handles.Readable|handles.Writable, func(*handles.Poll, error, int) {
		t.Error("poll callback of a closed handle called")
	}))
	closed := 0
	require.NoError(t, p.Close(func() { closed++ }))
	closeSocketAndVerify(t, fds, sock)
	require.False(t, run(t, l, uv.RunDefault))
	require.Equal(t, 1, closed)
}

// closeSocketAndVerify is libuv's close_socket_and_verify_stack: markers around the
// closesocket, checked once the poll it ends has had time to complete.
func closeSocketAndVerify(t *testing.T, fds *pollFds, sock uv.OSSock) {
	const marker = 0xDEADBEEF
	var stack [16 << 10]uint32 // 64 KiB, under the compiler's limit for stack variables
	runtime.GC()
	heap := make([]uint32, 64<<10)
	for i := range stack {
		stack[i] = marker
	}
	for i := range heap {
		heap[i] = marker
	}
	fds.close(sock)
	time.Sleep(10 * time.Millisecond) // libuv's VERIFY_AFTER: lets time pass, waits for nothing
	for i := range stack {
		if stack[i] != marker {
			t.Fatalf("stack word %d overwritten: %#x", i, stack[i])
		}
	}
	for i := range heap {
		if heap[i] != marker {
			t.Fatalf("heap word %d overwritten: %#x", i, heap[i])
		}
	}
}
