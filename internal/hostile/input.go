package hostile

import (
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protowire"
)

// inputCases are inputs refused before they are read as intents: files
// beyond podc compile's input bound and raw request bytes beyond the
// service's message size or not protobuf at all.
func inputCases() []Case {
	// CompileRequest field 1 (intent), WorkloadIntent field 1 (name).
	request := func(name []byte) []byte {
		wi := protowire.AppendTag(nil, 1, protowire.BytesType)
		wi = protowire.AppendBytes(wi, name)
		req := protowire.AppendTag(nil, 1, protowire.BytesType)
		return protowire.AppendBytes(req, wi)
	}
	return []Case{
		{Name: "input-5mib-file", Input: []byte(`{"name": "` + strings.Repeat("a", 5<<20) + `"}`), Exit: 2, Message: "more than --max-input-bytes"},
		{Name: "input-5mib-of-whitespace", Input: []byte(`{"name": "a"}` + strings.Repeat(" ", 5<<20)), Exit: 2, Message: "more than --max-input-bytes"},
		// The service refuses a request beyond its message size before
		// decoding it.
		{Name: "wire-5mib-request", Wire: request([]byte(strings.Repeat("a", 5<<20))), Code: codes.ResourceExhausted},
		// grpc-go refuses a request that is not valid protobuf — here a
		// string that is not UTF-8 — with INTERNAL before any podc code
		// runs; the service keeps serving.
		{Name: "wire-invalid-utf8-name", Wire: request([]byte("a\xffb")), Code: codes.Internal},
		{Name: "wire-garbage", Wire: []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, Code: codes.Internal},
	}
}
