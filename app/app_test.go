package app_test

import (
	"errors"
	"fmt"
	nethttp "net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/app"
)

func TestHelloSend(t *testing.T) {
	a := app.New()
	a.Get("/", func(req *app.Request, res *app.Response) { res.Send("Hello, World!") })
	s := serve(t, a)
	resp, body := s.req("GET", "/", "")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", body)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "uv-go", resp.Header.Get("X-Powered-By"))
	assert.Equal(t, "13", resp.Header.Get("Content-Length"))
	// Express's weak ETag of "Hello, World!".
	assert.Equal(t, `W/"d-CgqfKmdylCVXq1NV12r0Qvj2XgE"`, resp.Header.Get("ETag"))

	resp, body = s.req("GET", "/", "", "If-None-Match", `W/"d-CgqfKmdylCVXq1NV12r0Qvj2XgE"`)
	assert.Equal(t, 304, resp.StatusCode)
	assert.Empty(t, body)

	resp, body = s.req("HEAD", "/", "")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, int64(13), resp.ContentLength)
	assert.Empty(t, body)

	resp, body = s.req("GET", "/nope?x=<b>", "")
	assert.Equal(t, 404, resp.StatusCode)
	assert.Contains(t, body, "<pre>Cannot GET /nope</pre>")
	assert.Equal(t, "default-src 'none'", resp.Header.Get("Content-Security-Policy"))

	resp, _ = s.req("POST", "/", "x")
	assert.Equal(t, 404, resp.StatusCode, "a GET route does not answer POST")
}

func TestRoutingAndParams(t *testing.T) {
	a := app.New()
	a.Get("/users/:id", func(req *app.Request, res *app.Response) {
		res.Send("user " + req.Param("id"))
	})
	a.Get("/users/:id/books/:book", func(req *app.Request, res *app.Response) {
		res.Send(req.Param("id") + "/" + req.Param("book") + " q=" + req.Query("q"))
	})
	a.Get("/files/*", func(req *app.Request, res *app.Response) { res.Send("file " + req.Param("0")) })
	a.Get("/opt/:name?", func(req *app.Request, res *app.Response) { res.Send("opt [" + req.Param("name") + "]") })
	a.Post("/users", func(req *app.Request, res *app.Response) { res.Status(201).Send("created") })
	a.Put("/users/:id", func(req *app.Request, res *app.Response) { res.Send("put " + req.Param("id")) })
	a.Delete("/users/:id", func(req *app.Request, res *app.Response) { res.SendStatus(204) })
	a.All("/any", func(req *app.Request, res *app.Response) { res.Send("any " + req.Method) })
	s := serve(t, a)
	cases := []struct{ method, path, want string }{
		{"GET", "/users/42", "user 42"},
		{"GET", "/USERS/42/", "user 42"},
		{"GET", "/users/a%20b", "user a b"},
		{"GET", "/users/7/books/go?q=1", "7/go q=1"},
		{"GET", "/files/a/b/c.txt", "file a/b/c.txt"},
		{"GET", "/opt", "opt []"},
		{"GET", "/opt/x", "opt [x]"},
		{"POST", "/users", "created"},
		{"PUT", "/users/9", "put 9"},
		{"DELETE", "/users/9", ""},
		{"PATCH", "/any", "any PATCH"},
		{"GET", "/any", "any GET"},
	}
	for _, tc := range cases {
		_, body := s.req(tc.method, tc.path, "")
		assert.Equal(t, tc.want, body, "%s %s", tc.method, tc.path)
	}
	resp, _ := s.req("GET", "/users/42/extra", "")
	assert.Equal(t, 404, resp.StatusCode)
}

func TestMiddlewareOrderAndNext(t *testing.T) {
	a := app.New()
	var trail []string
	a.Use(func(req *app.Request, res *app.Response, next app.Next) {
		trail = append(trail, "log "+req.Path())
		res.Set("X-Mw", "1")
		next()
	})
	a.Use("/api", func(req *app.Request, res *app.Response, next app.Next) {
		trail = append(trail, "api base="+req.BaseURL+" url="+req.URL)
		next()
	})
	a.Get("/api/x", func(req *app.Request, res *app.Response, next app.Next) {
		if req.Query("skip") != "" {
			next(app.NextRoute)
			return
		}
		next()
	}, func(req *app.Request, res *app.Response) { res.Send("x second") })
	a.Get("/api/x", func(req *app.Request, res *app.Response) { res.Send("x other route") })
	s := serve(t, a)
	resp, body := s.req("GET", "/api/x", "")
	assert.Equal(t, "x second", body)
	assert.Equal(t, "1", resp.Header.Get("X-Mw"))
	_, body = s.req("GET", "/api/x?skip=1", "")
	assert.Equal(t, "x other route", body)
	s.do(func() {
		assert.Equal(t, []string{"log /api/x", "api base=/api url=/x", "log /api/x", "api base=/api url=/x?skip=1"}, trail)
	})
}

func TestRouterMount(t *testing.T) {
	a := app.New()
	api := app.NewRouter(app.RouterOptions{})
	api.Use(func(req *app.Request, res *app.Response, next app.Next) {
		res.Set("X-Api", req.BaseURL)
		next()
	})
	api.Get("/items/:id", func(req *app.Request, res *app.Response) {
		res.Send("item " + req.Param("id") + " url=" + req.URL + " orig=" + req.OriginalURL)
	})
	v2 := app.NewRouter(app.RouterOptions{})
	v2.Get("/", func(req *app.Request, res *app.Response) { res.Send("v2 root base=" + req.BaseURL) })
	api.Use("/v2", v2)
	a.Use("/api", api)
	a.Get("/after", func(req *app.Request, res *app.Response) { res.Send("after " + req.URL) })
	s := serve(t, a)
	resp, body := s.req("GET", "/api/items/3?z=1", "")
	assert.Equal(t, "item 3 url=/items/3?z=1 orig=/api/items/3?z=1", body)
	assert.Equal(t, "/api", resp.Header.Get("X-Api"))
	_, body = s.req("GET", "/api/v2", "")
	assert.Equal(t, "v2 root base=/api/v2", body)
	// A request the mounted router does not answer goes on, with the URL restored.
	_, body = s.req("GET", "/after", "")
	assert.Equal(t, "after /after", body)
	resp, _ = s.req("GET", "/api/none", "")
	assert.Equal(t, 404, resp.StatusCode)
}

func TestErrorMiddleware(t *testing.T) {
	a := app.New()
	var logged []error
	a.OnError(func(err error) { logged = append(logged, err) })
	a.Get("/fail", func(req *app.Request, res *app.Response, next app.Next) { next(errors.New("boom")) })
	a.Get("/teapot", func(req *app.Request, res *app.Response, next app.Next) { next(app.NewError(418, "short and stout")) })
	a.Get("/panic", func(req *app.Request, res *app.Response) { panic("oops") })
	a.Get("/handled", func(req *app.Request, res *app.Response, next app.Next) { next(errors.New("handled")) })
	a.Use(func(err error, req *app.Request, res *app.Response, next app.Next) {
		if err.Error() == "handled" {
			res.Status(500).JSON(map[string]string{"error": err.Error()})
			return
		}
		next(err)
	})
	s := serve(t, a)
	resp, body := s.req("GET", "/fail", "")
	assert.Equal(t, 500, resp.StatusCode)
	assert.Contains(t, body, "<pre>Internal Server Error</pre>")
	resp, body = s.req("GET", "/teapot", "")
	assert.Equal(t, 418, resp.StatusCode)
	assert.Contains(t, body, "short and stout")
	resp, _ = s.req("GET", "/panic", "")
	assert.Equal(t, 500, resp.StatusCode)
	resp, body = s.req("GET", "/handled", "")
	assert.Equal(t, 500, resp.StatusCode)
	assert.Equal(t, `{"error":"handled"}`, body)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	s.do(func() {
		require.Len(t, logged, 2)
		assert.Equal(t, "boom", logged[0].Error())
		assert.Equal(t, "panic: oops", logged[1].Error())
	})
}

func TestJSONBody(t *testing.T) {
	a := app.New()
	a.Use(app.JSONBody(64))
	a.Post("/echo", func(req *app.Request, res *app.Response) {
		var v map[string]any
		if err := req.DecodeJSON(&v); err != nil {
			res.Status(400).Send(err.Error())
			return
		}
		v["seen"] = true
		res.JSON(v)
	})
	s := serve(t, a)
	_, body := s.req("POST", "/echo", `{"a":1}`, "Content-Type", "application/json")
	assert.Equal(t, `{"a":1,"seen":true}`, body)
	resp, _ := s.req("POST", "/echo", `{"a":`, "Content-Type", "application/json")
	assert.Equal(t, 400, resp.StatusCode)
	resp, _ = s.req("POST", "/echo", `{"a":"`+strings.Repeat("x", 100)+`"}`, "Content-Type", "application/json")
	assert.Equal(t, 413, resp.StatusCode)
}

func TestResponseHelpers(t *testing.T) {
	a := app.New()
	a.Get("/r", func(req *app.Request, res *app.Response) { res.Redirect("/target") })
	a.Get("/type", func(req *app.Request, res *app.Response) { res.Type("json").Send(`[1]`) })
	a.Get("/bytes", func(req *app.Request, res *app.Response) { res.SendBytes([]byte{1, 2, 3}) })
	a.Get("/status", func(req *app.Request, res *app.Response) { res.SendStatus(403) })
	a.Get("/host", func(req *app.Request, res *app.Response) {
		res.Send(req.Hostname() + " " + req.IP() + " " + fmt.Sprint(req.Is("json")))
	})
	s := serve(t, a)
	noFollow := &nethttp.Client{CheckRedirect: func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.url + "/r")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 302, resp.StatusCode)
	assert.Equal(t, "/target", resp.Header.Get("Location"))
	resp, body := s.req("GET", "/type", "")
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "[1]", body)
	resp, _ = s.req("GET", "/bytes", "")
	assert.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"))
	resp, body = s.req("GET", "/status", "")
	assert.Equal(t, 403, resp.StatusCode)
	assert.Equal(t, "Forbidden", body)
	_, body = s.req("GET", "/host", "", "Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, "127.0.0.1 127.0.0.1 true", body)
}

func TestStatic(t *testing.T) {
	dir := tempDir(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>home</h1>"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "data.json"), []byte(`{"k":"v"}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".secret"), []byte("no"), 0o644))
	big := strings.Repeat("0123456789", 50_000)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.txt"), []byte(big), 0o644))
	a := app.New()
	a.Use("/static", app.Static(dir, nil))
	a.Get("/static/fallback", func(req *app.Request, res *app.Response) { res.Send("fell through") })
	s := serve(t, a)

	resp, body := s.req("GET", "/static/", "")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "<h1>home</h1>", body)
	assert.Equal(t, "text/html; charset=UTF-8", resp.Header.Get("Content-Type"))

	resp, body = s.req("GET", "/static/sub/data.json", "")
	assert.Equal(t, `{"k":"v"}`, body)
	assert.Equal(t, "application/json; charset=UTF-8", resp.Header.Get("Content-Type"))
	etag := resp.Header.Get("ETag")
	assert.True(t, strings.HasPrefix(etag, `W/"9-`), etag)
	assert.NotEmpty(t, resp.Header.Get("Last-Modified"))
	assert.Equal(t, "bytes", resp.Header.Get("Accept-Ranges"))

	resp, body = s.req("GET", "/static/sub/data.json", "", "If-None-Match", etag)
	assert.Equal(t, 304, resp.StatusCode)
	assert.Empty(t, body)
	resp, _ = s.req("GET", "/static/sub/data.json", "", "If-Modified-Since", resp.Header.Get("Last-Modified"))
	assert.Equal(t, 304, resp.StatusCode)

	resp, body = s.req("GET", "/static/big.txt", "")
	assert.Equal(t, big, body)
	resp, body = s.req("GET", "/static/big.txt", "", "Range", "bytes=10-19")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "0123456789", body)
	assert.Equal(t, "bytes 10-19/500000", resp.Header.Get("Content-Range"))
	resp, body = s.req("GET", "/static/big.txt", "", "Range", "bytes=-5")
	assert.Equal(t, "56789", body)
	resp, _ = s.req("GET", "/static/big.txt", "", "Range", "bytes=600000-")
	assert.Equal(t, 416, resp.StatusCode)
	assert.Equal(t, "bytes */500000", resp.Header.Get("Content-Range"))

	resp, body = s.req("HEAD", "/static/big.txt", "")
	assert.Equal(t, int64(500000), resp.ContentLength)
	assert.Empty(t, body)

	noFollow := &nethttp.Client{CheckRedirect: func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.url + "/static/sub?q=1")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 301, resp.StatusCode)
	assert.Equal(t, "/static/sub/?q=1", resp.Header.Get("Location"))
	resp, _ = s.req("GET", "/static/sub/", "")
	assert.Equal(t, 404, resp.StatusCode, "a directory without an index")
	_, body = s.req("GET", "/static/fallback", "")
	assert.Equal(t, "fell through", body)
	resp, _ = s.req("GET", "/static/.secret", "")
	assert.Equal(t, 404, resp.StatusCode)
	resp, _ = s.req("GET", "/static/../../etc/passwd", "")
	assert.Equal(t, 404, resp.StatusCode)
	resp, _ = s.req("GET", "/static/%2e%2e/%2e%2e/etc/passwd", "")
	assert.Equal(t, 404, resp.StatusCode)
}
