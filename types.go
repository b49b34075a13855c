package uv

// RunMode selects how Loop.Run iterates, as libuv's uv_run_mode.
type RunMode int

const (
	// RunDefault runs until no active, referenced handles or requests remain, or Stop is called.
	RunDefault RunMode = iota
	// RunOnce runs one iteration, blocking for I/O if nothing is pending.
	RunOnce
	// RunNoWait runs one iteration without blocking.
	RunNoWait
)

// HandleType is libuv's uv_handle_type; the numbering follows libuv.
type HandleType int

// Handle types, in libuv's order.
const (
	UnknownHandle HandleType = iota
	TypeAsync
	TypeCheck
	TypeFSEvent
	TypeFSPoll
	TypeHandle
	TypeIdle
	TypeNamedPipe
	TypePoll
	TypePrepare
	TypeProcess
	TypeStream
	TypeTCP
	TypeTimer
	TypeTTY
	TypeUDP
	TypeSignal
	TypeFile
	handleTypeMax
)

var handleTypeNames = [...]string{
	TypeAsync:     "async",
	TypeCheck:     "check",
	TypeFSEvent:   "fs_event",
	TypeFSPoll:    "fs_poll",
	TypeHandle:    "handle",
	TypeIdle:      "idle",
	TypeNamedPipe: "pipe",
	TypePoll:      "poll",
	TypePrepare:   "prepare",
	TypeProcess:   "process",
	TypeStream:    "stream",
	TypeTCP:       "tcp",
	TypeTimer:     "timer",
	TypeTTY:       "tty",
	TypeUDP:       "udp",
	TypeSignal:    "signal",
	TypeFile:      "file",
}

// String returns libuv's name for the type (uv_handle_type_name), or "" if it has none.
func (t HandleType) String() string {
	if t <= UnknownHandle || t >= handleTypeMax {
		return ""
	}
	return handleTypeNames[t]
}

// ReqType is libuv's uv_req_type.
type ReqType int

// Request types, in libuv's order.
const (
	UnknownReq ReqType = iota
	TypeReq
	TypeConnect
	TypeWrite
	TypeShutdown
	TypeUDPSend
	TypeFS
	TypeWork
	TypeGetAddrInfo
	TypeGetNameInfo
	TypeRandom
	reqTypeMax
)

var reqTypeNames = [...]string{
	TypeReq:         "req",
	TypeConnect:     "connect",
	TypeWrite:       "write",
	TypeShutdown:    "shutdown",
	TypeUDPSend:     "udp_send",
	TypeFS:          "fs",
	TypeWork:        "work",
	TypeGetAddrInfo: "getaddrinfo",
	TypeGetNameInfo: "getnameinfo",
	TypeRandom:      "random",
}

// String returns libuv's name for the type (uv_req_type_name), or "" if it has none.
func (t ReqType) String() string {
	if t <= UnknownReq || t >= reqTypeMax {
		return ""
	}
	return reqTypeNames[t]
}

// LoopOption is an option for Loop.Configure, as libuv's uv_loop_option.
type LoopOption int

const (
	// LoopBlockSignal blocks a signal while the loop waits for events. As in libuv, only
	// SIGPROF is accepted (its number is the argument); any other signal gives EINVAL.
	LoopBlockSignal LoopOption = iota
	// MetricsIdleTime makes the loop account the time it spends waiting in the kernel,
	// read with Loop.MetricsIdleTime.
	MetricsIdleTime
	// UseIOUringSQPOLL is accepted for compatibility and has no effect: uv-go does not use
	// io_uring.
	UseIOUringSQPOLL
)
