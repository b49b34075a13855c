package app

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/uv-go/uv/http"
)

// Request is Express's req: the http request with the route's parameters, the original
// URL and, inside mounted middleware, the mount path.
type Request struct {
	*http.IncomingMessage
	// App is the application; Res the response to this request.
	App *App
	Res *Response
	// Params are the path parameters of the matched route (Express's req.params).
	Params Params
	// OriginalURL is the URL as received; URL (of IncomingMessage) is relative to BaseURL
	// inside mounted middleware and routers.
	OriginalURL string
	BaseURL     string
	// Body is the body read by RawBody or JSONBody.
	Body []byte

	ctx     *ctx
	query   url.Values
	queryOf string
}

// Path returns the path of the URL, without the query (Express's req.path).
func (r *Request) Path() string { return pathOf(r.URL) }

// Param returns a path parameter, or "" (Express's req.params[name]).
func (r *Request) Param(name string) string { return r.Params.Get(name) }

// QueryValues returns the parsed query string (Express's req.query); parsed on first use.
func (r *Request) QueryValues() url.Values {
	i := strings.IndexByte(r.URL, '?')
	raw := ""
	if i >= 0 {
		raw = r.URL[i+1:]
	}
	if r.query == nil || r.queryOf != raw {
		r.query, _ = url.ParseQuery(raw)
		r.queryOf = raw
	}
	return r.query
}

// Query returns the first value of a query parameter, or "".
func (r *Request) Query(name string) string { return r.QueryValues().Get(name) }

// Get returns a request header (Express's req.get); Referer and Referrer are the same.
func (r *Request) Get(name string) string {
	if v := r.Headers.Get(name); v != "" {
		return v
	}
	switch strings.ToLower(name) {
	case "referer":
		return r.Headers.Get("referrer")
	case "referrer":
		return r.Headers.Get("referer")
	}
	return ""
}

// Hostname returns the Host header without its port (Express's req.hostname).
func (r *Request) Hostname() string {
	h := r.Headers.Get("host")
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[:i+1]
		}
	}
	if i := strings.IndexByte(h, ':'); i >= 0 {
		return h[:i]
	}
	return h
}

// IP returns the client's address (Express's req.ip without trust proxy).
func (r *Request) IP() string {
	if s := r.Socket(); s != nil {
		return s.RemoteAddress()
	}
	return ""
}

// Protocol returns "http" (Express's req.protocol; there is no TLS).
func (r *Request) Protocol() string { return "http" }

// Is reports whether the Content-Type is typ: a MIME type ("application/json"), a
// wildcard ("text/*") or an extension-like name ("json", "html").
func (r *Request) Is(typ string) bool {
	ct := r.Headers.GetBytes("content-type")
	if ct == nil {
		return false
	}
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(string(ct), ";", 2)[0]))
	if !strings.Contains(typ, "/") {
		if full := lookupType(typ); full != "" {
			typ = strings.SplitN(full, ";", 2)[0]
		}
	}
	if strings.HasSuffix(typ, "/*") {
		return strings.HasPrefix(mt, typ[:len(typ)-1])
	}
	if strings.HasPrefix(typ, "*/") {
		return strings.HasSuffix(mt, typ[1:])
	}
	return mt == strings.ToLower(typ)
}

// XHR reports X-Requested-With: XMLHttpRequest.
func (r *Request) XHR() bool {
	return strings.EqualFold(string(r.Headers.GetBytes("x-requested-with")), "xmlhttprequest")
}

// DecodeJSON decodes Body (read by RawBody or JSONBody) into v.
func (r *Request) DecodeJSON(v any) error { return json.Unmarshal(r.Body, v) }

// Fresh reports whether the client's cached copy is still good (Express's req.fresh): a
// GET or HEAD with a 2xx or 304 response whose ETag or Last-Modified match the request's
// conditionals.
func (r *Request) Fresh() bool {
	if r.Method != "GET" && r.Method != "HEAD" {
		return false
	}
	s := r.Res.StatusCode
	if (s < 200 || s >= 300) && s != 304 {
		return false
	}
	return fresh(r.IncomingMessage, r.Res.ServerResponse)
}

// fresh is the fresh module: conditional request headers against the response's.
func fresh(req *http.IncomingMessage, res *http.ServerResponse) bool {
	inm, ims := conditionals(req.Headers)
	if inm == nil && ims == nil {
		return false
	}
	if cc := req.Headers.GetBytes("cache-control"); cc != nil && containsNoCache(cc) {
		return false
	}
	if inm != nil && !(len(inm) == 1 && inm[0] == '*') {
		etag := res.GetHeader("ETag")
		if etag == "" || !etagListMatch(inm, etag) {
			return false
		}
	}
	if ims != nil {
		lm := res.GetHeader("Last-Modified")
		if lm == "" {
			return false
		}
		lt, err1 := http.ParseTime(lm)
		it, err2 := http.ParseTime(string(ims))
		if err1 != nil || err2 != nil || lt.After(it) {
			return false
		}
	}
	return true
}

// conditionals returns the first If-None-Match and If-Modified-Since values (nil if absent)
// in one pass over the fields: most requests have neither, and this runs on every Send.
func conditionals(h http.Header) (inm, ims []byte) {
	for i := 0; i < h.Len(); i++ {
		name, value := h.At(i)
		switch {
		case len(name) == len("if-none-match") && inm == nil && strings.EqualFold(string(name), "if-none-match"):
			inm = value
		case len(name) == len("if-modified-since") && ims == nil && strings.EqualFold(string(name), "if-modified-since"):
			ims = value
		}
	}
	return inm, ims
}

func containsNoCache(cc []byte) bool {
	return strings.Contains(strings.ToLower(string(cc)), "no-cache")
}

// etagListMatch compares an If-None-Match list with an ETag, weakly.
func etagListMatch(list []byte, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for len(list) > 0 {
		i := 0
		for i < len(list) && list[i] != ',' {
			i++
		}
		e := strings.TrimSpace(string(list[:i]))
		if strings.TrimPrefix(e, "W/") == etag {
			return true
		}
		if i == len(list) {
			break
		}
		list = list[i+1:]
	}
	return false
}
