package app

import (
	"errors"
	"fmt"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/http"
)

// Handler kinds accepted by Use and the route methods (Express tells them apart by arity).
type (
	// HandlerFunc answers a request: (req, res) => {}.
	HandlerFunc func(req *Request, res *Response)
	// Middleware may answer or pass on with next(): (req, res, next) => {}. next(err)
	// skips to the error middleware; next(NextRoute) skips the rest of the route's handlers.
	Middleware func(req *Request, res *Response, next Next)
	// ErrorMiddleware handles an error passed to next: (err, req, res, next) => {}.
	ErrorMiddleware func(err error, req *Request, res *Response, next Next)
)

// Next passes control to the next matching handler: next() goes on, next(err) goes to the
// error middleware, next(NextRoute) leaves the current route.
type Next func(err ...error)

// NextRoute, passed to next, skips the remaining handlers of the current route (Express's
// next('route')).
var NextRoute = errors.New("app: next route")

// HTTPError is an error with the status to answer; the final handler uses it (any error
// with a StatusCode() int method does).
type HTTPError struct {
	Status  int
	Message string
}

func (e *HTTPError) Error() string { return e.Message }

// StatusCode returns the status to answer.
func (e *HTTPError) StatusCode() int { return e.Status }

// NewError returns an *HTTPError; an empty message is the status's reason phrase.
func NewError(status int, message string) error {
	if message == "" {
		message = http.StatusText(status)
	}
	return &HTTPError{Status: status, Message: message}
}

// App is an Express application: a Router with settings, locals and the server it listens
// with.
type App struct {
	Router
	// Locals are the application's variables (Express's app.locals).
	Locals map[string]any

	etag        bool
	etags       etagCache
	poweredBy   bool
	server      *http.Server
	serverOpts  http.ServerOptions
	errorLogger func(err error)
}

// New creates an application (Express's express()): case-insensitive, non-strict routing,
// weak ETags on Send, X-Powered-By on.
func New() *App {
	a := &App{Locals: map[string]any{}, etag: true, poweredBy: true}
	a.Router.init(RouterOptions{})
	return a
}

// Enable turns a setting on: "etag", "x-powered-by", "case sensitive routing",
// "strict routing".
func (a *App) Enable(setting string) *App { a.set(setting, true); return a }

// Disable turns a setting off.
func (a *App) Disable(setting string) *App { a.set(setting, false); return a }

func (a *App) set(setting string, on bool) {
	switch setting {
	case "etag":
		a.etag = on
	case "x-powered-by":
		a.poweredBy = on
	case "case sensitive routing":
		a.Router.caseSensitive = on
	case "strict routing":
		a.Router.strict = on
	}
}

// Enabled reports whether a setting is on.
func (a *App) Enabled(setting string) bool {
	switch setting {
	case "etag":
		return a.etag
	case "x-powered-by":
		return a.poweredBy
	case "case sensitive routing":
		return a.Router.caseSensitive
	case "strict routing":
		return a.Router.strict
	}
	return false
}

// SetServerOptions sets the options of the server Listen creates (its loop, timeouts,
// limits).
func (a *App) SetServerOptions(o http.ServerOptions) *App { a.serverOpts = o; return a }

// OnError sets a callback for errors the final handler answers with a 5xx (Express logs
// them to stderr; without a callback they are dropped).
func (a *App) OnError(fn func(err error)) *App { a.errorLogger = fn; return a }

// Handle is the application as an http request listener: what http.CreateServer(app) takes
// in Express.
func (a *App) Handle(req *http.IncomingMessage, res *http.ServerResponse) {
	c, _ := req.Data.(*ctx)
	if c == nil || c.app != a {
		c = newCtx(a)
		if s := res.Socket(); s != nil {
			c.loop = s.Loop()
		}
		req.Data = c
	}
	c.start(req, res)
	c.next()
}

// Listen creates the server and listens on port, exactly as Express's app.listen: it is
// http.CreateServer(app) (on the loop of SetServerOptions, else the default loop) and then
// server.Listen(port, cb). Run the loop to serve.
func (a *App) Listen(port int, cb func()) (*http.Server, error) {
	return a.ListenHost(port, "", cb)
}

// ListenHost listens on host:port (Express's app.listen(port, host, cb)).
func (a *App) ListenHost(port int, host string, cb func()) (*http.Server, error) {
	if l, err := a.Loop(); err == nil && l.Tracing() {
		traceListen(l, port, host)
	}
	srv, err := http.NewServer(a.serverOpts, a.Handle)
	if err != nil {
		return nil, err
	}
	a.server = srv
	if host == "" {
		err = srv.Listen(port, cb)
	} else {
		err = srv.ListenHost(port, host, cb)
	}
	if err != nil {
		return nil, fmt.Errorf("app: listen: %w", err)
	}
	return srv, nil
}

// Server returns the server Listen created, or nil.
func (a *App) Server() *http.Server { return a.server }

// Loop returns the loop Listen's server runs on: that of SetServerOptions, else the default
// loop.
func (a *App) Loop() (*uv.Loop, error) {
	if a.serverOpts.Loop != nil {
		return a.serverOpts.Loop, nil
	}
	return uv.DefaultLoop()
}
