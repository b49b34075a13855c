package handles

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// These tests resolve numeric addresses, "localhost" and names under ".invalid" only: none
// needs a network.

func TestIDNAToASCII(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"example.com":            "example.com",
		"MiXeD.Case.":            "MiXeD.Case.",
		"münchen":                "xn--mnchen-3ya",
		"bücher.example":         "xn--bcher-kva.example",
		"例え.テスト":                 "xn--r8jz45g.xn--zckzah",
		"a\u3002b\uff0ec\uff61d": "a.b.c.d",
		"ليهمابتكلموشعربي؟":      "xn--egbpdaj6bu4bxfgehfvwxn", // RFC 3492 sample (A)
		"他们为什么不说中文":              "xn--ihqwcrb4cv8a8dqg056pqjye",
		"3年B組金八先生":               "xn--3B-ww4c5e180e575a65lsy2b", // RFC 3492 sample (L): ASCII kept as is
	} {
		got, err := idnaToASCII(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := idnaToASCII("bad\xffname")
	require.ErrorIs(t, err, uv.EINVAL)
	_, err = idnaToASCII(strings.Repeat("a", 256))
	require.ErrorIs(t, err, uv.EINVAL)
	var long []rune
	for i := 0; i < 150; i++ {
		long = append(long, rune(0x4e00+37*i))
	}
	_, err = idnaToASCII(string(long))
	require.ErrorIs(t, err, uv.EINVAL, "too long once encoded")
	s, err := idnaToASCII(strings.Repeat("a", 255))
	require.NoError(t, err)
	require.Len(t, s, 255)
}

func TestParseNumericHost(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":    "127.0.0.1",
		"127.1":        "127.0.0.1",
		"10.1.2":       "10.1.0.2",
		"0x7f.0.0.1":   "127.0.0.1",
		"0177.0.0.01":  "127.0.0.1",
		"1":            "0.0.0.1",
		"1.65536":      "1.1.0.0",
		"0xffffffff":   "255.255.255.255",
		"::1":          "::1",
		"fe80::1%eth0": "fe80::1%eth0",
	} {
		a, ok := parseNumericHost(in)
		require.True(t, ok, in)
		require.Equal(t, want, a.String(), in)
	}
	for _, in := range []string{"", "256.0.0.1", "1.2.3.4.5", "08", "0x", "1..2", "1.2.3.256", "1.16777216", "localhost", "0x1g"} {
		_, ok := parseNumericHost(in)
		require.False(t, ok, in)
	}
}

func dnsGAI(t *testing.T, node, service string, h *AddrInfoHints) ([]AddrInfo, error) {
	t.Helper()
	var req GetAddrInfoReq
	err := GetAddrInfo(nil, &req, nil, node, service, h)
	return req.Result(), err
}

func TestGetAddrInfoNumeric(t *testing.T) {
	res, err := dnsGAI(t, "127.0.0.1", "80", nil)
	require.NoError(t, err)
	ap := netip.MustParseAddrPort("127.0.0.1:80")
	require.Equal(t, []AddrInfo{
		{Family: uv.DomainInet, SockType: SockTypeStream, Protocol: ProtoTCP, Addr: ap},
		{Family: uv.DomainInet, SockType: SockTypeDgram, Protocol: ProtoUDP, Addr: ap},
		{Family: uv.DomainInet, SockType: SockTypeRaw, Protocol: 0, Addr: ap},
	}, res)

	res, err = dnsGAI(t, "::1", "", &AddrInfoHints{SockType: SockTypeStream, Flags: AICanonName})
	require.NoError(t, err)
	require.Equal(t, []AddrInfo{{Family: uv.DomainInet6, SockType: SockTypeStream, Protocol: ProtoTCP,
		Addr: netip.MustParseAddrPort("[::1]:0"), CanonName: "::1"}}, res)

	res, err = dnsGAI(t, "127.0.0.1", "", &AddrInfoHints{Protocol: 99})
	require.NoError(t, err)
	require.Equal(t, []AddrInfo{{Family: uv.DomainInet, SockType: SockTypeRaw, Protocol: 99,
		Addr: netip.MustParseAddrPort("127.0.0.1:0")}}, res, "only a raw socket takes another protocol")
	res, err = dnsGAI(t, "127.0.0.1", "", &AddrInfoHints{SockType: SockTypeRaw, Protocol: ProtoUDP})
	require.NoError(t, err)
	require.Equal(t, []AddrInfo{{Family: uv.DomainInet, SockType: SockTypeRaw, Protocol: ProtoUDP,
		Addr: netip.MustParseAddrPort("127.0.0.1:0")}}, res)

	res, err = dnsGAI(t, "127.0.0.1", "70000", &AddrInfoHints{Protocol: ProtoUDP})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.Equal(t, SockTypeDgram, res[0].SockType)
	require.Equal(t, uint16(70000&0xffff), res[0].Addr.Port(), "the C library keeps the low 16 bits")

	_, err = dnsGAI(t, "::1", "", &AddrInfoHints{Family: uv.DomainInet})
	require.ErrorIs(t, err, uv.EAI_ADDRFAMILY)
	_, err = dnsGAI(t, "127.0.0.1", "", &AddrInfoHints{Family: uv.DomainInet6})
	require.ErrorIs(t, err, uv.EAI_ADDRFAMILY)
	res, err = dnsGAI(t, "127.0.0.1", "", &AddrInfoHints{Family: uv.DomainInet6, Flags: AIV4Mapped, SockType: SockTypeStream})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.Equal(t, uv.DomainInet6, res[0].Family)
	require.Equal(t, "::ffff:127.0.0.1", res[0].Addr.Addr().String())
}

func TestGetAddrInfoNoNode(t *testing.T) {
	stream := &AddrInfoHints{SockType: SockTypeStream}
	res, err := dnsGAI(t, "", "80", stream)
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.Equal(t, "[::1]:80", res[0].Addr.String())
	require.Equal(t, "127.0.0.1:80", res[1].Addr.String())

	res, err = dnsGAI(t, "", "80", &AddrInfoHints{SockType: SockTypeStream, Flags: AIPassive})
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.Equal(t, "0.0.0.0:80", res[0].Addr.String())
	require.Equal(t, "[::]:80", res[1].Addr.String())

	res, err = dnsGAI(t, "", "80", &AddrInfoHints{SockType: SockTypeStream, Flags: AIPassive, Family: uv.DomainInet6})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.Equal(t, "[::]:80", res[0].Addr.String())
}

func TestGetAddrInfoErrors(t *testing.T) {
	for _, c := range []struct {
		node, service string
		hints         AddrInfoHints
		want          error
	}{
		{"localhost", "", AddrInfoHints{Flags: AINumericHost}, uv.EAI_NONAME},
		{"127.0.0.1", "http", AddrInfoHints{Flags: AINumericServ}, uv.EAI_NONAME},
		{"127.0.0.1", "", AddrInfoHints{Family: uv.DomainUnix}, uv.EAI_FAMILY},
		{"127.0.0.1", "", AddrInfoHints{SockType: 99}, uv.EAI_SOCKTYPE},
		{"127.0.0.1", "", AddrInfoHints{SockType: SockTypeStream, Protocol: ProtoUDP}, uv.EAI_SOCKTYPE},
		{"127.0.0.1", "80", AddrInfoHints{SockType: SockTypeRaw}, uv.EAI_SERVICE},
		{"127.0.0.1", "no-such-service-here", AddrInfoHints{}, uv.EAI_SERVICE},
		{"127.0.0.1", "", AddrInfoHints{Flags: 0x8000}, uv.EAI_BADFLAGS},
		{"", "80", AddrInfoHints{Flags: AICanonName}, uv.EAI_BADFLAGS},
		{"nothing.invalid", "", AddrInfoHints{}, uv.EAI_NONAME},
		{"INVALID.", "", AddrInfoHints{}, uv.EAI_NONAME},
		{"a.b.Invalid.", "", AddrInfoHints{}, uv.EAI_NONAME},
	} {
		start := time.Now()
		res, err := dnsGAI(t, c.node, c.service, &c.hints)
		require.ErrorIs(t, err, c.want, "%q %q %+v", c.node, c.service, c.hints)
		require.Nil(t, res)
		require.Less(t, time.Since(start), 5*time.Second, "answered without a query")
	}
	var req GetAddrInfoReq
	require.ErrorIs(t, GetAddrInfo(nil, nil, nil, "localhost", "", nil), uv.EINVAL)
	require.ErrorIs(t, GetAddrInfo(nil, &req, nil, "", "", nil), uv.EINVAL)
	require.ErrorIs(t, GetAddrInfo(nil, &req, func(*GetAddrInfoReq, error, []AddrInfo) {}, "localhost", "", nil), uv.EINVAL)
	require.ErrorIs(t, GetAddrInfo(nil, &req, nil, "bad\xff", "", nil), uv.EINVAL)
	require.Equal(t, uv.TypeGetAddrInfo, req.Type())
	require.ErrorIs(t, req.Cancel(), uv.EINVAL, "never submitted")
}

func TestGetAddrInfoServiceName(t *testing.T) {
	res, err := dnsGAI(t, "127.0.0.1", "http", &AddrInfoHints{SockType: SockTypeStream})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.Equal(t, uint16(80), res[0].Addr.Port())
	res, err = dnsGAI(t, "127.0.0.1", "http", nil)
	require.NoError(t, err)
	require.NotEmpty(t, res)
	for _, ai := range res {
		require.NotEqual(t, SockTypeRaw, ai.SockType, "a named service has no raw socket")
		require.Equal(t, uint16(80), ai.Addr.Port())
	}
}

func TestGetAddrInfoLocalhost(t *testing.T) {
	for _, name := range []string{"localhost", "LOCALHOST.", "foo.localhost", "xn--bcher-kva.localhost", "bücher.localhost"} {
		res, err := dnsGAI(t, name, "", &AddrInfoHints{SockType: SockTypeStream, Flags: AICanonName})
		require.NoError(t, err, name)
		require.NotEmpty(t, res, name)
		for _, ai := range res {
			require.True(t, ai.Addr.Addr().IsLoopback(), "%s: %v", name, ai.Addr)
			require.Equal(t, ai.Addr.Addr().Is4(), ai.Family == uv.DomainInet)
		}
		require.NotEmpty(t, res[0].CanonName, name)
	}
	res, err := dnsGAI(t, "localhost", "", &AddrInfoHints{Family: uv.DomainInet6, Flags: AIV4Mapped | AIAll, SockType: SockTypeStream})
	require.NoError(t, err)
	for _, ai := range res {
		require.Equal(t, uv.DomainInet6, ai.Family)
		require.True(t, ai.Addr.Addr().Is6())
	}
}

func TestGetAddrInfoAsyncAndReuse(t *testing.T) {
	l, err := uv.NewLoop()
	require.NoError(t, err)
	defer l.Close()
	var req GetAddrInfoReq
	calls := 0
	var cb func(r *GetAddrInfoReq, err error, res []AddrInfo)
	cb = func(r *GetAddrInfoReq, err error, res []AddrInfo) {
		require.Same(t, &req, r)
		require.NoError(t, err)
		require.Equal(t, res, r.Result())
		require.Equal(t, "127.0.0.1:443", res[0].Addr.String())
		calls++
		if calls == 1 { // reuse from the callback
			require.NoError(t, GetAddrInfo(l, r, cb, "127.0.0.1", "443", &AddrInfoHints{SockType: SockTypeStream}))
		}
	}
	require.NoError(t, GetAddrInfo(l, &req, cb, "127.0.0.1", "443", &AddrInfoHints{SockType: SockTypeStream}))
	require.ErrorIs(t, GetAddrInfo(l, &req, cb, "127.0.0.1", "443", nil), uv.EINVAL, "still in flight")
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	require.Equal(t, 2, calls)
	require.ErrorIs(t, req.Cancel(), uv.EBUSY, "done: libuv answers EBUSY")
}

func dnsGNI(t *testing.T, addr string, flags int) (string, string, error) {
	t.Helper()
	var req GetNameInfoReq
	err := GetNameInfo(nil, &req, nil, netip.MustParseAddrPort(addr), flags)
	return req.Host, req.Service, err
}

func TestGetNameInfo(t *testing.T) {
	host, serv, err := dnsGNI(t, "127.0.0.1:80", 0)
	require.NoError(t, err)
	require.NotEmpty(t, host)
	if runtime.GOOS != "windows" { // Windows' stock hosts file names no address
		require.NotEqual(t, "127.0.0.1", host, "the hosts file names 127.0.0.1")
	}
	require.Equal(t, "http", serv)

	host, serv, err = dnsGNI(t, "127.0.0.1:80", NINumericHost|NINumericServ)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)
	require.Equal(t, "80", serv)

	_, serv, err = dnsGNI(t, "127.0.0.1:0", 0)
	require.NoError(t, err)
	require.Equal(t, "0", serv)

	_, serv, err = dnsGNI(t, "127.0.0.1:53", NIDgram)
	require.NoError(t, err)
	require.NotEmpty(t, serv)

	// 127.0.0.2 is loopback but usually unnamed: its numeric form, or EAI_NONAME when a
	// name is required; never a query.
	start := time.Now()
	host, _, err = dnsGNI(t, "127.0.0.2:1", 0)
	require.NoError(t, err)
	if host == "127.0.0.2" {
		_, _, err = dnsGNI(t, "127.0.0.2:1", NINameReqd)
		require.ErrorIs(t, err, uv.EAI_NONAME)
	}
	host, _, err = dnsGNI(t, "[::1]:1", 0)
	require.NoError(t, err)
	require.NotEmpty(t, host)
	require.Less(t, time.Since(start), 5*time.Second)

	_, _, err = dnsGNI(t, "127.0.0.1:80", 0x4000)
	require.ErrorIs(t, err, uv.EAI_BADFLAGS)

	var req GetNameInfoReq
	require.ErrorIs(t, GetNameInfo(nil, &req, nil, netip.AddrPort{}, 0), uv.EINVAL)
	require.ErrorIs(t, GetNameInfo(nil, nil, nil, netip.MustParseAddrPort("127.0.0.1:1"), 0), uv.EINVAL)
	require.ErrorIs(t, GetNameInfo(nil, &req, func(*GetNameInfoReq, error, string, string) {}, netip.MustParseAddrPort("127.0.0.1:1"), 0), uv.EINVAL)
	require.Equal(t, uv.TypeGetNameInfo, req.Type())
}

func TestResolverErrorMapping(t *testing.T) {
	require.ErrorIs(t, resolverError(&net.DNSError{IsNotFound: true}), uv.EAI_NONAME)
	require.ErrorIs(t, resolverError(&net.DNSError{IsTimeout: true}), uv.EAI_AGAIN)
	require.ErrorIs(t, resolverError(&net.DNSError{IsTemporary: true}), uv.EAI_AGAIN)
	require.ErrorIs(t, resolverError(&net.DNSError{Err: "server misbehaving"}), uv.EAI_FAIL)
	require.ErrorIs(t, resolverError(fmt.Errorf("wrapped: %w", context.DeadlineExceeded)), uv.EAI_AGAIN)
	require.ErrorIs(t, resolverError(&net.AddrError{Err: "no suitable address"}), uv.EAI_NONAME)
}

// BenchmarkGetAddrInfoNumeric measures a synchronous numeric lookup.
func BenchmarkGetAddrInfoNumeric(b *testing.B) {
	var req GetAddrInfoReq
	h := &AddrInfoHints{SockType: SockTypeStream}
	b.ReportAllocs()
	for b.Loop() {
		if err := GetAddrInfo(nil, &req, nil, "127.0.0.1", "80", h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetAddrInfoLocalhost measures lookups of "localhost" through the threadpool and
// the loop, libuv's getaddrinfo benchmark shape (one at a time here).
func BenchmarkGetAddrInfoLocalhost(b *testing.B) {
	l, err := uv.NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var req GetAddrInfoReq
	cb := func(_ *GetAddrInfoReq, err error, _ []AddrInfo) {
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := GetAddrInfo(l, &req, cb, "localhost", "", nil); err != nil {
			b.Fatal(err)
		}
		if _, err := l.Run(uv.RunDefault); err != nil {
			b.Fatal(err)
		}
	}
}
