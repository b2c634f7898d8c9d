package main

import (
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// The driver shares the machine with the server it measures, so it spends
// as little as it can per call: a request sent many times is encoded once
// (an *encoded), and a response is received whole but not decoded unless
// -decode asks for it (a *received). Decoding a compile response costs a
// client more than a remembered answer costs the server (a few dozen
// microseconds for checkout's 14 KB report of every default and
// decision).

// encoded is a request message already serialized, sent as it is.
type encoded []byte

// received is a response taken whole, undecoded: its size.
type received struct{ bytes int }

// loadCodec is gRPC's proto codec that also sends an *encoded as it is
// and receives into a *received without decoding.
type loadCodec struct{ encoding.CodecV2 }

func newLoadCodec() loadCodec { return loadCodec{encoding.GetCodecV2(proto.Name)} }

func (c loadCodec) Marshal(v any) (mem.BufferSlice, error) {
	if e, ok := v.(*encoded); ok {
		return mem.BufferSlice{mem.SliceBuffer(*e)}, nil
	}
	return c.CodecV2.Marshal(v)
}

func (c loadCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if r, ok := v.(*received); ok {
		r.bytes = data.Len()
		return nil
	}
	return c.CodecV2.Unmarshal(data, v)
}
