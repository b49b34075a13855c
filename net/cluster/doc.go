// Package cluster serves one TCP port from many event loops, as Node's cluster module
// serves it from many processes. Serve runs a server on N loops, each on its own goroutine
// and OS thread (N defaults to the number of CPUs): where the kernel balances SO_REUSEPORT
// (Linux, FreeBSD, DragonFly) every loop listens on the port itself; elsewhere, or when
// asked, one loop accepts and hands the connections round-robin to the others over an IPC
// pair each (a unix socket pair, a named pipe on Windows), as a socket sent with Write2, so
// that nothing but the kernel
// crosses between loops (the one thread-safe call of the loop, Async.Send, only wakes a loop
// to stop it). StartPrimary is the multi-process form: a primary owns the listening socket
// and hands accepted connections round-robin (Node's default scheduling) to worker
// processes, the same program started again with an environment variable set (IsWorker,
// RunWorker), over an IPC pipe each, and starts a worker again when one exits. It imports
// uv, handles, net and the standard library.
package cluster
