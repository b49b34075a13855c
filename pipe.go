package uv

// NonblockPipe, in the flags of PipePair, makes that end of the pipe non-blocking (libuv's
// UV_NONBLOCK_PIPE).
const NonblockPipe = 0x40
