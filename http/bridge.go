package http

import (
	"context"
	"fmt"
	"io"
	nethttp "net/http"
	"net/url"
	"strconv"
	"sync"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// BridgeOptions tune Bridge.
type BridgeOptions struct {
	// Workers is the number of goroutines running handlers (0: 16).
	Workers int
	// Queue bounds the requests waiting for a worker (0: 1024); beyond it requests get 503.
	Queue int
	// BodyBuffer bounds the request body bytes buffered for a handler before the
	// connection stops reading (0: 64 KiB); FlushSize is the response bytes gathered before
	// they are sent (0: 32 KiB).
	BodyBuffer int
	FlushSize  int
}

// Bridge serves a standard net/http Handler on the loop, so that existing Go handlers can
// move over: the loop parses the request and writes the response, and the handler runs on
// a bounded pool of worker goroutines, reading the body from the loop (with backpressure)
// and writing the response back through it. Use Listener as the server's request callback.
// Hijacking is not supported; the request's context ends when its connection closes.
type Bridge struct {
	h     nethttp.Handler
	loop  *uv.Loop
	opts  BridgeOptions
	async *handles.Async
	jobs  chan *bridgeReq
	wg    sync.WaitGroup

	mu     sync.Mutex
	posted []func()
	closed bool
}

// NewBridge creates a bridge for h on loop (call it on the loop's goroutine) and starts its
// workers. Close stops them.
func NewBridge(loop *uv.Loop, h nethttp.Handler, o BridgeOptions) (*Bridge, error) {
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.BodyBuffer <= 0 {
		o.BodyBuffer = 64 << 10
	}
	if o.FlushSize <= 0 {
		o.FlushSize = 32 << 10
	}
	b := &Bridge{h: h, loop: loop, opts: o, jobs: make(chan *bridgeReq, o.Queue)}
	var err error
	if b.async, err = handles.NewAsync(loop, b.runPosted); err != nil {
		return nil, err
	}
	b.async.Unref()
	for range o.Workers {
		b.wg.Add(1)
		go b.worker()
	}
	return b, nil
}

// Listener is the request callback that hands requests to the handler.
func (b *Bridge) Listener() RequestListener { return b.serve }

// Close stops the workers once the queued requests are done and closes the bridge's wakeup
// handle (call it on the loop's goroutine).
func (b *Bridge) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.jobs)
	b.async.Close(nil)
}

// post runs fn on the loop; it reports false once the bridge is closed.
func (b *Bridge) post(fn func()) bool {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return false
	}
	b.posted = append(b.posted, fn)
	b.mu.Unlock()
	b.async.Send()
	return true
}

func (b *Bridge) runPosted(*handles.Async) {
	b.mu.Lock()
	fns := b.posted
	b.posted = nil
	b.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
	net.Ticks(b.loop).Drain()
}

func (b *Bridge) worker() {
	defer b.wg.Done()
	for r := range b.jobs {
		r.run()
	}
}

// bridgeReq is one request crossing the bridge.
type bridgeReq struct {
	b      *Bridge
	req    *IncomingMessage
	res    *ServerResponse
	hr     *nethttp.Request
	cancel context.CancelFunc
	ended  bool // the loop side is over (finished or closed)

	// body, shared with the worker
	mu      sync.Mutex
	cond    *sync.Cond
	buf     []byte
	eof     bool
	bodyErr error
	paused  bool // loop side: the request is paused
	resumeQ bool // a resume is posted

	// response, worker side
	header nethttp.Header
	status int
	out    []byte
	sent   bool // the head went to the loop
	ack    chan bool
}

func (b *Bridge) serve(req *IncomingMessage, res *ServerResponse) {
	u, err := url.ParseRequestURI(req.URL)
	if err != nil {
		res.WriteHead(400)
		res.End(nil)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &bridgeReq{b: b, req: req, res: res, cancel: cancel, ack: make(chan bool, 1), header: nethttp.Header{}}
	r.cond = sync.NewCond(&r.mu)
	hr := &nethttp.Request{
		Method:     req.Method,
		URL:        u,
		Proto:      "HTTP/" + req.HTTPVersion,
		ProtoMajor: req.HTTPVersionMajor,
		ProtoMinor: req.HTTPVersionMinor,
		Header:     make(nethttp.Header, req.Headers.Len()),
		RequestURI: req.URL,
	}
	for i := 0; i < req.Headers.Len(); i++ {
		n, v := req.Headers.At(i)
		k := nethttp.CanonicalHeaderKey(string(n))
		hr.Header[k] = append(hr.Header[k], string(v))
	}
	hr.Host = hr.Header.Get("Host")
	hr.Header.Del("Host")
	if cl := hr.Header.Get("Content-Length"); cl != "" {
		hr.ContentLength, _ = strconv.ParseInt(cl, 10, 64)
	} else if hr.Header.Get("Transfer-Encoding") != "" {
		hr.ContentLength = -1
		hr.TransferEncoding = []string{"chunked"}
		hr.Header.Del("Transfer-Encoding")
	}
	if s := req.Socket(); s != nil {
		hr.RemoteAddr = s.RemoteAddrPort().String()
	}
	hr.Body = (*bridgeBody)(r)
	r.hr = hr.WithContext(ctx)
	req.OnData(r.onData)
	req.OnEnd(func() { r.feed(nil, true, nil) })
	req.OnError(func(err error) { r.feed(nil, true, err) })
	res.OnClose(func() {
		r.ended = true
		cancel()
		r.feed(nil, true, io.ErrUnexpectedEOF)
		r.signal(false) // a worker waiting for a write to be taken gives up
	})
	select {
	case b.jobs <- r:
	default:
		cancel()
		res.WriteHead(503)
		res.EndString("Service Unavailable")
	}
}

// onData buffers body bytes for the worker; past BodyBuffer the request pauses.
func (r *bridgeReq) onData(p []byte) {
	r.mu.Lock()
	r.buf = append(r.buf, p...)
	full := len(r.buf) >= r.b.opts.BodyBuffer
	r.cond.Broadcast()
	r.mu.Unlock()
	if full && !r.paused {
		r.paused = true
		r.req.Pause()
	}
}

func (r *bridgeReq) feed(p []byte, eof bool, err error) {
	r.mu.Lock()
	if !r.eof {
		r.buf = append(r.buf, p...)
		r.eof = eof
		if err != nil && r.bodyErr == nil {
			r.bodyErr = err
		}
	}
	r.cond.Broadcast()
	r.mu.Unlock()
}

// bridgeBody is the handler's view of the body.
type bridgeBody bridgeReq

func (bb *bridgeBody) Read(p []byte) (int, error) {
	r := (*bridgeReq)(bb)
	r.mu.Lock()
	for len(r.buf) == 0 && !r.eof {
		r.cond.Wait()
	}
	n := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[n:])]
	eof, err := r.eof && len(r.buf) == 0, r.bodyErr
	wantResume := !eof && len(r.buf) < r.b.opts.BodyBuffer/2 && !r.resumeQ
	if wantResume {
		r.resumeQ = true
	}
	r.mu.Unlock()
	if wantResume {
		r.b.post(func() {
			r.mu.Lock()
			r.resumeQ = false
			r.mu.Unlock()
			if r.paused && !r.ended {
				r.paused = false
				r.req.Resume()
			}
		})
	}
	if n == 0 && eof {
		if err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	return n, nil
}

func (bb *bridgeBody) Close() error { return nil }

// run executes the handler on a worker.
func (r *bridgeReq) run() {
	defer r.cancel()
	defer func() {
		if v := recover(); v != nil && v != nethttp.ErrAbortHandler {
			if !r.sent {
				r.status = 500
				r.header = nethttp.Header{}
				r.out = append(r.out[:0], "Internal Server Error"...)
				r.finish()
				return
			}
			r.b.post(func() { r.res.Destroy(fmt.Errorf("http: panic in handler: %v", v)) })
			return
		}
		r.finish()
	}()
	r.b.h.ServeHTTP((*bridgeWriter)(r), r.hr)
}

// finish sends what is left and ends the response.
func (r *bridgeReq) finish() {
	head := !r.sent
	status, hdr := r.status, r.header.Clone()
	body := r.out
	r.out = nil
	r.sent = true
	r.b.post(func() {
		if r.ended {
			return
		}
		if head {
			r.writeHead(status, hdr, len(body), true)
		}
		r.res.End(body)
	})
}

// writeHead sets the status and header on the loop; with a known length, Content-Length.
func (r *bridgeReq) writeHead(status int, hdr nethttp.Header, n int, final bool) {
	if status == 0 {
		status = 200
	}
	res := r.res
	res.StatusCode = status
	for k, vs := range hdr {
		res.SetHeaderValues(k, vs)
	}
	if final && hdr.Get("Content-Type") == "" && n > 0 && status != 204 && status != 304 {
		res.SetHeader("Content-Type", "text/plain; charset=utf-8")
	}
}

// bridgeWriter is the handler's ResponseWriter.
type bridgeWriter bridgeReq

func (w *bridgeWriter) Header() nethttp.Header { return w.header }

func (w *bridgeWriter) WriteHeader(code int) {
	if w.status == 0 && !w.sent {
		w.status = code
	}
}

func (w *bridgeWriter) Write(p []byte) (int, error) {
	r := (*bridgeReq)(w)
	if r.status == 0 {
		r.status = 200
	}
	r.out = append(r.out, p...)
	if len(r.out) >= r.b.opts.FlushSize {
		if err := r.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush sends what was written so far (http.Flusher).
func (w *bridgeWriter) Flush() { (*bridgeReq)(w).flush() }

// flush hands the gathered bytes to the loop and waits until the response takes them
// (backpressure: a full socket holds the worker).
func (r *bridgeReq) flush() error {
	head := !r.sent
	if r.status == 0 {
		r.status = 200
	}
	status, hdr := r.status, r.header.Clone()
	chunk := r.out
	r.out = nil
	r.sent = true
	if !r.b.post(func() {
		if r.ended {
			r.signal(false)
			return
		}
		if head {
			r.writeHead(status, hdr, 0, false)
			if hdr.Get("Content-Type") == "" {
				r.res.SetHeader("Content-Type", nethttp.DetectContentType(chunk))
			}
		}
		if len(chunk) == 0 {
			r.res.FlushHeaders()
			r.signal(true)
			return
		}
		if r.res.Write(chunk) {
			r.signal(true)
			return
		}
		r.res.OnDrain(func() {
			r.res.OnDrain(nil)
			r.signal(true)
		})
	}) {
		return io.ErrClosedPipe
	}
	if !<-r.ack {
		return io.ErrClosedPipe
	}
	return nil
}

// signal tells a worker waiting in flush whether its bytes were taken; it never blocks the
// loop (a value already waiting says as much).
func (r *bridgeReq) signal(ok bool) {
	select {
	case r.ack <- ok:
	default:
	}
}
