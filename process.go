package uv

// Process primitives: spawning a child with its stdio wired up, and learning of its exit on
// the loop. handles.Process builds libuv's uv_process_t on them.

// Spawn flags (libuv's uv_process_flags).
const (
	ProcessSetUID                   = 1 << 0
	ProcessSetGID                   = 1 << 1
	ProcessWindowsVerbatimArguments = 1 << 2
	ProcessDetached                 = 1 << 3
	ProcessWindowsHide              = 1 << 4
	ProcessWindowsHideConsole       = 1 << 5
	ProcessWindowsHideGUI           = 1 << 6
	ProcessWindowsFilePathExactName = 1 << 7
	processFlagsAll                 = 1<<8 - 1
)

// Flags of NewStdioPipe, from the child's point of view (libuv's UV_READABLE_PIPE,
// UV_WRITABLE_PIPE and UV_NONBLOCK_PIPE of a UV_CREATE_PIPE container).
const (
	StdioChildReads      = 0x10
	StdioChildWrites     = 0x20
	StdioChildOverlapped = 0x40
)

// SpawnOptions describe a child for SpawnProcess.
type SpawnOptions struct {
	// File is the program; without a slash it is looked up, as libuv does, in the PATH of
	// Env, or of this process when Env is nil, or in /usr/bin:/bin when that has no PATH.
	File string
	// Args is the full argument vector, Args[0] included.
	Args []string
	// Env is the child's environment; nil inherits the parent's.
	Env []string
	// Cwd is the child's working directory ("" keeps the parent's).
	Cwd string
	// Flags are Process* flags.
	Flags int
	// UID and GID apply with ProcessSetUID and ProcessSetGID.
	UID, GID int
	// Stdio gives, for each child descriptor 0..n-1, the parent descriptor it gets, or
	// InvalidSock to leave it closed; stdin, stdout and stderr, when InvalidSock or not
	// given, read /dev/null or write to it, as libuv does.
	Stdio []OSFd
}

// ProcessExit is how a child ended: its exit status, or the signal that terminated it.
type ProcessExit struct {
	Status int64
	Signal int
}
