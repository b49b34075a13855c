// Package threadpool is the worker pool that runs blocking work off the event loop: user work
// (uv_queue_work, uv_random), file-system requests and DNS lookups, in one pool shared by every
// loop of the process, as libuv's src/threadpool.c does. Items are intrusive (a Work is embedded
// in its request, so submitting and completing allocate nothing), run FIFO on plain goroutines
// started on demand up to the pool size, and are handed back through a Completer that the
// owning loop implements; the SlowIO lane (DNS) is throttled to (size+1)/2 concurrent items so
// slow lookups cannot starve file-system and user work. It is pure code with no OS access and
// imports only the standard library, nothing from the rest of the project.
//
// # Differences from libuv
//
//   - Workers are goroutines started one at a time as work arrives (never more than the pool
//     size), not size threads created up front; they are not locked to OS threads.
//   - Ordering is strict FIFO by submission across all lanes, skipping SlowIO items only while
//     the SlowIO lane is at its limit. libuv keeps SlowIO items in a side queue represented in
//     the main queue by one marker that goes back to the tail after each SlowIO item starts, so
//     there a burst of DNS requests is interleaved with later work rather than run first.
//   - The last worker to run out of work, while no item runs, polls for new work for up to
//     20 µs before it parks (less often after polls that found nothing): a loop that queues
//     one item at a time then needs no futex wakeup per item. It never polls while other
//     items run, as it would then hold a P that a worker returning from a system call needs.
//     libuv's workers wait on their condition variable at once.
//   - A negative UV_THREADPOOL_SIZE means 1 here; in libuv it wraps to a huge unsigned number
//     and is clamped to 1024. See ParseSize.
//   - Pools other than Default can be created, closed and sized freely (libuv has only the one
//     global pool); this is what tests and embedders use.
//
// # Panics
//
// A panic in a Work's Fn (or in a Completer) is not recovered: it unwinds the worker goroutine
// and crashes the process, just as a crash in a libuv work callback takes the process down.
// Recovering would leave the owner's request half-done with no honest way to report it.
package threadpool
