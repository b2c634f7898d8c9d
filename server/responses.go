package server

import (
	"runtime"
	"sync"
	"weak"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// responses turns compile results into CompileResponse messages, and
// keeps the encoding of each result it is given more than once: the
// engine's result cache hands out the same *compiler.Result for every
// identical request, so from the second time on the answer is that
// encoding, with no conversion and no encoding per call.
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

// of returns res as a CompileResponse. Once res has been given before,
// the message carries res's encoding whole as its unknown fields, which
// encode to exactly those bytes: a client decodes them as the fields they
// are. Its Go fields are then empty; the server only sends it.
func (r *responses) of(res *compiler.Result) *podcv1.CompileResponse {
	key := weak.Make(res)
	r.mu.Lock()
	wire, seen := r.seen[key]
	if !seen {
		r.seen[key] = nil
	}
	r.mu.Unlock()
	if wire != nil {
		resp := new(podcv1.CompileResponse)
		resp.ProtoReflect().SetUnknown(wire)
		return resp
	}
	resp := responseOf(res)
	if !seen {
		runtime.AddCleanup(res, r.forget, key)
		return resp
	}
	wire, err := proto.Marshal(resp)
	if err != nil {
		return resp // not kept: gRPC's own encoding reports the fault
	}
	r.mu.Lock()
	if _, alive := r.seen[key]; alive {
		r.seen[key] = wire
	}
	r.mu.Unlock()
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

// responseOf converts a compile result to its API form.
func responseOf(res *compiler.Result) *podcv1.CompileResponse {
	return &podcv1.CompileResponse{
		Manifests:     manifestsProto(res.Manifests),
		Report:        reportProto(&res.Report),
		PolicyDigest:  res.PolicyDigest,
		TargetVersion: res.Target.String(),
	}
}
