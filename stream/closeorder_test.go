package stream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/stream"
)

// Closes queued while the queue drains, with the ring empty or not, two back to back or
// more, and from inside another close, run in the order they were queued, among the tasks
// queued around them (the order Node's nextTick queue gives).
func TestCloseOrderWhileDraining(t *testing.T) {
	q := stream.NewTickQueue(nil)
	var order []string
	ws := map[string]*stream.Writable{}
	for _, name := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"} {
		w, err := stream.NewWritable(stream.Options{Ticks: q, Write: func([]byte, bool) {}})
		require.NoError(t, err)
		w.OnClose(func() { order = append(order, name) })
		ws[name] = w
	}
	task := func(name string, fn func()) *stream.Task {
		t := new(stream.Task)
		t.Init(func() {
			order = append(order, name)
			if fn != nil {
				fn()
			}
		})
		return t
	}
	x, y, z := task("X", nil), task("Y", nil), task("Z", nil)
	ws["A"].OnClose(func() {
		order = append(order, "A")
		ws["D"].Destroy(nil)
		q.Defer(y)
	})
	ws["E"].OnClose(func() {
		order = append(order, "E")
		ws["H"].Destroy(nil) // behind G and Z
	})
	ws["H"].OnClose(func() {
		order = append(order, "H")
		ws["J"].Destroy(nil) // nothing queued: J is next
	})
	q.Defer(task("T0", func() {
		ws["A"].Destroy(nil) // nothing queued: A is next
		q.Defer(x)
		ws["B"].Destroy(nil)
		ws["C"].Destroy(nil) // right behind B's close
	}))
	q.Drain()
	assert.Equal(t, []string{"T0", "A", "X", "B", "C", "D", "Y"}, order)
	assert.False(t, q.Pending())

	order = nil
	q.Defer(task("T1", func() {
		ws["E"].Destroy(nil)
		ws["F"].Destroy(nil) // right behind E's
		ws["G"].Destroy(nil) // a third
		q.Defer(z)
	}))
	q.Drain()
	assert.Equal(t, []string{"T1", "E", "F", "G", "Z", "H", "J"}, order)
	assert.False(t, q.Pending())
}
