package handles_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/windows"
)

var pollAcceptProc = windows.NewLazySystemDLL("ws2_32.dll").NewProc("accept")

// pollPair returns two connected loopback TCP sockets made with Winsock, closed when the
// test ends (after the loop's cleanup, if the loop was made first).
func pollPair(t *testing.T) [2]windows.Handle {
	t.Helper()
	var d windows.WSAData
	require.NoError(t, windows.WSAStartup(0x202, &d))
	sock := func() windows.Handle {
		s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0,
			windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
		require.NoError(t, err)
		return s
	}
	ln := sock()
	defer windows.Closesocket(ln)
	require.NoError(t, windows.Bind(ln, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, windows.Listen(ln, 1))
	sa, err := windows.Getsockname(ln)
	require.NoError(t, err)
	c := sock()
	require.NoError(t, windows.Connect(c, sa))
	r, _, err := pollAcceptProc.Call(uintptr(ln), 0, 0)
	require.NotEqual(t, windows.InvalidHandle, windows.Handle(r), "accept: %v", err)
	s := windows.Handle(r)
	t.Cleanup(func() {
		windows.Closesocket(c)
		windows.Closesocket(s)
	})
	return [2]windows.Handle{c, s}
}

func pollWrite(t *testing.T, s windows.Handle, b []byte) {
	t.Helper()
	buf := windows.WSABuf{Len: uint32(len(b)), Buf: &b[0]}
	var n uint32
	require.NoError(t, windows.WSASend(s, &buf, 1, &n, 0, nil, nil))
	require.Equal(t, uint32(len(b)), n)
}

func pollRead(s windows.Handle, b []byte) (int, error) {
	buf := windows.WSABuf{Len: uint32(len(b)), Buf: &b[0]}
	var n, flags uint32
	err := windows.WSARecv(s, &buf, 1, &n, &flags, nil, nil)
	return int(n), err
}

func TestPollRejectsBadInput(t *testing.T) {
	l := mustLoop(t)
	_, err := handles.NewPoll(l, uv.InvalidSock)
	require.ErrorIs(t, err, uv.EINVAL)
	// A file is not a socket.
	f, err := os.CreateTemp("", "uvpoll")
	require.NoError(t, err)
	defer os.Remove(f.Name())
	defer f.Close()
	_, err = handles.NewPoll(l, uv.OSFd(f.Fd()))
	require.ErrorIs(t, err, uv.ENOTSOCK)
	require.NoError(t, l.Close())
}

// A second poll handle on a watched socket gets EEXIST, and neither its failed Start nor its
// Close may take the first handle's poll away.
func TestPollDuplicateLeavesOwnerWatching(t *testing.T) {
	l := mustLoop(t)
	fds := pollPair(t)

	first, err := handles.NewPollSocket(l, uv.OSSock(fds[0]))
	require.NoError(t, err)
	second, err := handles.NewPollSocket(l, uv.OSSock(fds[0]))
	require.NoError(t, err)
	got := 0
	require.NoError(t, first.Start(handles.Readable, func(p *handles.Poll, st error, ev int) {
		got++
		var buf [8]byte
		pollRead(fds[0], buf[:])
		p.Close(nil)
	}))
	_, err = l.Run(uv.RunNoWait)
	require.NoError(t, err)

	require.ErrorIs(t, second.Start(handles.Readable, func(*handles.Poll, error, int) {}), uv.EEXIST)
	require.NoError(t, second.Close(nil))
	pollWrite(t, fds[1], []byte("x"))
	guard, _ := handles.NewTimer(l)
	guard.Start(func(t *handles.Timer) { l.Stop() }, 2000, 0)
	guard.Unref()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 1, got, "the first handle still sees its socket")
	guard.Close(nil)
	l.Run(uv.RunDefault)
	require.NoError(t, l.Close())
}

// Stopping a handle whose poll is in flight cancels the poll: the loop has nothing left to
// wait for and returns, and the handle starts again and sees data written meanwhile.
func TestPollStopCancelsAndRestarts(t *testing.T) {
	l := mustLoop(t)
	fds := pollPair(t)
	p, err := handles.NewPollSocket(l, uv.OSSock(fds[0]))
	require.NoError(t, err)
	calls := 0
	cb := func(p *handles.Poll, st error, ev int) {
		require.NoError(t, st)
		require.Equal(t, handles.Readable, ev)
		calls++
		var buf [8]byte
		n, err := pollRead(fds[0], buf[:])
		require.NoError(t, err)
		require.Equal(t, "ab", string(buf[:n]))
		require.NoError(t, p.Stop())
	}
	require.NoError(t, p.Start(handles.Readable, cb))
	alive, err := l.Run(uv.RunNoWait) // the poll is in flight, nothing to read
	require.NoError(t, err)
	require.True(t, alive)
	require.NoError(t, p.Stop())
	alive, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.False(t, alive)
	require.Zero(t, calls)

	pollWrite(t, fds[1], []byte("ab"))
	require.NoError(t, p.Start(handles.Readable, cb))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 1, calls)
	p.Close(nil)
	l.Run(uv.RunDefault)
	require.NoError(t, l.Close())
}

// Asking for more events while a poll for fewer is in flight gets them reported without
// waiting for the first poll to complete.
func TestPollWidenWhileInFlight(t *testing.T) {
	l := mustLoop(t)
	fds := pollPair(t)
	p, err := handles.NewPollSocket(l, uv.OSSock(fds[0]))
	require.NoError(t, err)
	got := 0
	require.NoError(t, p.Start(handles.Readable, func(*handles.Poll, error, int) {
		t.Error("nothing was written")
	}))
	_, err = l.Run(uv.RunNoWait)
	require.NoError(t, err)
	require.NoError(t, p.Start(handles.Readable|handles.Writable, func(p *handles.Poll, st error, ev int) {
		require.NoError(t, st)
		require.Equal(t, handles.Writable, ev)
		got++
		p.Close(nil)
	}))
	guard, _ := handles.NewTimer(l)
	guard.Start(func(*handles.Timer) { t.Error("no writable event"); l.Stop() }, 5000, 0)
	guard.Unref()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 1, got)
	guard.Close(nil)
	l.Run(uv.RunDefault)
	require.NoError(t, l.Close())
}

// A socket closed under a started poll handle ends its poll: the handle reports an error and
// stops, instead of keeping the loop alive for nothing.
func TestPollSocketClosedUnderHandle(t *testing.T) {
	l := mustLoop(t)
	s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0,
		windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	require.NoError(t, err)
	p, err := handles.NewPollSocket(l, uv.OSSock(s))
	require.NoError(t, err)
	var status error
	require.NoError(t, p.Start(handles.Readable, func(p *handles.Poll, st error, ev int) {
		status = st
	}))
	_, err = l.Run(uv.RunNoWait)
	require.NoError(t, err)
	require.NoError(t, windows.Closesocket(s))
	guard, _ := handles.NewTimer(l)
	guard.Start(func(*handles.Timer) { t.Error("the poll did not end"); l.Stop() }, 5000, 0)
	guard.Unref()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.ErrorIs(t, status, uv.EBADF)
	require.False(t, p.IsActive())
	p.Close(nil)
	guard.Close(nil)
	l.Run(uv.RunDefault)
	require.NoError(t, l.Close())
}

// A readiness round trip (data arrives, the poll completes, the callback reads, the poll is
// issued again) allocates nothing.
func TestPollAllocs(t *testing.T) {
	l := mustLoop(t)
	fds := pollPair(t)
	p, err := handles.NewPollSocket(l, uv.OSSock(fds[0]))
	require.NoError(t, err)
	var buf [8]byte
	out := []byte("x")
	got := 0
	cb := func(p *handles.Poll, st error, ev int) {
		n, err := pollRead(fds[0], buf[:])
		if err == nil {
			got += n
		}
	}
	require.NoError(t, p.Start(handles.Readable, cb))
	round := func() {
		want := got + 1
		pollWrite(t, fds[1], out)
		for got < want {
			if _, err := l.Run(uv.RunOnce); err != nil {
				t.Fatal(err)
			}
		}
	}
	round()
	require.Zero(t, testing.AllocsPerRun(100, round))
	p.Close(nil)
	l.Run(uv.RunDefault)
	require.NoError(t, l.Close())
}
