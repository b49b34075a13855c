package http

import (
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// sendFile answers with the file's bytes [start, end) through the socket's SendFile: the
// head is written, then the kernel copies the file to the socket (sendfile(2) where the
// system has it; net reads and writes it elsewhere), then the response ends, so keep-alive
// and pipelining go on as after any response. It reports false, having sent nothing, when
// the response cannot be answered that way (no connection, the head already on its way,
// no Content-Length framing): ServeFile then pipes a FileReadStream instead.
func (s *fileServe) sendFile(start, end int64) bool {
	res := s.res
	c := res.conn()
	if c == nil || c.closing || res.headWritten || !res.HasHeader("Content-Length") {
		return false
	}
	sock := c.sock
	if sock.Destroyed() || sock.WritableEnded() || sock.Pending() {
		return false
	}
	res.freeze(-1)
	if !res.bodyAllowed {
		return false // a status without a body (set by the caller): the pipe sends the head alone
	}
	b := res.appendHead(c.out[:0])
	res.headWritten = true
	sock.Write(b)
	c.keepOut(b)
	res.OnFinish(func() { s.done(nil) })
	if err := sock.SendFile(s.fd, start, end-start, s.fileSent); err != nil {
		s.fileSent(err)
	}
	return true
}

// fileSent is SendFile's callback: close the file, then end the response (or, after a
// failure, which net has turned into the socket's destruction, abort it).
func (s *fileServe) fileSent(err error) {
	var r handles.FS
	handles.FSCloseFile(s.loop, &r, s.fd, nil)
	defer net.Ticks(s.loop).Drain()
	if err != nil {
		if err != uv.ECANCELED {
			s.res.Destroy(err)
		}
		s.done(err)
		return
	}
	s.res.End(nil)
}
