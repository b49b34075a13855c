//go:build linux

package handles_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// A TTY handle on the terminal side of a pseudo-terminal: the window size the other side
// set, a write through the terminal's output processing ("\n" becomes "\r\n"), and a
// switch to raw mode and back.
func ExampleTTY() {
	master, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Println("no pseudo-terminal:", err)
		return
	}
	defer unix.Close(master)
	unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0) // unlockpt
	n, _ := unix.IoctlGetInt(master, unix.TIOCGPTN)     // ptsname
	term, err := unix.Open("/dev/pts/"+strconv.Itoa(n), unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer unix.Close(term)
	unix.IoctlSetWinsize(master, unix.TIOCSWINSZ, &unix.Winsize{Col: 80, Row: 24})

	l, _ := uv.NewLoop()
	tty, err := handles.NewTTY(l, term, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h, _ := tty.WinSize()
	fmt.Println("window", w, "x", h)
	tty.Write(new(handles.WriteReq), [][]byte{[]byte("hello\n")}, nil)
	l.Run(uv.RunDefault)
	var buf [64]byte
	k, _ := unix.Read(master, buf[:])
	fmt.Printf("the other side reads %q\n", buf[:k])
	tty.SetMode(handles.TTYModeRaw)
	fmt.Println("mode", tty.Mode())
	tty.SetMode(handles.TTYModeNormal)
	fmt.Println("mode", tty.Mode())
	tty.Close(nil)
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// window 80 x 24
	// the other side reads "hello\r\n"
	// mode raw
	// mode normal
}

// An fs event handle reports changes in a directory (inotify on Linux): here the creation
// of a file, an FSEventRename in libuv's terms.
func ExampleFSEvent() {
	dir, _ := os.MkdirTemp("", "uv-example")
	defer os.RemoveAll(dir)

	l, _ := uv.NewLoop()
	h, _ := handles.NewFSEvent(l)
	err := h.Start(func(h *handles.FSEvent, name string, events int, err error) {
		fmt.Println("rename:", events&handles.Rename != 0, "name:", name)
		h.Close(nil)
	}, dir, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	os.WriteFile(filepath.Join(dir, "new.txt"), []byte("hi"), 0o644) // after Start: seen
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// rename: true name: new.txt
}
