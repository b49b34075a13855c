package uv

import (
	"strings"
	"sync"

	"golang.org/x/sys/windows"
)

// The peer of a child's IPC pipe. Both ends of a stdio pipe are opened by this process
// (NewStdioPipe), so the pipe itself names this process as its client and its server, and
// sockets would be duplicated for the wrong process; libuv sets the child's pid on the pipe
// handle after uv_spawn. Here SpawnProcess notes, by pipe name, the child that got an end of
// each of this process's pipes (noteStdioPeers), and the parent end's Sock takes the note when
// it takes the handle (takeStdioPeer). The names are unique, so a note nobody takes (a pipe
// whose parent end is closed unused) can never be given to another pipe; such notes are
// dropped when there are too many.

var stdioPeers struct {
	mu sync.Mutex
	m  map[string]uint32
}

// maxStdioPeers bounds the notes nobody took.
const maxStdioPeers = 256

// stdioPipePrefix is the start of the names createPipePair gives, as the system reports them.
const stdioPipePrefix = `\\?\pipe\uv-go\`

// noteStdioPeers records pid as the peer of each pipe of this process among handles.
func noteStdioPeers(handles []OSFd, pid uint32) {
	for _, fd := range handles {
		h := windows.Handle(fd)
		if h == windows.InvalidHandle || h == 0 || isStdHandle(h) {
			// This process's standard handles are none of its pipes; and asking a
			// synchronous one for its name would wait for a read another thread has on it.
			continue
		}
		if t, _ := windows.GetFileType(h); t != windows.FILE_TYPE_PIPE {
			continue
		}
		name, err := handleName(h)
		if err != nil || !strings.HasPrefix(name, stdioPipePrefix) {
			continue
		}
		stdioPeers.mu.Lock()
		if stdioPeers.m == nil || len(stdioPeers.m) >= maxStdioPeers {
			stdioPeers.m = make(map[string]uint32)
		}
		stdioPeers.m[name] = pid
		stdioPeers.mu.Unlock()
	}
}

// takeStdioPeer returns (and forgets) the child noted for pipe handle h, or 0.
func takeStdioPeer(h windows.Handle) uint32 {
	stdioPeers.mu.Lock()
	empty := len(stdioPeers.m) == 0
	stdioPeers.mu.Unlock()
	if empty {
		return 0
	}
	name, err := handleName(h)
	if err != nil {
		return 0
	}
	stdioPeers.mu.Lock()
	defer stdioPeers.mu.Unlock()
	pid := stdioPeers.m[name]
	delete(stdioPeers.m, name)
	return pid
}
