//go:build unix

package uv

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// behindPair returns a loop, a Sock with write-behind on bound to one end of a stream
// socket pair, and the other end (non-blocking).
func behindPair(t *testing.T) (*Loop, *Sock, int) {
	t.Helper()
	l, err := NewLoop()
	require.NoError(t, err)
	p, err := Socketpair(SockStream)
	require.NoError(t, err)
	require.NoError(t, unix.SetNonblock(p[0], true))
	require.NoError(t, unix.SetNonblock(p[1], true))
	s := &Sock{}
	require.NoError(t, s.InitNew(l, p[0], SockStream, false))
	s.SetWriteBehind(true)
	t.Cleanup(func() {
		s.Close()
		s.CancelAll()
		unix.Close(p[1])
		l.Close()
	})
	return l, s, p[1]
}

// peerRead returns what the peer end has to read now.
func peerRead(t *testing.T, fd int) string {
	t.Helper()
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if n > 0 {
			out = append(out, buf[:n]...)
			continue
		}
		if err == unix.EAGAIN || err == nil {
			return string(out)
		}
		require.NoError(t, err)
	}
}

// peerEOF checks that the peer end reads the end of the stream now.
func peerEOF(t *testing.T, fd int) {
	t.Helper()
	var b [8]byte
	n, err := unix.Read(fd, b[:])
	require.NoError(t, err)
	require.Zero(t, n, "the end of the stream")
}

// onEvent runs fn once inside the sock's read callback: the peer writes a byte, the loop
// polls once and the callback reads it and calls fn.
func onEvent(t *testing.T, l *Loop, s *Sock, peer int, fn func()) {
	t.Helper()
	called := false
	require.NoError(t, s.StartRead(func() {
		var b [16]byte
		s.Read(b[:])
		if !called {
			called = true
			fn()
		}
	}))
	_, err := unix.Write(peer, []byte{'.'})
	require.NoError(t, err)
	for i := 0; i < 100 && !called; i++ {
		l.backendPoll(10)
	}
	require.True(t, called, "the read callback ran")
	s.StopRead()
}

// Inside an I/O callback TryWrite reports the bytes written; they reach the peer when the
// callback returns, in order with the later writes of the callback.
func TestSockWriteBehindDefersToCallbackReturn(t *testing.T) {
	l, s, peer := behindPair(t)
	onEvent(t, l, s, peer, func() {
		n, err := s.TryWrite([][]byte{[]byte("hello, ")})
		require.NoError(t, err)
		require.Equal(t, 7, n)
		n, err = s.TryWrite([][]byte{[]byte("wor"), []byte("ld")})
		require.NoError(t, err)
		require.Equal(t, 5, n)
		require.Equal(t, "", peerRead(t, peer), "nothing written inside the callback")
	})
	require.Equal(t, "hello, world", peerRead(t, peer))

	// Outside an I/O callback TryWrite writes at once.
	n, err := s.TryWrite([][]byte{[]byte("now")})
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.Equal(t, "now", peerRead(t, peer))
}

// A queued write, a shutdown or a close made after deferred bytes writes those first.
func TestSockWriteBehindKeepsOrder(t *testing.T) {
	l, s, peer := behindPair(t)
	var op WriteOp
	var writeErr error = EINVAL
	onEvent(t, l, s, peer, func() {
		_, err := s.TryWrite([][]byte{[]byte("first ")})
		require.NoError(t, err)
		require.NoError(t, s.Write(&op, [][]byte{[]byte("second")}, -1, false, func(_ *WriteOp, err error) {
			writeErr = err
		}))
		require.Equal(t, "first second", peerRead(t, peer), "the queued write went out after the deferred bytes")
	})
	l.runPending()
	require.NoError(t, writeErr)

	onEvent(t, l, s, peer, func() {
		_, err := s.TryWrite([][]byte{[]byte("bye")})
		require.NoError(t, err)
		require.NoError(t, s.Shutdown(func(error) {}))
		require.Equal(t, "bye", peerRead(t, peer), "Shutdown wrote the deferred bytes")
	})
	l.runPending()
	peerEOF(t, peer)
}

func TestSockWriteBehindCloseWritesFirst(t *testing.T) {
	l, s, peer := behindPair(t)
	onEvent(t, l, s, peer, func() {
		_, err := s.TryWrite([][]byte{[]byte("last words")})
		require.NoError(t, err)
		s.Close()
	})
	require.Equal(t, "last words", peerRead(t, peer))
	peerEOF(t, peer)
}

// What the kernel does not take when the loop writes the deferred bytes is queued, ahead of
// later writes, and written when the socket is writable again.
func TestSockWriteBehindQueuesTheRest(t *testing.T) {
	l, s, peer := behindPair(t)
	// Fill the socket's buffers outside any callback.
	fill := bytes.Repeat([]byte{'f'}, 4096)
	filled := 0
	for {
		n, err := s.TryWrite([][]byte{fill})
		filled += n
		if err != nil {
			require.ErrorIs(t, err, EAGAIN)
			break
		}
	}
	big := bytes.Repeat([]byte{'b'}, 32<<10)
	onEvent(t, l, s, peer, func() {
		n, err := s.TryWrite([][]byte{big})
		require.NoError(t, err)
		require.Equal(t, len(big), n)
	})
	require.Equal(t, len(big), s.WriteQueueSize(), "the kernel took none of it: all queued")
	n, err := s.TryWrite([][]byte{[]byte("x")})
	require.ErrorIs(t, err, EAGAIN, "later writes wait behind the queued bytes")
	require.Zero(t, n)

	var got []byte
	buf := make([]byte, 64<<10)
	for i := 0; i < 1000 && len(got) < filled+len(big); i++ {
		n, _ := unix.Read(peer, buf)
		if n > 0 {
			got = append(got, buf[:n]...)
		}
		l.backendPoll(0)
		l.runPending()
	}
	require.Equal(t, filled+len(big), len(got))
	require.Equal(t, fill[:1], got[:1])
	require.Equal(t, big, got[filled:], "the deferred bytes follow what was written before, in order")
	require.Zero(t, s.WriteQueueSize())
}

// A deferred write that fails (the peer reads no more) is reported by the next Read, as the
// connection's failure would have been had the bytes gone out at once.
func TestSockWriteBehindErrorReachesRead(t *testing.T) {
	l, s, peer := behindPair(t)
	onEvent(t, l, s, peer, func() {
		require.NoError(t, unix.Shutdown(peer, unix.SHUT_RD))
		n, err := s.TryWrite([][]byte{[]byte("into the void")})
		require.NoError(t, err)
		require.Equal(t, 13, n)
	})
	var b [8]byte
	_, err := s.Read(b[:])
	require.ErrorIs(t, err, EPIPE)
	_, err = s.Read(b[:])
	require.ErrorIs(t, err, EAGAIN, "reported once")
}

// Write-behind off (the default, libuv's behaviour) writes inside the callback.
func TestSockWriteBehindOff(t *testing.T) {
	l, s, peer := behindPair(t)
	s.SetWriteBehind(false)
	onEvent(t, l, s, peer, func() {
		_, err := s.TryWrite([][]byte{[]byte("at once")})
		require.NoError(t, err)
		require.Equal(t, "at once", peerRead(t, peer))
	})
}

// A callback that panics out of the poll leaves its deferred bytes for the next poll, which
// writes them first; after it TryWrite outside callbacks writes at once again.
func TestSockWriteBehindAfterPanic(t *testing.T) {
	l, s, peer := behindPair(t)
	func() {
		defer func() { require.Equal(t, "boom", recover()) }()
		onEvent(t, l, s, peer, func() {
			_, err := s.TryWrite([][]byte{[]byte("saved")})
			require.NoError(t, err)
			panic("boom")
		})
	}()
	require.Equal(t, "", peerRead(t, peer))
	s.StopRead()
	l.backendPoll(0)
	require.Equal(t, "saved", peerRead(t, peer))
	_, err := s.TryWrite([][]byte{[]byte(" now")})
	require.NoError(t, err)
	require.Equal(t, " now", peerRead(t, peer))
}

// BehindBuf gives room to build a deferred write in place; CommitBehind defers it, after
// the TryWrites before it and before those after it, and copies bytes that outgrew the
// room. Outside an I/O callback there is no room: a TryWrite would write at once.
func TestSockBehindBufInPlace(t *testing.T) {
	l, s, peer := behindPair(t)
	require.Nil(t, s.BehindBuf(16), "no callback runs")
	big := bytes.Repeat([]byte("x"), 5000)
	onEvent(t, l, s, peer, func() {
		_, err := s.TryWrite([][]byte{[]byte("one ")})
		require.NoError(t, err)
		b := s.BehindBuf(16)
		require.NotNil(t, b)
		require.Zero(t, len(b))
		require.GreaterOrEqual(t, cap(b), 16)
		b = append(b, "two "...)
		require.Equal(t, 4, s.CommitBehind(b))
		b = s.BehindBuf(16)
		b = append(b, big...) // beyond the room asked for: append moves it
		require.Equal(t, len(big), s.CommitBehind(b))
		_, err = s.TryWrite([][]byte{[]byte(" three")})
		require.NoError(t, err)
		require.Equal(t, "", peerRead(t, peer), "nothing written inside the callback")
		require.Nil(t, s.BehindBuf(behindMax), "more than write-behind defers")
	})
	require.Equal(t, "one two "+string(big)+" three", peerRead(t, peer))
}
