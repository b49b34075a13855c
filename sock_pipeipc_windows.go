package uv

import (
	"encoding/binary"
	"math"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// IPC pipes on Windows, with libuv's wire format (src/win/pipe.c, uv__pipe_write_ipc and
// uv__pipe_read_ipc; tcp.c, uv__tcp_xfer_export and uv__tcp_xfer_import), so that a uv-go
// process and a libuv one (Node) can talk over one.
//
// A named pipe carries bytes only, so an IPC pipe frames everything it writes: a 16-byte
// header (flags, a reserved word, the data length, a word that must be zero), then, when a
// socket travels, a 632-byte record (the WSAPROTOCOL_INFOW that WSADuplicateSocketW fills for
// the peer's process, and a delayed error), then the data. One frame is one write of the
// Sock's ordered queue, so handles and data arrive in the order they were written. Only TCP
// sockets travel, as in libuv: a pipe, a TTY or a UDP socket gives ENOTSUP.
//
// The reader parses frames without blocking: a header (and record) that arrives in pieces
// is kept until it is whole, and a frame's data is returned by Read without ever reading
// into the next frame. A received socket is imported at once (WSASocketW with
// FROM_PROTOCOL_INFO) and waits for TakeFd (Pipe.Accept); it is imported before the frame's
// data is returned, so the read callback of that data sees it pending, as in libuv.

// Frame header flags.
const (
	ipcHasData   = 0x01
	ipcHasSocket = 0x02
	ipcIsConn    = 0x04 // the socket is a connection; without it, a listening socket
	ipcXferFlags = ipcHasSocket | ipcIsConn
	ipcValid     = ipcHasData | ipcHasSocket | ipcIsConn
)

// Sizes of the frame header and of the socket record (WSAPROTOCOL_INFOW, 628 bytes, and an
// int32), fixed by the protocol.
const (
	ipcHeaderSize = 16
	ipcInfoSize   = 628
	ipcXferSize   = ipcInfoSize + 4
)

// The protocol fixes the record's size: x/sys's WSAProtocolInfo must be WSAPROTOCOL_INFOW.
var _ [ipcInfoSize - unsafe.Sizeof(windows.WSAProtocolInfo{})]byte
var _ [unsafe.Sizeof(windows.WSAProtocolInfo{}) - ipcInfoSize]byte

// Winsock's FROM_PROTOCOL_INFO, and SO_ACCEPTCONN (which x/sys lacks).
const (
	fromProtocolInfo = -1
	soAcceptConn     = 0x0002
)

// pipeIPC is the IPC state of a pipe Sock (pipeState.ipc).
type pipeIPC struct {
	// peer is the process at the other end, whose sockets WSADuplicateSocketW makes; 0 until
	// known (from the spawn that made the pipe, or asked of the pipe at the first send).
	peer uint32
	// remaining is the data of the current frame not yet returned by Read.
	remaining uint32
	// hdr holds the header (and record) of the frame being read; have bytes of it so far.
	hdr  [ipcHeaderSize + ipcXferSize]byte
	have int
	// pending holds the sockets received and not yet taken, oldest first; InvalidHandle for
	// one that could not be imported (TakeFd gives it, and the accept fails with EBADF).
	pending []windows.Handle

	// Frames of finished writes, for the next ones (ipcFrameBuf).
	frames  *ipcFrameBuf
	nframes int
}

// initIPC makes the pipe sock s, on handle h (InvalidHandle before a connect), an IPC pipe.
func (s *Sock) initIPC(h windows.Handle) {
	c := &pipeIPC{}
	if h != windows.InvalidHandle {
		c.peer = takeStdioPeer(h)
	}
	s.ext.ipc = c
	s.flags |= sockIPC
}

// ipcPeer returns the process id at the other end of the pipe, as libuv's
// uv__pipe_get_ipc_remote_pid: the client's, unless that is this process, then the server's.
func (s *Sock) ipcPeer() (uint32, error) {
	c := s.ext.ipc
	if c.peer != 0 {
		return c.peer, nil
	}
	var pid uint32
	if err := windows.GetNamedPipeClientProcessId(s.fd, &pid); err != nil {
		return 0, TranslateSysError(err)
	}
	if pid == windows.GetCurrentProcessId() {
		if err := windows.GetNamedPipeServerProcessId(s.fd, &pid); err != nil {
			return 0, TranslateSysError(err)
		}
	}
	c.peer = pid
	return pid, nil
}

// ipcFrameBuf is the frame of one write of an IPC pipe: its header (and socket record) and
// the buffers handed to the kernel, the header first. A pipe keeps written ones for its next
// writes (pipeIPC.frames), so that a write in steady state allocates nothing.
type ipcFrameBuf struct {
	hdr  [ipcHeaderSize + ipcXferSize]byte
	bufs [][]byte
	next *ipcFrameBuf
}

// frameLimit is how many written frames a pipe keeps.
const frameLimit = 4

func (c *pipeIPC) putFrame(f *ipcFrameBuf) {
	if c.nframes >= frameLimit {
		return
	}
	clear(f.bufs) // drop the references to the data written
	f.bufs = f.bufs[:0]
	f.next = c.frames
	c.frames = f
	c.nframes++
}

// ipcFrame returns the frame that carries bufs, and the socket fd if send is set: the
// header, the record of the socket if one travels, then the data buffers. ENOBUFS if the
// data exceeds the header's 32-bit length.
func (s *Sock) ipcFrame(bufs [][]byte, fd OSSock, send bool) (*ipcFrameBuf, error) {
	n := uint64(0)
	for _, b := range bufs {
		n += uint64(len(b))
	}
	if n > math.MaxUint32 {
		return nil, ENOBUFS
	}
	size := ipcHeaderSize
	if send {
		size += ipcXferSize
	}
	c := s.ext.ipc
	f := c.frames
	if f != nil {
		c.frames, f.next = f.next, nil
		c.nframes--
	} else {
		f = new(ipcFrameBuf)
	}
	hdr := f.hdr[:size]
	clear(hdr)
	var flags uint32
	if send {
		fl, err := s.exportSocket(windows.Handle(fd), hdr[ipcHeaderSize:])
		if err != nil {
			c.putFrame(f)
			return nil, err
		}
		flags |= fl
	}
	if n > 0 {
		flags |= ipcHasData
		binary.LittleEndian.PutUint32(hdr[8:], uint32(n))
	}
	binary.LittleEndian.PutUint32(hdr[0:], flags)
	out := append(f.bufs[:0], hdr)
	for _, b := range bufs {
		if len(b) > 0 {
			out = append(out, b)
		}
	}
	f.bufs = out
	return f, nil
}

// exportSocket fills rec with what the peer needs to open socket h, as libuv's
// uv__tcp_xfer_export, and returns the frame flags that say what it is. A bound socket that
// does not listen yet is made to listen first (the receiver is assumed to accept on it).
// ENOTSUP for anything but a TCP socket.
func (s *Sock) exportSocket(h windows.Handle, rec []byte) (uint32, error) {
	fam, typ, err := sockFamilyType(h)
	if err != nil {
		if err == ENOTSOCK {
			return 0, ENOTSUP // a pipe or a TTY: only TCP handles travel on Windows
		}
		return 0, err
	}
	if typ != windows.SOCK_STREAM || (fam != windows.AF_INET && fam != windows.AF_INET6) {
		return 0, ENOTSUP
	}
	flags := uint32(ipcHasSocket)
	if _, err := windows.Getpeername(h); err == nil {
		flags |= ipcIsConn
	} else if on, err := windows.GetsockoptInt(h, windows.SOL_SOCKET, soAcceptConn); (err != nil || on == 0) &&
		getsocknameOK(h) {
		if err := windows.Listen(h, windows.SOMAXCONN); err != nil {
			// libuv carries this error to the receiver's listen; there is no such slot
			// here, so the sender learns it.
			return 0, TranslateSysError(err)
		}
	}
	pid, err := s.ipcPeer()
	if err != nil {
		return 0, err
	}
	info := (*windows.WSAProtocolInfo)(unsafe.Pointer(&rec[0]))
	if err := windows.WSADuplicateSocket(h, pid, info); err != nil {
		return 0, TranslateSysError(err)
	}
	// Its Sock now closes as a shared socket's (sock_pipeipcsock_windows.go).
	noteExported(h)
	// The bind error the sender's TCP handle keeps for its listen (SendDelayedError).
	binary.LittleEndian.PutUint32(rec[ipcInfoSize:], uint32(takeDelayed(h)))
	return flags, nil
}

// getsocknameOK reports whether socket h is bound. One that is not (TCP.Bind failed, and
// keeps the error for later as libuv's delayed error, which travels with it) travels as it
// is.
func getsocknameOK(h windows.Handle) bool {
	_, err := windows.Getsockname(h)
	return err == nil
}

// readIPC is Read of an IPC pipe: the data of the frames, without their headers; the
// sockets they carry are queued for TakeFd. ECONNABORTED for a malformed frame, as libuv.
func (s *Sock) readIPC(b []byte) (int, error) {
	c := s.ext.ipc
	for {
		if c.remaining > 0 {
			if uint64(len(b)) > uint64(c.remaining) {
				b = b[:c.remaining]
			}
			n, err := pipeDriver{}.readRaw(s, b)
			if err != nil {
				return 0, err
			}
			c.remaining -= uint32(n)
			return n, nil
		}
		need := ipcHeaderSize
		if c.have >= ipcHeaderSize && binary.LittleEndian.Uint32(c.hdr[0:])&ipcHasSocket != 0 {
			need += ipcXferSize
		}
		n, err := pipeDriver{}.readRaw(s, c.hdr[c.have:need])
		if err != nil {
			return 0, err // EAGAIN: the rest of the header comes later
		}
		c.have += n
		if c.have < need {
			continue
		}
		if need == ipcHeaderSize {
			if err := c.checkHeader(); err != nil {
				c.have = 0
				return 0, err
			}
			if binary.LittleEndian.Uint32(c.hdr[0:])&ipcHasSocket != 0 {
				continue // the record follows
			}
		}
		c.frameRead()
	}
}

// checkHeader validates the header in c.hdr as libuv does.
func (c *pipeIPC) checkHeader() error {
	flags := binary.LittleEndian.Uint32(c.hdr[0:])
	length := binary.LittleEndian.Uint32(c.hdr[8:])
	switch {
	case flags&^ipcValid != 0, binary.LittleEndian.Uint32(c.hdr[12:]) != 0,
		flags&ipcXferFlags == ipcIsConn, // a connection flag without a socket
		flags&ipcHasData == 0 && length != 0:
		return ECONNABORTED
	}
	return nil
}

// frameRead takes in the header (and record) read whole: the socket is imported and queued,
// and the frame's data is what Read returns next.
func (c *pipeIPC) frameRead() {
	flags := binary.LittleEndian.Uint32(c.hdr[0:])
	c.have = 0
	if flags&ipcHasData != 0 {
		c.remaining = binary.LittleEndian.Uint32(c.hdr[8:])
	}
	if flags&ipcHasSocket == 0 {
		return
	}
	// Copied out: hdr's record is not aligned for the struct.
	var info windows.WSAProtocolInfo
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&info)), ipcInfoSize), c.hdr[ipcHeaderSize:])
	wsaStartup()
	fd, err := windows.WSASocket(fromProtocolInfo, fromProtocolInfo, fromProtocolInfo, &info, 0,
		windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	if err != nil {
		fd = windows.InvalidHandle
	} else {
		noteImported(fd)
		if code := binary.LittleEndian.Uint32(c.hdr[ipcHeaderSize+ipcInfoSize:]); code != 0 {
			setDelayed(fd, syscall.Errno(code)) // for ReceivedDelayedError
		}
	}
	c.pending = append(c.pending, fd)
}

// ipcState returns the sock's IPC state, or nil if it is not an IPC pipe.
func (s *Sock) ipcState() *pipeIPC {
	if s.flags&sockIPC == 0 || s.ext == nil || s.loop == nil {
		return nil
	}
	return s.ext.ipc
}

// pendingCount, peekPending and takePending are PendingFds, PeekFd and TakeFd.
func (s *Sock) pendingCount() int {
	if c := s.ipcState(); c != nil {
		return len(c.pending)
	}
	return 0
}

func (s *Sock) peekPending() (OSSock, bool) {
	c := s.ipcState()
	if c == nil || len(c.pending) == 0 {
		return InvalidSock, false
	}
	return OSSock(c.pending[0]), true
}

func (s *Sock) takePending() (OSSock, bool) {
	c := s.ipcState()
	if c == nil || len(c.pending) == 0 {
		return InvalidSock, false
	}
	fd := c.pending[0]
	copy(c.pending, c.pending[1:])
	c.pending = c.pending[:len(c.pending)-1]
	return OSSock(fd), true
}

// close closes the received sockets nobody took.
func (c *pipeIPC) close() {
	for _, fd := range c.pending {
		if fd != windows.InvalidHandle {
			takeImported(fd)
			takeDelayed(fd)
			windows.Closesocket(fd)
		}
	}
	c.pending = nil
}
