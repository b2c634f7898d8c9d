package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/bundletest"
	"github.com/podc-dev/podc/internal/exampletest"
)

// panicky wraps a real engine and panics for intents named "boom".
type panicky struct{ *compiler.Engine }

func (p panicky) Compile(ctx context.Context, req compiler.Request) (*compiler.Result, error) {
	if req.Intent.GetName() == "boom" {
		panic("boom")
	}
	return p.Engine.Compile(ctx, req)
}

type env struct {
	srv      *Server
	lis      *bufconn.Listener
	conn     *grpc.ClientConn
	compiler podcv1.CompilerServiceClient
	policy   podcv1.PolicyServiceClient
	store    *store.Store
}

// start serves a real engine on the embedded policies over bufconn.
func start(t *testing.T) *env { return startWith(t, Options{}) }

// startBundle serves a real engine on the bundle b over bufconn.
func startBundle(t *testing.T, b *policy.Bundle) *env { return serveEnv(t, b, Options{}) }

// startWith is start with opts; a nil Compiler or Policies takes the real
// engine on the embedded policies.
func startWith(t *testing.T, opts Options) *env {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return serveEnv(t, b, opts)
}

// serveEnv serves opts over bufconn; a nil Compiler or Policies takes the
// real engine on the bundle b.
func serveEnv(t *testing.T, b *policy.Bundle, opts Options) *env {
	t.Helper()
	store := store.New(b, nil)
	if opts.Policies == nil {
		opts.Policies = store
	}
	if opts.Compiler == nil {
		opts.Compiler = panicky{compiler.New(compiler.Options{Policies: store})}
	}
	srv := New(opts)
	lis := bufconn.Listen(1 << 20)
	go srv.GRPC.Serve(lis)
	t.Cleanup(srv.GRPC.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &env{srv: srv, lis: lis, conn: conn, compiler: podcv1.NewCompilerServiceClient(conn), policy: podcv1.NewPolicyServiceClient(conn), store: store}
}

func example(t *testing.T, name string) *podcv1.WorkloadIntent {
	t.Helper()
	return exampletest.Intent(t, name)
}

func TestCompileHello(t *testing.T) {
	e := start(t)
	resp, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "hello.json")})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Manifests) == 0 || resp.Manifests[0].Kind != "Pod" || resp.Manifests[0].Name != "hello" {
		t.Fatalf("manifests = %v, want the Pod hello first", resp.Manifests)
	}
	if !strings.Contains(resp.Manifests[0].Content, "image: nginx:1.27.3") {
		t.Errorf("Pod YAML lacks the image:\n%s", resp.Manifests[0].Content)
	}
	if resp.PolicyDigest != e.store.Bundle().Digest() || !strings.HasPrefix(resp.PolicyDigest, "sha256:") {
		t.Errorf("policy digest = %q", resp.PolicyDigest)
	}
	if resp.TargetVersion == "" || !resp.Report.Allowed {
		t.Errorf("target %q allowed %v", resp.TargetVersion, resp.Report.Allowed)
	}
}

func TestCompileJSONFormat(t *testing.T) {
	e := start(t)
	resp, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{
		Intent: example(t, "hello.json"), Format: podcv1.OutputFormat_OUTPUT_FORMAT_JSON, TargetVersion: "1.30",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.Manifests[0].Content, "{") {
		t.Errorf("content is not JSON:\n%s", resp.Manifests[0].Content)
	}
	if resp.TargetVersion != "1.30" {
		t.Errorf("target = %q, want 1.30", resp.TargetVersion)
	}
}

// badRequestOf returns the BadRequest detail of err's status.
func badRequestOf(t *testing.T, err error) (*status.Status, *errdetails.BadRequest, *podcv1.Report) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("not a status: %v", err)
	}
	var br *errdetails.BadRequest
	var rep *podcv1.Report
	for _, d := range st.Details() {
		switch v := d.(type) {
		case *errdetails.BadRequest:
			br = v
		case *podcv1.Report:
			rep = v
		}
	}
	return st, br, rep
}

func TestMalformedIntentIsInvalidArgument(t *testing.T) {
	e := start(t)
	_, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: &podcv1.WorkloadIntent{}})
	st, br, _ := badRequestOf(t, err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v, want InvalidArgument (%v)", st.Code(), err)
	}
	if br == nil || len(br.FieldViolations) < 2 {
		t.Fatalf("want every field violation in BadRequest, got %v", br)
	}
	fields := map[string]bool{}
	for _, v := range br.FieldViolations {
		fields[v.Field] = true
		if v.Description == "" {
			t.Errorf("violation of %q has no description", v.Field)
		}
	}
	for _, want := range []string{"name", "containers"} {
		if !fields[want] {
			t.Errorf("no violation for %q in %v", want, br.FieldViolations)
		}
	}
}

func TestMissingIntentAndBadTarget(t *testing.T) {
	e := start(t)
	_, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{})
	if st, br, _ := badRequestOf(t, err); st.Code() != codes.InvalidArgument || br == nil || br.FieldViolations[0].Field != "intent" {
		t.Errorf("no intent: %v", err)
	}
	_, err = e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "hello.json"), TargetVersion: "1.12"})
	if st, br, _ := badRequestOf(t, err); st.Code() != codes.InvalidArgument || br == nil || br.FieldViolations[0].Field != "targetVersion" {
		t.Errorf("bad target: %v", err)
	}
}

func TestValidateReportsWithoutFailing(t *testing.T) {
	e := start(t)
	resp, err := e.compiler.Validate(context.Background(), &podcv1.ValidateRequest{Intent: &podcv1.WorkloadIntent{}})
	if err != nil {
		t.Fatalf("Validate failed on a malformed intent: %v", err)
	}
	if resp.Allowed || len(resp.Report.Findings) < 2 {
		t.Errorf("want a refusing report with every finding, got %v", resp)
	}
	ok, err := e.compiler.Validate(context.Background(), &podcv1.ValidateRequest{Intent: example(t, "hello.json")})
	if err != nil || !ok.Allowed {
		t.Errorf("hello.json: %v %v", ok, err)
	}
}

func TestPanicIsInternalAndServerKeepsServing(t *testing.T) {
	e := start(t)
	boom := example(t, "hello.json")
	boom.Name = "boom"
	_, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: boom})
	if status.Code(err) != codes.Internal {
		t.Fatalf("code = %v, want Internal", status.Code(err))
	}
	if strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), ".go:") {
		t.Errorf("status leaks a stack: %v", err)
	}
	if _, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "hello.json")}); err != nil {
		t.Errorf("server stopped serving after a panic: %v", err)
	}
}

// With stream workers (fewer than the calls in flight, so some calls get
// goroutines of their own) and without, concurrent calls are each
// answered, and a panicking one is INTERNAL while the rest go on.
func TestStreamWorkers(t *testing.T) {
	for _, workers := range []int{2, -1} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			e := startWith(t, Options{StreamWorkers: workers})
			hello := example(t, "hello.json")
			var wg sync.WaitGroup
			errs := make(chan error, 24)
			for i := range 24 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					wi := proto.CloneOf(hello)
					wi.Name = fmt.Sprintf("hello-%d", i)
					if i%8 == 7 {
						wi.Name = "boom"
					}
					resp, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: wi})
					switch {
					case wi.Name == "boom" && status.Code(err) != codes.Internal:
						errs <- fmt.Errorf("%s: %v, want Internal", wi.Name, err)
					case wi.Name != "boom" && (err != nil || !strings.Contains(resp.GetManifests()[0].GetName(), wi.Name)):
						errs <- fmt.Errorf("%s: %v, %v", wi.Name, err, resp.GetManifests())
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

func TestCompileBatch(t *testing.T) {
	e := start(t)
	stream, err := e.compiler.CompileBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	boom := example(t, "hello.json")
	boom.Name = "boom"
	reqs := []*podcv1.CompileRequest{
		{Intent: example(t, "hello.json")},
		{Intent: &podcv1.WorkloadIntent{}},
		{Intent: boom},
		{Intent: example(t, "resolver.json")},
	}
	for _, r := range reqs {
		if err := stream.Send(&podcv1.CompileBatchRequest{Request: r}); err != nil {
			t.Fatal(err)
		}
	}
	stream.CloseSend()
	var got []*podcv1.CompileBatchResponse
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != len(reqs) {
		t.Fatalf("got %d results for %d intents", len(got), len(reqs))
	}
	for i, r := range got {
		if r.Index != int64(i) {
			t.Errorf("result %d has index %d", i, r.Index)
		}
	}
	if got[0].GetResponse() == nil || got[3].GetResponse() == nil {
		t.Errorf("good intents failed: %v / %v", got[0], got[3])
	}
	if e := got[1].GetError(); e == nil || codes.Code(e.Code) != codes.InvalidArgument || len(e.FieldViolations) == 0 {
		t.Errorf("malformed intent: %v", got[1])
	}
	if e := got[2].GetError(); e == nil || codes.Code(e.Code) != codes.Internal {
		t.Errorf("panicking intent: %v", got[2])
	}
}

func TestListPolicies(t *testing.T) {
	e := start(t)
	resp, err := e.policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Digest != e.store.Bundle().Digest() || resp.Source == "" || resp.LoadedAt == nil {
		t.Errorf("bundle identity missing: %v", resp)
	}
	names := map[string]bool{}
	for _, p := range resp.Profiles {
		names[p.Name] = true
	}
	if !names["baseline"] || !names["restricted"] {
		t.Errorf("profiles = %v, want baseline and restricted", resp.Profiles)
	}
	_, err = e.policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{Profile: "nope"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestHealthServing(t *testing.T) {
	e := start(t)
	hc := healthpb.NewHealthClient(e.conn)
	for _, svc := range []string{"", "podc.v1.CompilerService", "podc.v1.PolicyService", PolicyHealthService} {
		resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health %q = %v, %v; want SERVING", svc, resp, err)
		}
	}
}

func TestReflectionListsServices(t *testing.T) {
	e := start(t)
	stream, err := rpb.NewServerReflectionClient(e.conn).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range resp.GetListServicesResponse().GetService() {
		got[s.Name] = true
	}
	for _, want := range []string{"podc.v1.CompilerService", "podc.v1.PolicyService", "grpc.health.v1.Health"} {
		if !got[want] {
			t.Errorf("reflection does not list %s (has %v)", want, got)
		}
	}
}

func TestStatusOfDenial(t *testing.T) {
	de := &diag.Error{Kind: diag.Denied, Findings: []diag.Finding{
		{Severity: diag.Deny, Stage: diag.StageIntentPolicy, RuleID: "restricted.team-label", Field: "labels", Message: "a team label is required"},
		{Severity: diag.Deny, Stage: diag.StageManifestPolicy, RuleID: "restricted.psa", Field: "containers[0].securityContext.runAsNonRoot", ManifestField: "Pod/x: spec.containers[0].securityContext.runAsNonRoot", Message: "must be true"},
	}, Report: &diag.Report{Profile: "restricted"}}
	st, br, rep := badRequestOf(t, statusOf(de).Err())
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("code = %v, want FailedPrecondition", st.Code())
	}
	if br == nil || len(br.FieldViolations) != 2 || br.FieldViolations[0].Reason != "restricted.team-label" {
		t.Fatalf("field violations = %v", br)
	}
	if !strings.Contains(br.FieldViolations[1].Description, "Pod/x: spec.containers[0]") {
		t.Errorf("manifest path missing from %q", br.FieldViolations[1].Description)
	}
	if rep == nil || rep.Profile != "restricted" {
		t.Errorf("report detail = %v", rep)
	}
	if !strings.HasPrefix(st.Message(), "denied by policy: 2 problems; labels: ") {
		t.Errorf("message = %q", st.Message())
	}
}

func TestPolicyDenialCarriesEveryViolation(t *testing.T) {
	e := start(t)
	wi := example(t, "checkout.json")
	delete(wi.Labels, "team")
	wi.Replicas = nil // restricted wants replicas >= 2; unset means 1
	_, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: wi})
	st, br, rep := badRequestOf(t, err)
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("code = %v, want FailedPrecondition: %v", st.Code(), err)
	}
	rules := map[string]string{}
	for _, v := range br.GetFieldViolations() {
		rules[v.Reason] = v.Field
	}
	if rules["restricted.team-label"] == "" || rules["restricted.replicas"] == "" {
		t.Errorf("want both the team label and the replicas violations, got %v", br.GetFieldViolations())
	}
	if rep == nil || rep.Allowed || rep.Profile != "restricted" || len(rep.Decisions) == 0 {
		t.Errorf("report detail = %v", rep)
	}
	// Validate reports the same denials without failing.
	v, err := e.compiler.Validate(context.Background(), &podcv1.ValidateRequest{Intent: wi})
	if err != nil || v.Allowed {
		t.Fatalf("Validate: %v %v", v, err)
	}
	denied := 0
	for _, f := range v.Report.Findings {
		if f.Severity == podcv1.Severity_SEVERITY_DENY {
			denied++
		}
	}
	if denied != len(br.GetFieldViolations()) {
		t.Errorf("Validate found %d denials, Compile %d", denied, len(br.GetFieldViolations()))
	}
}

// failedReload is a policy store whose last reload failed.
type failedReload struct{ *store.Store }

func (f failedReload) Status() store.Status {
	st := f.Store.Status()
	st.LastError = "policy.cue:3:1: expected operand"
	return st
}

func TestHealthShowsFailedReload(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	store := store.New(b, nil)
	srv := New(Options{Compiler: compiler.New(compiler.Options{Policies: store}), Policies: failedReload{store}})
	lis := bufconn.Listen(1 << 20)
	go srv.GRPC.Serve(lis)
	defer srv.GRPC.Stop()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hc := healthpb.NewHealthClient(conn)
	if resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: PolicyHealthService}); err != nil || resp.Status != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("policy bundle health = %v, %v; want NOT_SERVING", resp, err)
	}
	if resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("overall health = %v, %v; want SERVING (the last good bundle serves)", resp, err)
	}
	lp, err := podcv1.NewPolicyServiceClient(conn).ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{})
	if err != nil || lp.LastError == "" {
		t.Errorf("ListPolicies does not show the failed load: %v %v", lp, err)
	}
}

// TestCompileBatchKeepsOrder sends many intents of different cost and
// requires every answer, in order, each matching its own intent.
func TestCompileBatchKeepsOrder(t *testing.T) {
	e := start(t)
	stream, err := e.compiler.CompileBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	go func() {
		for i := 0; i < n; i++ {
			wi := example(t, []string{"hello.json", "checkout.json", "resolver.json"}[i%3])
			wi.Name = fmt.Sprintf("w%d", i)
			if i%7 == 0 {
				wi.Containers = nil // malformed
			}
			stream.Send(&podcv1.CompileBatchRequest{Request: &podcv1.CompileRequest{Intent: wi}})
		}
		stream.CloseSend()
	}()
	for i := 0; ; i++ {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if i != n {
				t.Fatalf("got %d results for %d intents", i, n)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Index != int64(i) {
			t.Fatalf("result %d has index %d", i, r.Index)
		}
		if i%7 == 0 {
			if r.GetError() == nil {
				t.Errorf("intent %d is malformed but compiled", i)
			}
			continue
		}
		resp := r.GetResponse()
		if resp == nil || resp.Manifests[0].Name != fmt.Sprintf("w%d", i) {
			t.Errorf("result %d does not answer intent w%d: %v", i, i, r)
		}
	}
}

// faultyBundle holds rules that fail to evaluate on some intents: a deny
// rule when the label tier is present, a warn rule when the label probe is.
const faultyBundle = `package p
profiles: baseline: description: "b"
rules: "p.tier": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.labels.tier != _|_ if intent.labels.tier * 2 > 1 {field: "labels"}]}
rules: "p.probe": {profiles: ["baseline"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [if intent.labels.probe != _|_ if intent.labels.probe + 1 > 1 {field: "labels"}]}
`

// A rule that fails at request time is the bundle's fault: a deny rule
// fails closed with FAILED_PRECONDITION and the reason POLICY_FAULT, a warn
// rule becomes a warning, other intents compile, and ListPolicies counts
// the faults. Never INTERNAL.
func TestPolicyFaultFailsClosed(t *testing.T) {
	b, err := policy.LoadDir(bundletest.Write(t, map[string]string{"rules.cue": faultyBundle}), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := startBundle(t, b)
	ctx := context.Background()

	if _, err := e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: example(t, "hello.json")}); err != nil {
		t.Fatalf("an intent the faulty rules pass: %v", err)
	}

	wi := example(t, "hello.json")
	wi.Labels = map[string]string{"tier": "web"}
	_, err = e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: wi})
	st, br, rep := badRequestOf(t, err)
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("code = %v (%v), want FailedPrecondition", st.Code(), err)
	}
	var reason string
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			reason = ei.Reason
		}
	}
	if reason != ReasonPolicyFault {
		t.Errorf("ErrorInfo reason %q, want %s", reason, ReasonPolicyFault)
	}
	if br == nil || len(br.FieldViolations) != 1 || br.FieldViolations[0].Reason != "p.tier" || !strings.Contains(br.FieldViolations[0].Description, "rules.cue:3:") {
		t.Errorf("field violations %v", br)
	}
	if rep == nil || len(rep.Findings) != 1 || !rep.Findings[0].Fault {
		t.Errorf("report %v", rep)
	}

	wi = example(t, "hello.json")
	wi.Labels = map[string]string{"probe": "x"}
	resp, err := e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: wi})
	if err != nil {
		t.Fatalf("a warn rule's fault refused the intent: %v", err)
	}
	var warned bool
	for _, f := range resp.GetReport().GetFindings() {
		warned = warned || (f.Fault && f.RuleId == "p.probe" && f.Severity == podcv1.Severity_SEVERITY_WARN)
	}
	if !warned {
		t.Errorf("no fault warning in %v", resp.GetReport().GetFindings())
	}

	lp, err := e.policy.ListPolicies(ctx, &podcv1.ListPoliciesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	faults := map[string]uint64{}
	for _, r := range lp.Rules {
		faults[r.Id] = r.Faults
		if r.Position == "" {
			t.Errorf("rule %s has no position", r.Id)
		}
	}
	if faults["p.tier"] != 1 || faults["p.probe"] != 1 {
		t.Errorf("fault counts %v", faults)
	}
}
