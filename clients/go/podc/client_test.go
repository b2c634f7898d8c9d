package podc_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
	"github.com/podc-dev/podc/clients/go/podc"
)

func dial(t *testing.T) *podc.Client {
	t.Helper()
	c, err := podc.Dial(addr, podc.WithPlaintext())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestAPIVersionIsTheGeneratedPackage(t *testing.T) {
	if got := string(podcv1.File_podc_v1_compiler_proto.Package()); got != podc.APIVersion {
		t.Fatalf("APIVersion %q, generated code speaks %q", podc.APIVersion, got)
	}
}

func TestCompile(t *testing.T) {
	c := dial(t)
	resp, err := c.Compile(testContext(t), &podcv1.CompileRequest{Intent: example(t, "hello")})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(resp.GetManifests()); got != "Pod/hello Service/hello" {
		t.Errorf("manifests %s", got)
	}
	if !strings.HasPrefix(resp.GetPolicyDigest(), "sha256:") || resp.GetTargetVersion() == "" {
		t.Errorf("digest %q, target %q", resp.GetPolicyDigest(), resp.GetTargetVersion())
	}
	if !resp.GetReport().GetAllowed() || !strings.Contains(resp.GetManifests()[0].GetContent(), "image: nginx:1.27.3") {
		t.Errorf("report %v, pod %s", resp.GetReport(), resp.GetManifests()[0].GetContent())
	}
}

func TestCompileMalformedIntent(t *testing.T) {
	c := dial(t)
	_, err := c.Compile(testContext(t), &podcv1.CompileRequest{Intent: intent(t, malformed)})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("err %v, want InvalidArgument", err)
	}
	r, ok := podc.AsRefusal(err)
	if !ok {
		t.Fatalf("AsRefusal(%v) = false", err)
	}
	if r.Code != codes.InvalidArgument || r.Reason != podc.ReasonInvalidIntent || r.Report == nil || r.Report.GetAllowed() {
		t.Fatalf("refusal %+v", r)
	}
	fields := map[string]podc.Finding{}
	for _, f := range r.Denials() {
		fields[f.Field] = f
	}
	for _, want := range []string{"name", "containers[0].ports[0].containerPort"} {
		f, ok := fields[want]
		if !ok {
			t.Errorf("no denial at %s in %v", want, r.Findings)
			continue
		}
		if f.Stage != podcv1.Stage_STAGE_INTENT || f.Message == "" || f.RuleID != "" {
			t.Errorf("finding %+v", f)
		}
	}
	if len(podc.Findings(err)) != len(r.Findings) || podc.ReportOf(err) == nil {
		t.Error("Findings and ReportOf disagree with AsRefusal")
	}
}

func TestCompileDeniedByPolicy(t *testing.T) {
	c := dial(t)
	_, err := c.Compile(testContext(t), &podcv1.CompileRequest{Intent: intent(t, denied)})
	r, ok := podc.AsRefusal(err)
	if !ok || r.Code != codes.FailedPrecondition || r.Reason != podc.ReasonPolicyDenied {
		t.Fatalf("err %v, refusal %+v", err, r)
	}
	var hit *podc.Finding
	for i, f := range r.Denials() {
		if f.Field == "hostNetwork" {
			hit = &r.Denials()[i]
		}
	}
	if hit == nil {
		t.Fatalf("no denial at hostNetwork: %v", r.Findings)
	}
	if hit.RuleID != "baseline.host-namespaces" || hit.Severity != podcv1.Severity_SEVERITY_DENY || hit.Stage != podcv1.Stage_STAGE_INTENT_POLICY {
		t.Errorf("finding %+v", *hit)
	}
	if !strings.HasPrefix(hit.String(), "hostNetwork: ") || !strings.HasSuffix(hit.String(), "[baseline.host-namespaces]") {
		t.Errorf("String() = %q", hit.String())
	}
	var decided bool
	for _, d := range r.Report.GetDecisions() {
		decided = decided || d.GetRuleId() == "baseline.host-namespaces" && d.GetOutcome() == podcv1.Outcome_OUTCOME_DENY
	}
	if !decided {
		t.Errorf("the report has no deny decision of the rule: %v", r.Report.GetDecisions())
	}
}

func TestValidateReturnsTheWholeReport(t *testing.T) {
	c := dial(t)
	resp, err := c.Validate(testContext(t), &podcv1.ValidateRequest{Intent: intent(t, denied)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetAllowed() || len(resp.GetReport().GetFindings()) == 0 || resp.GetPolicyDigest() == "" {
		t.Fatalf("validate %v", resp)
	}
	resp, err = c.Validate(testContext(t), &podcv1.ValidateRequest{Intent: example(t, "hello")})
	if err != nil || !resp.GetAllowed() {
		t.Fatalf("validate hello: %v %v", resp, err)
	}
}

func TestListPolicies(t *testing.T) {
	c := dial(t)
	ctx := testContext(t)
	resp, err := c.ListPolicies(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range resp.GetProfiles() {
		names = append(names, p.GetName())
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "baseline") || !strings.Contains(got, "restricted") {
		t.Errorf("profiles %s", got)
	}
	compiled, err := c.Compile(ctx, &podcv1.CompileRequest{Intent: example(t, "hello")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetDigest() != compiled.GetPolicyDigest() {
		t.Errorf("ListPolicies digest %s, Compile's %s", resp.GetDigest(), compiled.GetPolicyDigest())
	}
	restricted, err := c.ListPolicies(ctx, &podcv1.ListPoliciesRequest{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range restricted.GetRules() {
		if !strings.Contains(strings.Join(r.GetProfiles(), " "), "restricted") {
			t.Errorf("rule %s is not in restricted", r.GetId())
		}
	}
	if len(restricted.GetRules()) == 0 || len(restricted.GetRules()) >= len(resp.GetRules()) {
		t.Errorf("%d restricted rules of %d", len(restricted.GetRules()), len(resp.GetRules()))
	}
}

func TestAsRefusalIgnoresOtherErrors(t *testing.T) {
	for _, err := range []error{
		nil,
		status.Error(codes.Unavailable, "connection refused"),
		status.Error(codes.InvalidArgument, "no details"),
		status.Error(codes.Unauthenticated, "missing bearer token"),
	} {
		if r, ok := podc.AsRefusal(err); ok || r != nil || podc.Findings(err) != nil || podc.ReportOf(err) != nil {
			t.Errorf("AsRefusal(%v) = %v, %v", err, r, ok)
		}
	}
}

func TestDNSTarget(t *testing.T) {
	// A name the resolver looks up: localhost for the server TestMain
	// started, the address as given otherwise.
	target := "dns:///" + strings.Replace(addr, "127.0.0.1:", "localhost:", 1)
	c, err := podc.Dial(target, podc.WithPlaintext())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ListPolicies(testContext(t), nil); err != nil {
		t.Fatal(err)
	}
}

func TestImport(t *testing.T) {
	c := dial(t)
	manifests := `apiVersion: v1
kind: Pod
metadata: {name: hello, labels: {app: hello}}
spec:
  containers: [{name: web, image: "nginx:1.27.3"}]
`
	resp, err := c.Import(testContext(t), &podcv1.ImportRequest{Manifests: manifests})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetIntent().GetName() != "hello" || len(resp.GetLost()) != 0 {
		t.Errorf("import %v", resp)
	}
	lossy := strings.Replace(manifests, "spec:\n", "spec:\n  schedulerName: bin-packer\n", 1)
	_, err = c.Import(testContext(t), &podcv1.ImportRequest{Manifests: lossy})
	r, ok := podc.AsRefusal(err)
	if !ok || r.Code != codes.FailedPrecondition || r.Reason != podc.ReasonLossyImport {
		t.Fatalf("refusal %+v (%v)", r, err)
	}
	if len(r.Findings) != 1 || r.Findings[0].Field != "Pod/hello: spec.schedulerName" {
		t.Errorf("findings %v", r.Findings)
	}
}
