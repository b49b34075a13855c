//go:build unix

package handles_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// A signal handle turns a signal into a callback on the loop.
func ExampleSignal() {
	l, _ := uv.NewLoop()
	s, _ := handles.NewSignal(l)
	s.Start(func(s *handles.Signal, signum int) {
		fmt.Println("got", syscall.Signal(signum))
		s.Close(nil)
	}, int(syscall.SIGUSR1))
	syscall.Kill(os.Getpid(), syscall.SIGUSR1) // caught from here on: the handle is started
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// got user defined signal 1
}

// Spawn a child with its standard output on a pipe. The exit and the output arrive in
// either order; both are printed once the loop is done.
func ExampleProcess() {
	l, _ := uv.NewLoop()
	out, _ := handles.NewPipe(l, false)
	var output bytes.Buffer
	var exit string
	var p handles.Process
	err := handles.Spawn(l, &p, &handles.ProcessOptions{
		File: "sh",
		Args: []string{"sh", "-c", "echo hello from the child; exit 3"},
		Stdio: []handles.StdioContainer{
			{Flags: handles.StdioIgnore},
			{Flags: handles.StdioCreatePipe | handles.StdioWritablePipe, Stream: &out.Stream},
		},
		Exit: func(p *handles.Process, status int64, signal int) {
			exit = fmt.Sprintf("exit status %d, signal %d", status, signal)
			p.Close(nil)
		},
	})
	if err != nil {
		fmt.Println("spawn:", err)
		return
	}
	out.ReadStart(nil, func(s *handles.Stream, data []byte, err error) {
		if err != nil { // uv.EOF once the child has closed its end
			s.Close(nil)
			return
		}
		output.Write(data)
	})
	l.Run(uv.RunDefault)
	l.Close()
	fmt.Printf("child wrote %q\n", output.String())
	fmt.Println(exit)
	// Output:
	// child wrote "hello from the child\n"
	// exit status 3, signal 0
}

// File-system requests with a callback run on the threadpool; the callback runs on the
// loop. (With a nil callback they run at once, synchronously.) A request may be reused from
// its own callback.
func ExampleFS() {
	dir, _ := os.MkdirTemp("", "uv-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")

	l, _ := uv.NewLoop()
	var req handles.FS
	handles.FSOpenFile(l, &req, path, uv.FsOCreat|uv.FsOWronly, 0o644, func(r *handles.FS) {
		if r.Err != nil {
			fmt.Println("open:", r.Err)
			return
		}
		fd := uv.OSFd(r.Result)
		handles.FSWriteFile(l, r, fd, [][]byte{[]byte("hello, fs")}, -1, func(r *handles.FS) {
			fmt.Println("wrote", r.Result, "bytes")
			handles.FSCloseFile(l, r, fd, func(r *handles.FS) {
				handles.FSStatPath(l, r, path, func(r *handles.FS) {
					fmt.Println("size", r.Statbuf.Size)
				})
			})
		})
	})
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// wrote 9 bytes
	// size 9
}

// An fs poll handle stats a path at an interval and reports changes. A path that does not
// exist is reported once with ENOENT; here its creation is the change that follows.
func ExampleFSPoll() {
	dir, _ := os.MkdirTemp("", "uv-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "later.txt")

	l, _ := uv.NewLoop()
	h, _ := handles.NewFSPoll(l)
	h.Start(func(h *handles.FSPoll, err error, prev, curr *uv.Stat) {
		if err != nil {
			fmt.Println("not there yet:", uv.ErrName(err))
			os.WriteFile(path, []byte("hello"), 0o644)
			return
		}
		fmt.Println("appeared with", curr.Size, "bytes")
		h.Close(nil)
	}, path, 10)
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// not there yet: ENOENT
	// appeared with 5 bytes
}

// GetAddrInfo resolves on the threadpool and calls back on the loop. (With a nil callback
// it resolves at once.)
func ExampleGetAddrInfo() {
	l, _ := uv.NewLoop()
	var req handles.GetAddrInfoReq
	hints := &handles.AddrInfoHints{Flags: handles.AINumericHost, SockType: handles.SockTypeStream}
	handles.GetAddrInfo(l, &req, func(req *handles.GetAddrInfoReq, err error, res []handles.AddrInfo) {
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, ai := range res {
			fmt.Println(ai.Addr, "protocol", ai.Protocol)
		}
	}, "127.0.0.1", "80", hints)
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// 127.0.0.1:80 protocol 6
}
