package uv

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// winTraceRec records the names of the calls a loop reports.
type winTraceRec struct {
	NopTracer
	calls []SyscallEvent
}

func (r *winTraceRec) TraceSyscall(l *Loop, e SyscallEvent) { r.calls = append(r.calls, e) }

func (r *winTraceRec) has(c Syscall) bool {
	for _, e := range r.calls {
		if e.Call == c {
			return true
		}
	}
	return false
}

// TestTraceIOCP checks that the IOCP backend reports its calls: the port association, bind,
// listen, AcceptEx, ConnectEx, WSASend, the zero-byte WSARecv, the reads and the waits, with
// overlapped calls that started shown as pending.
func TestTraceIOCP(t *testing.T) {
	l := iocpLoop(t)
	rec := new(winTraceRec)
	l.SetTracer(rec)
	defer l.SetTracer(nil)

	var srv, cli, conn Sock
	fd, err := OpenSocket(DomainInet, SockStream)
	require.NoError(t, err)
	require.NoError(t, srv.Init(l, fd, SockStream, false))
	defer srv.Close()
	sa, err := SockaddrOf(netip.MustParseAddrPort("127.0.0.1:0"))
	require.NoError(t, err)
	require.NoError(t, srv.Bind(sa))
	accepted := false
	require.NoError(t, srv.Listen(16, func() {
		afd, err := srv.Accept()
		if err == nil && !accepted {
			accepted = conn.Init(l, afd, SockStream, false) == nil
		}
	}))
	local, err := srv.LocalSockaddr()
	require.NoError(t, err)

	cfd, err := OpenSocket(DomainInet, SockStream)
	require.NoError(t, err)
	require.NoError(t, cli.Init(l, cfd, SockStream, false))
	defer cli.Close()
	connected := false
	require.NoError(t, cli.Connect(local, func(err error) { connected = err == nil }))
	pollUntil(t, l, func() bool { return connected && accepted })

	got := ""
	buf := make([]byte, 64)
	require.NoError(t, conn.StartRead(func() {
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			got += string(buf[:n])
		}
	}))
	defer conn.Close()
	var op WriteOp
	wrote := false
	require.NoError(t, cli.Write(&op, [][]byte{[]byte("hello")}, 0, false, func(*WriteOp, error) { wrote = true }))
	pollUntil(t, l, func() bool { return wrote && got == "hello" })

	for _, c := range []Syscall{SysIOCPAssociate, SysBind, SysListen, SysAcceptEx, SysConnectEx,
		SysWSASend, SysWSARecv, SysRead, SysGQCSEx} {
		require.True(t, rec.has(c), "no %s reported", c)
	}
	pending := false
	for _, e := range rec.calls {
		if e.Call == SysAcceptEx && e.Result == SyscallPending {
			pending = true
			require.Contains(t, string(appendSyscall(nil, &e)), "AcceptEx(")
			require.Contains(t, string(appendSyscall(nil, &e)), "= pending")
		}
	}
	require.True(t, pending, "an AcceptEx waits for its connection")
}
