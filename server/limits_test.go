package server

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// gated is a real engine whose compiles of intents named "slow" wait, after
// saying so on entered, until release is closed.
type gated struct {
	*compiler.Engine
	entered chan string
	release chan struct{}
}

func newGated(t *testing.T) gated {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return gated{compiler.New(compiler.Options{Policies: store.New(b, nil)}), make(chan string, 16), make(chan struct{})}
}

func (g gated) wait(req compiler.Request) {
	if req.Intent.GetName() == "slow" {
		g.entered <- "slow"
		<-g.release
	}
}

func (g gated) Compile(ctx context.Context, req compiler.Request) (*compiler.Result, error) {
	g.wait(req)
	return g.Engine.Compile(ctx, req)
}

func (g gated) Validate(ctx context.Context, req compiler.Request) (*compiler.Result, error) {
	g.wait(req)
	return g.Engine.Validate(ctx, req)
}

func errorInfo(err error) *errdetails.ErrorInfo {
	for _, d := range status.Convert(err).Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return ei
		}
	}
	return nil
}

// TestConcurrentCompilesAreBounded fills both compile slots with calls that
// wait, and requires every further compile (unary, Validate, batch entry)
// to be refused at once with RESOURCE_EXHAUSTED, while the waiting calls and
// the calls after them succeed.
func TestConcurrentCompilesAreBounded(t *testing.T) {
	g := newGated(t)
	e := startWith(t, Options{Compiler: g, MaxConcurrentCompiles: 2})
	slow := example(t, "hello.json")
	slow.Name = "slow"

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			_, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: slow})
			errs <- err
		})
	}
	<-g.entered
	<-g.entered

	_, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "hello.json")})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("Compile past the bound: %v, want ResourceExhausted", err)
	}
	if ei := errorInfo(err); ei == nil || ei.Reason != ReasonOverloaded || ei.Metadata["max_concurrent_compiles"] != "2" {
		t.Errorf("ErrorInfo = %v", ei)
	}
	if _, err := e.compiler.Validate(context.Background(), &podcv1.ValidateRequest{Intent: example(t, "hello.json")}); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("Validate past the bound: %v, want ResourceExhausted", err)
	}
	stream, err := e.compiler.CompileBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stream.Send(&podcv1.CompileBatchRequest{Request: &podcv1.CompileRequest{Intent: example(t, "hello.json")}})
	stream.CloseSend()
	r, err := stream.Recv()
	if err != nil || codes.Code(r.GetError().GetCode()) != codes.ResourceExhausted {
		t.Errorf("batch entry past the bound: %v %v, want a ResourceExhausted entry", r, err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("the batch did not end cleanly: %v", err)
	}
	// Health and policies do not take compile slots.
	if _, err := e.policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{}); err != nil {
		t.Errorf("ListPolicies while busy: %v", err)
	}

	close(g.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a call holding a slot failed: %v", err)
		}
	}
	if _, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "hello.json")}); err != nil {
		t.Errorf("slots were not given back: %v", err)
	}
}

func TestNegativeMaxConcurrentCompilesIsUnbounded(t *testing.T) {
	g := newGated(t)
	e := startWith(t, Options{Compiler: g, MaxConcurrentCompiles: -1})
	slow := example(t, "hello.json")
	slow.Name = "slow"
	const n = 12
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: slow}); err != nil {
				t.Errorf("compile: %v", err)
			}
		})
	}
	for range n {
		<-g.entered
	}
	close(g.release)
	wg.Wait()
}

// TestBatchSizeIsBounded sends more intents than a stream takes: the first
// ones are answered in order, then the stream ends with INVALID_ARGUMENT.
func TestBatchSizeIsBounded(t *testing.T) {
	e := startWith(t, Options{MaxBatch: 3})
	stream, err := e.compiler.CompileBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range 6 {
			// Sends past the bound may fail once the server ends the stream.
			if stream.Send(&podcv1.CompileBatchRequest{Request: &podcv1.CompileRequest{Intent: example(t, "hello.json")}}) != nil {
				return
			}
		}
		stream.CloseSend()
	}()
	for i := range 3 {
		r, err := stream.Recv()
		if err != nil || r.Index != int64(i) || r.GetResponse() == nil {
			t.Fatalf("result %d: %v %v", i, r, err)
		}
	}
	_, err = stream.Recv()
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("after the bound: %v, want InvalidArgument", err)
	}
	if ei := errorInfo(err); ei == nil || ei.Reason != ReasonBatchTooLarge || ei.Metadata["max_batch"] != "3" {
		t.Errorf("ErrorInfo = %v", ei)
	}
}

// TestBatchAtTheBoundIsWhole sends exactly MaxBatch intents: all answered,
// and the stream ends cleanly.
func TestBatchAtTheBoundIsWhole(t *testing.T) {
	e := startWith(t, Options{MaxBatch: 3})
	stream, err := e.compiler.CompileBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := stream.Send(&podcv1.CompileBatchRequest{Request: &podcv1.CompileRequest{Intent: example(t, "hello.json")}}); err != nil {
			t.Fatal(err)
		}
	}
	stream.CloseSend()
	for i := 0; ; i++ {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if i != 3 {
				t.Fatalf("%d results for 3 intents", i)
			}
			return
		}
		if err != nil || r.GetResponse() == nil {
			t.Fatalf("result %d: %v %v", i, r, err)
		}
	}
}

func TestMaxConcurrentStreamsIsAnnounced(t *testing.T) {
	e := startWith(t, Options{Conn: ConnLimits{MaxConcurrentStreams: 7}})
	nc, err := e.lis.Dial()
	if err != nil {
		t.Fatal(err)
	}
	if got := dialH2(t, nc).serverSettings()[settingMaxConcurrentStreams]; got != 7 {
		t.Errorf("SETTINGS_MAX_CONCURRENT_STREAMS = %d, want 7", got)
	}
}

func TestMaxConnectionAgeSendsGoAway(t *testing.T) {
	e := startWith(t, Options{Conn: ConnLimits{MaxConnectionAge: 50 * time.Millisecond, MaxConnectionAgeGrace: time.Second}})
	nc, err := e.lis.Dial()
	if err != nil {
		t.Fatal(err)
	}
	c := dialH2(t, nc)
	c.serverSettings()
	if code := c.awaitGoAway(); code != 0 {
		t.Errorf("GOAWAY code %d, want NO_ERROR", code)
	}
}

// TestKeepaliveEnforcement pings without calls in flight: spaced pings are
// tolerated when KeepaliveMinTime allows them, and rapid pings against a
// long KeepaliveMinTime get a GOAWAY (ENHANCE_YOUR_CALM).
func TestKeepaliveEnforcement(t *testing.T) {
	tolerant := startWith(t, Options{Conn: ConnLimits{KeepaliveMinTime: time.Millisecond}})
	nc, err := tolerant.lis.Dial()
	if err != nil {
		t.Fatal(err)
	}
	c := dialH2(t, nc)
	c.serverSettings()
	for i := range 6 {
		time.Sleep(5 * time.Millisecond) // longer than KeepaliveMinTime, however slow the machine
		if code := c.ping(uint64(i)); code != -1 {
			t.Fatalf("ping %d: GOAWAY %d though pings were spaced past KeepaliveMinTime", i, code)
		}
	}

	strict := startWith(t, Options{Conn: ConnLimits{KeepaliveMinTime: time.Hour}})
	nc, err = strict.lis.Dial()
	if err != nil {
		t.Fatal(err)
	}
	c = dialH2(t, nc)
	c.serverSettings()
	for i := range 6 {
		if code := c.ping(uint64(i)); code != -1 {
			if code != errEnhanceYourCalm {
				t.Errorf("GOAWAY code %d, want ENHANCE_YOUR_CALM", code)
			}
			return
		}
	}
	t.Error("rapid pings against a one-hour KeepaliveMinTime got no GOAWAY")
}
