//go:build unix

package uv

import "syscall"

// On Unix libuv's codes are the negated errnos, so each code translates from the errno of the same
// name. The names every Unix has are here; errors_<os>.go add the ones only some have (osErrnos).
var hostErrnoLists = [][]errnoMapping{unixErrnos, osErrnos}

// goErrnoList is empty on Unix: Go's syscall package uses the native errnos.
var goErrnoList []errnoMapping

var unixErrnos = []errnoMapping{
	{E2BIG, errnos(syscall.E2BIG)},
	{EACCES, errnos(syscall.EACCES)},
	{EADDRINUSE, errnos(syscall.EADDRINUSE)},
	{EADDRNOTAVAIL, errnos(syscall.EADDRNOTAVAIL)},
	{EAFNOSUPPORT, errnos(syscall.EAFNOSUPPORT)},
	{EAGAIN, errnos(syscall.EAGAIN, syscall.EWOULDBLOCK)},
	{EALREADY, errnos(syscall.EALREADY)},
	{EBADF, errnos(syscall.EBADF)},
	{EBUSY, errnos(syscall.EBUSY)},
	{ECANCELED, errnos(syscall.ECANCELED)},
	{ECONNABORTED, errnos(syscall.ECONNABORTED)},
	{ECONNREFUSED, errnos(syscall.ECONNREFUSED)},
	{ECONNRESET, errnos(syscall.ECONNRESET)},
	{EDESTADDRREQ, errnos(syscall.EDESTADDRREQ)},
	{EEXIST, errnos(syscall.EEXIST)},
	{EFAULT, errnos(syscall.EFAULT)},
	{EFBIG, errnos(syscall.EFBIG)},
	{EHOSTUNREACH, errnos(syscall.EHOSTUNREACH)},
	{EINTR, errnos(syscall.EINTR)},
	{EINVAL, errnos(syscall.EINVAL)},
	{EIO, errnos(syscall.EIO)},
	{EISCONN, errnos(syscall.EISCONN)},
	{EISDIR, errnos(syscall.EISDIR)},
	{ELOOP, errnos(syscall.ELOOP)},
	{EMFILE, errnos(syscall.EMFILE)},
	{EMSGSIZE, errnos(syscall.EMSGSIZE)},
	{ENAMETOOLONG, errnos(syscall.ENAMETOOLONG)},
	{ENETDOWN, errnos(syscall.ENETDOWN)},
	{ENETUNREACH, errnos(syscall.ENETUNREACH)},
	{ENFILE, errnos(syscall.ENFILE)},
	{ENOBUFS, errnos(syscall.ENOBUFS)},
	{ENODEV, errnos(syscall.ENODEV)},
	{ENOENT, errnos(syscall.ENOENT)},
	{ENOMEM, errnos(syscall.ENOMEM)},
	{ENOPROTOOPT, errnos(syscall.ENOPROTOOPT)},
	{ENOSPC, errnos(syscall.ENOSPC)},
	{ENOSYS, errnos(syscall.ENOSYS)},
	{ENOTCONN, errnos(syscall.ENOTCONN)},
	{ENOTDIR, errnos(syscall.ENOTDIR)},
	{ENOTEMPTY, errnos(syscall.ENOTEMPTY)},
	{ENOTSOCK, errnos(syscall.ENOTSOCK)},
	// Linux and FreeBSD have one number for both; darwin, NetBSD and OpenBSD two. libuv only
	// names ENOTSUP, but its message is the socket one, so sockets' EOPNOTSUPP maps to it too.
	{ENOTSUP, errnos(syscall.ENOTSUP, syscall.EOPNOTSUPP)},
	{EOVERFLOW, errnos(syscall.EOVERFLOW)},
	{EPERM, errnos(syscall.EPERM)},
	{EPIPE, errnos(syscall.EPIPE)},
	{EPROTO, errnos(syscall.EPROTO)},
	{EPROTONOSUPPORT, errnos(syscall.EPROTONOSUPPORT)},
	{EPROTOTYPE, errnos(syscall.EPROTOTYPE)},
	{ERANGE, errnos(syscall.ERANGE)},
	{EROFS, errnos(syscall.EROFS)},
	{ESHUTDOWN, errnos(syscall.ESHUTDOWN)},
	{ESPIPE, errnos(syscall.ESPIPE)},
	{ESRCH, errnos(syscall.ESRCH)},
	{ETIMEDOUT, errnos(syscall.ETIMEDOUT)},
	{ETXTBSY, errnos(syscall.ETXTBSY)},
	{EXDEV, errnos(syscall.EXDEV)},
	{ENXIO, errnos(syscall.ENXIO)},
	{EMLINK, errnos(syscall.EMLINK)},
	{EHOSTDOWN, errnos(syscall.EHOSTDOWN)},
	{ENOTTY, errnos(syscall.ENOTTY)},
	{EILSEQ, errnos(syscall.EILSEQ)},
	{ESOCKTNOSUPPORT, errnos(syscall.ESOCKTNOSUPPORT)},
	{ENOEXEC, errnos(syscall.ENOEXEC)},
}
