package uv

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// Error is a libuv error code (libuv's UV_E* constants and UV_EOF, UV_UNKNOWN, UV_EAI_*).
//
// Every code is a pointer to a package-level variable (E2BIG, EACCES, ..., EOF, UNKNOWN), so
// returning and comparing codes never allocates: compare with == or errors.Is. The only other
// *Error values are those TranslateSysError makes for host errnos libuv has no code for; they are
// named "UNKNOWN", have UNKNOWN's code and carry the errno (see Errno).
type Error struct {
	code int
	name string
	msg  string
	// sys is the host errno the code corresponds to (0 if none): the one Errno returns.
	sys syscall.Errno
	// alt is a second host errno consulted by Is for targets that are not errnos. Only Windows
	// sets it, to the value Go's syscall package invented for the code's POSIX name (for example
	// syscall.EACCES), because the standard library attaches meanings like fs.ErrPermission to
	// those values as well as to some Win32 codes.
	alt syscall.Errno
}

// Error returns libuv's message for the code, as uv_strerror does, e.g. "address already in use".
// For an unknown host errno N it is "Unknown system error -N", as libuv prints a raw negated errno.
func (e *Error) Error() string { return e.msg }

// Name returns libuv's name for the code, as uv_err_name does, e.g. "EADDRINUSE".
func (e *Error) Name() string { return e.name }

// Code returns libuv's numeric code as libuv defines it on Linux: the negated Linux errno for codes
// that are errnos there, UV_EOF = -4095, UV_UNKNOWN = -4094, UV_EAI_* in -3000..-3014, and libuv's
// private numbers for the codes Linux has no errno for (ECHARSET = -4080, EFTYPE = -4028). The
// number is the same on every operating system, so it can be stored or sent across systems;
// ErrorFromCode maps it back.
func (e *Error) Code() int { return e.code }

// Errno returns the host errno the code corresponds to, or 0 if there is none (EOF, UNKNOWN, the
// EAI_* codes, and the codes the host has no errno for, such as ECHARSET). On Windows it is the
// Win32 or Winsock code libuv translates to this code (the most common one when there are
// several), or else the value Go's syscall package invented for the POSIX name.
func (e *Error) Errno() syscall.Errno { return e.sys }

// Is reports whether e matches target, for errors.Is. A target that is a syscall.Errno matches when
// it translates to e (so EAGAIN matches both EAGAIN and EWOULDBLOCK, and on Windows EADDRINUSE
// matches WSAEADDRINUSE). Any other target matches when the host errno of e matches it, so
// errors.Is(ENOENT, fs.ErrNotExist) and errors.Is(EEXIST, fs.ErrExist) hold. EOF also matches
// io.EOF, and every UNKNOWN error matches UNKNOWN.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case syscall.Errno:
		if t == 0 {
			return false
		}
		if m := lookupErrno(t); m != nil {
			return m == e
		}
		return e.sys == t
	case *Error:
		// Distinct *Error values share a code only when both are UNKNOWN.
		return e.code == t.code && (t == UNKNOWN || t.sys == e.sys)
	}
	if target == io.EOF {
		return e == EOF
	}
	return (e.sys != 0 && e.sys.Is(target)) || (e.alt != 0 && e.alt.Is(target))
}

// The codes of libuv's UV_ERRNO_MAP, in its order, with libuv's names and messages.
var (
	E2BIG           = &Error{code: -7, name: "E2BIG", msg: "argument list too long"}
	EACCES          = &Error{code: -13, name: "EACCES", msg: "permission denied"}
	EADDRINUSE      = &Error{code: -98, name: "EADDRINUSE", msg: "address already in use"}
	EADDRNOTAVAIL   = &Error{code: -99, name: "EADDRNOTAVAIL", msg: "address not available"}
	EAFNOSUPPORT    = &Error{code: -97, name: "EAFNOSUPPORT", msg: "address family not supported"}
	EAGAIN          = &Error{code: -11, name: "EAGAIN", msg: "resource temporarily unavailable"}
	EAI_ADDRFAMILY  = &Error{code: -3000, name: "EAI_ADDRFAMILY", msg: "address family not supported"}
	EAI_AGAIN       = &Error{code: -3001, name: "EAI_AGAIN", msg: "temporary failure"}
	EAI_BADFLAGS    = &Error{code: -3002, name: "EAI_BADFLAGS", msg: "bad ai_flags value"}
	EAI_BADHINTS    = &Error{code: -3013, name: "EAI_BADHINTS", msg: "invalid value for hints"}
	EAI_CANCELED    = &Error{code: -3003, name: "EAI_CANCELED", msg: "request canceled"}
	EAI_FAIL        = &Error{code: -3004, name: "EAI_FAIL", msg: "permanent failure"}
	EAI_FAMILY      = &Error{code: -3005, name: "EAI_FAMILY", msg: "ai_family not supported"}
	EAI_MEMORY      = &Error{code: -3006, name: "EAI_MEMORY", msg: "out of memory"}
	EAI_NODATA      = &Error{code: -3007, name: "EAI_NODATA", msg: "no address"}
	EAI_NONAME      = &Error{code: -3008, name: "EAI_NONAME", msg: "unknown node or service"}
	EAI_OVERFLOW    = &Error{code: -3009, name: "EAI_OVERFLOW", msg: "argument buffer overflow"}
	EAI_PROTOCOL    = &Error{code: -3014, name: "EAI_PROTOCOL", msg: "resolved protocol is unknown"}
	EAI_SERVICE     = &Error{code: -3010, name: "EAI_SERVICE", msg: "service not available for socket type"}
	EAI_SOCKTYPE    = &Error{code: -3011, name: "EAI_SOCKTYPE", msg: "socket type not supported"}
	EALREADY        = &Error{code: -114, name: "EALREADY", msg: "connection already in progress"}
	EBADF           = &Error{code: -9, name: "EBADF", msg: "bad file descriptor"}
	EBUSY           = &Error{code: -16, name: "EBUSY", msg: "resource busy or locked"}
	ECANCELED       = &Error{code: -125, name: "ECANCELED", msg: "operation canceled"}
	ECHARSET        = &Error{code: -4080, name: "ECHARSET", msg: "invalid Unicode character"}
	ECONNABORTED    = &Error{code: -103, name: "ECONNABORTED", msg: "software caused connection abort"}
	ECONNREFUSED    = &Error{code: -111, name: "ECONNREFUSED", msg: "connection refused"}
	ECONNRESET      = &Error{code: -104, name: "ECONNRESET", msg: "connection reset by peer"}
	EDESTADDRREQ    = &Error{code: -89, name: "EDESTADDRREQ", msg: "destination address required"}
	EEXIST          = &Error{code: -17, name: "EEXIST", msg: "file already exists"}
	EFAULT          = &Error{code: -14, name: "EFAULT", msg: "bad address in system call argument"}
	EFBIG           = &Error{code: -27, name: "EFBIG", msg: "file too large"}
	EHOSTUNREACH    = &Error{code: -113, name: "EHOSTUNREACH", msg: "host is unreachable"}
	EINTR           = &Error{code: -4, name: "EINTR", msg: "interrupted system call"}
	EINVAL          = &Error{code: -22, name: "EINVAL", msg: "invalid argument"}
	EIO             = &Error{code: -5, name: "EIO", msg: "i/o error"}
	EISCONN         = &Error{code: -106, name: "EISCONN", msg: "socket is already connected"}
	EISDIR          = &Error{code: -21, name: "EISDIR", msg: "illegal operation on a directory"}
	ELOOP           = &Error{code: -40, name: "ELOOP", msg: "too many symbolic links encountered"}
	EMFILE          = &Error{code: -24, name: "EMFILE", msg: "too many open files"}
	EMSGSIZE        = &Error{code: -90, name: "EMSGSIZE", msg: "message too long"}
	ENAMETOOLONG    = &Error{code: -36, name: "ENAMETOOLONG", msg: "name too long"}
	ENETDOWN        = &Error{code: -100, name: "ENETDOWN", msg: "network is down"}
	ENETUNREACH     = &Error{code: -101, name: "ENETUNREACH", msg: "network is unreachable"}
	ENFILE          = &Error{code: -23, name: "ENFILE", msg: "file table overflow"}
	ENOBUFS         = &Error{code: -105, name: "ENOBUFS", msg: "no buffer space available"}
	ENODEV          = &Error{code: -19, name: "ENODEV", msg: "no such device"}
	ENOENT          = &Error{code: -2, name: "ENOENT", msg: "no such file or directory"}
	ENOMEM          = &Error{code: -12, name: "ENOMEM", msg: "not enough memory"}
	ENONET          = &Error{code: -64, name: "ENONET", msg: "machine is not on the network"}
	ENOPROTOOPT     = &Error{code: -92, name: "ENOPROTOOPT", msg: "protocol not available"}
	ENOSPC          = &Error{code: -28, name: "ENOSPC", msg: "no space left on device"}
	ENOSYS          = &Error{code: -38, name: "ENOSYS", msg: "function not implemented"}
	ENOTCONN        = &Error{code: -107, name: "ENOTCONN", msg: "socket is not connected"}
	ENOTDIR         = &Error{code: -20, name: "ENOTDIR", msg: "not a directory"}
	ENOTEMPTY       = &Error{code: -39, name: "ENOTEMPTY", msg: "directory not empty"}
	ENOTSOCK        = &Error{code: -88, name: "ENOTSOCK", msg: "socket operation on non-socket"}
	ENOTSUP         = &Error{code: -95, name: "ENOTSUP", msg: "operation not supported on socket"}
	EOVERFLOW       = &Error{code: -75, name: "EOVERFLOW", msg: "value too large for defined data type"}
	EPERM           = &Error{code: -1, name: "EPERM", msg: "operation not permitted"}
	EPIPE           = &Error{code: -32, name: "EPIPE", msg: "broken pipe"}
	EPROTO          = &Error{code: -71, name: "EPROTO", msg: "protocol error"}
	EPROTONOSUPPORT = &Error{code: -93, name: "EPROTONOSUPPORT", msg: "protocol not supported"}
	EPROTOTYPE      = &Error{code: -91, name: "EPROTOTYPE", msg: "protocol wrong type for socket"}
	ERANGE          = &Error{code: -34, name: "ERANGE", msg: "result too large"}
	EROFS           = &Error{code: -30, name: "EROFS", msg: "read-only file system"}
	ESHUTDOWN       = &Error{code: -108, name: "ESHUTDOWN", msg: "cannot send after transport endpoint shutdown"}
	ESPIPE          = &Error{code: -29, name: "ESPIPE", msg: "invalid seek"}
	ESRCH           = &Error{code: -3, name: "ESRCH", msg: "no such process"}
	ETIMEDOUT       = &Error{code: -110, name: "ETIMEDOUT", msg: "connection timed out"}
	ETXTBSY         = &Error{code: -26, name: "ETXTBSY", msg: "text file is busy"}
	EXDEV           = &Error{code: -18, name: "EXDEV", msg: "cross-device link not permitted"}
	UNKNOWN         = &Error{code: -4094, name: "UNKNOWN", msg: "unknown error"}
	EOF             = &Error{code: -4095, name: "EOF", msg: "end of file"}
	ENXIO           = &Error{code: -6, name: "ENXIO", msg: "no such device or address"}
	EMLINK          = &Error{code: -31, name: "EMLINK", msg: "too many links"}
	EHOSTDOWN       = &Error{code: -112, name: "EHOSTDOWN", msg: "host is down"}
	EREMOTEIO       = &Error{code: -121, name: "EREMOTEIO", msg: "remote I/O error"}
	ENOTTY          = &Error{code: -25, name: "ENOTTY", msg: "inappropriate ioctl for device"}
	EFTYPE          = &Error{code: -4028, name: "EFTYPE", msg: "inappropriate file type or format"}
	EILSEQ          = &Error{code: -84, name: "EILSEQ", msg: "illegal byte sequence"}
	ESOCKTNOSUPPORT = &Error{code: -94, name: "ESOCKTNOSUPPORT", msg: "socket type not supported"}
	ENODATA         = &Error{code: -61, name: "ENODATA", msg: "no data available"}
	EUNATCH         = &Error{code: -49, name: "EUNATCH", msg: "protocol driver not attached"}
	ENOEXEC         = &Error{code: -8, name: "ENOEXEC", msg: "exec format error"}
)

// allErrors lists every code of UV_ERRNO_MAP, in its order.
var allErrors = [...]*Error{
	E2BIG, EACCES, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN,
	EAI_ADDRFAMILY, EAI_AGAIN, EAI_BADFLAGS, EAI_BADHINTS, EAI_CANCELED, EAI_FAIL, EAI_FAMILY,
	EAI_MEMORY, EAI_NODATA, EAI_NONAME, EAI_OVERFLOW, EAI_PROTOCOL, EAI_SERVICE, EAI_SOCKTYPE,
	EALREADY, EBADF, EBUSY, ECANCELED, ECHARSET, ECONNABORTED, ECONNREFUSED, ECONNRESET,
	EDESTADDRREQ, EEXIST, EFAULT, EFBIG, EHOSTUNREACH, EINTR, EINVAL, EIO, EISCONN, EISDIR, ELOOP,
	EMFILE, EMSGSIZE, ENAMETOOLONG, ENETDOWN, ENETUNREACH, ENFILE, ENOBUFS, ENODEV, ENOENT, ENOMEM,
	ENONET, ENOPROTOOPT, ENOSPC, ENOSYS, ENOTCONN, ENOTDIR, ENOTEMPTY, ENOTSOCK, ENOTSUP,
	EOVERFLOW, EPERM, EPIPE, EPROTO, EPROTONOSUPPORT, EPROTOTYPE, ERANGE, EROFS, ESHUTDOWN, ESPIPE,
	ESRCH, ETIMEDOUT, ETXTBSY, EXDEV, UNKNOWN, EOF, ENXIO, EMLINK, EHOSTDOWN, EREMOTEIO, ENOTTY,
	EFTYPE, EILSEQ, ESOCKTNOSUPPORT, ENODATA, EUNATCH, ENOEXEC,
}

var errorsByCode = func() map[int]*Error {
	m := make(map[int]*Error, len(allErrors))
	for _, e := range allErrors {
		m[e.code] = e
	}
	return m
}()

// ErrorFromCode returns the *Error with libuv's code (as Code returns it), or nil if there is none.
func ErrorFromCode(code int) *Error { return errorsByCode[code] }

// errnoMapping says which host errnos translate to a code. The first errno is the code's own (the
// one Errno returns).
type errnoMapping struct {
	err    *Error
	errnos []syscall.Errno
}

func errnos(e ...syscall.Errno) []syscall.Errno { return e }

// errnoTableDense is the size of the array part of the errno table. Unix errnos and the common
// Win32 codes are below it; the rest (Winsock codes, Go's invented Windows errnos, a few large
// errnos on Linux/MIPS) go to a map.
const errnoTableDense = 256

type errnoTable struct {
	dense  [errnoTableDense]*Error
	sparse map[syscall.Errno]*Error
}

// hostErrnos is the translation table of the host, built from the per-OS lists: hostErrnoLists
// give the native errnos of each code, goErrnoList (Windows only) the values Go's syscall package
// invented for POSIX names. An errno listed twice keeps its first code.
var hostErrnos = func() *errnoTable {
	t := &errnoTable{sparse: make(map[syscall.Errno]*Error)}
	add := func(n syscall.Errno, e *Error) {
		if uint(n) < errnoTableDense {
			if t.dense[n] == nil {
				t.dense[n] = e
			}
		} else if _, ok := t.sparse[n]; !ok {
			t.sparse[n] = e
		}
	}
	for _, list := range hostErrnoLists {
		for _, m := range list {
			// EOF is never an errno, even where an errno translates to it.
			if m.err.sys == 0 && m.err != EOF {
				m.err.sys = m.errnos[0]
			}
			for _, n := range m.errnos {
				add(n, m.err)
			}
		}
	}
	for _, m := range goErrnoList {
		if m.err.alt == 0 {
			m.err.alt = m.errnos[0]
		}
		if m.err.sys == 0 {
			m.err.sys = m.errnos[0]
		}
		for _, n := range m.errnos {
			add(n, m.err)
		}
	}
	return t
}()

// lookupErrno returns the code of a host errno, or nil if libuv has none.
func lookupErrno(n syscall.Errno) *Error {
	if uint(n) < errnoTableDense {
		return hostErrnos.dense[n]
	}
	return hostErrnos.sparse[n]
}

// translateErrno returns the code of a host errno, or a new UNKNOWN error carrying it.
func translateErrno(n syscall.Errno) *Error {
	if e := lookupErrno(n); e != nil {
		return e
	}
	return &Error{code: UNKNOWN.code, name: UNKNOWN.name, msg: unknownSystemError(-int(n)), sys: n}
}

// unknownSystemError is libuv's text for a number that is no code.
func unknownSystemError(code int) string {
	return "Unknown system error " + strconv.Itoa(code)
}

// TranslateSysError maps a host error to a libuv code, as uv_translate_sys_error does:
//
//   - nil gives nil;
//   - an error that is or wraps an *Error gives that *Error;
//   - an error that is or wraps a syscall.Errno (a bare errno, *os.SyscallError, *os.PathError,
//     *net.OpError, ...) gives the code of the errno: EAGAIN and EWOULDBLOCK both give EAGAIN,
//     EOPNOTSUPP gives ENOTSUP, and on Windows the Win32 and Winsock codes map as libuv's
//     uv_translate_sys_error maps them (ERROR_FILE_NOT_FOUND gives ENOENT, WSAECONNRESET gives
//     ECONNRESET, ERROR_ACCESS_DENIED gives EPERM, ERROR_BROKEN_PIPE gives EOF, ...);
//   - an errno libuv has no code for gives a new *Error named "UNKNOWN" that carries the errno;
//   - any other error is returned unchanged.
//
// Translating an errno that has a code does not allocate.
func TranslateSysError(err error) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *Error:
		return e
	case syscall.Errno:
		return translateErrno(e)
	case *os.SyscallError: // the common wrappers, without walking the chain
		if n, ok := e.Err.(syscall.Errno); ok {
			return translateErrno(n)
		}
	case *fs.PathError:
		if n, ok := e.Err.(syscall.Errno); ok {
			return translateErrno(n)
		}
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if n, ok := errors.AsType[syscall.Errno](err); ok {
		return translateErrno(n)
	}
	return err
}

// asError finds the code of err: the *Error it is or wraps, else the code of the errno it is or
// wraps. It returns nil for an errno without code (with the errno) and for other errors.
func asError(err error) (*Error, syscall.Errno) {
	if e, ok := errors.AsType[*Error](err); ok {
		if e.code == UNKNOWN.code && e != UNKNOWN {
			return nil, e.sys
		}
		return e, 0
	}
	if n, ok := errors.AsType[syscall.Errno](err); ok {
		return lookupErrno(n), n
	}
	return nil, 0
}

// ErrName returns libuv's name for err, as uv_err_name does: the name of the *Error it is or
// wraps, or of the code its errno translates to. Like libuv, it returns "Unknown system error N"
// for what has no code: N is 0 for nil and the negated errno for a host errno without code (libuv
// returns errnos negated). Any other error is UNKNOWN.
func ErrName(err error) string {
	if err == nil {
		return unknownSystemError(0)
	}
	e, n := asError(err)
	if e != nil {
		return e.name
	}
	if n != 0 {
		return unknownSystemError(-int(n))
	}
	return UNKNOWN.name
}

// StrError returns libuv's message for err, as uv_strerror does, found like ErrName: e.g. "address
// already in use"; "Unknown system error N" for nil and for host errnos without code (as ErrName);
// UNKNOWN's message, "unknown error", for any other error.
func StrError(err error) string {
	if err == nil {
		return unknownSystemError(0)
	}
	e, n := asError(err)
	if e != nil {
		return e.msg
	}
	if n != 0 {
		return unknownSystemError(-int(n))
	}
	return UNKNOWN.msg
}
