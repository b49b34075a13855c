package uv

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWTF8Decode(t *testing.T) {
	for _, bad := range []string{"\xFF", "\xC0\x80", "\xED\xA0", "\xF4\x90\x80\x80", "a\x80"} {
		_, err := WTF8LengthAsUTF16(bad)
		require.ErrorIs(t, err, EINVAL, "%q", bad)
		_, err = WTF8ToUTF16(bad)
		require.ErrorIs(t, err, EINVAL, "%q", bad)
	}
	// A lone surrogate of either half, and a pair written as two three-byte units (not
	// valid WTF-8 in theory, but what a UTF-16 name with a split pair would carry).
	u, err := WTF8ToUTF16("\xED\xB0\x80x\xED\xA0\x80")
	require.NoError(t, err)
	require.Equal(t, []uint16{0xDC00, 'x', 0xD800}, u)
	n, err := WTF8LengthAsUTF16("a\U0010FFFF\u00e9")
	require.NoError(t, err)
	require.Equal(t, 4, n)

	b, err := AppendWTF8AsUTF16([]uint16{1}, "\xFF")
	require.ErrorIs(t, err, EINVAL)
	require.Equal(t, []uint16{1}, b)
}

func TestUTF16ToWTF8(t *testing.T) {
	cases := []struct {
		in   []uint16
		want string
	}{
		{nil, ""},
		{[]uint16{'a', 0xE9, 0x20AC}, "a\u00e9\u20ac"},
		{[]uint16{0xD800, 0xDC00}, "\U00010000"},
		{[]uint16{0xDC00, 0xD800}, "\xED\xB0\x80\xED\xA0\x80"}, // reversed: two lone halves
		{[]uint16{0xD800}, "\xED\xA0\x80"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, UTF16ToWTF8(c.in))
		require.Equal(t, len(c.want), UTF16LengthAsWTF8(c.in))
		back, err := WTF8ToUTF16(c.want)
		require.NoError(t, err)
		require.Equal(t, len(c.in), len(back))
	}
}

func TestInetPton(t *testing.T) {
	for _, bad := range []string{"", "01.2.3.4", "1.2.3", "1.2.3.4.5", "::1", " 1.2.3.4"} {
		_, err := InetPton(DomainInet, bad)
		require.ErrorIs(t, err, EINVAL, "%q", bad)
	}
	for _, bad := range []string{"", "1.2.3.4", "::1::", "%eth0"} {
		_, err := InetPton(DomainInet6, bad)
		require.ErrorIs(t, err, EINVAL, "%q", bad)
	}
	a, err := InetPton(DomainInet6, "::ffff:1.2.3.4%eth0")
	require.NoError(t, err)
	require.Equal(t, "::ffff:1.2.3.4", a.String())
	_, err = InetPton(DomainUnix, "x")
	require.ErrorIs(t, err, EAFNOSUPPORT)
	_, err = InetNtop(netip.Addr{})
	require.ErrorIs(t, err, EINVAL)
}

func TestIPAddrPortRange(t *testing.T) {
	_, err := IP4Addr("127.0.0.1", 65536)
	require.ErrorIs(t, err, EINVAL)
	_, err = IP6Addr("::1", -1)
	require.ErrorIs(t, err, EINVAL)
	ap, err := IP6Addr("fe80::1%eth0", 80)
	require.NoError(t, err)
	require.Equal(t, "eth0", ap.Addr().Zone())
	ap, err = IP6Addr("fe80::1%", 80) // an empty zone is none
	require.NoError(t, err)
	require.Empty(t, ap.Addr().Zone())
}

func TestClockGettimeMonotonic(t *testing.T) {
	a, err := ClockGettime(ClockMonotonic)
	require.NoError(t, err)
	b, err := ClockGettime(ClockMonotonic)
	require.NoError(t, err)
	require.True(t, b.Sec > a.Sec || b.Sec == a.Sec && b.Nsec >= a.Nsec)
	require.Less(t, a.Nsec, int32(1e9))
	_, err = ClockGettime(-1)
	require.ErrorIs(t, err, EINVAL)
}

func TestEnvironNames(t *testing.T) {
	t.Setenv("UV_MISC_EQ", "a=b")
	for _, it := range OSEnviron() {
		if it.Name == "UV_MISC_EQ" {
			require.Equal(t, "a=b", it.Value)
			return
		}
	}
	t.Fatal("UV_MISC_EQ not listed")
}
