package server

import (
	"context"
	"crypto/sha256"
	"runtime"
	"sync"
	"testing"
	"weak"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// digests wraps a real engine and records the wire digest of every
// compile it is asked for.
type digests struct {
	*compiler.Engine
	mu  sync.Mutex
	got [][sha256.Size]byte
}

func (d *digests) Compile(ctx context.Context, req compiler.Request) (*compiler.Result, error) {
	d.mu.Lock()
	d.got = append(d.got, req.WireDigest)
	d.mu.Unlock()
	return d.Engine.Compile(ctx, req)
}

func (d *digests) take() [][sha256.Size]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	got := d.got
	d.got = nil
	return got
}

// wantDigest is the digest of m's full name and its bytes as the client
// sends them.
func wantDigest(t *testing.T, m proto.Message) [sha256.Size]byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(append([]byte(string(m.ProtoReflect().Descriptor().FullName())+"\x00"), b...))
}

// The engine is told the digest of the very bytes each compile came in:
// a unary request's, a batch entry's message (its type is part of the
// digest, so the same bytes as another type are another digest), and the
// same for every call that sends the same bytes.
func TestCompilesCarryTheirWireDigest(t *testing.T) {
	b := mustDefaultBundle(t)
	st := store.New(b, nil)
	eng := &digests{Engine: compiler.New(compiler.Options{Policies: st})}
	e := serveEnv(t, b, Options{Compiler: eng, Policies: st})
	ctx := context.Background()

	// hello has a single label: its bytes are the same on every call.
	req := &podcv1.CompileRequest{Intent: example(t, "hello.json")}
	for range 2 {
		if _, err := e.compiler.Compile(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	json := &podcv1.CompileRequest{Intent: example(t, "hello.json"), Format: podcv1.OutputFormat_OUTPUT_FORMAT_JSON}
	if _, err := e.compiler.Compile(ctx, json); err != nil {
		t.Fatal(err)
	}
	got := eng.take()
	want := wantDigest(t, req)
	if len(got) != 3 || got[0] != want || got[1] != want || got[2] != wantDigest(t, json) || got[2] == want {
		t.Errorf("unary digests %x, want %x twice then that of the JSON request", got, want)
	}

	stream, err := e.compiler.CompileBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in := &podcv1.CompileBatchRequest{Request: req}
	for range 2 {
		if err := stream.Send(in); err != nil {
			t.Fatal(err)
		}
	}
	stream.CloseSend()
	for range 2 {
		if out, err := stream.Recv(); err != nil || out.GetError() != nil {
			t.Fatalf("batch: %v %v", err, out.GetError())
		}
	}
	got = eng.take()
	want = wantDigest(t, in)
	if len(got) != 2 || got[0] != want || got[1] != want || want == wantDigest(t, req) {
		t.Errorf("batch digests %x, want %x twice", got, want)
	}
}

// A request answered from the result cache gets the same response,
// field for field, as the first: from the second time on the server
// sends the answer's encoding as it kept it.
func TestRememberedAnswersEncodeAlike(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	for _, req := range []*podcv1.CompileRequest{
		{Intent: example(t, "checkout.json")},
		{Intent: example(t, "checkout.json"), Explain: true, ApiserverDefaults: true},
		{Intent: example(t, "hello.json"), Format: podcv1.OutputFormat_OUTPUT_FORMAT_JSON},
	} {
		first, err := e.compiler.Compile(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(first.GetManifests()) == 0 || first.GetReport() == nil {
			t.Fatalf("first answer %v", first)
		}
		for i := range 3 {
			again, err := e.compiler.Compile(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(first, again) {
				t.Fatalf("answer %d differs from the first", i+2)
			}
			if len(again.ProtoReflect().GetUnknown()) != 0 {
				t.Errorf("answer %d has unknown fields for the client", i+2)
			}
		}
	}
}

// responses encodes a result anew the first two times, keeps the second
// encoding, and from then on answers with it; every answer decodes to the
// same response.
func TestResponsesKeepTheEncodingOfRepeatedResults(t *testing.T) {
	r := newResponses()
	res := compileExample(t, "checkout.json")
	want := responseOf(res)
	for i := range 4 {
		resp := r.of(res)
		b, err := proto.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		got := new(podcv1.CompileResponse)
		if err := proto.Unmarshal(b, got); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Fatalf("response %d decodes to another answer", i+1)
		}
		kept := r.kept(res)
		if (kept != nil) != (i >= 1) {
			t.Errorf("after response %d: encoding kept %v, want %v", i+1, kept != nil, i >= 1)
		}
		if i >= 2 && &resp.ProtoReflect().GetUnknown()[0] != &kept[0] {
			t.Errorf("response %d is encoded anew, not the kept encoding", i+1)
		}
	}
	if r.len() != 1 {
		t.Errorf("%d results kept, want 1", r.len())
	}
}

// kept is the encoding r keeps for res, nil when none.
func (r *responses) kept(res *compiler.Result) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[weak.Make(res)]
}

// What responses keeps for a result goes once the result is collected.
func TestResponsesForgetCollectedResults(t *testing.T) {
	r := newResponses()
	func() {
		res := compileExample(t, "hello.json")
		r.of(res)
		r.of(res)
		if r.len() != 1 {
			t.Fatalf("%d results kept, want 1", r.len())
		}
	}()
	for i := 0; i < 1000 && r.len() > 0; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if r.len() != 0 {
		t.Errorf("%d results kept after the result was collected", r.len())
	}
}

// compileExample compiles an example on a new engine.
func compileExample(t *testing.T, name string) *compiler.Result {
	t.Helper()
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefaultBundle(t), nil)})
	res, err := eng.Compile(context.Background(), compiler.Request{Intent: example(t, name)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustDefaultBundle(t *testing.T) *policy.Bundle {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
