package uv

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// On Windows libuv translates Win32 and Winsock codes as its src/win/error.c does; the lists below
// hold the same pairs, grouped by code, the most common errno of each code first, and three
// Winsock codes libuv leaves unknown (WSAENETDOWN, WSAENOPROTOOPT, WSAEOPNOTSUPP) under the
// code of the same name.
var hostErrnoLists = [][]errnoMapping{windowsErrnos}

var windowsErrnos = []errnoMapping{
	{E2BIG, errnos(windows.ERROR_META_EXPANSION_TOO_LONG)},
	{EACCES, errnos(windows.WSAEACCES, windows.ERROR_ELEVATION_REQUIRED, windows.ERROR_CANT_ACCESS_FILE)},
	{EADDRINUSE, errnos(windows.WSAEADDRINUSE, windows.ERROR_ADDRESS_ALREADY_ASSOCIATED)},
	{EADDRNOTAVAIL, errnos(windows.WSAEADDRNOTAVAIL)},
	{EAFNOSUPPORT, errnos(windows.WSAEAFNOSUPPORT)},
	{EAGAIN, errnos(windows.WSAEWOULDBLOCK, windows.ERROR_NO_DATA)},
	{EALREADY, errnos(windows.WSAEALREADY)},
	{EBADF, errnos(windows.ERROR_INVALID_HANDLE, windows.ERROR_INVALID_FLAGS)},
	{EBUSY, errnos(windows.ERROR_SHARING_VIOLATION, windows.ERROR_LOCK_VIOLATION, windows.ERROR_PIPE_BUSY)},
	{ECANCELED, errnos(windows.ERROR_OPERATION_ABORTED, windows.WSAEINTR)},
	{ECHARSET, errnos(windows.ERROR_NO_UNICODE_TRANSLATION)},
	{ECONNABORTED, errnos(windows.WSAECONNABORTED, windows.ERROR_CONNECTION_ABORTED)},
	{ECONNREFUSED, errnos(windows.WSAECONNREFUSED, windows.ERROR_CONNECTION_REFUSED)},
	{ECONNRESET, errnos(windows.WSAECONNRESET, windows.ERROR_NETNAME_DELETED)},
	{EEXIST, errnos(windows.ERROR_ALREADY_EXISTS, windows.ERROR_FILE_EXISTS)},
	{EFAULT, errnos(windows.WSAEFAULT, windows.ERROR_NOACCESS)},
	{EFTYPE, errnos(windows.ERROR_BAD_EXE_FORMAT)},
	{EHOSTUNREACH, errnos(windows.WSAEHOSTUNREACH, windows.ERROR_HOST_UNREACHABLE)},
	{EINVAL, errnos(
		windows.ERROR_INVALID_PARAMETER, windows.WSAEINVAL, windows.ERROR_INSUFFICIENT_BUFFER,
		windows.ERROR_INVALID_DATA, windows.ERROR_SYMLINK_NOT_SUPPORTED, windows.WSAEPFNOSUPPORT,
	)},
	{EIO, errnos(
		windows.ERROR_IO_DEVICE, windows.ERROR_GEN_FAILURE, windows.ERROR_BEGINNING_OF_MEDIA,
		windows.ERROR_BUS_RESET, windows.ERROR_CRC, windows.ERROR_DEVICE_DOOR_OPEN,
		windows.ERROR_DEVICE_REQUIRES_CLEANING, windows.ERROR_DISK_CORRUPT,
		windows.ERROR_EOM_OVERFLOW, windows.ERROR_FILEMARK_DETECTED,
		windows.ERROR_INVALID_BLOCK_LENGTH, windows.ERROR_NO_DATA_DETECTED,
		windows.ERROR_NO_SIGNAL_SENT, windows.ERROR_OPEN_FAILED, windows.ERROR_SETMARK_DETECTED,
		windows.ERROR_SIGNAL_REFUSED,
	)},
	// libuv's own choice: a directory opened where a file was expected fails this way.
	{EISDIR, errnos(windows.ERROR_INVALID_FUNCTION)},
	{EISCONN, errnos(windows.WSAEISCONN)},
	{ELOOP, errnos(windows.ERROR_CANT_RESOLVE_FILENAME)},
	{EMFILE, errnos(windows.ERROR_TOO_MANY_OPEN_FILES, windows.WSAEMFILE)},
	{EMSGSIZE, errnos(windows.WSAEMSGSIZE)},
	{ENAMETOOLONG, errnos(windows.ERROR_FILENAME_EXCED_RANGE, windows.ERROR_BUFFER_OVERFLOW)},
	{ENETUNREACH, errnos(windows.WSAENETUNREACH, windows.ERROR_NETWORK_UNREACHABLE)},
	{ENETDOWN, errnos(windows.WSAENETDOWN)},
	{ENOBUFS, errnos(windows.WSAENOBUFS)},
	{ENOENT, errnos(
		windows.ERROR_FILE_NOT_FOUND, windows.ERROR_PATH_NOT_FOUND, windows.ERROR_BAD_PATHNAME,
		windows.ERROR_DIRECTORY, windows.ERROR_ENVVAR_NOT_FOUND, windows.ERROR_INVALID_NAME,
		windows.ERROR_INVALID_DRIVE, windows.ERROR_INVALID_REPARSE_DATA,
		windows.ERROR_MOD_NOT_FOUND, windows.WSAHOST_NOT_FOUND, windows.WSANO_DATA,
	)},
	{ENOMEM, errnos(windows.ERROR_NOT_ENOUGH_MEMORY, windows.ERROR_OUTOFMEMORY)},
	{ENOSPC, errnos(
		windows.ERROR_DISK_FULL, windows.ERROR_HANDLE_DISK_FULL, windows.ERROR_CANNOT_MAKE,
		windows.ERROR_EA_TABLE_FULL, windows.ERROR_END_OF_MEDIA,
	)},
	{ENOTCONN, errnos(windows.WSAENOTCONN, windows.ERROR_NOT_CONNECTED)},
	{ENOTEMPTY, errnos(windows.ERROR_DIR_NOT_EMPTY)},
	{ENOTSOCK, errnos(windows.WSAENOTSOCK)},
	{ENOPROTOOPT, errnos(windows.WSAENOPROTOOPT)},
	{ENOTSUP, errnos(windows.ERROR_NOT_SUPPORTED, windows.WSAEOPNOTSUPP)},
	// The other end of a pipe went away: libuv reports end of file (EOF keeps Errno 0).
	{EOF, errnos(windows.ERROR_BROKEN_PIPE)},
	// libuv maps ERROR_ACCESS_DENIED to EPERM, not EACCES.
	{EPERM, errnos(windows.ERROR_ACCESS_DENIED, windows.ERROR_PRIVILEGE_NOT_HELD)},
	{EPIPE, errnos(windows.ERROR_BAD_PIPE, windows.ERROR_PIPE_NOT_CONNECTED, windows.WSAESHUTDOWN)},
	{EPROTONOSUPPORT, errnos(windows.WSAEPROTONOSUPPORT)},
	{EROFS, errnos(windows.ERROR_WRITE_PROTECT)},
	{ESOCKTNOSUPPORT, errnos(windows.WSAESOCKTNOSUPPORT)},
	{ETIMEDOUT, errnos(windows.WSAETIMEDOUT, windows.ERROR_SEM_TIMEOUT)},
	{EXDEV, errnos(windows.ERROR_NOT_SAME_DEVICE)},
}

// goErrnoList maps the values Go's syscall package invented for POSIX names on Windows (which the
// standard library returns in places, e.g. syscall.EINVAL, syscall.EWINDOWS) to the code of the
// same name. Windows has no ECHARSET or EFTYPE among them.
var goErrnoList = []errnoMapping{
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
	{ENONET, errnos(syscall.ENONET)},
	{ENOPROTOOPT, errnos(syscall.ENOPROTOOPT)},
	{ENOSPC, errnos(syscall.ENOSPC)},
	// EWINDOWS is what Go returns for operations Windows does not implement.
	{ENOSYS, errnos(syscall.ENOSYS, syscall.EWINDOWS)},
	{ENOTCONN, errnos(syscall.ENOTCONN)},
	// No ENOTDIR: Go defines syscall.ENOTDIR as ERROR_PATH_NOT_FOUND here, which is ENOENT,
	// and libuv never reports ENOTDIR on Windows.
	{ENOTEMPTY, errnos(syscall.ENOTEMPTY)},
	{ENOTSOCK, errnos(syscall.ENOTSOCK)},
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
	{EREMOTEIO, errnos(syscall.EREMOTEIO)},
	{ENOTTY, errnos(syscall.ENOTTY)},
	{EILSEQ, errnos(syscall.EILSEQ)},
	{ESOCKTNOSUPPORT, errnos(syscall.ESOCKTNOSUPPORT)},
	{ENODATA, errnos(syscall.ENODATA)},
	{EUNATCH, errnos(syscall.EUNATCH)},
	{ENOEXEC, errnos(syscall.ENOEXEC)},
}
