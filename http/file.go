package http

import (
	"errors"
	"strconv"
	"strings"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
	"github.com/uv-go/uv/stream"
)

// DefaultFileChunk is the read size of a FileReadStream: 64 KiB, Node's fs stream default.
const DefaultFileChunk = 64 << 10

// FileReadStream is a stream.Readable of a byte range of an open file (Node's
// fs.createReadStream with start and end): reads run on the threadpool, one at a time, into
// one buffer, and stop while the consumer is full, so that piping a file into a response
// holds at most a chunk and the highWaterMarks in memory.
type FileReadStream struct {
	stream.Readable

	loop     *uv.Loop
	ticks    *stream.TickQueue
	req      handles.FS
	fd       uv.OSFd
	pos, end int64 // next offset; end is exclusive (-1: to EOF)
	buf      []byte
	bufs     [1][]byte
	reading  bool
	closeFd  bool
	closed   bool
}

// NewFileReadStream streams fd from start up to end (exclusive; -1 reads to EOF) on loop.
// If closeFd, the descriptor is closed once the stream ends or is destroyed.
func NewFileReadStream(loop *uv.Loop, fd uv.OSFd, start, end int64, closeFd bool) (*FileReadStream, error) {
	f := &FileReadStream{loop: loop, ticks: net.Ticks(loop), fd: fd, pos: start, end: end, closeFd: closeFd}
	err := f.Readable.Init(stream.Options{
		Ticks:         f.ticks,
		HighWaterMark: DefaultFileChunk,
		Read:          f.implRead,
		Destroy:       f.implDestroy,
	})
	if err != nil {
		return nil, err
	}
	f.req.Data = f
	return f, nil
}

func (f *FileReadStream) implRead() {
	if f.reading || f.closed {
		return
	}
	n := int64(DefaultFileChunk)
	if f.end >= 0 {
		if left := f.end - f.pos; left < n {
			n = left
		}
		if n <= 0 {
			f.finish()
			return
		}
	}
	if f.buf == nil {
		f.buf = make([]byte, DefaultFileChunk)
	}
	f.bufs[0] = f.buf[:n]
	if err := handles.FSReadFile(f.loop, &f.req, f.fd, f.bufs[:], f.pos, fileRead); err != nil {
		f.Readable.Destroy(err)
		return
	}
	f.reading = true
}

func fileRead(req *handles.FS) {
	f := req.Data.(*FileReadStream)
	f.reading = false
	defer f.ticks.Drain()
	if f.Readable.Destroyed() {
		f.closeFile()
		return
	}
	if req.Err != nil {
		f.Readable.Destroy(req.Err)
		return
	}
	n := int(req.Result)
	if n == 0 {
		f.finish()
		return
	}
	f.pos += int64(n)
	f.Readable.Push(f.buf[:n])
	if f.end >= 0 && f.pos >= f.end {
		f.finish()
	}
}

func (f *FileReadStream) finish() {
	f.Readable.PushEOF()
	f.closeFile()
}

func (f *FileReadStream) implDestroy(err error) error {
	if !f.reading {
		f.closeFile()
	}
	return err
}

func (f *FileReadStream) closeFile() {
	if f.closed {
		return
	}
	f.closed = true
	if f.closeFd {
		var r handles.FS
		handles.FSCloseFile(f.loop, &r, f.fd, nil)
	}
}

// FileOptions tune ServeFile (the send module's options).
type FileOptions struct {
	// MaxAge is Cache-Control's max-age in seconds (0 by default: "public, max-age=0").
	MaxAge int
	// Immutable adds "immutable" to Cache-Control.
	Immutable bool
	// NoETag, NoLastModified, NoCacheControl and NoAcceptRanges leave those headers out
	// (and, for the first two, the conditional requests they answer).
	NoETag, NoLastModified, NoCacheControl, NoAcceptRanges bool
	// ContentType overrides the type guessed from the extension.
	ContentType string
}

// FileError is a failure of ServeFile, with the status to answer: 404 for a missing file
// (or a directory), 403 for a forbidden one, 500 otherwise.
type FileError struct {
	Status int
	Path   string
	Err    error
}

func (e *FileError) Error() string { return "http: serve " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error (uv.ENOENT, uv.EISDIR, ...).
func (e *FileError) Unwrap() error { return e.Err }

// StatusCode returns the status to answer.
func (e *FileError) StatusCode() int { return e.Status }

func fileError(path string, err error) error {
	status := 500
	switch {
	case errors.Is(err, uv.ENOENT), errors.Is(err, uv.ENOTDIR), errors.Is(err, uv.EISDIR),
		errors.Is(err, uv.ENAMETOOLONG):
		status = 404
	case errors.Is(err, uv.EACCES), errors.Is(err, uv.EPERM):
		status = 403
	}
	return &FileError{Status: status, Path: path, Err: err}
}

// fileServe is one ServeFile in progress.
type fileServe struct {
	req  *IncomingMessage
	res  *ServerResponse
	path string
	o    FileOptions
	done func(error)
	loop *uv.Loop
	fs   handles.FS
	fd   uv.OSFd
	err  error
}

// ServeFile answers req with the file at path, as Express's res.sendFile (the send module)
// does: Content-Type from the extension, Content-Length, Accept-Ranges, Cache-Control,
// Last-Modified and a weak ETag (unless set already), 304 for a fresh conditional request,
// 412 for a failed precondition, a single byte range (206, or 416 if it cannot be
// satisfied; If-Range honoured), no body for HEAD. The body goes out with the socket's
// SendFile (sendfile(2) where the system has it: the bytes never enter the process), or as
// a FileReadStream piped into the response when the response cannot carry it that way. done, if not nil, runs once: with nil when the response has finished, or
// with the error (a *FileError before anything was sent: a missing file is a 404 to
// answer).
func ServeFile(req *IncomingMessage, res *ServerResponse, path string, o *FileOptions, done func(err error)) {
	if done == nil {
		done = func(error) {}
	}
	c := res.conn()
	if c == nil {
		done(ErrAborted)
		return
	}
	s := &fileServe{req: req, res: res, path: path, done: done, loop: c.srv.loop}
	if o != nil {
		s.o = *o
	}
	s.fs.Data = s
	if err := handles.FSOpenFile(s.loop, &s.fs, path, uv.FsORdonly, 0, fileOpened); err != nil {
		done(fileError(path, err))
	}
}

func fileOpened(r *handles.FS) {
	s := r.Data.(*fileServe)
	defer net.Ticks(s.loop).Drain()
	if r.Err != nil {
		s.done(fileError(s.path, r.Err))
		return
	}
	s.fd = uv.OSFd(r.Result)
	if err := handles.FSFstatFile(s.loop, &s.fs, s.fd, fileStatted); err != nil {
		s.fail(err)
	}
}

func (s *fileServe) fail(err error) {
	var r handles.FS
	handles.FSCloseFile(s.loop, &r, s.fd, nil)
	s.done(fileError(s.path, err))
}

const (
	modeType = 0o170000
	modeDir  = 0o040000
	modeReg  = 0o100000
)

func fileStatted(r *handles.FS) {
	s := r.Data.(*fileServe)
	defer net.Ticks(s.loop).Drain()
	if r.Err != nil {
		s.fail(r.Err)
		return
	}
	st := r.Statbuf
	if st.Mode&modeType == modeDir {
		s.fail(uv.EISDIR)
		return
	}
	if s.res.conn() == nil || s.res.HeadersSent() {
		s.fail(ErrAborted)
		return
	}
	s.respond(int64(st.Size), st.Mtim.Time())
}

func (s *fileServe) respond(size int64, mtime time.Time) {
	req, res, o := s.req, s.res, &s.o
	var etag, lastMod string
	if !o.NoAcceptRanges && !res.HasHeader("Accept-Ranges") {
		res.SetHeader("Accept-Ranges", "bytes")
	}
	if !o.NoCacheControl && !res.HasHeader("Cache-Control") {
		cc := "public, max-age=" + strconv.Itoa(o.MaxAge)
		if o.Immutable {
			cc += ", immutable"
		}
		res.SetHeader("Cache-Control", cc)
	}
	if !o.NoLastModified {
		if lastMod = res.GetHeader("Last-Modified"); lastMod == "" {
			lastMod = mtime.UTC().Format(TimeFormat)
			res.SetHeader("Last-Modified", lastMod)
		}
	}
	if !o.NoETag {
		if etag = res.GetHeader("ETag"); etag == "" {
			etag = "W/\"" + strconv.FormatInt(size, 16) + "-" + strconv.FormatInt(mtime.UnixMilli(), 16) + "\""
			res.SetHeader("ETag", etag)
		}
	}
	if !res.HasHeader("Content-Type") {
		ct := o.ContentType
		if ct == "" {
			ct = ContentTypeOf(s.path)
		}
		res.SetHeader("Content-Type", ct)
	}
	h := &req.Headers
	// Preconditions, then freshness.
	if m := h.GetBytes("if-match"); m != nil && !(len(m) == 1 && m[0] == '*') && (etag == "" || !etagMatch(m, etag)) {
		s.status(412)
		return
	}
	if ius := h.GetBytes("if-unmodified-since"); ius != nil && lastMod != "" {
		if t, err := ParseTime(string(ius)); err == nil && mtime.Truncate(time.Second).After(t) {
			s.status(412)
			return
		}
	}
	if isFresh(h, etag, lastMod, mtime) {
		for _, n := range [...]string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Range"} {
			res.RemoveHeader(n)
		}
		res.StatusCode = 304
		s.finishEmpty()
		return
	}
	start, end := int64(0), size // end exclusive
	if rh := h.GetBytes("range"); rh != nil && !o.NoAcceptRanges && rangeFresh(h, etag, lastMod) {
		a, b, ok, satisfiable := parseRange(string(rh), size)
		switch {
		case !satisfiable:
			res.SetHeader("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			s.status(416)
			return
		case ok:
			start, end = a, b+1
			res.StatusCode = 206
			res.SetHeader("Content-Range", "bytes "+strconv.FormatInt(a, 10)+"-"+strconv.FormatInt(b, 10)+"/"+strconv.FormatInt(size, 10))
		}
	}
	res.SetHeader("Content-Length", strconv.FormatInt(end-start, 10))
	if req.Method == "HEAD" {
		s.finishEmpty()
		return
	}
	if end > start && s.sendFile(start, end) {
		return
	}
	fs, err := NewFileReadStream(s.loop, s.fd, start, end, true)
	if err != nil {
		s.fail(err)
		return
	}
	res.OnFinish(func() { s.done(nil) })
	fs.OnError(func(err error) {
		res.Destroy(err)
		s.done(err)
	})
	fs.Pipe(res)
}

// status answers an error status with its reason phrase and closes the file.
func (s *fileServe) status(code int) {
	var r handles.FS
	handles.FSCloseFile(s.loop, &r, s.fd, nil)
	res := s.res
	res.StatusCode = code
	res.RemoveHeader("Content-Length")
	res.SetHeader("Content-Type", "text/plain; charset=utf-8")
	res.OnFinish(func() { s.done(nil) })
	res.EndString(StatusText(code))
}

func (s *fileServe) finishEmpty() {
	var r handles.FS
	handles.FSCloseFile(s.loop, &r, s.fd, nil)
	s.res.OnFinish(func() { s.done(nil) })
	s.res.End(nil)
}

// isFresh is the fresh module for a file's ETag and modification time.
func isFresh(h *Header, etag, lastMod string, mtime time.Time) bool {
	inm := h.GetBytes("if-none-match")
	ims := h.GetBytes("if-modified-since")
	if inm == nil && ims == nil {
		return false
	}
	if cc := h.GetBytes("cache-control"); cc != nil && strings.Contains(strings.ToLower(string(cc)), "no-cache") {
		return false
	}
	if inm != nil && !(len(inm) == 1 && inm[0] == '*') {
		if etag == "" || !etagMatch(inm, etag) {
			return false
		}
	}
	if ims != nil {
		t, err := ParseTime(string(ims))
		if lastMod == "" || err != nil || mtime.Truncate(time.Second).After(t) {
			return false
		}
	}
	return true
}

// rangeFresh is send's If-Range check: an ETag that matches or a date not older than the
// file.
func rangeFresh(h *Header, etag, lastMod string) bool {
	ir := h.GetBytes("if-range")
	if ir == nil {
		return true
	}
	if strings.IndexByte(string(ir), '"') >= 0 {
		return etag != "" && strings.Contains(string(ir), etag)
	}
	return lastMod != "" && string(ir) == lastMod
}

// etagMatch compares an ETag list with etag, weakly.
func etagMatch(list []byte, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, e := range strings.Split(string(list), ",") {
		if strings.TrimPrefix(strings.TrimSpace(e), "W/") == etag {
			return true
		}
	}
	return false
}

// parseRange parses a single "bytes=a-b" range against size: the inclusive bounds, whether
// there is a range to honour (false: serve the whole file) and whether it can be satisfied.
func parseRange(h string, size int64) (start, end int64, ok, satisfiable bool) {
	const prefix = "bytes="
	if !strings.HasPrefix(h, prefix) {
		return 0, 0, false, true
	}
	spec := strings.TrimSpace(h[len(prefix):])
	if strings.Contains(spec, ",") {
		return 0, 0, false, true // several ranges: the whole file, as send does
	}
	dash := strings.IndexByte(spec, '-')
	if dash < 0 {
		return 0, 0, false, true
	}
	a, b := strings.TrimSpace(spec[:dash]), strings.TrimSpace(spec[dash+1:])
	switch {
	case a == "" && b == "":
		return 0, 0, false, true
	case a == "":
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, true
		}
		if n == 0 || size == 0 {
			return 0, 0, false, false
		}
		if n > size {
			n = size
		}
		return size - n, size - 1, true, true
	}
	s, err := strconv.ParseInt(a, 10, 64)
	if err != nil || s < 0 {
		return 0, 0, false, true
	}
	e := size - 1
	if b != "" {
		if e, err = strconv.ParseInt(b, 10, 64); err != nil || e < s {
			return 0, 0, false, true
		}
		if e > size-1 {
			e = size - 1
		}
	}
	if s >= size {
		return 0, 0, false, false
	}
	return s, e, true, true
}

// ParseTime parses an HTTP date in any of the three formats RFC 9110 allows.
func ParseTime(v string) (time.Time, error) {
	var err error
	for _, layout := range [...]string{TimeFormat, time.RFC850, time.ANSIC} {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// ContentTypeOf returns the Content-Type for a file name, as the send module does: text
// types with "; charset=UTF-8", application/octet-stream when unknown.
func ContentTypeOf(name string) string {
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 && strings.LastIndexAny(name, "/\\") < i {
		ext = strings.ToLower(name[i:])
	}
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	return "application/octet-stream"
}

var contentTypes = map[string]string{
	".html": "text/html; charset=UTF-8", ".htm": "text/html; charset=UTF-8",
	".css": "text/css; charset=UTF-8", ".js": "application/javascript; charset=UTF-8",
	".mjs": "application/javascript; charset=UTF-8", ".json": "application/json; charset=UTF-8",
	".txt": "text/plain; charset=UTF-8", ".md": "text/markdown; charset=UTF-8",
	".csv": "text/csv; charset=UTF-8", ".xml": "application/xml; charset=UTF-8",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".avif": "image/avif",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
	".pdf": "application/pdf", ".zip": "application/zip", ".gz": "application/gzip",
	".wasm": "application/wasm", ".mp4": "video/mp4", ".webm": "video/webm",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg",
}
