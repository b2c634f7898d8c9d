package main

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
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
	switch r := v.(type) {
	case *received:
		r.bytes = data.Len()
		return nil
	case *batchAnswer:
		return r.read(data.Materialize())
	}
	return c.CodecV2.Unmarshal(data, v)
}

// batchAnswer is a CompileBatchResponse read only as far as the driver
// needs: whether the entry failed, and with which code. Its response, the
// bulk of it, is skipped undecoded, as a unary response is.
type batchAnswer struct {
	failed bool
	code   codes.Code
}

// Field numbers of CompileBatchResponse and BatchError.
const (
	fieldBatchError     = 3 // CompileBatchResponse.error
	fieldBatchErrorCode = 1 // BatchError.code
)

func (a *batchAnswer) read(b []byte) error {
	*a = batchAnswer{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if num == fieldBatchError && typ == protowire.BytesType {
			e, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			a.failed, a.code = true, codes.Unknown
			if c, ok := errorCode(e); ok {
				a.code = c
			}
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
	}
	return nil
}

// errorCode reads BatchError.code from an encoded BatchError.
func errorCode(b []byte) (codes.Code, bool) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, false
		}
		b = b[n:]
		if num == fieldBatchErrorCode && typ == protowire.VarintType {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, false
			}
			return codes.Code(int32(v)), true
		}
		if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
			return 0, false
		}
		b = b[n:]
	}
	return 0, false
}
