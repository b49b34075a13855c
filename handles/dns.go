package handles

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/threadpool"
)

// DNS requests (libuv's uv_getaddrinfo and uv_getnameinfo). They run on the threadpool's
// slow-I/O lane, where libuv calls the C library's getaddrinfo; uv-go resolves with Go's
// resolver (net.DefaultResolver: /etc/hosts, then DNS, as /etc/nsswitch.conf orders them)
// and reports failures with libuv's EAI_* codes. Numeric addresses, numeric services and the
// special names of RFC 6761 ("localhost" and names under it, which map to the loopback
// addresses; names under "invalid", which never exist) are answered without a query.

// Address-info flags for AddrInfoHints.Flags. libuv hands the system's AI_* values to the C
// library; uv-go resolves names itself and defines them once, with Linux's values.
const (
	// AIPassive: with no node, return the wildcard addresses (for bind) instead of the
	// loopback addresses.
	AIPassive = 0x1
	// AICanonName: put the node's canonical name in the first result's CanonName.
	AICanonName = 0x2
	// AINumericHost: the node must be a numeric address; no name is looked up.
	AINumericHost = 0x4
	// AIV4Mapped: with Family DomainInet6, return IPv4 addresses as IPv4-mapped IPv6
	// addresses when there are no IPv6 ones.
	AIV4Mapped = 0x8
	// AIAll: with AIV4Mapped, return the IPv6 and the mapped IPv4 addresses.
	AIAll = 0x10
	// AIAddrConfig: return IPv4 (IPv6) addresses only if the host has a non-loopback IPv4
	// (IPv6) address configured.
	AIAddrConfig = 0x20
	// AINumericServ: the service must be a port number; no service name is looked up.
	AINumericServ = 0x400

	aiKnown = AIPassive | AICanonName | AINumericHost | AIV4Mapped | AIAll | AIAddrConfig | AINumericServ
)

// Name-info flags for GetNameInfo, with Linux's values.
const (
	// NINumericHost: return the address in numeric form, with no lookup.
	NINumericHost = 0x1
	// NINumericServ: return the port in numeric form, with no lookup.
	NINumericServ = 0x2
	// NINoFQDN: return only the host part of names in the local host's domain.
	NINoFQDN = 0x4
	// NINameReqd: fail with EAI_NONAME when the address has no name, instead of returning
	// its numeric form.
	NINameReqd = 0x8
	// NIDgram: look the port up as a UDP service (TCP otherwise).
	NIDgram = 0x10

	niKnown = NINumericHost | NINumericServ | NINoFQDN | NINameReqd | NIDgram
)

// Socket types and protocols of AddrInfoHints and AddrInfo, with the values the C library
// uses (0 means any).
const (
	SockTypeStream = 1
	SockTypeDgram  = 2
	SockTypeRaw    = 3

	ProtoTCP = 6
	ProtoUDP = 17
)

// AddrInfoHints narrows a GetAddrInfo lookup (the C library's struct addrinfo hints).
type AddrInfoHints struct {
	Flags    int       // AI* flags
	Family   uv.Domain // DomainUnspec, DomainInet or DomainInet6 (others: EAI_FAMILY)
	SockType int       // 0 (any) or SockType*
	Protocol int       // 0 (any), ProtoTCP or ProtoUDP (any protocol with SockTypeRaw)
}

// AddrInfo is one GetAddrInfo result: an address with the socket type and protocol to use
// it with (the C library's struct addrinfo).
type AddrInfo struct {
	Family    uv.Domain
	SockType  int
	Protocol  int
	Addr      netip.AddrPort
	CanonName string // the first result's, with AICanonName
}

// GetAddrInfoReq is a getaddrinfo request (libuv's uv_getaddrinfo_t). Declare or embed it;
// it may be reused once its callback has run.
type GetAddrInfoReq struct {
	work    uv.WorkReq
	cb      func(req *GetAddrInfoReq, err error, res []AddrInfo)
	node    string
	service string
	hints   AddrInfoHints
	res     []AddrInfo
	err     error
	runFn   func()
	doneFn  func(error)

	// Data is free for the user.
	Data any
}

// GetAddrInfo resolves node and service to socket addresses (libuv's uv_getaddrinfo). An
// empty node or service means none (libuv's NULL); one of them is required. hints may be
// nil. The lookup runs on the threadpool and cb runs on the loop with the results, or with
// an EAI_* error (EAI_NONAME for an unknown host, EAI_SERVICE for an unknown service,
// EAI_FAMILY, EAI_SOCKTYPE, EAI_BADFLAGS for bad hints, EAI_AGAIN when the name servers
// could not be reached, EAI_CANCELED after a successful Cancel). With a nil cb the lookup
// runs now, on the calling goroutine, and its error is returned; l may then be nil and
// Result has the addresses. As in libuv, a non-ASCII node is converted to its IDNA ASCII
// form first (EINVAL for invalid UTF-8 or a name longer than 255 bytes). GetAddrInfo returns
// EINVAL for a nil req, no node nor service, a nil loop with a cb, or a req still in flight.
func GetAddrInfo(l *uv.Loop, req *GetAddrInfoReq, cb func(req *GetAddrInfoReq, err error, res []AddrInfo), node, service string, hints *AddrInfoHints) error {
	if req == nil || (node == "" && service == "") || (l == nil && cb != nil) || req.work.Busy() {
		return uv.EINVAL
	}
	if node != "" {
		ascii, err := idnaToASCII(node)
		if err != nil {
			return err
		}
		node = ascii
	}
	req.cb, req.node, req.service, req.res, req.err = cb, node, service, nil, nil
	req.hints = AddrInfoHints{}
	if hints != nil {
		req.hints = *hints
	}
	if req.runFn == nil {
		req.runFn, req.doneFn = req.run, req.done
	}
	if cb == nil {
		req.run()
		return req.err
	}
	return req.work.Submit(l, threadpool.SlowIO, req.runFn, req.doneFn)
}

// Result returns the addresses of the last lookup (after a synchronous GetAddrInfo, or in
// the callback).
func (r *GetAddrInfoReq) Result() []AddrInfo { return r.res }

// Cancel cancels the request while it waits in the threadpool's queue (libuv's uv_cancel):
// its callback then gets EAI_CANCELED and no results. A lookup already running or done
// cannot be cancelled: EBUSY. A request never submitted: EINVAL.
func (r *GetAddrInfoReq) Cancel() error { return r.work.Cancel() }

// Type returns uv.TypeGetAddrInfo.
func (r *GetAddrInfoReq) Type() uv.ReqType { return uv.TypeGetAddrInfo }

func (r *GetAddrInfoReq) run() {
	r.res, r.err = resolveAddrInfo(r.node, r.service, &r.hints)
}

func (r *GetAddrInfoReq) done(err error) {
	if err == uv.ECANCELED {
		r.res, r.err = nil, uv.EAI_CANCELED
	}
	if r.cb != nil {
		r.cb(r, r.err, r.res)
	}
}

// GetNameInfoReq is a getnameinfo request (libuv's uv_getnameinfo_t). Declare or embed it;
// it may be reused once its callback has run.
type GetNameInfoReq struct {
	work   uv.WorkReq
	cb     func(req *GetNameInfoReq, err error, host, service string)
	addr   netip.AddrPort
	flags  int
	err    error
	runFn  func()
	doneFn func(error)

	// Host and Service are the results (libuv's req->host and req->service).
	Host    string
	Service string

	// Data is free for the user.
	Data any
}

// GetNameInfo looks up the host name and service name of addr (libuv's uv_getnameinfo).
// flags holds NI* flags. The lookup runs on the threadpool; cb runs on the loop with the
// names, or with an EAI_* error and empty names (EAI_NONAME with NINameReqd for an address
// without a name, EAI_CANCELED after a successful Cancel). An address with no name gives its
// numeric form, and a port with no service name its number, as the C library does. With a
// nil cb the lookup runs now, its error is returned, the names are in Host and Service, and
// l may be nil. It returns EINVAL for a nil req, an invalid address, a nil loop with a cb,
// or a req still in flight.
func GetNameInfo(l *uv.Loop, req *GetNameInfoReq, cb func(req *GetNameInfoReq, err error, host, service string), addr netip.AddrPort, flags int) error {
	if req == nil || !addr.Addr().IsValid() || (l == nil && cb != nil) || req.work.Busy() {
		return uv.EINVAL
	}
	req.cb, req.addr, req.flags, req.err = cb, addr, flags, nil
	req.Host, req.Service = "", ""
	if req.runFn == nil {
		req.runFn, req.doneFn = req.run, req.done
	}
	if cb == nil {
		req.run()
		return req.err
	}
	return req.work.Submit(l, threadpool.SlowIO, req.runFn, req.doneFn)
}

// Cancel cancels the request while it waits in the threadpool's queue (libuv's uv_cancel):
// its callback then gets EAI_CANCELED and empty names. A lookup already running or done
// cannot be cancelled: EBUSY. A request never submitted: EINVAL.
func (r *GetNameInfoReq) Cancel() error { return r.work.Cancel() }

// Type returns uv.TypeGetNameInfo.
func (r *GetNameInfoReq) Type() uv.ReqType { return uv.TypeGetNameInfo }

func (r *GetNameInfoReq) run() {
	r.Host, r.Service, r.err = resolveNameInfo(r.addr, r.flags)
	if r.err != nil {
		r.Host, r.Service = "", ""
	}
}

func (r *GetNameInfoReq) done(err error) {
	if err == uv.ECANCELED {
		r.err, r.Host, r.Service = uv.EAI_CANCELED, "", ""
	}
	if r.cb != nil {
		r.cb(r, r.err, r.Host, r.Service)
	}
}

// sockProto is one socket type the C library's getaddrinfo returns results for.
type sockProto struct {
	sockType, proto int
	port            uint16
}

// resolveAddrInfo is getaddrinfo: validate the hints, resolve the service for each socket
// type it exists for, resolve the node, and return every address with every socket type.
func resolveAddrInfo(node, service string, h *AddrInfoHints) ([]AddrInfo, error) {
	if h.Flags&^aiKnown != 0 || (h.Flags&AICanonName != 0 && node == "") {
		return nil, uv.EAI_BADFLAGS
	}
	if h.Family != uv.DomainUnspec && h.Family != uv.DomainInet && h.Family != uv.DomainInet6 {
		return nil, uv.EAI_FAMILY
	}
	types, err := resolveService(service, h)
	if err != nil {
		return nil, err
	}
	addrs, canon, err := resolveNode(node, h)
	if err != nil {
		return nil, err
	}
	res := make([]AddrInfo, 0, len(addrs)*len(types))
	for _, a := range addrs {
		fam := uv.DomainInet6
		if a.Is4() {
			fam = uv.DomainInet
		}
		for _, t := range types {
			res = append(res, AddrInfo{Family: fam, SockType: t.sockType, Protocol: t.proto, Addr: netip.AddrPortFrom(a, t.port)})
		}
	}
	if h.Flags&AICanonName != 0 && len(res) > 0 {
		res[0].CanonName = canon
	}
	return res, nil
}

// resolveService picks the socket types the hints allow and the service's port for each:
// a numeric service applies to all (but a raw socket takes no service), a named one to the
// types /etc/services lists it for.
func resolveService(service string, h *AddrInfoHints) ([]sockProto, error) {
	all := [...]sockProto{{SockTypeStream, ProtoTCP, 0}, {SockTypeDgram, ProtoUDP, 0}, {SockTypeRaw, 0, 0}}
	types := make([]sockProto, 0, len(all))
	for _, t := range all {
		if h.SockType != 0 && t.sockType != h.SockType {
			continue
		}
		if h.Protocol != 0 {
			// A raw socket takes any protocol, but only if no other type claims it.
			if t.sockType == SockTypeRaw && (h.SockType == SockTypeRaw || len(types) == 0) {
				t.proto = h.Protocol
			} else if t.proto != h.Protocol {
				continue
			}
		}
		types = append(types, t)
	}
	if len(types) == 0 {
		if h.SockType != 0 {
			return nil, uv.EAI_SOCKTYPE
		}
		return nil, uv.EAI_SERVICE
	}
	if service == "" {
		return types, nil
	}
	if port, ok := numericPort(service); ok {
		if h.SockType == SockTypeRaw {
			return nil, uv.EAI_SERVICE
		}
		for i := range types {
			types[i].port = port
		}
		return types, nil
	}
	if h.Flags&AINumericServ != 0 {
		return nil, uv.EAI_NONAME
	}
	kept := types[:0]
	for _, t := range types {
		network := "tcp"
		switch t.sockType {
		case SockTypeRaw:
			continue
		case SockTypeDgram:
			network = "udp"
		}
		p, err := net.DefaultResolver.LookupPort(context.Background(), network, service)
		if err != nil || p < 0 || p > 65535 {
			continue
		}
		t.port = uint16(p)
		kept = append(kept, t)
	}
	if len(kept) == 0 {
		return nil, uv.EAI_SERVICE
	}
	return kept, nil
}

// numericPort parses a decimal service; as the C library, it keeps the low 16 bits.
func numericPort(s string) (uint16, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		n &= 0xffffffff
	}
	return uint16(n), true
}

// resolveNode returns the node's addresses, filtered and mapped as the hints ask, and its
// canonical name.
func resolveNode(node string, h *AddrInfoHints) ([]netip.Addr, string, error) {
	fam := h.Family
	if node == "" {
		v4, v6 := netip.IPv4Unspecified(), netip.IPv6Unspecified()
		list := []netip.Addr{v4, v6} // the C library's order
		if h.Flags&AIPassive == 0 {
			v4, v6 = netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()
			list = []netip.Addr{v6, v4}
		}
		return filterFamily(list, fam, h.Flags), "", nil
	}
	if a, ok := parseNumericHost(node); ok {
		switch {
		case fam == uv.DomainInet && !a.Is4():
			return nil, "", uv.EAI_ADDRFAMILY
		case fam == uv.DomainInet6 && a.Is4():
			if h.Flags&AIV4Mapped == 0 {
				return nil, "", uv.EAI_ADDRFAMILY
			}
			a = netip.AddrFrom16(a.As16())
		}
		return []netip.Addr{a}, node, nil
	}
	if h.Flags&AINumericHost != 0 {
		return nil, "", uv.EAI_NONAME
	}
	name := strings.TrimSuffix(node, ".")
	if isInvalidName(name) {
		return nil, "", uv.EAI_NONAME
	}
	ctx := context.Background()
	var (
		addrs []netip.Addr
		err   error
		canon = name
	)
	if isLocalhostName(name) {
		// RFC 6761: the hosts file may name the loopback addresses; nothing else is asked.
		addrs, err = hostsOnly.LookupNetIP(ctx, "ip", name)
		if err != nil || len(addrs) == 0 {
			addrs = []netip.Addr{netip.IPv6Loopback(), netip.AddrFrom4([4]byte{127, 0, 0, 1})}
		}
		err = nil
	} else {
		network := "ip"
		if fam == uv.DomainInet {
			network = "ip4"
		} else if fam == uv.DomainInet6 && h.Flags&AIV4Mapped == 0 {
			network = "ip6"
		}
		addrs, err = net.DefaultResolver.LookupNetIP(ctx, network, name)
		if err != nil {
			return nil, "", resolverError(err)
		}
		if h.Flags&AICanonName != 0 {
			if c, err := net.DefaultResolver.LookupCNAME(ctx, name); err == nil && c != "" {
				canon = strings.TrimSuffix(c, ".")
			}
		}
	}
	for i, a := range addrs {
		if a.Is4In6() {
			addrs[i] = a.Unmap()
		}
	}
	addrs = filterFamily(addrs, fam, h.Flags)
	if h.Flags&AIAddrConfig != 0 {
		addrs = filterConfigured(addrs)
	}
	if len(addrs) == 0 {
		return nil, "", uv.EAI_NONAME
	}
	return addrs, canon, nil
}

// filterFamily keeps the addresses of the wanted family; with DomainInet6 and AIV4Mapped,
// IPv4 addresses come mapped when there is no IPv6 one, or always with AIAll.
func filterFamily(addrs []netip.Addr, fam uv.Domain, flags int) []netip.Addr {
	if fam == uv.DomainUnspec {
		return addrs
	}
	var v4, v6 []netip.Addr
	for _, a := range addrs {
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	if fam == uv.DomainInet {
		return v4
	}
	if flags&AIV4Mapped != 0 && (len(v6) == 0 || flags&AIAll != 0) {
		for _, a := range v4 {
			v6 = append(v6, netip.AddrFrom16(a.As16()))
		}
	}
	return v6
}

// filterConfigured drops the families the host has no non-loopback address of, when it
// can tell.
func filterConfigured(addrs []netip.Addr) []netip.Addr {
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return addrs
	}
	var has4, has6 bool
	for _, ia := range ifaddrs {
		p, err := netip.ParsePrefix(ia.String())
		if err != nil || p.Addr().IsLoopback() {
			continue
		}
		if p.Addr().Is4() {
			has4 = true
		} else {
			has6 = true
		}
	}
	if !has4 && !has6 {
		return addrs
	}
	kept := addrs[:0]
	for _, a := range addrs {
		if (a.Is4() || a.Is4In6()) && has4 || !(a.Is4() || a.Is4In6()) && has6 {
			kept = append(kept, a)
		}
	}
	return kept
}

// parseNumericHost parses an IPv4 or IPv6 address, including the short and non-decimal IPv4
// forms the C library's inet_aton accepts ("127.1", "0x7f.0.0.1").
func parseNumericHost(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var vals [4]uint64
	for i, p := range parts {
		v, ok := parseAtonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	n := len(parts)
	for i := 0; i < n-1; i++ {
		if vals[i] > 0xff {
			return netip.Addr{}, false
		}
	}
	last := vals[n-1]
	if last >= 1<<(8*uint(5-n)) {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i := 0; i < n-1; i++ {
		b[i] = byte(vals[i])
	}
	for i := 3; i >= n-1; i-- {
		b[i] = byte(last)
		last >>= 8
	}
	return netip.AddrFrom4(b), true
}

func parseAtonPart(p string) (uint64, bool) {
	base := uint64(10)
	switch {
	case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		var d uint64
		c := p[i]
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		v = v*base + d
		if v > 0xffffffff {
			return 0, false
		}
	}
	return v, true
}

// isLocalhostName reports a name of RFC 6761's "localhost." domain.
func isLocalhostName(name string) bool {
	return strings.EqualFold(name, "localhost") || hasSuffixFold(name, ".localhost")
}

// isInvalidName reports a name of RFC 6761's "invalid." domain, which never resolves.
func isInvalidName(name string) bool {
	return strings.EqualFold(name, "invalid") || hasSuffixFold(name, ".invalid")
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// errNoQuery refuses the name-server connections of hostsOnly.
var errNoQuery = errors.New("uv: no name-server query for this name")

// hostsOnly is a resolver that reads the hosts file and never asks a name server: for the
// loopback names and addresses, which must resolve without a network.
var hostsOnly = &net.Resolver{
	PreferGo: true,
	Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errNoQuery
	},
}

// resolverError maps an error of Go's resolver to libuv's EAI_* code.
func resolverError(err error) error {
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return uv.EAI_NONAME
		case de.IsTimeout, de.IsTemporary:
			return uv.EAI_AGAIN
		}
		return uv.EAI_FAIL
	}
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return uv.EAI_NONAME
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return uv.EAI_AGAIN
	}
	return uv.EAI_FAIL
}

// resolveNameInfo is getnameinfo.
func resolveNameInfo(ap netip.AddrPort, flags int) (host, service string, err error) {
	if flags&^niKnown != 0 {
		return "", "", uv.EAI_BADFLAGS
	}
	a := ap.Addr()
	if flags&NINumericHost != 0 {
		host = a.String()
	} else {
		r := net.DefaultResolver
		if a.Unmap().IsLoopback() {
			r = hostsOnly
		}
		names, lerr := r.LookupAddr(context.Background(), a.String())
		switch {
		case lerr == nil && len(names) > 0:
			host = strings.TrimSuffix(names[0], ".")
			if flags&NINoFQDN != 0 {
				host = trimLocalDomain(host)
			}
		case lerr != nil && r != hostsOnly && resolverError(lerr) == uv.EAI_AGAIN:
			return "", "", uv.EAI_AGAIN // as the C library: a failed query is no answer
		case flags&NINameReqd != 0:
			return "", "", uv.EAI_NONAME
		default:
			host = a.String()
		}
	}
	port := int(ap.Port())
	service = strconv.Itoa(port)
	if flags&NINumericServ == 0 {
		proto := "tcp"
		if flags&NIDgram != 0 {
			proto = "udp"
		}
		if name, ok := serviceName(port, proto); ok {
			service = name
		}
	}
	return host, service, nil
}

// trimLocalDomain strips the local host's domain from host (NI_NOFQDN).
func trimLocalDomain(host string) string {
	i := strings.IndexByte(host, '.')
	if i < 0 {
		return host
	}
	me, err := os.Hostname()
	if err != nil {
		return host
	}
	j := strings.IndexByte(me, '.')
	if j >= 0 && strings.EqualFold(host[i:], me[j:]) {
		return host[:i]
	}
	return host
}

// services maps "port/proto" to the first service name the services database gives it
// (getservbyport), read once.
var services struct {
	once  sync.Once
	names map[string]string
}

func serviceName(port int, proto string) (string, bool) {
	services.once.Do(loadServices)
	name, ok := services.names[strconv.Itoa(port)+"/"+proto]
	return name, ok
}

func loadServices() {
	services.names = map[string]string{}
	paths := []string{"/etc/services"}
	if root := os.Getenv("SystemRoot"); root != "" {
		paths = append(paths, filepath.Join(root, "System32", "drivers", "etc", "services"))
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			fields := strings.Fields(line)
			if len(fields) < 2 {
				continue
			}
			if _, dup := services.names[fields[1]]; !dup {
				services.names[fields[1]] = fields[0]
			}
		}
		f.Close()
		return
	}
}

// idnaToASCII converts a host name to its IDNA ASCII form as libuv does before calling
// getaddrinfo: labels (separated by "." or the ideographic and full-width full stops) with
// non-ASCII characters become "xn--" and their Punycode (RFC 3492); ASCII labels are kept
// as they are. Invalid UTF-8 and results longer than 255 bytes give EINVAL.
func idnaToASCII(s string) (string, error) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		if len(s) > 255 {
			return "", uv.EINVAL
		}
		return s, nil
	}
	if !utf8.ValidString(s) {
		return "", uv.EINVAL
	}
	var b strings.Builder
	label := make([]rune, 0, 64)
	flush := func() error {
		if err := punycodeLabel(&b, label); err != nil {
			return err
		}
		label = label[:0]
		return nil
	}
	for _, r := range s {
		switch r {
		case '.', '\u3002', '\uff0e', '\uff61':
			if err := flush(); err != nil {
				return "", err
			}
			b.WriteByte('.')
		default:
			label = append(label, r)
		}
	}
	if err := flush(); err != nil {
		return "", err
	}
	if b.Len() > 255 {
		return "", uv.EINVAL
	}
	return b.String(), nil
}

// punycodeLabel writes one label: as it is if all ASCII, else "xn--" and its Punycode.
func punycodeLabel(b *strings.Builder, label []rune) error {
	basic := 0
	for _, r := range label {
		if r < 0x80 {
			basic++
		}
	}
	if basic == len(label) {
		for _, r := range label {
			b.WriteByte(byte(r))
		}
		return nil
	}
	const (
		base        = 36
		tmin, tmax  = 1, 26
		skew, damp  = 38, 700
		initialBias = 72
		initialN    = 128
	)
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	adapt := func(delta, points int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / points
		k := 0
		for delta > (base-tmin)*tmax/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	b.WriteString("xn--")
	for _, r := range label {
		if r < 0x80 {
			b.WriteByte(byte(r))
		}
	}
	if basic > 0 {
		b.WriteByte('-')
	}
	n, delta, bias, h := initialN, 0, initialBias, basic
	for h < len(label) {
		m := int(^uint32(0) >> 1)
		for _, r := range label {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if (m - n) > (1<<31-1-delta)/(h+1) {
			return uv.EINVAL // overflow
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range label {
			c := int(r)
			if c < n {
				delta++
			}
			if c != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := k - bias
				if t < tmin {
					t = tmin
				} else if t > tmax {
					t = tmax
				}
				if q < t {
					break
				}
				b.WriteByte(digit(t + (q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			b.WriteByte(digit(q))
			bias = adapt(delta, h+1, h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return nil
}
