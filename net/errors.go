package net

import (
	"errors"
	"strconv"

	uv "github.com/uv-go/uv"
)

// Error is a net error in Node's form: a system error with the call that failed and, where
// Node gives them, the address and port ("connect ECONNREFUSED 127.0.0.1:3000", "listen
// EADDRINUSE: address already in use :::3000", "read ECONNRESET"), or one of Node's ERR_*
// errors. errors.Is matches the underlying uv error (uv.EADDRINUSE, uv.ECONNRESET, ...).
type Error struct {
	Code    string // "EADDRINUSE", "ECONNRESET", "ENOTFOUND", "ERR_SERVER_NOT_RUNNING", ...
	Errno   int    // libuv's (negative) error number; 0 for ERR_* errors
	Syscall string // "listen", "connect", "read", "write", "shutdown", "accept", "getaddrinfo"
	Address string // the address involved, if any
	Port    int    // the port involved, if any
	Err     error  // the underlying *uv.Error, if any
	msg     string
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the underlying uv error.
func (e *Error) Unwrap() error { return e.Err }

// Node's ERR_* errors of the net module.
var (
	// ErrServerNotRunning: Close on a server that is not listening (ERR_SERVER_NOT_RUNNING).
	ErrServerNotRunning = &Error{Code: "ERR_SERVER_NOT_RUNNING", msg: "Server is not running."}
	// ErrServerAlreadyListen: Listen on a listening server (ERR_SERVER_ALREADY_LISTEN).
	ErrServerAlreadyListen = &Error{Code: "ERR_SERVER_ALREADY_LISTEN", msg: "Listen method has been called more than once without closing."}
	// ErrSocketClosed: an operation on a destroyed socket (ERR_SOCKET_CLOSED).
	ErrSocketClosed = &Error{Code: "ERR_SOCKET_CLOSED", msg: "Socket is closed"}
	// ErrSocketConnecting: Connect on a socket that is connecting or connected (a Go
	// addition: Node lets a destroyed socket connect again; here, make a new one).
	ErrSocketConnecting = &Error{Code: "ERR_SOCKET_CONNECTING", msg: "Socket is already connecting or connected", Err: uv.EALREADY}
)

// badPort is ERR_SOCKET_BAD_PORT.
func badPort(port int) error {
	return &Error{Code: "ERR_SOCKET_BAD_PORT", msg: "Port should be >= 0 and < 65536. Received " + strconv.Itoa(port) + "."}
}

// errEnded is what Node's writeAfterFIN reports.
func errEnded() error {
	return &Error{Code: "EPIPE", Errno: uv.EPIPE.Code(), Syscall: "write", Err: uv.EPIPE,
		msg: "This socket has been ended by the other party"}
}

func codeOf(err error) (string, int, string) {
	var ue *uv.Error
	if errors.As(err, &ue) {
		return ue.Name(), ue.Code(), ue.Error()
	}
	return "UNKNOWN", uv.UNKNOWN.Code(), err.Error()
}

func hostPort(address string, port int) string {
	if port > 0 {
		return " " + address + ":" + strconv.Itoa(port)
	}
	if address != "" {
		return " " + address
	}
	return ""
}

// errnoException is Node's ErrnoException: "read ECONNRESET".
func errnoException(err error, syscall string) error {
	if err == nil {
		return nil
	}
	code, errno, _ := codeOf(err)
	return &Error{Code: code, Errno: errno, Syscall: syscall, Err: err, msg: syscall + " " + code}
}

// exceptionWithHostPort is Node's ExceptionWithHostPort: "connect ECONNREFUSED 127.0.0.1:80".
func exceptionWithHostPort(err error, syscall, address string, port int) error {
	code, errno, _ := codeOf(err)
	return &Error{Code: code, Errno: errno, Syscall: syscall, Address: address, Port: port, Err: err,
		msg: syscall + " " + code + hostPort(address, port)}
}

// uvExceptionWithHostPort is Node's UVExceptionWithHostPort: "listen EADDRINUSE: address
// already in use :::3000".
func uvExceptionWithHostPort(err error, syscall, address string, port int) error {
	code, errno, desc := codeOf(err)
	return &Error{Code: code, Errno: errno, Syscall: syscall, Address: address, Port: port, Err: err,
		msg: syscall + " " + code + ": " + desc + hostPort(address, port)}
}

// dnsException is Node's DNSException: "getaddrinfo ENOTFOUND example.invalid".
func dnsException(err error, syscall, hostname string) error {
	code, errno, _ := codeOf(err)
	if errors.Is(err, uv.EAI_NONAME) || errors.Is(err, uv.EAI_NODATA) {
		code = "ENOTFOUND"
	}
	msg := syscall + " " + code
	if hostname != "" {
		msg += " " + hostname
	}
	return &Error{Code: code, Errno: errno, Syscall: syscall, Address: hostname, Err: err, msg: msg}
}
