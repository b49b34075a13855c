package uv

import (
	"syscall"

	"golang.org/x/sys/windows"
)

var procAccept = modws2.NewProc("accept")

// Socketpair creates a connected pair of non-blocking, overlapped, non-inheritable TCP
// sockets over the IPv4 loopback, as libuv's uv_socketpair does on Windows (which has no
// socketpair). Only SockStream is supported (ENOTSUP otherwise).
func Socketpair(k SockKind) ([2]OSSock, error) {
	none := [2]OSSock{InvalidSock, InvalidSock}
	if k != SockStream {
		return none, ENOTSUP
	}
	wsaStartup()
	srv, e := wsaSocket(windows.AF_INET, windows.SOCK_STREAM)
	if e != 0 {
		return none, translateErrno(e)
	}
	defer windows.Closesocket(srv)
	if err := windows.Bind(srv, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return none, TranslateSysError(err)
	}
	if err := windows.Listen(srv, 1); err != nil {
		return none, TranslateSysError(err)
	}
	name, err := windows.Getsockname(srv)
	if err != nil {
		return none, TranslateSysError(err)
	}
	c0, e := wsaSocket(windows.AF_INET, windows.SOCK_STREAM)
	if e != 0 {
		return none, translateErrno(e)
	}
	if err := windows.Connect(c0, name); err != nil { // the listener takes it at once
		windows.Closesocket(c0)
		return none, TranslateSysError(err)
	}
	// A socket accept() makes is overlapped like its listener, but inheritable: clear that
	// under the fork lock, as the runtime does for its own handles.
	syscall.ForkLock.RLock()
	r, _, errno := syscall.SyscallN(procAccept.Addr(), uintptr(srv), 0, 0)
	c1 := windows.Handle(r)
	if c1 != windows.InvalidHandle {
		windows.SetHandleInformation(c1, windows.HANDLE_FLAG_INHERIT, 0)
	}
	syscall.ForkLock.RUnlock()
	if c1 == windows.InvalidHandle {
		windows.Closesocket(c0)
		if errno == 0 {
			errno = syscall.EINVAL
		}
		return none, translateErrno(errno)
	}
	for _, fd := range [2]windows.Handle{c0, c1} {
		if e := ioctlNonblock(fd, true); e != 0 {
			windows.Closesocket(c0)
			windows.Closesocket(c1)
			return none, translateErrno(e)
		}
	}
	return [2]OSSock{OSSock(c0), OSSock(c1)}, nil
}
