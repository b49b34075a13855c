package handles_test

import (
	"fmt"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

// A repeating timer: the first call after 10 ms, then every 5 ms until it stops itself.
func ExampleTimer() {
	l, _ := uv.NewLoop()
	t, _ := handles.NewTimer(l)
	n := 0
	t.Start(func(t *handles.Timer) {
		n++
		fmt.Println("tick", n)
		if n == 3 {
			t.Close(nil) // the loop has nothing left to do: Run returns
		}
	}, 10, 5)
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// tick 1
	// tick 2
	// tick 3
}

// Idle, prepare and check handles run once per loop iteration, in that order around the
// poll for I/O. A started idle handle makes the poll return at once.
func ExampleIdle() {
	l, _ := uv.NewLoop()
	idle, _ := handles.NewIdle(l)
	prepare, _ := handles.NewPrepare(l)
	check, _ := handles.NewCheck(l)
	iteration := 0
	idle.Start(func(*handles.Idle) {
		iteration++
		fmt.Println(iteration, "idle")
	})
	prepare.Start(func(*handles.Prepare) { fmt.Println(iteration, "prepare") })
	check.Start(func(*handles.Check) {
		fmt.Println(iteration, "check (after the poll)")
		if iteration == 2 {
			idle.Close(nil)
			prepare.Close(nil)
			check.Close(nil)
		}
	})
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// 1 idle
	// 1 prepare
	// 1 check (after the poll)
	// 2 idle
	// 2 prepare
	// 2 check (after the poll)
}

// A prepare handle runs just before the loop blocks for I/O: the place to flush what the
// callbacks of the iteration queued.
func ExamplePrepare() {
	l, _ := uv.NewLoop()
	var queued []string
	prepare, _ := handles.NewPrepare(l)
	prepare.Start(func(p *handles.Prepare) {
		if len(queued) == 0 {
			return
		}
		fmt.Println("flushing", queued)
		if queued[0] == "job2" {
			p.Close(nil)
		}
		queued = queued[:0]
	})
	t, _ := handles.NewTimer(l)
	n := 0
	t.Start(func(t *handles.Timer) {
		n++
		queued = append(queued, fmt.Sprint("job", n))
		if n == 2 {
			t.Close(nil)
		}
	}, 1, 1)
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// flushing [job1]
	// flushing [job2]
}

// A check handle runs right after the poll for I/O, once per iteration (Node's setImmediate
// is built on one).
func ExampleCheck() {
	l, _ := uv.NewLoop()
	check, _ := handles.NewCheck(l)
	t, _ := handles.NewTimer(l)
	check.Start(func(c *handles.Check) {
		fmt.Println("check: the poll has returned")
		c.Close(nil)
	})
	t.Start(func(t *handles.Timer) {
		fmt.Println("timer")
		t.Close(nil)
	}, 5, 0)
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// check: the poll has returned
	// timer
}

// Async is the one handle another goroutine may use: Send wakes the loop, which runs the
// callback (several sends before it runs are coalesced into one call).
func ExampleAsync() {
	l, _ := uv.NewLoop()
	results := make(chan int, 1)
	a, _ := handles.NewAsync(l, func(a *handles.Async) {
		fmt.Println("the worker says", <-results)
		a.Close(nil)
	})
	go func() {
		results <- 6 * 7
		a.Send()
	}()
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// the worker says 42
}

// Work runs a function on the threadpool and then a callback on the loop (libuv's
// uv_queue_work).
func ExampleWork() {
	l, _ := uv.NewLoop()
	var w handles.Work
	sum := 0
	handles.QueueWork(l, &w, func(*handles.Work) {
		for i := 1; i <= 100; i++ { // on a worker goroutine: no loop calls here
			sum += i
		}
	}, func(w *handles.Work, err error) {
		fmt.Println("sum", sum, "err", err) // back on the loop
	})
	l.Run(uv.RunDefault)
	l.Close()
	// Output:
	// sum 5050 err <nil>
}
