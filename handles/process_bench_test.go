//go:build unix

package handles_test

import (
	"os/exec"
	"testing"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// spawnBench is libuv's spawn benchmark: spawn a child, read its stdout through a pipe, and
// spawn the next one when both the process and the pipe are closed. libuv's child is its own
// test binary printing "hello world" (exit status 42); here it is /bin/echo.
type spawnBench struct {
	b       *testing.B
	l       *uv.Loop
	proc    handles.Process
	out     handles.Pipe
	opts    handles.ProcessOptions
	buf     [1024]byte
	used    int
	left    int // spawns still to start
	open    int // process and pipe handles not yet closed
	closeFn func()
}

func newSpawnBench(b *testing.B) *spawnBench {
	path, err := exec.LookPath("echo")
	if err != nil {
		b.Skip("no echo program")
	}
	sb := &spawnBench{b: b, l: mustLoop(b)}
	sb.opts = handles.ProcessOptions{File: path, Args: []string{"echo", "hello", "world"},
		Stdio: []handles.StdioContainer{{}, {Flags: handles.StdioCreatePipe | handles.StdioWritablePipe, Stream: &sb.out.Stream}},
		Exit:  sb.exit}
	sb.closeFn = sb.closed
	return sb
}

func (sb *spawnBench) exit(p *handles.Process, status int64, sig int) {
	if status != 0 || sig != 0 {
		sb.b.Errorf("exit status %d, signal %d", status, sig)
	}
	p.Close(sb.closeFn)
}

func (sb *spawnBench) alloc(*handles.Stream, int) []byte { return sb.buf[sb.used:] }

func (sb *spawnBench) read(s *handles.Stream, buf []byte, err error) {
	sb.used += len(buf)
	if err != nil {
		s.Close(sb.closeFn)
	}
}

func (sb *spawnBench) closed() {
	if sb.open--; sb.open == 0 {
		if string(sb.buf[:sb.used]) != "hello world\n" {
			sb.b.Errorf("output %q", sb.buf[:sb.used])
		}
		sb.spawn()
	}
}

func (sb *spawnBench) spawn() {
	if sb.left == 0 {
		return
	}
	sb.left--
	if err := sb.out.Init(sb.l, false); err != nil {
		sb.b.Fatal(err)
	}
	if err := handles.Spawn(sb.l, &sb.proc, &sb.opts); err != nil {
		sb.b.Fatal(err)
	}
	sb.open, sb.used = 2, 0
	if err := sb.out.ReadStart(sb.alloc, sb.read); err != nil {
		sb.b.Fatal(err)
	}
}

// BenchmarkSpawn reports spawns per second, each child's output read through a pipe to EOF
// and both handles closed before the next spawn.
func BenchmarkSpawn(b *testing.B) {
	sb := newSpawnBench(b)
	b.ReportAllocs()
	start := time.Now()
	sb.left = b.N
	sb.spawn()
	if _, err := sb.l.Run(uv.RunDefault); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "spawns/s")
	if err := sb.l.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSpawnOSExec is the same with os/exec, for comparison: Output of /bin/echo.
func BenchmarkSpawnOSExec(b *testing.B) {
	path, err := exec.LookPath("echo")
	if err != nil {
		b.Skip("no echo program")
	}
	b.ReportAllocs()
	start := time.Now()
	for range b.N {
		out, err := exec.Command(path, "hello", "world").Output()
		if err != nil || string(out) != "hello world\n" {
			b.Fatalf("%q, %v", out, err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "spawns/s")
}
