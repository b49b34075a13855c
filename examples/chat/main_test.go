package main

import (
	"bufio"
	"bytes"
	gonet "net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// person is a chat client on its own goroutine, on Go's net package.
type person struct {
	c gonet.Conn
	r *bufio.Reader
}

func dial(t *testing.T, port int) *person {
	c, err := gonet.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Error(err)
		return nil
	}
	c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang fails instead of blocking
	return &person{c: c, r: bufio.NewReader(c)}
}

func (p *person) say(s string) { p.c.Write([]byte(s + "\n")) }

func (p *person) expect(t *testing.T, want string) {
	t.Helper()
	line, err := p.r.ReadString('\n')
	if err != nil {
		t.Errorf("waiting for %q: %v", want, err)
		return
	}
	if got := strings.TrimSuffix(line, "\n"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Two people chat, rename, list, quit; a signal-like shutdown tells the last one and closes
// everything, and the loop runs out of work.
func TestChat(t *testing.T) {
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var out bytes.Buffer
	c, err := newChat(loop, &out)
	require.NoError(t, err)
	require.NoError(t, c.listen(0, "127.0.0.1"))
	stop, err := handles.NewAsync(loop, func(a *handles.Async) {
		a.Close(nil)
		c.shutdown("*** the server is shutting down\n")
	})
	require.NoError(t, err)
	done := make(chan struct{})
	c.srv.OnListening(func() {
		port := c.srv.Address().Port
		go func() {
			defer close(done)
			defer stop.Send()
			ann := dial(t, port)
			if ann == nil {
				return
			}
			defer ann.c.Close()
			ann.expect(t, "*** welcome, guest1! 1 here. /nick NAME, /who, /quit")
			ann.say("/nick ann")
			ann.expect(t, "*** you are now ann")
			bob := dial(t, port)
			if bob == nil {
				return
			}
			defer bob.c.Close()
			bob.expect(t, "*** welcome, guest2! 2 here. /nick NAME, /who, /quit")
			ann.expect(t, "*** guest2 joined")
			bob.say("/nick ann")
			bob.expect(t, "*** that name is not available")
			bob.say("/nick bob")
			bob.expect(t, "*** you are now bob")
			ann.expect(t, "*** guest2 is now bob")
			// A line split across writes, and two lines in one write.
			bob.c.Write([]byte("hel"))
			bob.c.Write([]byte("lo ann\r\nhow are you?\n"))
			ann.expect(t, "bob: hello ann")
			ann.expect(t, "bob: how are you?")
			ann.say("/who")
			ann.expect(t, "*** here: ann, bob")
			ann.say("fine, bye")
			bob.expect(t, "ann: fine, bye")
			ann.say("/quit")
			ann.expect(t, "*** bye")
			bob.expect(t, "*** ann quit")
			if _, err := ann.r.ReadString('\n'); err == nil {
				t.Error("ann's connection stays open after /quit")
			}
			// A long line, more than one read.
			long := strings.Repeat("x", 200_000)
			carol := dial(t, port)
			if carol == nil {
				return
			}
			defer carol.c.Close()
			carol.expect(t, "*** welcome, guest3! 2 here. /nick NAME, /who, /quit")
			bob.expect(t, "*** guest3 joined")
			carol.say(long)
			bob.expect(t, "guest3: "+long)
			carol.c.Close()
			bob.expect(t, "*** guest3 left")
			stop.Send()
			bob.expect(t, "*** the server is shutting down")
		}()
	})
	_, err = loop.Run(uv.RunDefault)
	require.NoError(t, err)
	<-done
	require.NoError(t, c.err)
	require.NoError(t, loop.Close())
	log := out.String()
	require.Contains(t, log, "chat server listening on port")
	require.Contains(t, log, "ann quit")
	require.Contains(t, log, "server closed")
	require.True(t, strings.HasSuffix(log, "server closed\n"), log)
}

// A busy port is reported, and the program's loop ends.
func TestChatBusyPort(t *testing.T) {
	ln, err := gonet.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	c, err := newChat(loop, &bytes.Buffer{})
	require.NoError(t, err)
	require.NoError(t, c.listen(ln.Addr().(*gonet.TCPAddr).Port, "127.0.0.1"))
	_, err = loop.Run(uv.RunDefault)
	require.NoError(t, err)
	require.ErrorContains(t, c.err, "listen EADDRINUSE: address already in use 127.0.0.1:")
	require.NoError(t, loop.Close())
}

// A client that never reads is dropped once a megabyte waits for it; the others go on.
func TestChatSlowReaderDropped(t *testing.T) {
	loop, err := uv.NewLoop()
	require.NoError(t, err)
	var out bytes.Buffer
	c, err := newChat(loop, &out)
	require.NoError(t, err)
	require.NoError(t, c.listen(0, "127.0.0.1"))
	stop, err := handles.NewAsync(loop, func(a *handles.Async) {
		a.Close(nil)
		c.shutdown("")
	})
	require.NoError(t, err)
	done := make(chan struct{})
	c.srv.OnListening(func() {
		port := c.srv.Address().Port
		go func() {
			defer close(done)
			defer stop.Send()
			slow := dial(t, port) // connects, then never reads
			if slow == nil {
				return
			}
			defer slow.c.Close()
			fast := dial(t, port)
			if fast == nil {
				return
			}
			defer fast.c.Close()
			fast.expect(t, "*** welcome, guest2! 2 here. /nick NAME, /who, /quit")
			line := strings.Repeat("z", 16<<10) + "\n"
			go func() {
				for i := 0; i < 4096; i++ { // 64 MiB, far more than the kernel buffers
					if _, err := fast.c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
			for {
				l, err := fast.r.ReadString('\n')
				if err != nil {
					t.Errorf("the fast client was disconnected: %v", err)
					return
				}
				if l == "*** guest1 was too slow\n" {
					return
				}
			}
		}()
	})
	_, err = loop.Run(uv.RunDefault)
	require.NoError(t, err)
	<-done
	require.NoError(t, loop.Close())
	require.Contains(t, out.String(), "guest1 is not reading: dropped")
}
