package uv

// Datagram extensions of Sock (udp_unix.go, udp_linux.go, udp_bsd.go, udp_windows.go): what a
// UDP handle needs beyond the write queue (SendTo, TrySendTo) and readiness (StartRead):
//
//   - RecvFrom: one datagram and its source address; RecvErrQueue: one entry of Linux's
//     socket error queue (IP_RECVERR); RecvBatch + BatchMsg: several datagrams per system
//     call (recvmmsg), each in its own DgramMaxSize chunk of the caller's buffer.
//   - DgramConnect / DgramDisconnect: connect(2) and the AF_UNSPEC disconnect.
//   - multicast membership (any-source and source-specific), multicast loop, TTL and
//     interface, unicast TTL, SO_REUSEADDR / SO_REUSEPORT as libuv's UDP flags mean them.
//
// Receiving allocates nothing in steady state: the kernel writes source addresses into
// per-loop scratch space, and the SockAddr values returned point into it, so they are valid
// until the next receive on any sock of the same loop (the loop is single-threaded, and
// libuv's recv callback gets an address with the same lifetime).

// DgramMaxSize is the largest UDP datagram, and the size of one chunk of a batched receive
// (libuv's UV__UDP_DGRAM_MAXSIZE).
const DgramMaxSize = 64 * 1024

// RecvBatchMax is the most datagrams one RecvBatch call receives (libuv's recvmmsg batch).
const RecvBatchMax = 20

// Flags of a received datagram, returned by RecvFrom, RecvErrQueue and BatchMsg.
const (
	// DgramTruncated: the datagram was larger than the buffer and its tail was discarded.
	DgramTruncated = 1 << iota
	// DgramErrQueue: the message came from the socket's error queue (Linux IP_RECVERR); its
	// error is the one the ICMP message reported and its address is the offender's.
	DgramErrQueue
)
