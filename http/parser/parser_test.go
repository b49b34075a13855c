package parser

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type tcase struct {
	name string
	mode Mode
	cfg  Config // Mode is taken from mode
	in   string
	err  *Error // nil: valid
	// at is the offset of the offending byte for err (-1: not checked);
	// for valid cases, the expected number of messages completed.
	at   int
	want []string // if set, events that must appear in order
}

const host = "Host: a\r\n"

var requestCases = []tcase{
	// Valid requests.
	{name: "simple get", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", at: 1, want: []string{
		"begin", `method GET`, `target "/"`, "version 1.1", `header "Host": "a"`,
		`headers-complete m=GET v=1.1 st=0 fl=0x1 cl=-1 [Host=a] target="/"`, "complete"}},
	{name: "wrk plaintext", in: wrkRequest, at: 1},
	{name: "browser get", in: browserRequest, at: 1},
	{name: "http/1.0 close", in: "GET / HTTP/1.0\r\n\r\n", at: 1, want: []string{"headers-complete m=GET v=1.0 st=0 fl=0x0 cl=-1 [] target=\"/\""}},
	{name: "http/1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", at: 1, want: []string{"fl=0x1 "}},
	{name: "http/1.0 keep-alive in list", in: "GET / HTTP/1.0\r\nConnection: foo, Keep-Alive \r\n\r\n", at: 1, want: []string{"fl=0x1 "}},
	{name: "http/1.0 keep-alive and close", in: "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", at: 1, want: []string{"fl=0x80 "}},
	{name: "http/1.1 close", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", at: 1, want: []string{"fl=0x80 "}},
	{name: "connection closer is not close", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: closer\r\n\r\n", at: 1, want: []string{"fl=0x1 "}},
	{name: "leading crlf", in: "\r\nGET / HTTP/1.1\r\n" + host + "\r\n", at: 1},
	{name: "crlf between pipelined", in: "GET / HTTP/1.1\r\n" + host + "\r\n\r\nGET / HTTP/1.1\r\n" + host + "\r\n", at: 2},
	{name: "crlf after close", in: "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n\r\n", at: 1},
	{name: "host without space", in: "GET / HTTP/1.1\r\nHost:a\r\n\r\n", at: 1, want: []string{`header "Host": "a"`}},
	{name: "value ows trimmed", in: "GET / HTTP/1.1\r\nHost: \t a \t \r\nX:  b c\t\r\n\r\n", at: 1, want: []string{`header "Host": "a"`, `header "X": "b c"`}},
	{name: "empty value", in: "GET / HTTP/1.1\r\n" + host + "X:\r\nY: \r\n\r\n", at: 1, want: []string{`header "X": ""`, `header "Y": ""`}},
	{name: "obs-text in value", in: "GET / HTTP/1.1\r\n" + host + "X: \x80caf\xe9\xff\r\n\r\n", at: 1, want: []string{`header "X": "\x80caf\xe9\xff"`}},
	{name: "tab in value", in: "GET / HTTP/1.1\r\n" + host + "X: a\tb\r\n\r\n", at: 1, want: []string{`header "X": "a\tb"`}},
	{name: "all tchars in name", in: "GET / HTTP/1.1\r\n" + host + "X-!#$%&'*+-.^_`|~09az: a\r\n\r\n", at: 1},
	{name: "content-length body", in: "POST /p HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello", at: 1, want: []string{
		"fl=0x5 cl=5", "body hello", "complete"}},
	{name: "content-length leading zeros and ows", in: "POST / HTTP/1.1\r\n" + host + "Content-Length:  003 \r\n\r\nabc", at: 1, want: []string{"cl=3", "body abc"}},
	{name: "content-length zero", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", at: 1},
	{name: "chunked", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", at: 1, want: []string{
		"fl=0x203 cl=-1", "chunk 5", "body hello", "chunk-complete", "chunk 6", "body  world", "chunk-complete", "chunk 0", "complete"}},
	{name: "chunked with extensions and trailers", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" +
		"3;a=b;c;d=\"x\\\"y z\"\r\nabc\r\nA;n=1\r\n0123456789\r\n0;last\r\nExpires: never\r\nX-Sum:  42 \r\n\r\n", at: 1, want: []string{
		`ext "a"="b"`, `ext "c"=""`, `ext "d"="x\"y z"`, "chunk 3", "body abc", `ext "n"="1"`, "chunk 10", "body 0123456789",
		`ext "last"=""`, "chunk 0", `trailer "Expires": "never"`, `trailer "X-Sum": "42"`, "complete"}},
	{name: "chunk size upper hex and leading zeros", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n00000A\r\n0123456789\r\n0\r\n\r\n", at: 1, want: []string{"chunk 10"}},
	{name: "chunked, case and codings", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, CHUNKED\r\n\r\n0\r\n\r\n", at: 1},
	{name: "chunked over two headers", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", at: 1},
	{name: "chunked empty list elements", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n", at: 1},
	{name: "max chunk size digits", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nabc", at: 0, want: []string{"chunk 1152921504606846975", "body abc"}},
	{name: "pipelined three", in: strings.Repeat(wrkRequest, 3), at: 3},
	{name: "pipelined body then get", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n" + host + "\r\n", at: 2},
	{name: "pipelined chunked then get", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n" + host + "\r\n", at: 2},
	{name: "expect continue", in: "POST / HTTP/1.1\r\n" + host + "Expect: 100-Continue\r\nContent-Length: 1\r\n\r\nx", at: 1, want: []string{"fl=0x65 "}},
	{name: "expect other", in: "POST / HTTP/1.1\r\n" + host + "Expect: fancy\r\n\r\n", at: 1, want: []string{"fl=0x41 "}},
	{name: "expect ignored in 1.0", in: "POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", at: 1, want: []string{"fl=0x0 "}},
	{name: "absolute form", in: "GET http://a.b:80/c?d#e HTTP/1.1\r\n" + host + "\r\n", at: 1},
	{name: "absolute form userinfo ipv6", in: "GET https://u@[::1]:8443/x HTTP/1.1\r\n" + host + "\r\n", at: 1},
	{name: "absolute form scheme chars", in: "GET coap+tcp.v-2://h/ HTTP/1.1\r\n" + host + "\r\n", at: 1},
	{name: "target with query and odd chars", in: "GET /a\"<>\\^`{|}?q=1&r=%20 HTTP/1.1\r\n" + host + "\r\n", at: 1},
	{name: "options asterisk", in: "OPTIONS * HTTP/1.1\r\n" + host + "\r\n", at: 1},
	{name: "m-search", in: "M-SEARCH /x HTTP/1.1\r\n" + host + "\r\n", at: 1},
	{name: "every method", in: everyMethod(), at: int(numMethods) - 2},
	{name: "host forms", in: "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\nGET / HTTP/1.1\r\nHost:\r\n\r\nGET / HTTP/1.1\r\nHost: xn--bcher-kva.example_1~!$&'()*+,;=%41\r\n\r\n", at: 3},
	{name: "http/1.0 without host", in: "GET / HTTP/1.0\r\n\r\n", at: 1},
	{name: "upgrade", in: "GET /ws HTTP/1.1\r\n" + host + "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00", err: ErrUpgrade,
		at: len("GET /ws HTTP/1.1\r\n" + host + "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n"), want: []string{"fl=0x111 ", "complete"}},
	{name: "upgrade header without connection token", in: "GET / HTTP/1.1\r\n" + host + "Upgrade: websocket\r\n\r\n", at: 1, want: []string{"fl=0x1 "}},
	{name: "upgrade after body", in: "POST / HTTP/1.1\r\n" + host + "Connection: upgrade\r\nUpgrade: x\r\nContent-Length: 2\r\n\r\nabXYZ", err: ErrUpgrade,
		at: len("POST / HTTP/1.1\r\n" + host + "Connection: upgrade\r\nUpgrade: x\r\nContent-Length: 2\r\n\r\nab"), want: []string{"body ab", "complete"}},
	{name: "connect", in: "CONNECT a.b:443 HTTP/1.1\r\nHost: a.b:443\r\n\r\nTLS", err: ErrUpgrade, at: len("CONNECT a.b:443 HTTP/1.1\r\nHost: a.b:443\r\n\r\n")},
	{name: "connect ipv6", in: "CONNECT [::1]:443 HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrUpgrade, at: len("CONNECT [::1]:443 HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "connect ignores content-length", in: "CONNECT a:1 HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nXY", err: ErrUpgrade, at: len("CONNECT a:1 HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\n")},

	// Request line.
	{name: "lowercase method", in: "get / HTTP/1.1\r\n" + host + "\r\n", err: ErrUnknownMethod, at: 0},
	{name: "unknown method", in: "FOO / HTTP/1.1\r\n" + host + "\r\n", err: ErrUnknownMethod, at: 0},
	{name: "rtsp method", in: "DESCRIBE / HTTP/1.1\r\n" + host + "\r\n", err: ErrUnknownMethod, at: 2},
	{name: "h2 preface", in: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", err: ErrUnknownMethod, at: 2},
	{name: "overlong method", in: "UNSUBSCRIBEX / HTTP/1.1\r\n" + host + "\r\n", err: ErrUnknownMethod, at: 11},
	{name: "prefix of a method", in: "GE / HTTP/1.1\r\n" + host + "\r\n", err: ErrUnknownMethod, at: 2},
	{name: "body taken as method", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabcdef", err: ErrUnknownMethod, at: 50},
	{name: "nul in method", in: "GE\x00T / HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidMethod, at: 2},
	{name: "empty method", in: " / HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidMethod, at: 0},
	{name: "tab after method", in: "GET\t/ HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidMethod, at: 3},
	{name: "two leading crlf", in: "\r\n\r\nGET / HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidMethod, at: 2},
	{name: "leading bare lf", in: "\nGET / HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidMethod, at: 0},
	{name: "leading bare cr", in: "\rGET / HTTP/1.1\r\n" + host + "\r\n", err: ErrBareCR, at: 1},
	{name: "double space before target", in: "GET  / HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 4},
	{name: "double space after target", in: "GET /  HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidVersion, at: 6},
	{name: "relative target", in: "GET foo HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 7},
	{name: "asterisk with get", in: "GET * HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 5},
	{name: "asterisk suffix", in: "OPTIONS *x HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 10},
	{name: "scheme without slashes", in: "GET http:/x HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 11},
	{name: "bad authority char", in: "GET http://a\"b/ HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 15},
	{name: "authority form without connect", in: "GET a.b:443 HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 11},
	{name: "connect origin form", in: "CONNECT /x HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 10},
	{name: "connect without port", in: "CONNECT a HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 9},
	{name: "connect empty port", in: "CONNECT a: HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 10},
	{name: "connect userinfo", in: "CONNECT u@a:1 HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 13},
	{name: "control char in target", in: "GET /\x01 HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 5},
	{name: "del in target", in: "GET /\x7f HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 5},
	{name: "high byte in target", in: "GET /caf\xe9 HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 8},
	{name: "tab in target", in: "GET /\t HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 5},
	{name: "nul in target", in: "GET /a\x00b HTTP/1.1\r\n" + host + "\r\n", err: ErrInvalidTarget, at: 6},
	{name: "http/0.9", in: "GET /\r\n\r\n", err: ErrInvalidVersion, at: 5},
	{name: "lowercase version", in: "GET / http/1.1\r\n" + host + "\r\n", err: ErrInvalidVersion, at: 6},
	{name: "rtsp version", in: "GET / RTSP/1.0\r\n" + host + "\r\n", err: ErrInvalidVersion, at: 6},
	{name: "two digit minor", in: "GET / HTTP/1.10\r\n" + host + "\r\n", err: ErrInvalidVersion, at: 14},
	{name: "missing dot", in: "GET / HTTP/11\r\n" + host + "\r\n", err: ErrInvalidVersion, at: 12},
	{name: "space after version", in: "GET / HTTP/1.1 \r\n" + host + "\r\n", err: ErrInvalidVersion, at: 14},
	{name: "version 1.2", in: "GET / HTTP/1.2\r\n" + host + "\r\n", err: ErrUnsupportedVersion, at: 14},
	{name: "version 2.0", in: "GET / HTTP/2.0\r\n" + host + "\r\n", err: ErrUnsupportedVersion, at: 14},
	{name: "version 0.9", in: "GET / HTTP/0.9\r\n" + host + "\r\n", err: ErrUnsupportedVersion, at: 14},
	{name: "version 3.0", in: "GET / HTTP/3.0\r\n\r\n", err: ErrUnsupportedVersion, at: 14},
	{name: "bare lf after request line", in: "GET / HTTP/1.1\nHost: a\n\n", err: ErrInvalidVersion, at: 14},
	{name: "bare cr after request line", in: "GET / HTTP/1.1\rHost: a\r\n\r\n", err: ErrBareCR, at: 15},

	// Header lines.
	{name: "space before colon", in: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", err: ErrInvalidHeaderName, at: 20},
	{name: "empty header name", in: "GET / HTTP/1.1\r\n" + host + ": a\r\n\r\n", err: ErrInvalidHeaderName, at: 25},
	{name: "nul in header name", in: "GET / HTTP/1.1\r\nHo\x00st: a\r\n\r\n", err: ErrInvalidHeaderName, at: 18},
	{name: "paren in header name", in: "GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", err: ErrInvalidHeaderName, at: 18},
	{name: "high byte in header name", in: "GET / HTTP/1.1\r\n" + host + "\xe9: a\r\n\r\n", err: ErrInvalidHeaderName, at: 25},
	{name: "header without colon", in: "GET / HTTP/1.1\r\n" + host + "X\r\n\r\n", err: ErrInvalidHeaderName, at: 26},
	{name: "obs-fold", in: "GET / HTTP/1.1\r\n" + host + "X: a\r\n b\r\n\r\n", err: ErrObsFold, at: 31},
	{name: "obs-fold tab", in: "GET / HTTP/1.1\r\n" + host + "X: a\r\n\tb\r\n\r\n", err: ErrObsFold, at: 31},
	{name: "space after request line", in: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", err: ErrObsFold, at: 16},
	{name: "nul in value", in: "GET / HTTP/1.1\r\nHost: a\x00\r\n\r\n", err: ErrInvalidHeaderValue, at: 23},
	{name: "ctl in value", in: "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", err: ErrInvalidHeaderValue, at: 23},
	{name: "del in value", in: "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", err: ErrInvalidHeaderValue, at: 23},
	{name: "vt in long value", in: "GET / HTTP/1.1\r\n" + host + "X: abcdefghijklmnop\x0bq\r\n\r\n", err: ErrInvalidHeaderValue, at: 44},
	{name: "esc in long value", in: "GET / HTTP/1.1\r\n" + host + "X: abcdefghijklmnopqrstuvw\x1b\r\n\r\n", err: ErrInvalidHeaderValue, at: 51},
	{name: "bare cr in value", in: "GET / HTTP/1.1\r\n" + host + "X: a\rb\r\n\r\n", err: ErrBareCR, at: 30},
	{name: "bare cr in name", in: "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n", err: ErrInvalidHeaderName, at: 18},
	{name: "bare lf after value", in: "GET / HTTP/1.1\r\nHost: a\n\r\n", err: ErrBareLF, at: 23},
	{name: "bare lf line", in: "GET / HTTP/1.1\r\n" + host + "\n", err: ErrBareLF, at: 25},
	{name: "bare cr at end of head", in: "GET / HTTP/1.1\r\n" + host + "\rX", err: ErrBareCR, at: 26},

	// Host.
	{name: "missing host", in: "GET / HTTP/1.1\r\n\r\n", err: ErrMissingHost, at: 17},
	{name: "duplicate host", in: "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", err: ErrDuplicateHost, at: 33},
	{name: "duplicate host 1.0", in: "GET / HTTP/1.0\r\nHost: a\r\nHOST: b\r\n\r\n", err: ErrDuplicateHost, at: 33},
	{name: "host with space", in: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", err: ErrInvalidHost, at: 26},
	{name: "host with slash", in: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", err: ErrInvalidHost, at: 26},
	{name: "host with at", in: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", err: ErrInvalidHost, at: 26},

	// Content-Length.
	{name: "duplicate content-length same", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", err: ErrDuplicateContentLength, at: 63},
	{name: "duplicate content-length differing", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", err: ErrDuplicateContentLength, at: 63},
	{name: "content-length list", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 3, 3\r\n\r\nabc", err: ErrInvalidContentLength, at: 47},
	{name: "content-length plus", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: +3\r\n\r\nabc", err: ErrInvalidContentLength, at: 45},
	{name: "content-length minus", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n", err: ErrInvalidContentLength, at: 45},
	{name: "content-length inner space", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 3 3\r\n\r\nabc", err: ErrInvalidContentLength, at: 46},
	{name: "content-length empty", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: \r\n\r\nabc", err: ErrInvalidContentLength, at: 43},
	{name: "content-length hex", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 0x3\r\n\r\nabc", err: ErrInvalidContentLength, at: 46},
	{name: "content-length overflow", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 9223372036854775808\r\n\r\n", err: ErrInvalidContentLength, at: 62},
	{name: "content-length with chunked", in: "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", err: ErrContentLengthWithTE, at: 72},
	{name: "chunked with content-length", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n", err: ErrContentLengthWithTE, at: 72},
	{name: "gzip with content-length", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", err: ErrContentLengthWithTE, at: 69},

	// Transfer-Encoding.
	{name: "chunked not last", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, gzip\r\n\r\n", err: ErrInvalidTransferEncoding, at: 59},
	{name: "chunked twice", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, chunked\r\n\r\n", err: ErrInvalidTransferEncoding, at: 62},
	{name: "chunked then gzip header", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", err: ErrInvalidTransferEncoding, at: 78},
	{name: "gzip only", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\nabc", err: ErrInvalidTransferEncoding, at: 52},
	{name: "xchunked", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: xchunked\r\n\r\n", err: ErrInvalidTransferEncoding, at: 56},
	{name: "chunked with parameter", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked;q=1\r\n\r\n", err: ErrInvalidTransferEncoding, at: 59},
	{name: "empty transfer-encoding", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: \r\n\r\n", err: ErrInvalidTransferEncoding, at: 48},
	{name: "bad coding token", in: "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: \"gzip\", chunked\r\n\r\n", err: ErrInvalidTransferEncoding, at: 61},
	{name: "transfer-encoding in 1.0", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", err: ErrTransferEncodingHTTP10, at: 46},

	// Chunked framing.
	{name: "chunk size space", in: chunkedHead + "3 \r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkSize, at: len(chunkedHead) + 1},
	{name: "chunk size space before ext", in: chunkedHead + "3 ;a\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkSize, at: len(chunkedHead) + 1},
	{name: "chunk size 0x", in: chunkedHead + "0x3\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkSize, at: len(chunkedHead) + 1},
	{name: "chunk size empty", in: chunkedHead + "\r\n3\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkSize, at: len(chunkedHead)},
	{name: "chunk size negative", in: chunkedHead + "-3\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkSize, at: len(chunkedHead)},
	{name: "chunk size overflow", in: chunkedHead + "10000000000000000\r\n", err: ErrChunkSizeOverflow, at: len(chunkedHead) + 16},
	{name: "chunk size bare lf", in: chunkedHead + "3\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkSize, at: len(chunkedHead) + 1},
	{name: "chunk size bare cr", in: chunkedHead + "3\rabc\r\n0\r\n\r\n", err: ErrBareCR, at: len(chunkedHead) + 2},
	{name: "chunk data overrun", in: chunkedHead + "3\r\nabcX\r\n0\r\n\r\n", err: ErrInvalidChunkData, at: len(chunkedHead) + 6},
	{name: "chunk data bare lf", in: chunkedHead + "3\r\nabc\n0\r\n\r\n", err: ErrInvalidChunkData, at: len(chunkedHead) + 6},
	{name: "chunk data bare cr", in: chunkedHead + "3\r\nabc\rX0\r\n\r\n", err: ErrInvalidChunkData, at: len(chunkedHead) + 7},
	{name: "chunk ext empty", in: chunkedHead + "3;\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkExtension, at: len(chunkedHead) + 2},
	{name: "chunk ext spaces", in: chunkedHead + "3; a=b\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkExtension, at: len(chunkedHead) + 2},
	{name: "chunk ext space in value", in: chunkedHead + "3;a=b c\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkExtension, at: len(chunkedHead) + 5},
	{name: "chunk ext empty value", in: chunkedHead + "3;a=\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkExtension, at: len(chunkedHead) + 4},
	{name: "chunk ext unterminated quote", in: chunkedHead + "3;a=\"b\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkExtension, at: len(chunkedHead) + 6},
	{name: "chunk ext after quote", in: chunkedHead + "3;a=\"b\"c\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkExtension, at: len(chunkedHead) + 7},
	{name: "chunk ext nul", in: chunkedHead + "3;a\x00\r\nabc\r\n0\r\n\r\n", err: ErrInvalidChunkExtension, at: len(chunkedHead) + 3},
	{name: "chunk ext too large", cfg: Config{MaxChunkExtSize: 10}, in: chunkedHead + "1;aaaa=bbbb\r\nx\r\n0;cc\r\n\r\n", err: ErrChunkExtTooLarge, at: len(chunkedHead) + 17},
	{name: "trailer space before colon", in: chunkedHead + "0\r\nT : v\r\n\r\n", err: ErrInvalidHeaderName, at: len(chunkedHead) + 4},
	{name: "trailer obs-fold", in: chunkedHead + "0\r\nT: v\r\n x\r\n\r\n", err: ErrObsFold, at: len(chunkedHead) + 9},
	{name: "trailer bare lf", in: chunkedHead + "0\r\n\n", err: ErrBareLF, at: len(chunkedHead) + 3},
	{name: "content-length trailer", in: chunkedHead + "0\r\nContent-Length: 5\r\n\r\n", err: ErrContentLengthWithTE, at: len(chunkedHead) + 21},
	{name: "transfer-encoding trailer", in: chunkedHead + "0\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrInvalidTransferEncoding, at: len(chunkedHead) + 30},
	{name: "last chunk without final crlf", in: chunkedHead + "0\r\nGET / HTTP/1.1\r\n", err: ErrInvalidHeaderName, at: len(chunkedHead) + 6},

	// Connection close.
	{name: "data after close", in: "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\nGET / HTTP/1.1\r\n" + host + "\r\n", err: ErrDataAfterClose, at: 46},
	{name: "data after 1.0", in: "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n", err: ErrDataAfterClose, at: 18},
}

const chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

// wrkRequest is the request of TechEmpower's plaintext test (wrk -H ...).
const wrkRequest = "GET /plaintext HTTP/1.1\r\n" +
	"Host: localhost:8080\r\n" +
	"Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n" +
	"Connection: keep-alive\r\n\r\n"

const browserRequest = "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n" +
	"Host: www.kittyhell.com\r\n" +
	"User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n" +
	"Accept-Encoding: gzip,deflate\r\n" +
	"Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n" +
	"Keep-Alive: 115\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n\r\n"

// everyMethod is one request per method but CONNECT.
func everyMethod() string {
	var b strings.Builder
	for _, m := range Methods() {
		if m == "CONNECT" {
			continue
		}
		b.WriteString(m + " / HTTP/1.1\r\n" + host + "\r\n")
	}
	return b.String()
}

var responseCases = []tcase{
	{name: "ok with length", in: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab", at: 1, want: []string{
		"begin", "version 1.1", `status 200 "OK"`, `header "Content-Length": "2"`, "st=200 fl=0x5 cl=2", "body ab", "complete"}},
	{name: "body to eof", in: "HTTP/1.1 200 OK\r\n\r\nabcdef", at: 1, want: []string{"fl=0x8 ", "body abcdef", "complete", "eof"}},
	{name: "no reason", in: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", at: 1, want: []string{`status 200 ""`}},
	{name: "empty reason", in: "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", at: 1, want: []string{`status 200 ""`}},
	{name: "reason with tab and obs-text", in: "HTTP/1.1 200 OK\tfine\xe9\r\nContent-Length: 0\r\n\r\n", at: 1},
	{name: "http/1.0 response", in: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", at: 1, want: []string{"fl=0x4 "}},
	{name: "http/1.0 keep-alive response", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\nHTTP/1.0 204 No Content\r\n\r\n", at: 2},
	{name: "204 ignores length", in: "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", at: 2},
	{name: "304 ignores chunked", in: "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", at: 2},
	{name: "100 continue then 200", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", at: 2},
	{name: "103 early hints then 200", in: "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", at: 2},
	{name: "chunked response", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX: y\r\n\r\n", at: 1, want: []string{"body ab", `trailer "X": "y"`}},
	{name: "gzip response runs to eof", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc", at: 1, want: []string{"fl=0x208 ", "body abc", "eof"}},
	{name: "chunked not last response runs to eof", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc", at: 1, want: []string{"fl=0x208 "}},
	{name: "101 switching", in: "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00", err: ErrUpgrade,
		at: len("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")},
	{name: "host not required", in: "HTTP/1.1 200 OK\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n", at: 1},
	{name: "bad status short", in: "HTTP/1.1 20 OK\r\n\r\n", err: ErrInvalidStatus, at: 11},
	{name: "bad status long", in: "HTTP/1.1 2000 OK\r\n\r\n", err: ErrInvalidStatus, at: 12},
	{name: "status below 100", in: "HTTP/1.1 099 OK\r\n\r\n", err: ErrInvalidStatus, at: 12},
	{name: "ctl in reason", in: "HTTP/1.1 200 OK\x01\r\n\r\n", err: ErrInvalidStatus, at: 15},
	{name: "bad response version", in: "HTTP/1.1x200 OK\r\n\r\n", err: ErrInvalidVersion, at: 8},
	{name: "response version 2", in: "HTTP/2.0 200 OK\r\n\r\n", err: ErrUnsupportedVersion, at: 8},
	{name: "response data after close", in: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\nHTTP", err: ErrDataAfterClose, at: 57},
	{name: "response cl with te", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", err: ErrContentLengthWithTE, at: 63},
	{name: "response chunked twice", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", err: ErrInvalidTransferEncoding, at: 53},
}

// runCase parses c.in whole and checks the outcome.
func runCase(t *testing.T, c tcase) result {
	t.Helper()
	cfg := c.cfg
	cfg.Mode = c.mode
	res := feed(cfg, whole([]byte(c.in)), c.mode == ModeResponse && c.err == nil)
	if c.err == nil || c.err == ErrUpgrade {
		if c.err == nil {
			require.NoError(t, res.err, "%s", res)
			assert.Equal(t, c.at, count(res.ev, "complete"), "messages completed\n%s", res)
		} else {
			require.Equal(t, c.err, res.err, "%s", res)
			assert.Equal(t, c.at, res.consumed, "consumed\n%s", res)
		}
	} else {
		require.Equal(t, c.err, res.err, "got %v, want %v\n%s", res.err, c.err, res)
		if c.at >= 0 {
			assert.Equal(t, c.at, res.consumed, "offset of the offending byte %q\n%s", at(c.in, res.consumed), res)
		}
	}
	k := 0
	for _, e := range res.ev {
		if k < len(c.want) && strings.Contains(e, c.want[k]) {
			k++
		}
	}
	if k < len(c.want) {
		t.Errorf("events missing from %q on\n%s", c.want[k:], res)
	}
	return res
}

func at(s string, i int) string {
	if i < len(s) {
		return s[i : i+1]
	}
	return "<end>"
}

func count(ev []string, s string) int {
	n := 0
	for _, e := range ev {
		if e == s {
			n++
		}
	}
	return n
}

func TestRequests(t *testing.T) {
	for _, c := range requestCases {
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

func TestResponses(t *testing.T) {
	for _, c := range responseCases {
		c.mode = ModeResponse
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

// TestStatuses checks the status each rejection answers with.
func TestStatuses(t *testing.T) {
	want := map[*Error]int{
		ErrHeaderOverflow: 431, ErrTargetTooLong: 414, ErrUnsupportedVersion: 505,
		ErrChunkExtTooLarge: 413, ErrMissingHost: 400, ErrDuplicateHost: 400,
		ErrContentLengthWithTE: 400, ErrInvalidTransferEncoding: 400, ErrObsFold: 400,
		ErrBareCR: 400, ErrInvalidHeaderName: 400, ErrInvalidHeaderValue: 400,
		ErrUnknownMethod: 400, ErrInvalidVersion: 400, ErrPause: 0, ErrUpgrade: 0,
	}
	for e, s := range want {
		assert.Equal(t, s, e.Status, e.Code)
	}
	// Every failure is a distinct value with a status.
	all := []*Error{ErrInvalidMethod, ErrUnknownMethod, ErrInvalidTarget, ErrTargetTooLong,
		ErrInvalidVersion, ErrUnsupportedVersion, ErrInvalidStatus, ErrInvalidHeaderName,
		ErrInvalidHeaderValue, ErrObsFold, ErrBareCR, ErrBareLF, ErrHeaderOverflow,
		ErrMissingHost, ErrDuplicateHost, ErrInvalidHost, ErrInvalidContentLength,
		ErrDuplicateContentLength, ErrContentLengthWithTE, ErrInvalidTransferEncoding,
		ErrTransferEncodingHTTP10, ErrInvalidChunkSize, ErrChunkSizeOverflow,
		ErrInvalidChunkExtension, ErrChunkExtTooLarge, ErrInvalidChunkData,
		ErrDataAfterClose, ErrIncomplete}
	seen := map[*Error]bool{}
	for _, e := range all {
		assert.False(t, seen[e])
		seen[e] = true
		assert.GreaterOrEqual(t, e.Status, 400, e.Code)
		assert.True(t, errors.Is(e, e))
		assert.Contains(t, e.Error(), e.Code)
	}
}

func TestHeaderOverflow(t *testing.T) {
	big := strings.Repeat("a", 100)
	t.Run("headers", func(t *testing.T) {
		in := "GET / HTTP/1.1\r\n" + host + strings.Repeat("X-Long: "+big+"\r\n", 200) + "\r\n"
		res := feed(Config{}, whole([]byte(in)), false)
		require.Equal(t, ErrHeaderOverflow, res.err)
		assert.Equal(t, DefaultMaxHeaderSize, res.consumed)
	})
	t.Run("exactly at the limit", func(t *testing.T) {
		in := "GET / HTTP/1.1\r\n" + host + "X: " + big + "\r\n\r\n"
		res := feed(Config{MaxHeaderSize: len(in)}, whole([]byte(in)), false)
		require.NoError(t, res.err)
		res = feed(Config{MaxHeaderSize: len(in) - 1}, whole([]byte(in)), false)
		require.Equal(t, ErrHeaderOverflow, res.err)
		assert.Equal(t, len(in)-1, res.consumed)
	})
	t.Run("target overflowing the header buffer", func(t *testing.T) {
		in := "GET /" + strings.Repeat("x", DefaultMaxHeaderSize) + " HTTP/1.1\r\n" + host + "\r\n"
		res := feed(Config{}, whole([]byte(in)), false)
		require.Equal(t, ErrHeaderOverflow, res.err)
		assert.Equal(t, 431, res.err.(*Error).Status)
	})
	t.Run("target over MaxTargetSize", func(t *testing.T) {
		in := "GET /" + strings.Repeat("x", 100) + " HTTP/1.1\r\n" + host + "\r\n"
		res := feed(Config{MaxTargetSize: 64}, whole([]byte(in)), false)
		require.Equal(t, ErrTargetTooLong, res.err)
		assert.Equal(t, 414, res.err.(*Error).Status)
		assert.Equal(t, 4+64, res.consumed)
		res = feed(Config{MaxTargetSize: 101}, whole([]byte(in)), false)
		require.NoError(t, res.err)
	})
	t.Run("endless whitespace", func(t *testing.T) {
		in := "GET / HTTP/1.1\r\nHost:" + strings.Repeat(" ", 20000)
		res := feed(Config{}, whole([]byte(in)), false)
		require.Equal(t, ErrHeaderOverflow, res.err)
	})
	t.Run("trailers share the budget", func(t *testing.T) {
		in := chunkedHead + "0\r\n" + strings.Repeat("T: "+big+"\r\n", 10) + "\r\n"
		res := feed(Config{MaxHeaderSize: len(chunkedHead) + 500}, whole([]byte(in)), false)
		require.Equal(t, ErrHeaderOverflow, res.err)
		res = feed(Config{MaxHeaderSize: len(chunkedHead) + 2000}, whole([]byte(in)), false)
		require.NoError(t, res.err)
	})
	t.Run("budget resets per message", func(t *testing.T) {
		one := "GET / HTTP/1.1\r\n" + host + "X: " + big + "\r\n\r\n"
		res := feed(Config{MaxHeaderSize: len(one)}, whole([]byte(strings.Repeat(one, 5))), false)
		require.NoError(t, res.err)
		assert.Equal(t, 5, count(res.ev, "complete"))
	})
}

func TestChunkExtensionBudget(t *testing.T) {
	ext := ";" + strings.Repeat("e", 1000)
	var b strings.Builder
	b.WriteString(chunkedHead)
	for i := 0; i < 20; i++ {
		b.WriteString("1" + ext + "\r\nx\r\n")
	}
	b.WriteString("0\r\n\r\n")
	res := feed(Config{}, whole([]byte(b.String())), false)
	require.Equal(t, ErrChunkExtTooLarge, res.err, "%d", res.consumed)
	assert.Equal(t, 413, res.err.(*Error).Status)
	// A large header section leaves less room for one extension.
	in := "POST / HTTP/1.1\r\n" + host + "X: " + strings.Repeat("v", 200) + "\r\nTransfer-Encoding: chunked\r\n\r\n1;" + strings.Repeat("n", 100) + "\r\nx\r\n0\r\n\r\n"
	res = feed(Config{MaxHeaderSize: 300}, whole([]byte(in)), false)
	require.Equal(t, ErrChunkExtTooLarge, res.err)
}

// TestSplitInvariance feeds every case whole, byte by byte and in random
// splits; the Handler calls, the error and its offset must not change.
func TestSplitInvariance(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	check := func(t *testing.T, cfg Config, in []byte, eof bool) {
		ref := feed(cfg, whole(in), eof)
		got := feed(cfg, bytewise(in), eof)
		require.Equal(t, ref, got, "byte by byte\nwhole: %s\nsplit: %s", ref, got)
		for k := 0; k < 20; k++ {
			got := feed(cfg, randomSplit(in, rng), eof)
			require.Equal(t, ref, got, "random split\nwhole: %s\nsplit: %s", ref, got)
		}
		// Pausing after each message must not change anything either.
		rec := &recorder{pauseComplete: true}
		p := New(cfg, rec)
		rec.p = p
		paused := feedParser(p, rec, randomSplit(in, rng), eof)
		var unpaused []string
		for _, e := range paused.ev {
			if !strings.HasPrefix(e, "paused@") {
				unpaused = append(unpaused, e)
			}
		}
		paused.ev = unpaused
		require.Equal(t, ref, paused, "paused at message ends")
	}
	for _, c := range requestCases {
		t.Run(c.name, func(t *testing.T) { check(t, Config{MaxChunkExtSize: c.cfg.MaxChunkExtSize}, []byte(c.in), false) })
	}
	for _, c := range responseCases {
		t.Run("response "+c.name, func(t *testing.T) { check(t, Config{Mode: ModeResponse}, []byte(c.in), true) })
	}
	t.Run("overflow", func(t *testing.T) {
		in := "GET / HTTP/1.1\r\n" + host + strings.Repeat("X-Long: abcdefgh\r\n", 100) + "\r\n"
		check(t, Config{MaxHeaderSize: 1000}, []byte(in), false)
		check(t, Config{MaxHeaderSize: 1000, MaxTargetSize: 10}, []byte("GET /"+strings.Repeat("t", 2000)), false)
	})
}

func TestPipelining(t *testing.T) {
	in := wrkRequest + "POST /a HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc" +
		chunkedHead + "3;x=y\r\ndef\r\n0\r\nT: 1\r\n\r\n" + "\r\n" + // one empty line between requests is fine
		"GET /last HTTP/1.0\r\n\r\n"
	res := feed(Config{}, whole([]byte(in)), false)
	require.NoError(t, res.err, "%s", res)
	assert.Equal(t, 4, count(res.ev, "complete"))
	want := []string{`target "/plaintext"`, "complete", `target "/a"`, "body abc", "complete",
		`ext "x"="y"`, "body def", `trailer "T": "1"`, "complete", `target "/last"`, "complete"}
	k := 0
	for _, e := range res.ev {
		if k < len(want) && strings.Contains(e, want[k]) {
			k++
		}
	}
	assert.Equal(t, len(want), k, "%s", res)

	// The parser is closed after the HTTP/1.0 request.
	rec := &recorder{}
	p := New(Config{}, rec)
	rec.p = p
	n, err := p.Execute([]byte(in))
	require.NoError(t, err)
	require.Equal(t, len(in), n)
	assert.True(t, p.Idle())
	_, err = p.Execute([]byte("GET"))
	assert.Equal(t, ErrDataAfterClose, err)
}

func TestPauseAndResume(t *testing.T) {
	in := []byte(strings.Repeat(wrkRequest, 3))
	rec := &recorder{pauseComplete: true}
	p := New(Config{}, rec)
	rec.p = p
	n, err := p.Execute(in)
	require.Equal(t, ErrPause, err)
	require.Equal(t, len(wrkRequest), n)
	assert.True(t, p.Idle())
	n2, err := p.Execute(in[n:])
	require.Equal(t, ErrPause, err)
	require.Equal(t, len(wrkRequest), n2)
	assert.Nil(t, p.Err())
}

type failing struct {
	NopHandler
	err error
}

func (f *failing) OnHeader(_, _ []byte) error { return f.err }

func TestHandlerError(t *testing.T) {
	boom := errors.New("boom")
	p := New(Config{}, &failing{err: boom})
	n, err := p.Execute([]byte(wrkRequest))
	require.Equal(t, boom, err)
	assert.Equal(t, len(wrkRequest), n, "header calls come once the header section is complete")
	_, err = p.Execute([]byte(wrkRequest))
	assert.Equal(t, boom, err, "the error sticks")
	p.Reset()
	p.SetHandler(nil)
	_, err = p.Execute([]byte(wrkRequest))
	assert.NoError(t, err)
}

func TestUpgradeAndDecline(t *testing.T) {
	req := "GET /chat HTTP/1.1\r\n" + host + "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
	in := []byte(req + wrkRequest)
	p := New(Config{}, nil)
	n, err := p.Execute(in)
	require.Equal(t, ErrUpgrade, err)
	require.Equal(t, len(req), n)
	assert.True(t, p.Upgraded())
	assert.True(t, p.Info().Upgrade())
	n2, err := p.Execute(in[n:])
	assert.Equal(t, 0, n2)
	assert.Equal(t, ErrUpgrade, err)
	p.DeclineUpgrade()
	n2, err = p.Execute(in[n:])
	require.NoError(t, err)
	assert.Equal(t, len(wrkRequest), n2)
	assert.Equal(t, "/plaintext", string(p.Target()))
}

func TestResponseToHeadAndConnect(t *testing.T) {
	p := New(Config{Mode: ModeResponse}, nil)
	p.SetRequestMethod(MethodHead)
	in := "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nTransfer-Encoding-X: y\r\n\r\n"
	n, err := p.Execute([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, len(in), n)
	assert.True(t, p.Idle())
	assert.Equal(t, MethodHead, p.Info().Method)
	assert.Equal(t, int64(1000), p.Info().ContentLength)

	r := New(Config{Mode: ModeResponse}, nil)
	_, err = r.Execute([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
	require.NoError(t, err)
	assert.Equal(t, 404, r.Status())
	assert.Equal(t, "Not Found", string(r.Reason()))
	assert.Equal(t, ModeResponse, r.Mode())

	p.SetRequestMethod(MethodConnect)
	in = "HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03"
	n, err = p.Execute([]byte(in))
	require.Equal(t, ErrUpgrade, err)
	assert.Equal(t, len(in)-2, n)
}

func TestFinish(t *testing.T) {
	p := New(Config{}, nil)
	require.NoError(t, p.Finish())
	_, err := p.Execute([]byte("GET / HTTP/1.1\r\nHo"))
	require.NoError(t, err)
	assert.Equal(t, ErrIncomplete, p.Finish())
	assert.Equal(t, 400, ErrIncomplete.Status)

	p = New(Config{}, nil)
	_, err = p.Execute([]byte("POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nab"))
	require.NoError(t, err)
	assert.Equal(t, ErrIncomplete, p.Finish())
}

func TestAccessors(t *testing.T) {
	p := New(Config{}, nil)
	in := "POST /x?y HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\nX-A: 1\r\nTransfer-Encoding-Not: x\r\n\r\nab"
	_, err := p.Execute([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, MethodPost, p.Method())
	assert.Equal(t, "POST", p.Method().String())
	assert.Equal(t, "/x?y", string(p.Target()))
	hs := p.Headers()
	require.Len(t, hs, 4)
	assert.Equal(t, HeaderHost, hs[0].ID)
	assert.Equal(t, HeaderContentLength, hs[1].ID)
	assert.Equal(t, HeaderOther, hs[2].ID)
	assert.Equal(t, HeaderOther, hs[3].ID)
	assert.Equal(t, "X-A", string(hs[2].Name.In(p.Buffer())))
	v, ok := p.Get("x-a")
	assert.True(t, ok)
	assert.Equal(t, "1", string(v))
	_, ok = p.Get("missing")
	assert.False(t, ok)
	assert.Nil(t, p.Trailers())
	assert.Equal(t, 0, p.Status())
	assert.Empty(t, p.Reason())
	info := p.Info()
	assert.True(t, info.KeepAlive())
	assert.True(t, info.HasBody())
	assert.False(t, info.Chunked())
	assert.False(t, info.ExpectContinue())

	_, err = p.Execute([]byte(chunkedHead + "0\r\nA: b\r\nC: d\r\n\r\n"))
	require.NoError(t, err)
	require.Len(t, p.Trailers(), 2)
	require.Len(t, p.Headers(), 2)
	assert.Equal(t, "d", string(p.Trailers()[1].Value.In(p.Buffer())))
	assert.True(t, p.Info().Chunked())

	assert.Equal(t, MethodUnknown, LookupMethod([]byte("get")))
	assert.Equal(t, MethodMSearch, LookupMethod([]byte("M-SEARCH")))
	assert.Equal(t, MethodUnsubscribe, LookupMethod([]byte("UNSUBSCRIBE")))
	assert.Len(t, Methods(), 35)
	assert.Equal(t, "", Method(200).String())
}

func TestSpansOnly(t *testing.T) {
	in := []byte(wrkRequest + chunkedHead + "1;e=v\r\nx\r\n0\r\nT: 1\r\n\r\n")
	rec := &recorder{}
	p := New(Config{SpansOnly: true}, rec)
	rec.p = p
	res := feedParser(p, rec, whole(in), false)
	require.NoError(t, res.err)
	for _, e := range res.ev {
		for _, skipped := range []string{"method ", "target ", "version ", "header ", "trailer "} {
			assert.False(t, strings.HasPrefix(e, skipped), "%q with SpansOnly", e)
		}
	}
	assert.Equal(t, 2, count(res.ev, "complete"))
	assert.Contains(t, res.ev, `ext "e"="v"`, "chunk calls are still made")
	require.Len(t, p.Trailers(), 1)
	assert.Equal(t, "T", string(p.Trailers()[0].Name.In(p.Buffer())))
}

func TestReuse(t *testing.T) {
	p := New(Config{MaxHeaderSize: 64}, nil)
	_, err := p.Execute([]byte("GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("y", 64) + "\r\n\r\n"))
	require.Equal(t, ErrHeaderOverflow, err)
	// Reset clears the failure; Init changes the limits and keeps the
	// buffer when it is large enough.
	p.Reset()
	_, err = p.Execute([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
	require.NoError(t, err)
	buf := &p.buf[0]
	p.Init(Config{MaxHeaderSize: 32}, nil)
	assert.Same(t, buf, &p.buf[0])
	assert.Len(t, p.buf, 32)
	p.Init(Config{}, nil)
	assert.Len(t, p.buf, DefaultMaxHeaderSize)
	n, err := p.Execute([]byte(wrkRequest))
	require.NoError(t, err)
	assert.Equal(t, len(wrkRequest), n)

	// A pooled parser: Reset between connections allocates nothing.
	req := []byte(wrkMinimal)
	allocs := testing.AllocsPerRun(100, func() {
		p.Reset()
		if _, err := p.Execute(req); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestManyHeaders(t *testing.T) {
	// More fields than the initial span storage holds.
	var b strings.Builder
	b.WriteString("GET / HTTP/1.1\r\nHost: a\r\n")
	for i := 0; i < 300; i++ {
		b.WriteString("X-" + strings.Repeat("h", i%7+1) + ": v\r\n")
	}
	b.WriteString("\r\n")
	p := New(Config{}, nil)
	_, err := p.Execute([]byte(b.String()))
	require.NoError(t, err)
	require.Len(t, p.Headers(), 301)
	name, value := p.Header(300)
	assert.Equal(t, "X-hhhhhh", string(name)) // i = 299
	assert.Equal(t, "v", string(value))
}
