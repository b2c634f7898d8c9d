package server

import (
	"runtime"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Reasons carried in google.rpc.ErrorInfo when a server limit refuses a call.
const (
	// ReasonOverloaded: every compile slot was taken (RESOURCE_EXHAUSTED).
	// The call did no work; retry it with backoff, ideally on another replica.
	ReasonOverloaded = "OVERLOADED"
	// ReasonBatchTooLarge: a CompileBatch stream sent more intents than the
	// server takes per stream (INVALID_ARGUMENT). The intents before the
	// limit were answered; send the rest on a new stream.
	ReasonBatchTooLarge = "BATCH_TOO_LARGE"
)

// DefaultMaxBatch is the default largest number of intents per CompileBatch
// stream.
const DefaultMaxBatch = 1000

// DefaultMaxConcurrentCompiles is the default bound on compiles running at
// once: sixteen per core the Go scheduler uses. A compile is CPU-bound and
// takes about half a millisecond, so a full set of slots is a few
// milliseconds of queued work, enough for 16 or more steady callers and
// their bursts, while each slot holds at most one request's memory.
func DefaultMaxConcurrentCompiles() int { return 16 * runtime.GOMAXPROCS(0) }

// DefaultStreamWorkers is the default number of goroutines kept to serve
// calls: one per default compile slot, so that every call within the bound
// runs on a goroutine whose stack a compile has already grown. A new
// goroutine's stack starts small and is copied each time a compile's calls
// outgrow it; in load runs (BENCHMARKS.md) the workers took 7-10% less CPU
// per new intent and per answer from the result cache. Each keeps its
// stack between calls (32 workers added 0.7 MiB of stacks under load);
// gRPC replaces a worker after 65,536 calls, so no stack stays large for
// ever.
func DefaultStreamWorkers() int { return DefaultMaxConcurrentCompiles() }

// slots bounds the compiles running at once. Taking a slot never waits: a
// call that finds every slot taken is refused at once, so a burst never piles
// up goroutines and memory behind the ones that run. It is safe for
// concurrent use; a nil slots has no bound.
type slots chan struct{}

func newSlots(n int) slots {
	if n < 0 {
		return nil
	}
	return make(slots, n)
}

// take takes a slot if one is free.
func (s slots) take() bool {
	if s == nil {
		return true
	}
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

// give returns a slot taken with take.
func (s slots) give() {
	if s != nil {
		<-s
	}
}

// overloaded is the status of a compile refused for want of a slot.
func (s slots) overloaded() *status.Status {
	st := status.Newf(codes.ResourceExhausted,
		"server busy: all %d compile slots are taken; retry with backoff", cap(s))
	st, _ = st.WithDetails(&errdetails.ErrorInfo{Reason: ReasonOverloaded, Domain: ErrorDomain,
		Metadata: map[string]string{"max_concurrent_compiles": strconv.Itoa(cap(s))}})
	return st
}

// batchTooLarge is the status that ends a CompileBatch stream that sent more
// than max intents.
func batchTooLarge(max int) *status.Status {
	st := status.Newf(codes.InvalidArgument,
		"CompileBatch takes at most %d intents per stream: the first %d were answered; send the rest on a new stream", max, max)
	st, _ = st.WithDetails(&errdetails.ErrorInfo{Reason: ReasonBatchTooLarge, Domain: ErrorDomain,
		Metadata: map[string]string{"max_batch": strconv.Itoa(max)}})
	return st
}
