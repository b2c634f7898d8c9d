package server

import (
	"context"
	"errors"
	"io"
	"maps"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/bundletest"
)

// counter is an Observer that counts what it is told.
type counter struct {
	mu       sync.Mutex
	decoded  int
	other    []compiler.Stage
	refusals map[string]int
}

func (c *counter) StageDone(s compiler.Stage, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s == compiler.StageDecode {
		c.decoded++
	} else {
		c.other = append(c.other, s)
	}
}

func (c *counter) Decided([]diag.Decision) {}

func (c *counter) Refused(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refusals == nil {
		c.refusals = map[string]int{}
	}
	c.refusals[reason]++
}

func (c *counter) snapshot() (int, map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.decoded, maps.Clone(c.refusals)
}

// TestObserverCountsRefusalsByReason refuses a call for every reason and
// requires each to be told once, with the reason its status carries.
func TestObserverCountsRefusalsByReason(t *testing.T) {
	b, err := policy.LoadDir(bundletest.Write(t, map[string]string{"rules.cue": faultyBundle + `
rules: "p.named": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "denied" {field: "name"}]}
`}), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	obs := &counter{}
	g := newGated(t)
	e := serveEnv(t, b, Options{Observer: obs, MaxConcurrentCompiles: 1, MaxBatch: 1,
		Compiler: gated{compiler.New(compiler.Options{Policies: store.New(b, nil)}), g.entered, g.release}})
	ctx := context.Background()
	compile := func(mutate func(*podcv1.WorkloadIntent)) error {
		wi := example(t, "hello.json")
		mutate(wi)
		_, err := e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: wi})
		return err
	}

	if err := compile(func(*podcv1.WorkloadIntent) {}); err != nil {
		t.Fatal(err)
	}
	if err := compile(func(wi *podcv1.WorkloadIntent) { wi.Name = "Not_A_Name" }); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("malformed: %v", err)
	}
	if err := compile(func(wi *podcv1.WorkloadIntent) { wi.Name = "denied" }); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("denied: %v", err)
	}
	if err := compile(func(wi *podcv1.WorkloadIntent) { wi.Labels = map[string]string{"tier": "web"} }); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("fault: %v", err)
	}
	if _, err := e.compiler.Validate(ctx, &podcv1.ValidateRequest{}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("Validate without an intent: %v", err)
	}

	// The one slot taken: the next compile is OVERLOADED.
	done := make(chan error, 1)
	go func() { done <- compile(func(wi *podcv1.WorkloadIntent) { wi.Name = "slow" }) }()
	<-g.entered
	if err := compile(func(*podcv1.WorkloadIntent) {}); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("overloaded: %v", err)
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// A batch of two: the first answered, the second BATCH_TOO_LARGE.
	stream, err := e.compiler.CompileBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		stream.Send(&podcv1.CompileBatchRequest{Request: &podcv1.CompileRequest{Intent: example(t, "hello.json")}})
	}
	stream.CloseSend()
	for {
		if _, err = stream.Recv(); err != nil {
			break
		}
	}
	if errors.Is(err, io.EOF) || status.Code(err) != codes.InvalidArgument {
		t.Fatalf("batch past the bound: %v", err)
	}

	decoded, refusals := obs.snapshot()
	want := map[string]int{
		ReasonInvalidIntent: 2, ReasonPolicyDenied: 1, ReasonPolicyFault: 1,
		ReasonOverloaded: 1, ReasonBatchTooLarge: 1,
	}
	if !maps.Equal(refusals, want) {
		t.Errorf("refusals %v, want %v", refusals, want)
	}
	// Every podc request message was decoded through the timed codec:
	// six Compile calls, one Validate, two batch entries.
	if decoded != 9 {
		t.Errorf("%d decodes told, want 9", decoded)
	}
	if len(obs.other) != 0 {
		t.Errorf("the server told engine stages %v; the engine tells its own", obs.other)
	}
}

func TestObserverCountsUnauthenticatedCalls(t *testing.T) {
	tokens, err := LoadTokens(tokenFile(t, "good-token"))
	if err != nil {
		t.Fatal(err)
	}
	obs := &counter{}
	e := startWith(t, Options{Observer: obs, Tokens: tokens})
	if _, err := e.policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("without a token: %v", err)
	}
	if _, err := e.compiler.Compile(bearer("good-token"), &podcv1.CompileRequest{Intent: example(t, "hello.json")}); err != nil {
		t.Fatal(err)
	}
	stream, err := e.compiler.CompileBatch(bearer("bad-token"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a batch with a bad token: %v", err)
	}
	if _, refusals := obs.snapshot(); !maps.Equal(refusals, map[string]int{ReasonUnauthenticated: 2}) {
		t.Errorf("refusals %v, want 2 UNAUTHENTICATED", refusals)
	}
}

func TestReasonOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&diag.Error{Kind: diag.Invalid}, ReasonInvalidIntent},
		{&diag.Error{Kind: diag.Denied}, ReasonPolicyDenied},
		{&diag.Error{Kind: diag.PolicyFault}, ReasonPolicyFault},
		{&diag.Error{Kind: diag.Internal}, ""},
		{context.Canceled, ""},
		{newSlots(3).overloaded().Err(), ReasonOverloaded},
		{batchTooLarge(5).Err(), ReasonBatchTooLarge},
		{status.Error(codes.Unavailable, "x"), ""},
	} {
		if got := reasonOf(tc.err); got != tc.want {
			t.Errorf("reasonOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
		// The reason told is the reason sent.
		if got := reasonOf(statusOf(tc.err).Err()); got != tc.want {
			t.Errorf("reasonOf(statusOf(%v)) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
