package parser

import (
	"strings"
	"testing"
)

// TestWords checks the fast path's word constants against their text.
func TestWords(t *testing.T) {
	for _, c := range []struct {
		w    uint64
		text string
	}{
		{wGET, "GET "}, {wGETRootHT, "GET / HT"}, {wTP11CRLF, "TP/1.1\r\n"}, {http11, "HTTP/1.1"}, {http10, "HTTP/1.0"}, {crlf, "\r\n"},
		{fHost, "Host"}, {fHostColon, "Host:"}, {fAcce, "Acce"}, {fAcceptCol, "Accept:"},
		{fAcceptE, "Accept-E"}, {fNcodingCol, "ncoding:"}, {fAcceptL, "Accept-L"}, {fAnguageCol, "anguage:"},
		{fUser, "User"}, {fUserAge, "User-Age"}, {fNtCol, "nt:"}, {fConn, "Conn"}, {fConnecti, "Connecti"},
		{fOnCol, "on:"}, {fCont, "Cont"}, {fContent, "Content-"}, {fLengthCol, "Length:"}, {fTypeCol, "Type:"},
		{fCook, "Cook"}, {fCookieCol, "Cookie:"}, {fCach, "Cach"}, {fCacheCo, "Cache-Co"}, {fNtrolCol, "ntrol:"},
	} {
		if got := word(c.text); got != c.w {
			t.Errorf("%q: %#x, want %#x", c.text, c.w, got)
		}
	}
}

// TestCommonNames checks that the fast path's names, the same names with a
// byte more, a byte different, cut short or in lower case, and the names
// the parser interprets, give the same result whole (the fast path) as byte
// by byte (the states).
func TestCommonNames(t *testing.T) {
	names := []string{"Host", "Accept", "Accept-Encoding", "Accept-Language", "User-Agent", "Connection",
		"Content-Length", "Content-Type", "Cookie", "Cache-Control", "Transfer-Encoding", "Expect", "Upgrade"}
	var variants []string
	for _, name := range names {
		variants = append(variants, name, strings.ToLower(name), strings.ToUpper(name))
		for k := 1; k <= len(name); k++ {
			variants = append(variants, name[:k]+"x"+name[k:], name[:k-1]+"_"+name[k:], name[:k-1]+":"+name[k:], name[:k-1])
		}
	}
	for _, name := range variants {
		for _, value := range []string{"keep-alive", "5", "chunked", "a", "100-continue"} {
			in := []byte("POST / HTTP/1.1\r\nHost: a\r\n" + name + ": " + value + "\r\n\r\n0\r\n\r\n")
			checkSplits(t, Config{}, in, false, 1)
			in = []byte("GET / HTTP/1.0\r\n" + name + ":" + value + " \r\nX: y\r\n\r\n")
			checkSplits(t, Config{}, in, false, 1)
			in = []byte("GET / HTTP/1.1\r\n" + name + ":\t" + value + "\r\nHost: 127.0.0.1:8080\r\n\r\n")
			checkSplits(t, Config{}, in, false, 1)
		}
	}
}

// TestFastHeadTaken checks that the usual requests take the fast path: a
// change that sent them to the byte-wise states would pass every other test.
func TestFastHeadTaken(t *testing.T) {
	for _, req := range []string{wrkMinimal, wrkRequest8080, curlRequest, wrkRequest, browserRequest, chunkedPost,
		"GET / HTTP/1.0\r\n\r\n", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"} {
		head := req[:strings.Index(req, "\r\n\r\n")+4]
		p := New(Config{}, nil)
		if n, err := p.fastHead([]byte(req)); err != nil || n != len(head) {
			t.Errorf("%.30q: %d, %v; want %d", req, n, err, len(head))
		}
	}
}

// TestHostMemory checks that the Host value remembered from one request
// stands for no other value on the next.
func TestHostMemory(t *testing.T) {
	p := New(Config{}, nil)
	for _, c := range []struct {
		host string
		err  *Error
	}{
		{"127.0.0.1:8080", nil},
		{"127.0.0.1:8080", nil},
		{"127.0.0.1/8080", ErrInvalidHost},
		{"127.0.0.1:8080", nil},
		{"127.0.0.1:808", nil},
		{"127.0.0.1:808 ", nil}, // trailing OWS is not part of the value
		{"127.0.0.1:80\x7f", ErrInvalidHeaderValue},
		{"127.0.0.1:8080\"", ErrInvalidHost},
		{"localhost:8080", nil},
		{"localhost:8080@", ErrInvalidHost},
	} {
		p.Reset()
		in := "GET / HTTP/1.1\r\nHost: " + c.host + "\r\nAccept: */*\r\n\r\n"
		_, err := p.Execute([]byte(in))
		if c.err == nil && err != nil || c.err != nil && err != c.err {
			t.Errorf("Host %q: %v, want %v", c.host, err, c.err)
		}
	}
}
