package uv

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// Tests of the completion half of Sock that the handle-level tests cannot see: requests the
// kernel still owns when a sock closes (orphans), and the reuse of a closed Sock.

// sockPair returns a connected pair of sockets, the first bound to a Sock of l.
func sockPair(t *testing.T, l *Loop, s *Sock) OSSock {
	t.Helper()
	p, err := Socketpair(SockStream)
	require.NoError(t, err)
	require.NoError(t, s.Init(l, p[0], SockStream, false))
	t.Cleanup(func() { CloseSocket(p[1]) })
	return p[1]
}

// inflight counts the loop's requests the kernel owns.
func inflight(l *Loop) int {
	n := 0
	for r := l.be.inflight.inext; r != &l.be.inflight; r = r.inext {
		n++
	}
	return n
}

// pollUntil polls and runs the pending phase until cond holds (at most about a second).
func pollUntil(t *testing.T, l *Loop, cond func() bool) {
	t.Helper()
	for i := 0; i < 100 && !cond(); i++ {
		l.backendPoll(10)
		l.runPending()
	}
	require.True(t, cond())
}

// A sock closed with its zero read in flight orphans the read: the read callback never runs,
// the packet the close brings frees the request, and the same Sock works again on a new
// socket (its read is a new request, so it cannot be started twice).
func TestSockCloseOrphansZeroRead(t *testing.T) {
	l := iocpLoop(t)
	var s Sock
	peer := sockPair(t, l, &s)
	reads := 0
	require.NoError(t, s.StartRead(func() { reads++ }))
	old := s.rd
	require.True(t, old.inFlight(), "the zero read waits in the kernel")
	s.Close()
	require.Nil(t, s.rd)
	require.Nil(t, old.sock, "orphaned")
	pollUntil(t, l, func() bool { return inflight(l) == 0 })
	require.Zero(t, reads)
	require.Error(t, old.err(), "a cancelled status (Wine: STATUS_HANDLES_CLOSED)")

	peer = sockPair(t, l, &s)
	buf := make([]byte, 16)
	var got string
	require.NoError(t, s.StartRead(func() {
		n, err := s.Read(buf)
		if err == nil {
			got += string(buf[:n])
		}
	}))
	msg := []byte("again")
	var sent uint32
	require.Zero(t, wsaSend(windows.Handle(peer), &windows.WSABuf{Len: uint32(len(msg)), Buf: &msg[0]}, 1, &sent, nil))
	pollUntil(t, l, func() bool { return got == "again" })
	s.Close()
	pollUntil(t, l, func() bool { return inflight(l) == 0 })
}

// Writes still in the kernel when the sock closes get ECANCELED from CancelAll, once, in
// order; their packets then free the requests without another callback.
func TestSockCloseWithWritesInFlight(t *testing.T) {
	l := iocpLoop(t)
	var s Sock
	sockPair(t, l, &s) // the peer never reads
	big := make([]byte, 8<<20)
	var ops [4]WriteOp
	var got []error
	var order []int
	for i := range ops {
		ops[i].Ctx = i
		require.NoError(t, s.Write(&ops[i], [][]byte{big}, InvalidSock, false, func(op *WriteOp, err error) {
			got = append(got, err)
			order = append(order, op.Ctx.(int))
		}))
	}
	require.Positive(t, s.WriteQueueSize(), "the kernel cannot take it all")
	require.Positive(t, inflight(l))
	s.Close()
	s.CancelAll()
	require.Equal(t, []int{0, 1, 2, 3}, order)
	for _, err := range got {
		if err != nil {
			require.ErrorIs(t, err, ECANCELED)
		}
	}
	require.ErrorIs(t, got[3], ECANCELED, "the last write cannot have been taken whole")
	require.Zero(t, l.ActiveRequests())
	pollUntil(t, l, func() bool { return inflight(l) == 0 })
	require.Len(t, got, 4, "no callback after CancelAll")
}

// Closing the loop right after a sock: the packets the close brought are collected, so no
// request of the sock is left to the orphan list.
func TestSockLoopCloseCollectsOrphans(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	var s Sock
	sockPair(t, l, &s)
	require.NoError(t, s.StartRead(func() {}))
	s.Close()
	orphanedReqs.mu.Lock()
	before := len(orphanedReqs.reqs)
	orphanedReqs.mu.Unlock()
	// The packet comes from the kernel (Wine's server) soon after the close, maybe not at
	// once: wait until the port has it, and put it back for Close to find.
	for i := 0; i < 100; i++ {
		var n uint32
		var key uintptr
		var ov *windows.Overlapped
		windows.GetQueuedCompletionStatus(l.be.port, &n, &key, &ov, 10)
		if ov != nil {
			require.NoError(t, windows.PostQueuedCompletionStatus(l.be.port, n, key, ov))
			break
		}
	}
	require.NoError(t, l.Close())
	orphanedReqs.mu.Lock()
	after := len(orphanedReqs.reqs)
	orphanedReqs.mu.Unlock()
	require.Equal(t, before, after)
}

// SockTypeOf tells stream from datagram sockets and sockets from files, as
// uv_guess_handle does for the handles an IPC pipe receives.
func TestSockTypeOf(t *testing.T) {
	tcp, err := OpenSocket(DomainInet, SockStream)
	require.NoError(t, err)
	defer CloseSocket(tcp)
	udp, err := OpenSocket(DomainInet6, SockDgram)
	require.NoError(t, err)
	defer CloseSocket(udp)
	for fd, want := range map[OSSock]HandleType{tcp: TypeTCP, udp: TypeUDP} {
		got, err := SockTypeOf(fd)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	f, err := os.Open(exe)
	require.NoError(t, err)
	defer f.Close()
	got, err := SockTypeOf(OSSock(f.Fd()))
	require.NoError(t, err)
	require.Equal(t, TypeFile, got)
	_, err = SockTypeOf(InvalidSock)
	require.ErrorIs(t, err, EBADF)
	_, err = OpenSocket(DomainUnix, SockStream)
	require.ErrorIs(t, err, EAFNOSUPPORT, "pipes are named pipes on Windows")
}
