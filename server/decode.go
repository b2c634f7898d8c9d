package server

import (
	"context"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	protov2 "google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// requestCodec is gRPC's proto codec with two additions for podc's own
// request messages (package podc.v1):
//
//   - A message whose bytes do not decode (not valid protobuf, a string that
//     is not UTF-8) is the caller's fault. grpc-go would answer INTERNAL
//     before any podc code runs and cannot be told otherwise, so the codec
//     reports success, empties the message and remembers the failure; the
//     service's handler (see callerDecoding) then refuses the call with
//     INVALID_ARGUMENT.
//   - With an observer, it tells how long decoding took: gRPC decodes a
//     request before any handler or interceptor runs, so the codec is where
//     that time can be seen.
type requestCodec struct {
	encoding.CodecV2
	obs compiler.Observer
}

func newRequestCodec(obs compiler.Observer) requestCodec {
	return requestCodec{CodecV2: encoding.GetCodecV2(proto.Name), obs: obs}
}

// undecodable holds, from the codec's Unmarshal to the handler's next
// step, the podc request messages whose bytes did not decode, keyed by the
// message. Every such message goes to a handler wrapped by callerDecoding,
// which takes its entry at once, so it holds at most one entry per call in
// flight.
var undecodable sync.Map

func (c requestCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(protov2.Message)
	if !ok || m.ProtoReflect().Descriptor().ParentFile().Package() != "podc.v1" {
		return c.CodecV2.Unmarshal(data, v)
	}
	start := time.Now()
	err := c.CodecV2.Unmarshal(data, v)
	switch v.(type) {
	case *podcv1.CompileRequest, *podcv1.ValidateRequest, *podcv1.CompileBatchRequest:
		if c.obs != nil {
			c.obs.StageDone(compiler.StageDecode, time.Since(start))
		}
	}
	if err != nil {
		protov2.Reset(m)
		undecodable.Store(v, err)
	}
	return nil
}

// decoded reports, for a message the codec filled, the caller's fault if
// its bytes did not decode.
func decoded(v any) error {
	err, ok := undecodable.LoadAndDelete(v)
	if !ok {
		return nil
	}
	return statusOf(&diag.Error{Kind: diag.Invalid, Findings: []diag.Finding{
		diag.Denyf(diag.StageIntent, "", "the request message does not decode: %s", clip(err.(error).Error(), 200)),
	}}).Err()
}

// callerDecoding returns a copy of desc whose handlers refuse a request
// message that did not decode (see requestCodec) with INVALID_ARGUMENT.
func callerDecoding(desc grpc.ServiceDesc) *grpc.ServiceDesc {
	d := desc
	d.Methods = slices.Clone(desc.Methods)
	for i := range d.Methods {
		h := d.Methods[i].Handler
		d.Methods[i].Handler = func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			return h(srv, ctx, func(v any) error {
				if err := dec(v); err != nil {
					return err
				}
				return decoded(v)
			}, icpt)
		}
	}
	d.Streams = slices.Clone(desc.Streams)
	for i := range d.Streams {
		h := d.Streams[i].Handler
		d.Streams[i].Handler = func(srv any, ss grpc.ServerStream) error {
			return h(srv, decodingStream{ss})
		}
	}
	return &d
}

// decodingStream refuses received messages that did not decode.
type decodingStream struct{ grpc.ServerStream }

func (s decodingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return decoded(m)
}
