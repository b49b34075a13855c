//go:build unix

package conformance_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// TestProcessTitle sets titles (one full of format verbs) and reads each back. libuv's checks
// of a NULL, empty or short C buffer have no counterpart: the title comes back as a string.
// libuv: process_title
func TestProcessTitle(t *testing.T) {
	old := uv.ProcessTitle()
	defer uv.SetProcessTitle(old)
	for _, title := range []string{"%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s", "new title"} {
		require.NoError(t, uv.SetProcessTitle(title))
		require.Equal(t, title, uv.ProcessTitle())
	}
	require.ErrorIs(t, uv.SetProcessTitle("bad\x00title"), uv.EINVAL)
}

func init() {
	childHelpers["process_title_big_argv_helper"] = func() int {
		if uv.ProcessTitle() == "" || uv.ProcessTitle() == "fail" {
			return 1
		}
		return 0
	}
}

// TestProcessTitleBigArgv spawns a child with two 511-byte arguments; the child can still
// read its title.
// libuv: process_title_big_argv
func TestProcessTitleBigArgv(t *testing.T) {
	l := newLoop(t)
	jumbo := strings.Repeat("x", 511)
	file, argv, env := childCommand("process_title_big_argv_helper", "process_title_big_argv_helper", jumbo, jumbo)
	var p handles.Process
	exits := 0
	require.NoError(t, handles.Spawn(l, &p, &handles.ProcessOptions{File: file, Args: argv, Env: env,
		Exit: func(p *handles.Process, status int64, sig int) {
			exits++
			assert.Zero(t, status)
			assert.Zero(t, sig)
			p.Close(nil)
		}}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, exits)
}

// TestProcessTitleThreadsafe sets the title from four goroutines while a fifth reads it: every
// read is one of the titles, whole.
// libuv: process_title_threadsafe
func TestProcessTitleThreadsafe(t *testing.T) {
	old := uv.ProcessTitle()
	defer uv.SetProcessTitle(old)
	titles := []string{"8L2NY0Kdj0XyNFZnmUZigIOfcWjyNr", "jXQqKmTvvc0DQ2RR5d6pyYvzlrp5lJ",
		"ENQGzjZBtQhqZoBRDp7qaQYsqk9ziVZ", "SzlZ8qNtOIwnLvy0M0IXQB34fMo1xy"}
	require.NoError(t, uv.SetProcessTitle(titles[0]))
	stop := make(chan struct{})
	var getter sync.WaitGroup
	getter.Add(1)
	go func() {
		defer getter.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			got := uv.ProcessTitle()
			assert.Contains(t, titles, got)
		}
	}()
	var setters sync.WaitGroup
	for range 4 {
		setters.Add(1)
		go func() {
			defer setters.Done()
			for range 100 {
				for _, title := range titles {
					assert.NoError(t, uv.SetProcessTitle(title))
				}
			}
		}()
	}
	setters.Wait()
	close(stop)
	getter.Wait()
}

// TestProcessPriority sets every priority from highest to lowest and reads each back; as in
// libuv, a priority the process may not take (EACCES) is skipped. The priority is restored.
// libuv: process_priority
func TestProcessPriority(t *testing.T) {
	old, err := uv.OSGetPriority(0)
	require.NoError(t, err)
	defer uv.OSSetPriority(0, old)
	for p := uv.PriorityHighest; p <= uv.PriorityLow; p++ {
		err := uv.OSSetPriority(0, p)
		if err == uv.EACCES {
			continue
		}
		require.NoError(t, err)
		got, err := uv.OSGetPriority(0)
		require.NoError(t, err)
		require.Equal(t, p, got)
	}
	require.ErrorIs(t, uv.OSSetPriority(0, uv.PriorityHighest-1), uv.EINVAL)
	require.ErrorIs(t, uv.OSSetPriority(0, uv.PriorityLow+1), uv.EINVAL)
	_, err = uv.OSGetPriority(-1 << 20)
	require.ErrorIs(t, err, uv.ESRCH)
}
