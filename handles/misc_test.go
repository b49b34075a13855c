package handles_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

func TestFilenoPollAndOthers(t *testing.T) {
	l := mustLoop(t)
	_, err := handles.Fileno(nil)
	require.ErrorIs(t, err, uv.EINVAL)

	tm, err := handles.NewTimer(l)
	require.NoError(t, err)
	_, err = handles.Fileno(&tm.Handle)
	require.ErrorIs(t, err, uv.EINVAL)
	require.NoError(t, tm.Close(nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)

	sock, err := uv.OpenSocket(uv.DomainInet, uv.SockDgram)
	require.NoError(t, err)
	t.Cleanup(func() { uv.CloseSocket(sock) })
	p, err := handles.NewPollSocket(l, sock)
	require.NoError(t, err)
	fd, err := handles.Fileno(&p.Handle)
	require.NoError(t, err)
	require.Equal(t, uv.OSFd(sock), fd)
	require.NoError(t, p.Close(nil))
	_, err = handles.Fileno(&p.Handle)
	require.ErrorIs(t, err, uv.EBADF)
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

func TestUDPBufferSizeMisuse(t *testing.T) {
	l := mustLoop(t)
	u, err := handles.NewUDP(l)
	require.NoError(t, err)
	_, err = u.SendBufferSize()
	require.ErrorIs(t, err, uv.EBADF)
	require.ErrorIs(t, u.SetRecvBufferSize(1000), uv.EBADF)
	require.NoError(t, u.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.ErrorIs(t, u.SetSendBufferSize(0), uv.EINVAL)
	require.ErrorIs(t, u.SetRecvBufferSize(-1), uv.EINVAL)
	n, err := u.SendBufferSize()
	require.NoError(t, err)
	require.Positive(t, n)
	require.NoError(t, u.SetSendBufferSize(20000))
	require.NoError(t, u.Close(nil))
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

func TestIDNAToASCIIEmpty(t *testing.T) {
	_, err := handles.IDNAToASCII("")
	require.ErrorIs(t, err, uv.EINVAL)
	s, err := handles.IDNAToASCII("bücher.example")
	require.NoError(t, err)
	require.Equal(t, "xn--bcher-kva.example", s)
}
