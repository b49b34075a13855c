// Command hello is uv-go's first demo. Until the http module lands it shows the loop itself:
// a repeating timer, an idle handle counting iterations, and an async handle woken from
// another goroutine, all served by one loop on one OS thread, after which the loop runs out
// of work and Run returns.
package main

import (
	"fmt"
	"os"
	"time"

	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

func run() error {
	loop, err := uv.NewLoop()
	if err != nil {
		return err
	}
	start := loop.Now()

	// An async handle: the one handle another goroutine may poke.
	wake, err := handles.NewAsync(loop, func(a *handles.Async) {
		fmt.Printf("[%4d ms] async: woken from another goroutine\n", loop.Now()-start)
		a.Close(nil)
	})
	if err != nil {
		return err
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		wake.Send()
	}()

	// An idle handle: runs once per iteration until stopped.
	idle, err := handles.NewIdle(loop)
	if err != nil {
		return err
	}
	spins := 0
	if err := idle.Start(func(i *handles.Idle) {
		if spins++; spins == 1000 {
			fmt.Printf("[%4d ms] idle: 1000 loop iterations\n", loop.Now()-start)
			i.Close(nil)
		}
	}); err != nil {
		return err
	}

	// A timer: first after 50 ms, then every 50 ms, three times.
	tick, err := handles.NewTimer(loop)
	if err != nil {
		return err
	}
	ticks := 0
	if err := tick.Start(func(t *handles.Timer) {
		ticks++
		fmt.Printf("[%4d ms] timer: tick %d\n", loop.Now()-start, ticks)
		if ticks == 3 {
			t.Close(nil)
		}
	}, 50, 50); err != nil {
		return err
	}

	fmt.Println("uv-go: running the loop until it has nothing left to do")
	if _, err := loop.Run(uv.RunDefault); err != nil {
		return err
	}
	m := loop.Metrics()
	fmt.Printf("done: %d iterations, %d events\n", m.LoopCount, m.Events)
	return loop.Close()
}
