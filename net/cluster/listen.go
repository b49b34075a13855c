package cluster

import (
	"context"
	"errors"
	gonet "net"
	"net/netip"
	"strconv"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// resolveHost turns a host name into its first address, as Node's listen looks names up;
// "" and IP literals are returned as they are. It runs on the caller's goroutine, before
// any loop starts, so that every worker listens on the same address.
func resolveHost(host string) (string, error) {
	if host == "" {
		return "", nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return host, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addrs, err := gonet.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return "", &listenError{msg: "getaddrinfo ENOTFOUND " + host, err: uv.EAI_NONAME}
	}
	return addrs[0].Unmap().String(), nil
}

// listenError is a listen failure with Node's message ("listen EADDRINUSE: address already
// in use :::3000"); errors.Is matches the uv error.
type listenError struct {
	msg string
	err error
}

func (e *listenError) Error() string { return e.msg }
func (e *listenError) Unwrap() error { return e.err }

func newListenError(err error, addr netip.Addr, port int) error {
	name, desc := "UNKNOWN", err.Error()
	var ue *uv.Error
	if errors.As(err, &ue) {
		name, desc = ue.Name(), ue.Error()
	}
	return &listenError{msg: "listen " + name + ": " + desc + " " + addr.String() + ":" + strconv.Itoa(port), err: err}
}

// listenTCP listens on host:port with a new TCP handle on l, as net.Server does: an empty
// host is "::", dual-stack, falling back to "0.0.0.0" where IPv6 is unavailable. The host
// must be "" or an IP address (see resolveHost). The handle's Data is set to data before it
// listens.
func listenTCP(l *uv.Loop, host string, port, backlog int, ipv6Only bool, data any,
	cb func(*handles.Stream, error)) (*handles.TCP, netip.AddrPort, error) {
	if backlog < 1 {
		backlog = handles.DefaultBacklog
	}
	try := func(a netip.Addr) (*handles.TCP, error) {
		t, err := handles.NewTCP(l)
		if err != nil {
			return nil, err
		}
		t.Data = data
		flags := 0
		if ipv6Only && a.Is6() {
			flags = handles.TCPIPv6Only
		}
		err = t.Bind(netip.AddrPortFrom(a, uint16(port)), flags)
		if err == nil {
			err = t.Listen(backlog, cb)
		}
		if err != nil {
			t.Close(nil)
			return nil, err
		}
		return t, nil
	}
	var a netip.Addr
	var t *handles.TCP
	var err error
	if host == "" {
		a = netip.IPv6Unspecified()
		if t, err = try(a); err != nil {
			a = netip.IPv4Unspecified()
			t, err = try(a)
		}
	} else {
		if a, err = netip.ParseAddr(host); err != nil {
			return nil, netip.AddrPort{}, uv.EINVAL
		}
		t, err = try(a)
	}
	if err != nil {
		return nil, netip.AddrPort{}, newListenError(err, a, port)
	}
	ap, err := t.Sockname()
	if err != nil {
		t.Close(nil)
		return nil, netip.AddrPort{}, err
	}
	return t, ap, nil
}
