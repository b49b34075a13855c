// Command pipe-echo is an echo across two processes over pipes, built on uv-go's handles:
// the parent starts this same program again as its child (with PIPE_ECHO_CHILD set), the
// child's stdin and stdout being pipes to the parent. The parent writes lines into one
// pipe and ends it; the child echoes everything it reads into the other pipe until its
// input ends, then ends its output and exits; the parent prints the echoes and the child's
// exit status. Each process runs one loop, in callbacks, as in libuv (Node's
// child_process.spawn with stdio pipes).
//
//	go run ./examples/pipe-echo                 # a few lines
//	go run ./examples/pipe-echo one two three   # these lines
//
// It imports only the uv and handles packages (and the standard library).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// envChild marks the child process.
const envChild = "PIPE_ECHO_CHILD"

func main() {
	if os.Getenv(envChild) != "" {
		if err := runChild(); err != nil {
			fmt.Fprintln(os.Stderr, "pipe-echo child:", err)
			os.Exit(1)
		}
		return
	}
	lines := os.Args[1:]
	if len(lines) == 0 {
		lines = []string{"hello", "from the parent", "through a child process and back"}
	}
	exe, err := os.Executable()
	if err == nil {
		_, err = runParent(exe, lines, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipe-echo:", err)
		os.Exit(1)
	}
}

// parent is the parent's side: the child process and the two pipes to it.
type parent struct {
	proc    handles.Process
	toChild handles.Pipe // the child's stdin
	fromIt  handles.Pipe // the child's stdout
	writes  []handles.WriteReq
	bufs    [][][]byte
	shut    handles.ShutdownReq
	partial []byte
	echoes  []string
	status  int64
	signal  int
	exited  bool
	out     io.Writer
	err     error
}

// runParent starts exe as the child, sends it lines and returns their echoes, once the
// child has exited.
func runParent(exe string, lines []string, out io.Writer) ([]string, error) {
	loop, err := uv.NewLoop()
	if err != nil {
		return nil, err
	}
	p := &parent{out: out}
	if err := p.start(loop, exe, lines); err != nil {
		closeAll(loop)
		return nil, err
	}
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return p.echoes, err
	}
	if err := loop.Close(); err != nil {
		return p.echoes, err
	}
	switch {
	case p.err != nil:
	case !p.exited:
		p.err = errors.New("the child's exit was not seen")
	case p.status != 0 || p.signal != 0:
		p.err = fmt.Errorf("the child exited with status %d, signal %d", p.status, p.signal)
	case len(p.echoes) != len(lines):
		p.err = fmt.Errorf("got %d echoes for %d lines", len(p.echoes), len(lines))
	}
	if p.err == nil {
		fmt.Fprintf(out, "parent: all %d lines echoed; the child exited with status 0\n", len(lines))
	}
	return p.echoes, p.err
}

func (p *parent) start(loop *uv.Loop, exe string, lines []string) error {
	if err := p.toChild.Init(loop, false); err != nil {
		return err
	}
	if err := p.fromIt.Init(loop, false); err != nil {
		return err
	}
	p.toChild.Data, p.fromIt.Data, p.proc.Data = p, p, p
	err := handles.Spawn(loop, &p.proc, &handles.ProcessOptions{
		File: exe,
		Args: []string{exe},
		Env:  append(os.Environ(), envChild+"=1"),
		Stdio: []handles.StdioContainer{
			{Flags: handles.StdioCreatePipe | handles.StdioReadablePipe, Stream: &p.toChild.Stream},
			{Flags: handles.StdioCreatePipe | handles.StdioWritablePipe, Stream: &p.fromIt.Stream},
			{Flags: handles.StdioInheritFd, Fd: 2},
		},
		Exit: childExited,
	})
	if err != nil {
		return fmt.Errorf("spawn: %w", err)
	}
	fmt.Fprintf(p.out, "parent: started child %d\n", p.proc.Pid())
	if err := p.fromIt.ReadStart(nil, parentRead); err != nil {
		return err
	}
	p.writes = make([]handles.WriteReq, len(lines))
	p.bufs = make([][][]byte, len(lines))
	for i, line := range lines {
		p.bufs[i] = [][]byte{[]byte(line + "\n")}
		if err := p.toChild.Write(&p.writes[i], p.bufs[i], parentWritten); err != nil {
			return err
		}
	}
	// End the child's input once the lines are written: it then ends its output and exits.
	return p.toChild.Shutdown(&p.shut, parentShut)
}

func (p *parent) fail(err error) {
	if p.err == nil {
		p.err = err
	}
	for _, h := range []*uv.Handle{&p.toChild.Handle, &p.fromIt.Handle} {
		if !h.IsClosing() {
			h.Close(nil)
		}
	}
	p.proc.Kill(9)
}

func parentWritten(req *handles.WriteReq, err error) {
	if err != nil && !errors.Is(err, uv.ECANCELED) {
		req.Stream().Data.(*parent).fail(fmt.Errorf("write: %w", err))
	}
}

func parentShut(req *handles.ShutdownReq, err error) {
	p := req.Stream().Data.(*parent)
	if err != nil && !errors.Is(err, uv.ECANCELED) {
		p.fail(fmt.Errorf("shutdown: %w", err))
		return
	}
	p.toChild.Close(nil)
}

// parentRead collects the echoed lines; the loop's shared buffer is valid only during the
// callback, so a partial line is copied.
func parentRead(st *handles.Stream, data []byte, err error) {
	p := st.Data.(*parent)
	if errors.Is(err, uv.EOF) {
		st.Close(nil) // the child ended its output
		return
	}
	if err != nil {
		p.fail(fmt.Errorf("read: %w", err))
		return
	}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			p.partial = append(p.partial, data...)
			return
		}
		line := string(append(p.partial, data[:i]...))
		p.partial = p.partial[:0]
		data = data[i+1:]
		p.echoes = append(p.echoes, line)
		fmt.Fprintf(p.out, "parent: echo %q\n", line)
	}
}

func childExited(proc *handles.Process, status int64, signal int) {
	p := proc.Data.(*parent)
	p.exited, p.status, p.signal = true, status, signal
	proc.Close(nil)
}

// child is the child's side: its stdin and stdout as pipes, and the echo buffers. What it
// reads goes straight into the buffer of a free write request, which then writes it back:
// no copy, and no allocation once the free list is warm.
type child struct {
	in, out handles.Pipe
	next    *echo
	free    []*echo
	shut    handles.ShutdownReq
	err     error
}

type echo struct {
	req  handles.WriteReq
	buf  []byte
	bufs [][]byte
	c    *child
}

// runChild echoes stdin to stdout until stdin ends, then ends stdout.
func runChild() error {
	loop, err := uv.NewLoop()
	if err != nil {
		return err
	}
	c := &child{}
	err = c.in.Init(loop, false)
	if err == nil {
		err = c.out.Init(loop, false)
	}
	if err == nil {
		err = c.in.Open(0)
	}
	if err == nil {
		err = c.out.Open(1)
	}
	c.in.Data, c.out.Data = c, c
	if err == nil {
		err = c.in.ReadStart(childAlloc, childRead)
	}
	if err != nil {
		closeAll(loop)
		return err
	}
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	if err := loop.Close(); err != nil {
		return err
	}
	return c.err
}

func (c *child) fail(err error) {
	if c.err == nil {
		c.err = err
	}
	for _, h := range []*uv.Handle{&c.in.Handle, &c.out.Handle} {
		if !h.IsClosing() {
			h.Close(nil)
		}
	}
}

func childAlloc(st *handles.Stream, suggested int) []byte {
	c := st.Data.(*child)
	if c.next == nil {
		if n := len(c.free); n > 0 {
			c.next, c.free = c.free[n-1], c.free[:n-1]
		} else {
			c.next = &echo{buf: make([]byte, 64*1024), bufs: make([][]byte, 1), c: c}
			c.next.req.Data = c.next
		}
	}
	return c.next.buf
}

func childRead(st *handles.Stream, data []byte, err error) {
	c := st.Data.(*child)
	switch {
	case errors.Is(err, uv.EOF):
		// The input ended: end the output once the echoes are written, then close.
		st.Close(nil)
		if err := c.out.Shutdown(&c.shut, childShut); err != nil {
			c.fail(fmt.Errorf("shutdown: %w", err))
		}
		return
	case err != nil:
		c.fail(fmt.Errorf("read: %w", err))
		return
	case len(data) == 0:
		return
	}
	e := c.next
	c.next = nil
	e.bufs[0] = data
	if err := c.out.Write(&e.req, e.bufs, childWritten); err != nil {
		c.fail(fmt.Errorf("write: %w", err))
	}
}

func childWritten(req *handles.WriteReq, err error) {
	e := req.Data.(*echo)
	e.bufs[0] = nil
	e.c.free = append(e.c.free, e)
	if err != nil && !errors.Is(err, uv.ECANCELED) {
		e.c.fail(fmt.Errorf("write: %w", err))
	}
}

func childShut(req *handles.ShutdownReq, err error) {
	c := req.Stream().Data.(*child)
	if err != nil && !errors.Is(err, uv.ECANCELED) {
		c.fail(fmt.Errorf("shutdown: %w", err))
		return
	}
	c.out.Close(nil)
}

// closeAll closes every handle of a loop that failed to start and runs it to the end.
func closeAll(loop *uv.Loop) {
	loop.Walk(func(h *uv.Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
	loop.Run(uv.RunDefault)
	loop.Close()
}
