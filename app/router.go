package app

import (
	"fmt"
	"net/url"
	"strings"
)

// RouterOptions are Express's router options.
type RouterOptions struct {
	// CaseSensitive makes "/Users" and "/users" different routes.
	CaseSensitive bool
	// Strict makes "/users" and "/users/" different routes.
	Strict bool
}

// layer kinds
const (
	kHandler uint8 = iota
	kMiddleware
	kError
	kRouter
)

// layer is one entry of a router's stack: a route handler (method and exact path) or a
// middleware (path prefix).
type layer struct {
	method string // "" for Use and All
	path   string // as given, for the tracer
	pat    pattern
	prefix bool // a Use layer: the path is a prefix
	route  int  // the route the handler belongs to (for NextRoute); 0 for Use
	kind   uint8
	h      HandlerFunc
	m      Middleware
	e      ErrorMiddleware
	r      *Router
}

// Router is Express's Router: a stack of middleware and routes, usable on its own (mounted
// with Use) or as the App's root.
type Router struct {
	layers        []layer
	routes        int
	caseSensitive bool
	strict        bool
}

// NewRouter creates a router (Express's express.Router(options)).
func NewRouter(o RouterOptions) *Router {
	r := new(Router)
	r.init(o)
	return r
}

func (r *Router) init(o RouterOptions) {
	r.caseSensitive, r.strict = o.CaseSensitive, o.Strict
}

// Use adds middleware for every request whose path starts with path (Express's
// app.use([path], ...handlers)); the first argument may be the path (default "/"). Handlers
// are HandlerFunc, Middleware, ErrorMiddleware, *Router or *App values, or functions of
// those shapes. Inside, the request's URL is relative to the path (BaseURL holds the rest).
// It panics on a handler of another type, as Express throws.
func (r *Router) Use(args ...any) *Router {
	path := "/"
	if len(args) > 0 {
		if p, ok := args[0].(string); ok {
			path, args = p, args[1:]
		}
	}
	pat := compile(path, true)
	for _, h := range args {
		l := toLayer(h, "app.Use")
		l.pat, l.prefix, l.path = pat, true, path
		r.layers = append(r.layers, l)
	}
	return r
}

// Handle adds a route for method (upper case; "" for all methods).
func (r *Router) Handle(method, path string, handlers ...any) *Router {
	r.routes++
	pat := compile(path, false)
	for _, h := range handlers {
		l := toLayer(h, "Route."+strings.ToLower(method))
		if l.kind == kRouter {
			panic("app: a route handler cannot be a Router; mount it with Use")
		}
		l.method, l.pat, l.route, l.path = method, pat, r.routes, path
		r.layers = append(r.layers, l)
	}
	return r
}

// Get adds a route for GET (and HEAD) requests to path.
func (r *Router) Get(path string, handlers ...any) *Router { return r.Handle("GET", path, handlers...) }

// Post adds a route for POST requests.
func (r *Router) Post(path string, handlers ...any) *Router {
	return r.Handle("POST", path, handlers...)
}

// Put adds a route for PUT requests.
func (r *Router) Put(path string, handlers ...any) *Router { return r.Handle("PUT", path, handlers...) }

// Delete adds a route for DELETE requests.
func (r *Router) Delete(path string, handlers ...any) *Router {
	return r.Handle("DELETE", path, handlers...)
}

// Patch adds a route for PATCH requests.
func (r *Router) Patch(path string, handlers ...any) *Router {
	return r.Handle("PATCH", path, handlers...)
}

// Options adds a route for OPTIONS requests.
func (r *Router) Options(path string, handlers ...any) *Router {
	return r.Handle("OPTIONS", path, handlers...)
}

// All adds a route for every method.
func (r *Router) All(path string, handlers ...any) *Router { return r.Handle("", path, handlers...) }

func toLayer(h any, where string) layer {
	switch f := h.(type) {
	case HandlerFunc:
		return layer{kind: kHandler, h: f}
	case func(*Request, *Response):
		return layer{kind: kHandler, h: f}
	case Middleware:
		return layer{kind: kMiddleware, m: f}
	case func(*Request, *Response, Next):
		return layer{kind: kMiddleware, m: f}
	case ErrorMiddleware:
		return layer{kind: kError, e: f}
	case func(error, *Request, *Response, Next):
		return layer{kind: kError, e: f}
	case *Router:
		return layer{kind: kRouter, r: f}
	case *App:
		return layer{kind: kRouter, r: &f.Router}
	}
	panic(fmt.Sprintf("app: %s() requires a handler function but got a %T", where, h))
}

// Param is a path parameter.
type Param struct {
	Key, Value string
}

// Params are a route's path parameters, in the order of the path.
type Params []Param

// Get returns the value of key, or "".
func (p Params) Get(key string) string {
	for i := range p {
		if p[i].Key == key {
			return p[i].Value
		}
	}
	return ""
}

// segment kinds
const (
	segLit uint8 = iota
	segParam
	segOptional
	segSplat
)

type segment struct {
	kind uint8
	text string // the literal, or the parameter's name
}

// pattern is a compiled route path: "/users/:id", "/files/*", "/:name?".
type pattern struct {
	segs []segment
	root bool // "/" (or "" for Use): matches everything as a prefix
}

func compile(path string, prefix bool) pattern {
	path = strings.Trim(path, "/")
	if path == "" {
		return pattern{root: true}
	}
	var p pattern
	splats := 0
	for _, s := range strings.Split(path, "/") {
		switch {
		case s == "*":
			p.segs = append(p.segs, segment{segSplat, fmt.Sprint(splats)})
			splats++
		case strings.HasPrefix(s, "*"):
			p.segs = append(p.segs, segment{segSplat, s[1:]})
		case strings.HasPrefix(s, ":") && strings.HasSuffix(s, "?"):
			p.segs = append(p.segs, segment{segOptional, s[1 : len(s)-1]})
		case strings.HasPrefix(s, ":"):
			p.segs = append(p.segs, segment{segParam, s[1:]})
		default:
			p.segs = append(p.segs, segment{segLit, s})
		}
	}
	return p
}

// match matches path (no query) against the pattern, appending parameters to params. For a
// prefix pattern it returns the length of the matched prefix; for a route, len(path).
func (p *pattern) match(path string, prefix, caseSensitive, strict bool, params *Params) (int, bool) {
	if p.root {
		if prefix {
			return 0, true
		}
		return len(path), path == "/" || path == "" || (!strict && path == "//")
	}
	start := len(*params)
	i := 0 // position in path, at a '/'
	for k := range p.segs {
		s := &p.segs[k]
		if s.kind == segSplat {
			rest := ""
			if i < len(path) {
				rest = path[i+1:]
			}
			*params = append(*params, Param{s.text, decode(rest)})
			return len(path), true
		}
		if i >= len(path) || path[i] != '/' {
			if s.kind == segOptional && k == len(p.segs)-1 {
				return i, true
			}
			*params = (*params)[:start]
			return 0, false
		}
		j := i + 1
		for j < len(path) && path[j] != '/' {
			j++
		}
		seg := path[i+1 : j]
		switch s.kind {
		case segLit:
			if !(seg == s.text || !caseSensitive && strings.EqualFold(seg, s.text)) {
				*params = (*params)[:start]
				return 0, false
			}
		default:
			if seg == "" {
				if s.kind == segOptional && k == len(p.segs)-1 {
					return i, true
				}
				*params = (*params)[:start]
				return 0, false
			}
			*params = append(*params, Param{s.text, decode(seg)})
		}
		i = j
	}
	if prefix {
		return i, true
	}
	if i == len(path) || !strict && i == len(path)-1 && path[i] == '/' {
		return len(path), true
	}
	*params = (*params)[:start]
	return 0, false
}

// decode percent-decodes a parameter; it allocates only if there is something to decode.
func decode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
