package app

import (
	"errors"
	"path"
	"strconv"
	"strings"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/http"
)

// StaticOptions are serve-static's options.
type StaticOptions struct {
	// Index is the file served for a directory ("index.html"; "-" for none).
	Index string
	// Fallthrough passes requests it cannot serve (not GET or HEAD, missing files) to the
	// next handler; it is on unless NoFallthrough.
	NoFallthrough bool
	// Redirect sends a directory without its trailing slash to the slashed path (on unless
	// NoRedirect).
	NoRedirect bool
	// DotFiles serves names starting with "." (refused with 404 by default).
	DotFiles bool
	// File are the headers' options (max-age, ETag, ...).
	File http.FileOptions
}

// Static serves the files under root (Express's express.static): GET and HEAD requests
// whose path names a file get it, with http.ServeFile's headers, ranges and conditional
// requests; a directory gets its index file. Paths are cleaned, so that nothing outside
// root is reached.
func Static(root string, o *StaticOptions) Middleware {
	var opts StaticOptions
	if o != nil {
		opts = *o
	}
	if opts.Index == "" {
		opts.Index = "index.html"
	}
	root = strings.TrimRight(root, "/")
	if root == "" {
		root = "/"
	}
	return func(req *Request, res *Response, next Next) {
		if req.Method != "GET" && req.Method != "HEAD" {
			if opts.NoFallthrough {
				res.Set("Allow", "GET, HEAD")
				res.Set("Content-Length", "0")
				res.Status(405).End(nil)
				return
			}
			next()
			return
		}
		p := decodePath(req.Path())
		if p == "" || strings.IndexByte(p, 0) >= 0 {
			next(NewError(400, "bad path"))
			return
		}
		if !opts.DotFiles && hasDotSegment(p) {
			if opts.NoFallthrough {
				next(NewError(404, ""))
			} else {
				next()
			}
			return
		}
		clean := path.Clean("/" + p)
		file := root + clean
		if strings.HasSuffix(p, "/") {
			if opts.Index == "-" {
				next()
				return
			}
			file = strings.TrimRight(file, "/") + "/" + opts.Index
		}
		serveStatic(req, res, next, file, &opts, true)
	}
}

func serveStatic(req *Request, res *Response, next Next, file string, opts *StaticOptions, first bool) {
	if req.ctx.tracing() {
		req.ctx.loop.TraceLayer("app", "static: serving "+strconv.Quote(file))
	}
	http.ServeFile(req.IncomingMessage, res.ServerResponse, file, &opts.File, func(err error) {
		if err == nil {
			return
		}
		if res.HeadersSent() {
			return
		}
		if errors.Is(err, uv.EISDIR) && first {
			if !opts.NoRedirect && !strings.HasSuffix(req.Path(), "/") {
				loc := req.OriginalURL
				q := ""
				if i := strings.IndexByte(loc, '?'); i >= 0 {
					loc, q = loc[:i], loc[i:]
				}
				res.RedirectStatus(301, loc+"/"+q)
				return
			}
			if opts.Index != "-" {
				serveStatic(req, res, next, strings.TrimRight(file, "/")+"/"+opts.Index, opts, false)
				return
			}
		}
		var fe *http.FileError
		if errors.As(err, &fe) && fe.Status == 404 && !opts.NoFallthrough {
			next()
			return
		}
		next(err)
	})
}

func decodePath(p string) string {
	if strings.IndexByte(p, '%') < 0 {
		return p
	}
	d := decode(p)
	if d == p && strings.Contains(p, "%") {
		if _, err := pathUnescape(p); err != nil {
			return ""
		}
	}
	return d
}

func hasDotSegment(p string) bool {
	for _, s := range strings.Split(p, "/") {
		if strings.HasPrefix(s, ".") && s != "." && s != ".." {
			return true
		}
	}
	return false
}
