package uv

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// ntstatusToWinsock turns the NTSTATUS of a completed socket request into the Winsock error
// WSAGetOverlappedResult would report, as libuv's uv__ntstatus_to_winsock_error does, so that
// a refused connect is ECONNREFUSED and a reset ECONNRESET, not what the generic NTSTATUS to
// Win32 translation makes of them.
func ntstatusToWinsock(status uint32) syscall.Errno {
	switch windows.NTStatus(status) {
	case windows.STATUS_SUCCESS:
		return 0
	case windows.STATUS_PENDING:
		return windows.ERROR_IO_PENDING
	case windows.STATUS_INVALID_HANDLE, windows.STATUS_OBJECT_TYPE_MISMATCH:
		return windows.WSAENOTSOCK
	case windows.STATUS_INSUFFICIENT_RESOURCES, windows.STATUS_PAGEFILE_QUOTA,
		windows.STATUS_COMMITMENT_LIMIT, windows.STATUS_WORKING_SET_QUOTA,
		windows.STATUS_NO_MEMORY, windows.STATUS_QUOTA_EXCEEDED,
		windows.STATUS_TOO_MANY_PAGING_FILES, windows.STATUS_REMOTE_RESOURCES:
		return windows.WSAENOBUFS
	case windows.STATUS_TOO_MANY_ADDRESSES, windows.STATUS_SHARING_VIOLATION,
		windows.STATUS_ADDRESS_ALREADY_EXISTS:
		return windows.WSAEADDRINUSE
	case windows.STATUS_LINK_TIMEOUT, windows.STATUS_IO_TIMEOUT, windows.STATUS_TIMEOUT:
		return windows.WSAETIMEDOUT
	case windows.STATUS_GRACEFUL_DISCONNECT:
		return windows.WSAEDISCON
	case windows.STATUS_REMOTE_DISCONNECT, windows.STATUS_CONNECTION_RESET,
		windows.STATUS_LINK_FAILED, windows.STATUS_CONNECTION_DISCONNECTED,
		windows.STATUS_PORT_UNREACHABLE, windows.STATUS_HOPLIMIT_EXCEEDED:
		return windows.WSAECONNRESET
	case windows.STATUS_LOCAL_DISCONNECT, windows.STATUS_TRANSACTION_ABORTED,
		windows.STATUS_CONNECTION_ABORTED:
		return windows.WSAECONNABORTED
	case windows.STATUS_BAD_NETWORK_PATH, windows.STATUS_NETWORK_UNREACHABLE,
		windows.STATUS_PROTOCOL_UNREACHABLE:
		return windows.WSAENETUNREACH
	case windows.STATUS_HOST_UNREACHABLE:
		return windows.WSAEHOSTUNREACH
	case windows.STATUS_CANCELLED, windows.STATUS_REQUEST_ABORTED:
		return windows.WSAEINTR // ECANCELED, as libuv translates it
	case windows.STATUS_BUFFER_OVERFLOW, windows.STATUS_INVALID_BUFFER_SIZE:
		return windows.WSAEMSGSIZE
	case windows.STATUS_BUFFER_TOO_SMALL, windows.STATUS_ACCESS_VIOLATION:
		return windows.WSAEFAULT
	case windows.STATUS_DEVICE_NOT_READY, windows.STATUS_REQUEST_NOT_ACCEPTED:
		return windows.WSAEWOULDBLOCK
	case windows.STATUS_INVALID_NETWORK_RESPONSE, windows.STATUS_NETWORK_BUSY,
		windows.STATUS_NO_SUCH_DEVICE, windows.STATUS_NO_SUCH_FILE,
		windows.STATUS_OBJECT_PATH_NOT_FOUND, windows.STATUS_OBJECT_NAME_NOT_FOUND,
		windows.STATUS_UNEXPECTED_NETWORK_ERROR:
		return windows.WSAENETDOWN
	case windows.STATUS_INVALID_CONNECTION:
		return windows.WSAENOTCONN
	case windows.STATUS_REMOTE_NOT_LISTENING, windows.STATUS_CONNECTION_REFUSED:
		return windows.WSAECONNREFUSED
	case windows.STATUS_PIPE_DISCONNECTED:
		return windows.WSAESHUTDOWN
	case windows.STATUS_CONFLICTING_ADDRESSES, windows.STATUS_INVALID_ADDRESS,
		windows.STATUS_INVALID_ADDRESS_COMPONENT:
		return windows.WSAEADDRNOTAVAIL
	case windows.STATUS_NOT_SUPPORTED, windows.STATUS_NOT_IMPLEMENTED:
		return windows.WSAEOPNOTSUPP
	case windows.STATUS_ACCESS_DENIED:
		return windows.WSAEACCES
	}
	// A Win32 error carried in an NTSTATUS (FACILITY_NTWIN32) is that error; anything else
	// (STATUS_HANDLES_CLOSED, which Wine gives requests of a closed socket, among them) has
	// no better name than WSAEINVAL.
	const facilityNTWin32 = 7
	if (status>>16)&0xFFF == facilityNTWin32 && status&0xC0000000 != 0 {
		return syscall.Errno(status & 0xFFFF)
	}
	return windows.WSAEINVAL
}
