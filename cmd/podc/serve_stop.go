package main

import (
	"os"
	"os/signal"
	"syscall"
)

// stops tell serve when to shut down. drain closes first: health turns
// NOT_SERVING and the server goes on serving for --drain-delay, so load
// balancers stop routing to it; then it stops taking calls and lets those in
// flight finish within --grace. now closes to cut the drain delay short.
type stops struct {
	drain, now <-chan struct{}
}

// signalStops are the stops of the binary: the first SIGTERM or SIGINT
// starts the drain, the second cuts the drain delay short. Call the
// returned function once serve has returned.
func signalStops() (stops, func()) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	drain, now, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		for _, c := range []chan struct{}{drain, now} {
			select {
			case <-sig:
				close(c)
			case <-done:
				return
			}
		}
	}()
	return stops{drain: drain, now: now}, func() {
		signal.Stop(sig)
		close(done)
	}
}
