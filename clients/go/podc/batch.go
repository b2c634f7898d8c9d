package podc

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
)

// BatchResult is the answer to one request of a batch: a response, or the
// error Compile would have returned for it.
type BatchResult struct {
	// Response is the compile's answer; nil when Err is set.
	Response *podcv1.CompileResponse
	// Err is a status error; [AsRefusal] reads a refused intent's findings
	// and report from it.
	Err error
}

// CompileBatch sends every request on one CompileBatch stream and returns
// the answers in the order of reqs. One refused intent never fails the
// others: its answer carries the error. The returned error is for the
// stream itself (the server unreachable, the batch too large for it, ctx
// done), and then no answers are returned.
func (c *Client) CompileBatch(ctx context.Context, reqs []*podcv1.CompileRequest, opts ...grpc.CallOption) ([]BatchResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.compiler.CompileBatch(ctx, opts...)
	if err != nil {
		return nil, err
	}
	// Send while receiving, so a batch larger than the flow-control windows
	// cannot stall both ends.
	sent := make(chan error, 1)
	go func() {
		for _, r := range reqs {
			if err := stream.Send(&podcv1.CompileBatchRequest{Request: r}); err != nil {
				// The receive loop sees the stream's real status.
				sent <- err
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	out := make([]BatchResult, len(reqs))
	answered := make([]bool, len(reqs))
	for n := 0; ; n++ {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if n != len(reqs) {
				return nil, fmt.Errorf("podc: CompileBatch: %d answers to %d requests", n, len(reqs))
			}
			if err := <-sent; err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		i := resp.GetIndex()
		if i < 0 || i >= int64(len(reqs)) || answered[i] {
			return nil, fmt.Errorf("podc: CompileBatch: unexpected answer index %d", i)
		}
		answered[i] = true
		if be := resp.GetError(); be != nil {
			out[i].Err = batchErr(be)
		} else {
			out[i].Response = resp.GetResponse()
		}
	}
}

// batchErr is the status error Compile would have returned for be: its
// code and message, with the field violations as a google.rpc.BadRequest
// and the report as details.
func batchErr(be *podcv1.BatchError) error {
	st := &spb.Status{Code: be.GetCode(), Message: be.GetMessage()}
	if fvs := be.GetFieldViolations(); len(fvs) > 0 {
		br := &errdetails.BadRequest{}
		for _, fv := range fvs {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: fv.GetField(), Description: fv.GetDescription()})
		}
		st.Details = append(st.Details, mustAny(br))
	}
	if rep := be.GetReport(); rep != nil {
		st.Details = append(st.Details, mustAny(rep))
	}
	return status.ErrorProto(st)
}

func mustAny(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err) // marshaling a valid generated message does not fail
	}
	return a
}
