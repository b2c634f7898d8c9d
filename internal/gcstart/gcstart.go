// Package gcstart keeps the Go garbage collector off while podc starts,
// and for the rest of a short-lived command.
//
// podc's dependencies (the kube-apiserver's packages, CUE, gRPC) allocate
// about 4 MB as their packages initialize: enough for a collection that,
// with its background mark workers, cost more CPU than a one-shot compile's
// own work (measured: podc version took 19.5 ms of CPU with the collector
// on, 13.6 ms with it off). Go initializes the packages of a program in the
// order of their import paths, each after the packages it imports (The Go
// Programming Language Specification, "Package initialization"), so this
// package, which imports only the standard library's, initializes before
// most of them: every k8s.io, google.golang.org and go.opentelemetry.io
// path sorts after it.
//
// Its init turns the collector off, unless GOGC is set, and bounds the
// heap at HeapLimit, unless GOMEMLIMIT is set: if the heap nears the limit,
// the collector runs again. A long-running command (podc serve, a compile
// of a fleet) calls Resume, which gives the collector back what the
// environment or the runtime's defaults say; a short-lived one (one
// compile, podc policy, podc import) never does, and exits before it has
// allocated much: a one-shot compile of examples/checkout.json allocates
// about 12 MB in all.
package gcstart

import (
	"math"
	"os"
	"runtime/debug"
	"sync/atomic"
)

// HeapLimit bounds the heap while the collector is off: 64 MiB.
const HeapLimit = 64 << 20

// off is set while the collector is off because of this package.
var off atomic.Bool

func init() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(-1)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(HeapLimit)
	}
	off.Store(true)
}

// Resume turns the collector back on as the environment (GOGC,
// GOMEMLIMIT) or the runtime's defaults have it, if this package turned
// it off; only the first call does anything. Safe for concurrent use.
func Resume() {
	if !off.CompareAndSwap(true, false) {
		return
	}
	debug.SetGCPercent(100)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// Off reports whether the collector is off because of this package.
func Off() bool { return off.Load() }
