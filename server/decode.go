package server

import (
	"context"
	"crypto/sha256"
	"slices"
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

// requestCodec is gRPC's proto codec with three additions for podc's own
// request messages (package podc.v1), which the service's handlers hand
// it wrapped in a *decoding (see callerDecoding):
//
//   - A message whose bytes do not decode (not valid protobuf, a string that
//     is not UTF-8) is the caller's fault. grpc-go would answer INTERNAL
//     before any podc code runs and cannot be told otherwise, so the codec
//     reports success, empties the message and keeps the failure in the
//     decoding; the handler then refuses the call with INVALID_ARGUMENT.
//   - It hashes the bytes of the messages that carry a compile (see
//     wireDigest), so that the engine's result cache knows an intent it has
//     answered without serializing it again.
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

// decoding is one call's request decoding: the message last decoded, and
// the digest of its bytes or the failure that emptied it. It is a
// proto.Message (the one being decoded), so whatever sees the value gRPC
// decodes into (stats handlers) sees the request.
type decoding struct {
	protov2.Message
	digest [sha256.Size]byte // zero when not hashed
	err    error
}

// decodingKey is the context key of a call's *decoding.
type decodingKey struct{}

func (c requestCodec) Unmarshal(data mem.BufferSlice, v any) error {
	d, ok := v.(*decoding)
	if !ok {
		return c.CodecV2.Unmarshal(data, v)
	}
	start := time.Now()
	d.digest, d.err = [sha256.Size]byte{}, c.CodecV2.Unmarshal(data, d.Message)
	switch d.Message.(type) {
	case *podcv1.CompileRequest, *podcv1.CompileBatchRequest:
		if d.err == nil {
			d.digest = digestOf(d.Message, data)
		}
		c.decoded(start)
	case *podcv1.ValidateRequest:
		c.decoded(start)
	}
	if d.err != nil {
		protov2.Reset(d.Message)
	}
	return nil
}

// decoded tells the observer, if any, how long decoding a request took
// from start.
func (c requestCodec) decoded(start time.Time) {
	if c.obs != nil {
		c.obs.StageDone(compiler.StageDecode, time.Since(start))
	}
}

// digestOf is the SHA-256 of m's full type name and the bytes it was
// decoded from: the wire digest the engine's result cache keys on
// (compiler.Request.WireDigest). Decoding is a function of the type and
// the bytes, so equal digests mean equal messages, and a collision would
// take a collision of SHA-256.
func digestOf(m protov2.Message, data mem.BufferSlice) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(m.ProtoReflect().Descriptor().FullName()))
	h.Write([]byte{0})
	for _, b := range data {
		h.Write(b.ReadOnlyData())
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// decode decodes a request message into m with dec (gRPC's, which calls
// the codec) and refuses, as the caller's fault, bytes that do not
// decode.
func (d *decoding) decode(dec func(any) error, m any) error {
	msg, ok := m.(protov2.Message)
	if !ok {
		return dec(m)
	}
	d.Message = msg
	if err := dec(d); err != nil {
		return err
	}
	if d.err == nil {
		return nil
	}
	return statusOf(&diag.Error{Kind: diag.Invalid, Findings: []diag.Finding{
		diag.Denyf(diag.StageIntent, "", "the request message does not decode: %s", clip(d.err.Error(), 200)),
	}}).Err()
}

// wireDigest is the digest of the bytes m was decoded from when m is the
// request message the call of ctx decoded last; zero otherwise.
func wireDigest(ctx context.Context, m protov2.Message) [sha256.Size]byte {
	d, ok := ctx.Value(decodingKey{}).(*decoding)
	if !ok || d.Message != m {
		return [sha256.Size]byte{}
	}
	return d.digest
}

// callerDecoding returns a copy of desc whose handlers decode through a
// *decoding (see requestCodec): a request message that did not decode is
// refused with INVALID_ARGUMENT, and the digest of one that did is in the
// handler's context (see wireDigest).
func callerDecoding(desc grpc.ServiceDesc) *grpc.ServiceDesc {
	d := desc
	d.Methods = slices.Clone(desc.Methods)
	for i := range d.Methods {
		h := d.Methods[i].Handler
		d.Methods[i].Handler = func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			dc := new(decoding)
			return h(srv, context.WithValue(ctx, decodingKey{}, dc), func(v any) error { return dc.decode(dec, v) }, icpt)
		}
	}
	d.Streams = slices.Clone(desc.Streams)
	for i := range d.Streams {
		h := d.Streams[i].Handler
		d.Streams[i].Handler = func(srv any, ss grpc.ServerStream) error {
			dc := new(decoding)
			return h(srv, decodingStream{ss, context.WithValue(ss.Context(), decodingKey{}, dc), dc})
		}
	}
	return &d
}

// decodingStream decodes received messages through its decoding.
type decodingStream struct {
	grpc.ServerStream
	ctx context.Context
	dc  *decoding
}

func (s decodingStream) Context() context.Context { return s.ctx }

func (s decodingStream) RecvMsg(m any) error {
	return s.dc.decode(s.ServerStream.RecvMsg, m)
}
