package net

import (
	"net/netip"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/stream"
)

// Socket states.
const (
	stIdle uint8 = iota
	stConnecting
	stOpen
	stDestroyed
)

// SocketOptions are a Socket's options (Node's new net.Socket options and the socket
// options of net.createServer).
type SocketOptions struct {
	// Loop runs the socket; nil means uv.DefaultLoop().
	Loop *uv.Loop
	// AllowHalfOpen keeps the writable side open after the peer ends its side: the socket
	// must then be ended explicitly. Off by default, as in Node: the socket ends itself
	// after the end callback.
	AllowHalfOpen bool
	// HighWaterMark for both sides (16 KiB by default); the side-specific ones override it.
	HighWaterMark         int
	ReadableHighWaterMark int
	WritableHighWaterMark int
	// NoDelay turns Nagle's algorithm off once connected.
	NoDelay bool
	// KeepAlive turns TCP keep-alive on once connected, with the first probe after
	// KeepAliveInitialDelay milliseconds (Node's default 0: the system's idle time).
	KeepAlive             bool
	KeepAliveInitialDelay int
}

// Socket is Node's net.Socket: a stream.Duplex over a TCP handle. Its data callback gets
// what the kernel delivered, in the loop's shared read buffer: the chunk is valid only
// during the callback. Write copies nothing if the kernel takes the chunk at once and
// otherwise keeps a copy, so the caller may reuse its buffer as soon as Write returns.
// Pausing (Pause, or a pipe whose destination is full) stops reading from the kernel, so
// what a slow consumer buffers stays bounded by the highWaterMark.
//
// Events, in Node's order: connect; data ...; end (the peer ended its side); finish (our
// side ended, after End); error; close (always last, with hadError). Errors carry Node's
// messages ("connect ECONNREFUSED 127.0.0.1:3000", "read ECONNRESET", "write EPIPE").
type Socket struct {
	stream.Duplex

	// What each read and write touches follows the Duplex; the TCP handle, whose hot part
	// is its own affair, comes last.
	ls           *loopState // and so the loop: ls.loop
	tcp          *handles.TCP
	state        uint8
	writeBehind  bool
	reading      bool
	readOnOpen   bool
	finalPending bool
	resetOnClose bool
	hadError     bool
	unref        bool
	noDelay      bool
	keepAlive    bool
	timerFired   bool

	chunkLen int       // the length of the stream's last chunk, for SendFile
	file     *fileSend // SendFile's state, made by the first one

	timeout    uint64
	lastActive uint64

	bytesRead, bytesWritten uint64

	// State only some sockets need lives apart, so that a server's many idle
	// connections stay small: the connect state of a client socket (until connected), the
	// state of writes the kernel did not take at once (from the first), the idle timer
	// (from the first SetTimeout) and the cached addresses (from the first lookup).
	dial  *dialState
	wr    *sockWrite
	timer *handles.Timer
	names *sockNames

	server *Server
	sreq   *handles.ShutdownReq // made by the first shutdown

	keepAliveDelay int

	onConnect func()
	onTimeout func()
	onClose   func(hadError bool)
	closedFn  func() // handleClosed, bound when the socket is destroyed

	tcpv handles.TCP
}

// sockWrite is the state of the writes the kernel did not take at once.
type sockWrite struct {
	req  handles.WriteReq
	bufs [1][]byte // the chunk the handle is writing, from send until socketWritten
	n    int       // its length
	// spill holds copies of chunks the socket keeps; connWrite is a chunk waiting for the
	// connection (or for a SendFile) to be written.
	spill      []byte
	connWrite  []byte
	hasPending bool
}

// sockImpl is the socket's stream implementation (stream.Impl): a type of its own, so that
// its methods are not the Socket's, and the stream needs no closure per socket.
type sockImpl Socket

func (i *sockImpl) Read()                             { (*Socket)(i).implRead() }
func (i *sockImpl) Pause()                            { (*Socket)(i).implPause() }
func (i *sockImpl) Write(chunk []byte, retained bool) { (*Socket)(i).implWrite(chunk, retained) }
func (i *sockImpl) Final()                            { (*Socket)(i).implFinal() }
func (i *sockImpl) Destroy(err error) error           { return (*Socket)(i).implDestroy(err) }

// dialState is a connecting socket's: the host, the addresses to try, the requests.
type dialState struct {
	host  string
	port  int
	addrs []netip.Addr
	addr1 [1]netip.Addr
	idx   int
	creq  handles.ConnectReq
	dns   handles.GetAddrInfoReq
}

// sockNames caches the socket's addresses.
type sockNames struct {
	peer, local         netip.AddrPort
	havePeer, haveLocal bool
}

// NewSocket creates a socket that is not connected yet (Node's new net.Socket()); Connect
// connects it. It fails only if the default loop cannot be created.
func NewSocket(o SocketOptions) (*Socket, error) {
	l, err := loopOrDefault(o.Loop)
	if err != nil {
		return nil, err
	}
	s := new(Socket)
	s.init(l, &o)
	return s, nil
}

// Connect creates a socket on the default loop and connects it to host:port (Node's
// net.connect / net.createConnection); cb, if not nil, runs on connect.
func Connect(port int, host string, cb func()) (*Socket, error) {
	s, err := NewSocket(SocketOptions{})
	if err != nil {
		return nil, err
	}
	if err := s.Connect(port, host, cb); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Socket) init(l *uv.Loop, o *SocketOptions) {
	s.ls = stateOf(l)
	s.Duplex.Init(stream.Options{
		HighWaterMark:         o.HighWaterMark,
		ReadableHighWaterMark: o.ReadableHighWaterMark,
		WritableHighWaterMark: o.WritableHighWaterMark,
		Ticks:                 &s.ls.ticks,
		Impl:                  (*sockImpl)(s),
		Continuous:            true,
		ManualClose:           true,
		AllowHalfOpen:         o.AllowHalfOpen,
	})
	s.Duplex.OnClose(s.emitClose)
	s.noDelay, s.keepAlive = o.NoDelay, o.KeepAlive
	s.keepAliveDelay = o.KeepAliveInitialDelay
}

// initTCP prepares a TCP handle for the socket.
func (s *Socket) initTCP(t *handles.TCP) error {
	if err := t.Init(s.ls.loop); err != nil {
		return err
	}
	t.Data = s
	s.tcp = t
	if s.unref {
		t.Unref()
	}
	return nil
}

// applyOptions sets the options that need a connected socket.
func (s *Socket) applyOptions() {
	if s.noDelay {
		s.tcp.NoDelay(true)
	}
	if s.keepAlive {
		s.tcp.KeepAlive(true, keepAliveSeconds(s.keepAliveDelay))
	}
	if s.writeBehind {
		s.tcp.SetWriteBehind(true)
	}
}

// keepAliveSeconds converts Node's milliseconds to libuv's seconds; 0 means the system's
// default idle time (7200 s on Linux), which libuv cannot express.
func keepAliveSeconds(ms int) int {
	if ms < 1000 {
		return 7200
	}
	return ms / 1000
}

// opened makes an accepted or connected socket readable and writable.
func (s *Socket) opened() {
	s.state = stOpen
	s.applyOptions()
	s.touch()
}

// Connect connects the socket to host:port (Node's socket.connect(port, host, cb)); cb, if
// not nil, becomes the connect callback. An empty host means "localhost"; names are looked
// up first, and their addresses tried in order. Connect returns an error only for a bad
// port or a socket that is not new; failures to connect reach the error callback
// ("connect ECONNREFUSED 127.0.0.1:3000"), followed by close. Writes and End before the
// connection is made wait for it.
func (s *Socket) Connect(port int, host string, cb func()) error {
	if port < 0 || port > 65535 {
		return badPort(port)
	}
	if s.state == stDestroyed || s.Duplex.Destroyed() {
		return ErrSocketClosed
	}
	if s.state != stIdle {
		return ErrSocketConnecting
	}
	if host == "" {
		host = "localhost"
	}
	if err := s.initTCP(&s.tcpv); err != nil {
		return err
	}
	if cb != nil {
		s.onConnect = cb
	}
	s.state = stConnecting
	d := &dialState{host: host, port: port}
	d.creq.Data, d.dns.Data = s, s
	s.dial = d
	if a, err := netip.ParseAddr(host); err == nil {
		d.addr1[0] = a
		d.addrs = d.addr1[:]
		s.tryConnect()
		return nil
	}
	hints := handles.AddrInfoHints{SockType: handles.SockTypeStream}
	if err := handles.GetAddrInfo(s.ls.loop, &d.dns, socketLookupDone, host, "", &hints); err != nil {
		s.Duplex.Destroy(dnsException(err, "getaddrinfo", host))
	}
	return nil
}

func socketLookupDone(req *handles.GetAddrInfoReq, err error, res []handles.AddrInfo) {
	s := req.Data.(*Socket)
	defer s.ls.drain()
	if s.state != stConnecting {
		return
	}
	d := s.dial
	if err != nil {
		s.Duplex.Destroy(dnsException(err, "getaddrinfo", d.host))
		return
	}
	d.addrs, d.idx = d.addrs[:0], 0
	for _, ai := range res {
		a := ai.Addr.Addr()
		dup := false
		for _, b := range d.addrs {
			dup = dup || a == b
		}
		if !dup {
			d.addrs = append(d.addrs, a)
		}
	}
	if len(d.addrs) == 0 {
		s.Duplex.Destroy(dnsException(uv.EAI_NONAME, "getaddrinfo", d.host))
		return
	}
	s.tryConnect()
}

func (s *Socket) tryConnect() {
	d := s.dial
	if err := s.tcp.Connect(&d.creq, netip.AddrPortFrom(d.addrs[d.idx], uint16(d.port)), socketConnected); err != nil {
		s.connectFailed(err)
	}
}

func socketConnected(req *handles.ConnectReq, err error) {
	s := req.Data.(*Socket)
	defer s.ls.drain()
	if s.state != stConnecting {
		return // destroyed meanwhile
	}
	if err != nil {
		s.connectFailed(err)
		return
	}
	s.dial = nil // connected: the connect state is done with
	s.opened()
	if s.onConnect != nil {
		s.onConnect()
	}
	if s.state != stOpen {
		return
	}
	if chunk, ok := s.takePending(); ok {
		s.send(chunk, true)
	}
	if s.finalPending {
		s.finalPending = false
		s.implFinal()
	}
	if s.readOnOpen {
		s.readOnOpen = false
		s.implRead()
	}
	if !s.Duplex.IsPaused() {
		s.Duplex.Read(nil)
	}
}

// connectFailed tries the next address, or destroys the socket with Node's error.
func (s *Socket) connectFailed(err error) {
	d := s.dial
	a := d.addrs[d.idx]
	if d.idx+1 < len(d.addrs) {
		d.idx++
		s.tcp.Close(nil)
		if ierr := s.initTCP(new(handles.TCP)); ierr == nil {
			s.tryConnect()
			return
		}
	}
	s.Duplex.Destroy(exceptionWithHostPort(err, "connect", a.String(), d.port))
}

// implRead is _read: start reading from the kernel.
func (s *Socket) implRead() {
	switch s.state {
	case stIdle, stConnecting:
		s.readOnOpen = true
		return
	case stOpen:
	default:
		return
	}
	if s.reading {
		return
	}
	if err := s.tcp.ReadStart(nil, socketRead); err != nil {
		s.Duplex.Destroy(errnoException(err, "read"))
		return
	}
	s.reading = true
}

// implPause stops reading from the kernel while the readable side is paused.
func (s *Socket) implPause() {
	s.readOnOpen = false
	if s.reading {
		s.tcp.ReadStop()
		s.reading = false
	}
}

func socketRead(st *handles.Stream, buf []byte, err error) {
	s := st.Data.(*Socket)
	switch {
	case err == nil:
		if len(buf) == 0 {
			return
		}
		s.ls.hold() // drained below
		s.bytesRead += uint64(len(buf))
		s.touch()
		if !s.Duplex.Push(buf) && s.reading {
			s.tcp.ReadStop()
			s.reading = false
		}
	case err == uv.EOF:
		s.reading = false
		s.Duplex.PushEOF()
		s.Duplex.Read(nil)
	default:
		s.reading = false
		s.Duplex.Destroy(errnoException(err, "read"))
	}
	s.ls.drain()
}

// implWrite is _write: write at once what the kernel takes, keep the rest.
func (s *Socket) implWrite(chunk []byte, retained bool) {
	s.chunkLen = len(chunk)
	if s.state == stIdle {
		// As Node: a socket that is neither connected nor connecting cannot write.
		s.Duplex.WriteDone(ErrSocketClosed)
		return
	}
	if s.file != nil && s.file.active && s.state == stOpen {
		s.fileOrdered(chunk, retained)
		return
	}
	if s.state != stOpen {
		// Not connected yet: keep the chunk until the connect callback.
		s.hold(chunk, retained)
		return
	}
	s.send(chunk, retained)
}

// wstate returns the write state, made at the first write the kernel does not take at once.
func (s *Socket) wstate() *sockWrite {
	if s.wr == nil {
		s.wr = &sockWrite{}
		s.wr.req.Data = s
	}
	return s.wr
}

// spillCopy copies a chunk the socket must keep into its spill buffer.
func (s *Socket) spillCopy(chunk []byte) []byte {
	w := s.wstate()
	w.spill = append(w.spill[:0], chunk...)
	return w.spill
}

// hold keeps a chunk (the stream's one chunk in flight) until the socket can write it.
func (s *Socket) hold(chunk []byte, retained bool) {
	if !retained {
		chunk = s.spillCopy(chunk)
	}
	w := s.wstate()
	w.connWrite, w.hasPending = chunk, true
}

// takePending returns the chunk held for later, if any, and forgets it.
func (s *Socket) takePending() ([]byte, bool) {
	w := s.wr
	if w == nil || !w.hasPending {
		return nil, false
	}
	chunk := w.connWrite
	w.connWrite, w.hasPending = nil, false
	return chunk, true
}

// dropPending forgets the chunk held for later.
func (s *Socket) dropPending() {
	if w := s.wr; w != nil {
		w.connWrite, w.hasPending = nil, false
	}
}

// tryWrite writes what the kernel takes of b now, without queueing.
func (s *Socket) tryWrite(b []byte) (int, error) {
	one := &s.ls.one
	one[0] = b
	n, err := s.tcp.TryWrite(one[:])
	one[0] = nil
	return n, err
}

// send writes chunk; a chunk that is not retained is tried at once and the rest copied.
func (s *Socket) send(chunk []byte, retained bool) {
	if !retained {
		n, err := s.tryWrite(chunk)
		if err == nil {
			s.bytesWritten += uint64(n)
			if n == len(chunk) {
				s.touch()
				s.Duplex.WriteDone(nil)
				return
			}
		} else if err != uv.EAGAIN && err != uv.ENOSYS {
			s.Duplex.WriteDone(errnoException(err, "write"))
			return
		}
		chunk = s.spillCopy(chunk[n:])
	}
	w := s.wstate()
	w.bufs[0] = chunk
	w.n = len(chunk)
	if err := s.tcp.Write(&w.req, w.bufs[:], socketWritten); err != nil {
		w.bufs[0] = nil
		s.Duplex.WriteDone(errnoException(err, "write"))
	}
}

// spillMax is the largest spill buffer kept between writes.
const spillMax = 1 << 20

func socketWritten(req *handles.WriteReq, err error) {
	s := req.Data.(*Socket)
	w := s.wr
	w.bufs[0] = nil
	if cap(w.spill) > spillMax {
		w.spill = nil
	}
	if err == uv.ECANCELED {
		// The handle closed: the socket is destroyed; this only settles the accounting.
		s.Duplex.WriteDone(err)
		return
	}
	if err == nil {
		s.bytesWritten += uint64(w.n)
		s.touch()
	}
	s.Duplex.WriteDone(errnoException(err, "write"))
	s.ls.drain()
}

// implFinal is _final: shut the write side down.
func (s *Socket) implFinal() {
	if s.file != nil && s.file.active && s.state == stOpen {
		s.finalPending = true // after the file
		return
	}
	if s.ls.loop.Tracing() && s.state == stOpen {
		s.ls.loop.TraceLayer("net", "Socket.end: shutdown of the write side (uv_shutdown)")
	}
	switch s.state {
	case stConnecting:
		s.finalPending = true
		return
	case stOpen:
	default:
		s.Duplex.FinalDone(nil)
		return
	}
	if s.sreq == nil {
		s.sreq = &handles.ShutdownReq{Data: s}
	}
	switch err := s.tcp.Shutdown(s.sreq, socketShut); err {
	case nil:
	case uv.ENOTCONN:
		s.Duplex.FinalDone(nil)
	default:
		s.Duplex.FinalDone(errnoException(err, "shutdown"))
	}
}

func socketShut(req *handles.ShutdownReq, err error) {
	s := req.Data.(*Socket)
	if err == uv.ECANCELED {
		return
	}
	// As Node, the shutdown's own status is not reported: a failure shows up on the
	// read side.
	s.Duplex.FinalDone(nil)
	s.ls.drain()
}

// implDestroy is _destroy: close the handle; close is reported from its close callback.
func (s *Socket) implDestroy(err error) error {
	if s.ls.loop.Tracing() {
		s.traceDestroy(err)
	}
	s.hadError = err != nil
	s.state = stDestroyed
	s.reading = false
	if s.timer != nil && !s.timer.IsClosing() {
		s.timer.Close(nil)
	}
	if s.tcp != nil && !s.tcp.IsClosing() {
		if s.closedFn == nil {
			s.closedFn = s.handleClosed
		}
		if s.resetOnClose && s.tcp.CloseReset(s.closedFn) == nil {
			// closed with an RST
		} else {
			s.tcp.Close(s.closedFn)
		}
	} else {
		s.Duplex.CloseDone()
	}
	return err
}

func (s *Socket) handleClosed() {
	s.fileClosed()
	s.Duplex.CloseDone()
	s.ls.drain()
}

func (s *Socket) emitClose() {
	if s.onClose != nil {
		s.onClose(s.hadError)
	}
	// Node counts the connection out in _destroy; here it is after its close callback, so
	// that the server's close callback runs after those of all its connections.
	if srv := s.server; srv != nil {
		s.server = nil
		srv.connections--
		srv.maybeEmitClose()
	}
}

// Write writes b (Node's socket.write): see Socket for copying. It returns false once the
// bytes not yet taken by the kernel reach the highWaterMark; the drain callback follows.
// After the peer ended and the socket ended itself (no AllowHalfOpen), it destroys the
// socket with EPIPE "This socket has been ended by the other party".
func (s *Socket) Write(b []byte) bool {
	if s.Duplex.ReadableEnded() && !s.Duplex.AllowHalfOpen() && s.Duplex.WritableEnded() && !s.Duplex.Destroyed() {
		s.Duplex.Destroy(errEnded())
		return false
	}
	if s.ls.loop.Tracing() {
		s.ls.loop.TraceLayer("net", "Socket.write "+itoa(int64(len(b)))+" bytes")
	}
	if len(b) > 0 && len(b) < s.Duplex.WritableHighWaterMark() && s.writeIdle() {
		// Nothing is queued or in flight: hand the chunk to the kernel at once, without the
		// stream's bookkeeping for a write it would complete at once anyway. What the kernel
		// does not take (or an error) goes the stream's way; the chunk is below the
		// highWaterMark, so Write returns what it would have.
		n, err := s.tryWrite(b)
		if err == nil {
			s.bytesWritten += uint64(n)
			s.touch()
			if n == len(b) {
				return true
			}
			b = b[n:]
		}
	}
	return s.Duplex.Write(b)
}

// WriteBuf returns where to build a chunk of up to max bytes that Write would hand to the
// kernel at once and whole, as it does under write-behind (SetWriteBehind) inside an I/O
// callback: an empty slice to append the chunk to, which CommitWrite then sends. The chunk
// is built where the socket would have copied it to, so it is not copied. nil when a Write
// now would take another way (writes are queued, the socket is corked or ending, no
// write-behind, a traced loop); then call Write. Not Node's: for the HTTP server.
func (s *Socket) WriteBuf(max int) []byte {
	if !s.writeBehind || max >= s.Duplex.WritableHighWaterMark() || !s.writeIdle() || s.ls.loop.Tracing() {
		return nil
	}
	return s.tcp.WriteBehindBuf(max)
}

// CommitWrite sends b, built on the slice WriteBuf returned, with nothing written on the
// loop in between: it is a Write(b) that returned true. If b grew to the highWaterMark or
// beyond, it sends nothing and reports false (Write would have taken the stream's way):
// then copy b to a buffer of your own (it lies in the loop's free space) and Write that.
func (s *Socket) CommitWrite(b []byte) bool {
	if len(b) >= s.Duplex.WritableHighWaterMark() {
		return false
	}
	s.bytesWritten += uint64(s.tcp.CommitWriteBehind(b))
	s.touch()
	return true
}

// writeIdle reports an open socket with nothing written but not yet taken by the kernel,
// not corked, not ended: a chunk written now would go straight to the kernel.
func (s *Socket) writeIdle() bool {
	return s.state == stOpen && (s.file == nil || !s.file.active) &&
		s.Duplex.WritableLength() == 0 && s.Duplex.WritableCorked() == 0 &&
		!s.Duplex.WritableEnded() && !s.Duplex.Destroyed()
}

// WriteString writes a string; it copies it only if the kernel does not take it at once.
func (s *Socket) WriteString(str string) bool {
	return s.Write(unsafeBytes(str))
}

// ResetAndDestroy destroys the socket and closes the connection with an RST (Node's
// resetAndDestroy).
func (s *Socket) ResetAndDestroy() {
	s.resetOnClose = true
	s.Duplex.Destroy(nil)
}

// OnConnect sets the connect callback.
func (s *Socket) OnConnect(fn func()) { s.onConnect = fn }

// OnTimeout sets the timeout callback (see SetTimeout).
func (s *Socket) OnTimeout(fn func()) { s.onTimeout = fn }

// OnClose sets the close callback, the socket's last; hadError tells whether it was
// destroyed by an error.
func (s *Socket) OnClose(fn func(hadError bool)) { s.onClose = fn }

// SetTimeout makes the timeout callback run after ms milliseconds without reading or
// writing (Node's setTimeout); 0 turns it off. cb, if not nil, becomes the timeout callback.
// As in Node, the socket is not closed: do it in the callback. The callback runs again only
// after new activity and another ms idle. The timer does not keep the loop alive.
func (s *Socket) SetTimeout(ms int, cb func()) {
	if ms <= 0 {
		s.timeout = 0
		if s.timer != nil {
			s.timer.Stop()
		}
		return
	}
	if cb != nil {
		s.onTimeout = cb
	}
	if s.state == stDestroyed {
		return
	}
	if s.timer == nil {
		t := new(handles.Timer)
		if err := t.Init(s.ls.loop); err != nil {
			return
		}
		t.Data = s
		t.Unref()
		s.timer = t
	}
	s.timeout = uint64(ms)
	s.lastActive = s.ls.loop.Now()
	s.timerFired = false
	s.timer.Start(socketTimer, s.timeout, 0)
}

// Timeout returns the idle timeout in milliseconds (0: none).
func (s *Socket) Timeout() int { return int(s.timeout) }

func socketTimer(t *handles.Timer) {
	s := t.Data.(*Socket)
	if s.timeout == 0 {
		return
	}
	if idle := s.ls.loop.Now() - s.lastActive; idle < s.timeout {
		t.Start(socketTimer, s.timeout-idle, 0)
		return
	}
	s.timerFired = true
	if s.onTimeout != nil {
		s.onTimeout()
	}
	s.ls.drain()
}

// touch records activity for the idle timeout.
func (s *Socket) touch() {
	if s.timeout == 0 {
		return
	}
	s.lastActive = s.ls.loop.Now()
	if s.timerFired {
		s.timerFired = false
		s.timer.Start(socketTimer, s.timeout, 0)
	}
}

// SetNoDelay turns Nagle's algorithm off (true) or on (Node's setNoDelay; Node's default
// argument is true).
func (s *Socket) SetNoDelay(noDelay bool) {
	s.noDelay = noDelay
	if s.state == stOpen {
		s.tcp.NoDelay(noDelay)
	}
}

// SetWriteBehind lets the writes made inside an I/O callback reach the kernel when the
// callback returns rather than at once (handles.Stream.SetWriteBehind): fewer costly returns
// through a deep stack after each system call. What a write reports is unchanged. Not
// Node's; the HTTP server turns it on for its connections.
func (s *Socket) SetWriteBehind(on bool) {
	s.writeBehind = on
	if s.state == stOpen {
		s.tcp.SetWriteBehind(on)
	}
}

// SetKeepAlive turns TCP keep-alive on or off, with the first probe after initialDelay
// milliseconds of idleness (Node's setKeepAlive; 0 means the system's default).
func (s *Socket) SetKeepAlive(enable bool, initialDelay int) {
	s.keepAlive, s.keepAliveDelay = enable, initialDelay
	if s.state == stOpen {
		s.tcp.KeepAlive(enable, keepAliveSeconds(initialDelay))
	}
}

// Ref makes the socket keep the loop alive (the default).
func (s *Socket) Ref() {
	s.unref = false
	if s.tcp != nil {
		s.tcp.Ref()
	}
}

// Unref lets the loop end while the socket is open.
func (s *Socket) Unref() {
	s.unref = true
	if s.tcp != nil {
		s.tcp.Unref()
	}
}

// Loop returns the loop the socket runs on.
func (s *Socket) Loop() *uv.Loop { return s.ls.loop }

// Connecting reports whether a Connect is in progress.
func (s *Socket) Connecting() bool { return s.state == stConnecting }

// Pending reports whether the socket is not connected yet (Node's socket.pending).
func (s *Socket) Pending() bool { return s.state != stOpen }

// ReadyState is Node's readyState: "opening", "open", "readOnly", "writeOnly" or "closed".
func (s *Socket) ReadyState() string {
	if s.state == stConnecting {
		return "opening"
	}
	r, w := s.Duplex.IsReadable(), s.Duplex.IsWritable()
	switch {
	case s.state != stOpen:
		return "closed"
	case r && w:
		return "open"
	case r:
		return "readOnly"
	case w:
		return "writeOnly"
	}
	return "closed"
}

// BytesRead returns the bytes received.
func (s *Socket) BytesRead() uint64 { return s.bytesRead }

// BytesWritten returns the bytes handed to the kernel (not those still buffered).
func (s *Socket) BytesWritten() uint64 { return s.bytesWritten }

func (s *Socket) peerAddr() (netip.AddrPort, bool) {
	n := s.names
	if (n == nil || !n.havePeer) && s.state == stOpen {
		if ap, err := s.tcp.Peername(); err == nil {
			if n == nil {
				n = new(sockNames)
				s.names = n
			}
			n.peer, n.havePeer = ap, true
		}
	}
	if n == nil {
		return netip.AddrPort{}, false
	}
	return n.peer, n.havePeer
}

func (s *Socket) localAddr() (netip.AddrPort, bool) {
	n := s.names
	if (n == nil || !n.haveLocal) && s.state == stOpen {
		if ap, err := s.tcp.Sockname(); err == nil {
			if n == nil {
				n = new(sockNames)
				s.names = n
			}
			n.local, n.haveLocal = ap, true
		}
	}
	if n == nil {
		return netip.AddrPort{}, false
	}
	return n.local, n.haveLocal
}

// RemoteAddress returns the peer's address ("127.0.0.1", "::ffff:127.0.0.1"), or "" if
// unknown (not connected).
func (s *Socket) RemoteAddress() string {
	if ap, ok := s.peerAddr(); ok {
		return ap.Addr().String()
	}
	return ""
}

// RemotePort returns the peer's port, or 0 if unknown.
func (s *Socket) RemotePort() int {
	ap, _ := s.peerAddr()
	return int(ap.Port())
}

// RemoteFamily returns "IPv4" or "IPv6", or "" if unknown.
func (s *Socket) RemoteFamily() string {
	ap, ok := s.peerAddr()
	return familyOf(ap.Addr(), ok)
}

// RemoteAddrPort returns the peer's address and port.
func (s *Socket) RemoteAddrPort() netip.AddrPort { ap, _ := s.peerAddr(); return ap }

// LocalAddress returns the local address, or "" if unknown.
func (s *Socket) LocalAddress() string {
	if ap, ok := s.localAddr(); ok {
		return ap.Addr().String()
	}
	return ""
}

// LocalPort returns the local port, or 0 if unknown.
func (s *Socket) LocalPort() int {
	ap, _ := s.localAddr()
	return int(ap.Port())
}

// LocalFamily returns "IPv4" or "IPv6", or "" if unknown.
func (s *Socket) LocalFamily() string {
	ap, ok := s.localAddr()
	return familyOf(ap.Addr(), ok)
}

// Address returns the local address (Node's socket.address()).
func (s *Socket) Address() Addr {
	ap, ok := s.localAddr()
	if !ok {
		return Addr{}
	}
	return addrOf(ap)
}
