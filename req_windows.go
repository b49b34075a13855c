package uv

import (
	"sync"

	"golang.org/x/sys/windows"
)

// iocpReq is one overlapped operation on a loop's completion port (libuv's uv_req_t with its
// OVERLAPPED): the building block of the Windows sockets, pipes and files.
//
// The kernel keeps a raw pointer to the OVERLAPPED, and to every buffer and out-parameter of
// the call, until the completion packet arrives; Go's garbage collector cannot see that
// pointer and a goroutine stack may move. So a request and everything the kernel writes to
// live in heap memory that the loop keeps reachable: begin links the request into the loop's
// in-flight list, and only its completion (or abandon, when the call did not start) unlinks
// it. The qty and flags fields are there for the out-parameters of the calls (ReadFile's
// done, WSARecv's flags), so that they never sit on a goroutine stack; buffers are referenced
// from the request (or its owner) for the same reason.
//
// Life of a request, all on the loop's goroutine:
//
//	r.init(l, done)               // once
//	ov := r.begin()               // before the overlapped call
//	err := windows.ReadFile(h, r.buf, &r.qty, ov)
//	switch {
//	case err == windows.ERROR_IO_PENDING, err == nil: // a packet will come (unless the handle
//	                                                  // skips the port on success: r.finish)
//	default:
//		r.abandon()
//	}
//
// When the packet arrives the poll phase moves the request to the pending queue and done runs
// in the pending phase, as in libuv. done may begin the request again.
type iocpReq struct {
	// ov must stay the first field: a packet's OVERLAPPED pointer is the request's address.
	ov   windows.Overlapped
	loop *Loop
	done func(r *iocpReq)
	pend Pending
	// iprev and inext link the request into its loop's in-flight list while the kernel owns it.
	iprev *iocpReq
	inext *iocpReq

	// Set when the request completes, valid in done.
	status uint32 // NTSTATUS of the operation
	bytes  uint32 // bytes transferred

	// Out-parameters for the overlapped calls.
	qty   uint32
	flags uint32
}

// init binds the request to a loop; done runs in the loop's pending phase each time the
// request completes.
func (r *iocpReq) init(l *Loop, done func(r *iocpReq)) {
	r.loop, r.done = l, done
	r.pend.Init(r.run)
}

// inFlight reports whether the kernel owns the request (begun, completion not yet received).
func (r *iocpReq) inFlight() bool { return r.inext != nil }

// busy reports whether the request is in flight or its completion waits for the pending phase.
func (r *iocpReq) busy() bool { return r.inext != nil || r.pend.Queued() }

// begin readies the request for an overlapped call and returns the OVERLAPPED to pass. The
// request must not be busy.
func (r *iocpReq) begin() *windows.Overlapped {
	if r.busy() {
		panic("uv: overlapped request started twice")
	}
	r.ov = windows.Overlapped{}
	r.status, r.bytes, r.qty, r.flags = 0, 0, 0, 0
	q := &r.loop.be.inflight
	r.iprev = q.iprev
	r.inext = q
	q.iprev.inext = r
	q.iprev = r
	return &r.ov
}

// abandon takes back a request whose overlapped call failed without starting: no packet will
// come for it.
func (r *iocpReq) abandon() { r.unlink() }

// finish completes a request without a packet, for a handle whose port skips completions of
// calls that succeed at once (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), or to fail a request from
// the loop: done runs in the pending phase as for a packet.
func (r *iocpReq) finish(status uint32, bytes uint32) {
	r.unlink()
	r.status, r.bytes = status, bytes
	r.loop.QueuePending(&r.pend)
}

// completed is the poll phase's part: the packet for r arrived.
func (r *iocpReq) completed(bytes uint32) {
	r.finish(uint32(r.ov.Internal), bytes)
}

// post queues a packet for the request on the loop's port with the given status and byte
// count, as if an overlapped call had completed; the request must have been begun. For
// emulated operations and tests.
func (r *iocpReq) post(status uint32, bytes uint32) error {
	r.ov.Internal = uintptr(status)
	if err := windows.PostQueuedCompletionStatus(r.loop.be.port, bytes, keyIO, &r.ov); err != nil {
		return TranslateSysError(err)
	}
	return nil
}

// cancel asks the kernel to cancel the request's operation on h (CancelIoEx); the packet still
// comes, usually with a cancelled status. Nothing happens if the request is not in flight.
func (r *iocpReq) cancel(h windows.Handle) {
	if r.inFlight() {
		windows.CancelIoEx(h, &r.ov)
	}
}

// ok reports whether the request succeeded (NT_SUCCESS of its status).
func (r *iocpReq) ok() bool { return int32(r.status) >= 0 }

// err returns the request's error: nil on success, otherwise the status translated to a
// Win32 error and then to an *Error. A request cancelled by CancelIoEx or by closing its
// handle gives ECANCELED on Windows but other codes under Wine (STATUS_HANDLES_CLOSED): callers
// that cancel treat any error as "cancelled".
func (r *iocpReq) err() error {
	if r.ok() {
		return nil
	}
	return TranslateSysError(windows.NTStatus(r.status).Errno())
}

func (r *iocpReq) unlink() {
	if r.inext == nil {
		return
	}
	r.iprev.inext = r.inext
	r.inext.iprev = r.iprev
	r.iprev, r.inext = nil, nil
}

func (r *iocpReq) run() { r.done(r) }

// associate adds h to the loop's completion port, so that its overlapped operations complete
// there.
func (l *Loop) associate(h windows.Handle) error {
	_, err := windows.CreateIoCompletionPort(h, l.be.port, keyIO, 0)
	if l.ins != nil {
		l.ins.sys(l, SysIOCPAssociate, int(h), int64(l.be.port), 0, 0, 0, err)
	}
	if err != nil {
		return TranslateSysError(err)
	}
	return nil
}

// orphanList keeps the requests that were still in flight when their loop closed: the
// kernel may yet write to them, so they must never be freed.
type orphanList struct {
	mu   sync.Mutex
	reqs []*iocpReq
}

var orphanedReqs orphanList

// adopt takes every request of the in-flight list q.
func (o *orphanList) adopt(q *iocpReq) {
	o.mu.Lock()
	for q.inext != q {
		r := q.inext
		r.unlink()
		o.reqs = append(o.reqs, r)
	}
	o.mu.Unlock()
}
