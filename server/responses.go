package server

import (
	"runtime"
	"sync"
	"weak"

	"github.com/podc-dev/podc/compiler"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// responses turns compile results into CompileResponse messages, each
// carrying its encoding whole, written straight from the result
// (encodeResponse), and keeps the encoding of each result it is given
// more than once: the engine's result cache hands out the same
// *compiler.Result for every identical request, so from the second time
// on the answer is that encoding, with no encoding per call.
//
// What it keeps lives exactly as long as the result: it is keyed by a
// weak pointer and dropped once the result is collected (after the result
// cache lets it go). So it is bounded by the result cache: at most one
// encoded response per remembered answer, about the size of that answer
// again, and only for answers served more than once. It is safe for
// concurrent use.
type responses struct {
	mu sync.Mutex
	// seen holds every result given and still alive; its encoding once it
	// is given a second time (nil before).
	seen map[weak.Pointer[compiler.Result]][]byte
}

func newResponses() *responses {
	return &responses{seen: map[weak.Pointer[compiler.Result]][]byte{}}
}

// of returns res as a CompileResponse whose unknown fields are res's
// whole encoding: it encodes to exactly those bytes, and a client decodes
// them as the fields they are. Its Go fields are empty; the server only
// sends it.
func (r *responses) of(res *compiler.Result) *podcv1.CompileResponse {
	key := weak.Make(res)
	r.mu.Lock()
	wire, seen := r.seen[key]
	if !seen {
		r.seen[key] = nil
	}
	r.mu.Unlock()
	if wire == nil {
		wire = encodeResponse(res)
		if !seen {
			runtime.AddCleanup(res, r.forget, key)
		} else {
			r.mu.Lock()
			if _, alive := r.seen[key]; alive {
				r.seen[key] = wire
			}
			r.mu.Unlock()
		}
	}
	resp := new(podcv1.CompileResponse)
	resp.ProtoReflect().SetUnknown(wire)
	return resp
}

// forget drops what is kept for a result that was collected.
func (r *responses) forget(key weak.Pointer[compiler.Result]) {
	r.mu.Lock()
	delete(r.seen, key)
	r.mu.Unlock()
}

// len is how many results are kept, encoded or not.
func (r *responses) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}
