package uv

import "golang.org/x/sys/windows"

// SockTypeOf reports which handle type fits fd, as libuv's uv_guess_handle does: TypeTCP for
// a stream socket, TypeUDP for a datagram socket, TypeNamedPipe for a pipe, TypeFile for a
// disk file or a character device, UnknownHandle for anything else. EBADF for the invalid
// handle.
func SockTypeOf(fd OSSock) (HandleType, error) {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return UnknownHandle, EBADF
	}
	if fam, typ, err := sockFamilyType(h); err == nil {
		if fam != windows.AF_INET && fam != windows.AF_INET6 {
			return UnknownHandle, nil
		}
		switch typ {
		case windows.SOCK_STREAM:
			return TypeTCP, nil
		case windows.SOCK_DGRAM:
			return TypeUDP, nil
		}
		return UnknownHandle, nil
	}
	t, err := windows.GetFileType(h)
	if err != nil && t == windows.FILE_TYPE_UNKNOWN {
		return UnknownHandle, TranslateSysError(err)
	}
	switch t {
	case windows.FILE_TYPE_PIPE:
		return TypeNamedPipe, nil
	case windows.FILE_TYPE_DISK, windows.FILE_TYPE_CHAR:
		return TypeFile, nil
	}
	return UnknownHandle, nil
}

// CheckOpenSocket is what TCP.Open and UDP.Open ask of a handle from elsewhere before they
// take it (libuv's uv_tcp_open reads the socket's protocol info first): on Windows a handle
// that is not a socket, such as a pipe, gives ENOTSOCK.
func CheckOpenSocket(fd OSSock) error {
	h := windows.Handle(fd)
	if h == windows.InvalidHandle || h == 0 {
		return EBADF
	}
	_, _, err := sockFamilyType(h)
	return err
}
