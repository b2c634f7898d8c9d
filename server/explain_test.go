package server

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// TestCompileExplain: explain on a CompileRequest lists where each field
// came from; without it the report has none and the response is the
// size it was.
func TestCompileExplain(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	req := &podcv1.CompileRequest{Intent: example(t, "checkout.json")}
	plain, err := e.compiler.Compile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Report.FieldSources) != 0 {
		t.Fatalf("%d field sources without explain", len(plain.Report.FieldSources))
	}
	req.Explain = true
	resp, err := e.compiler.Compile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// The same answer, and the sources besides.
	explained := proto.Clone(resp).(*podcv1.CompileResponse)
	explained.Report.FieldSources = nil
	if !proto.Equal(explained, plain) {
		t.Error("explain changed the answer beyond the field sources")
	}
	if proto.Size(resp) <= proto.Size(plain) {
		t.Errorf("with explain the response is %d bytes, without %d", proto.Size(resp), proto.Size(plain))
	}
	want := map[string]*podcv1.FieldSource{
		"Deployment/checkout spec.replicas": {SourceKind: podcv1.SourceKind_SOURCE_KIND_INTENT, IntentField: "replicas"},
		"Deployment/checkout spec.template.spec.containers[0].imagePullPolicy": {
			SourceKind: podcv1.SourceKind_SOURCE_KIND_COMPILER_DEFAULT, IntentField: "containers[0].pullPolicy"},
		"Deployment/checkout spec.template.spec.containers[0].securityContext.seccompProfile.type": {
			SourceKind: podcv1.SourceKind_SOURCE_KIND_POLICY_DEFAULT, IntentField: "containers[0].securityContext.seccompProfile", RuleId: "restricted.seccomp-profile"},
		"Deployment/checkout metadata.labels[app.kubernetes.io/managed-by]": {SourceKind: podcv1.SourceKind_SOURCE_KIND_COMPILER_DEFAULT},
		"Service/checkout-nodeport spec.ports[0].nodePort":                  {SourceKind: podcv1.SourceKind_SOURCE_KIND_INTENT, IntentField: "containers[0].ports[0].nodePort"},
	}
	for _, s := range resp.Report.FieldSources {
		if s.SourceKind == podcv1.SourceKind_SOURCE_KIND_UNSPECIFIED || s.Object == "" || s.ManifestField == "" {
			t.Errorf("incomplete field source %v", s)
		}
		key := s.Object + " " + s.ManifestField
		if w, ok := want[key]; ok {
			w.Object, w.ManifestField = s.Object, s.ManifestField
			if !proto.Equal(s, w) {
				t.Errorf("%s: %v, want %v", key, s, w)
			}
			delete(want, key)
		}
	}
	for k := range want {
		t.Errorf("no field source for %s", k)
	}
	// Every listed object is a returned manifest, and every manifest is
	// explained.
	objects := map[string]bool{}
	for _, m := range resp.Manifests {
		objects[m.Kind+"/"+m.Name] = false
	}
	for _, s := range resp.Report.FieldSources {
		if _, ok := objects[s.Object]; !ok {
			t.Fatalf("field source of %s, which is not among the manifests", s.Object)
		}
		objects[s.Object] = true
	}
	for o, seen := range objects {
		if !seen {
			t.Errorf("no field source for %s", o)
		}
	}
}

// TestValidateExplain: explain on a ValidateRequest lists the sources of
// a denied intent's objects, so a form can say why the denied field holds
// its value.
func TestValidateExplain(t *testing.T) {
	e := start(t)
	wi := example(t, "checkout.json")
	f := false
	wi.Containers[0].SecurityContext = &podcv1.SecurityContext{AllowPrivilegeEscalation: nil, RunAsNonRoot: &f}
	resp, err := e.compiler.Validate(context.Background(), &podcv1.ValidateRequest{Intent: wi, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Allowed {
		t.Fatal("a container running as root allowed under restricted")
	}
	var denied, defaulted *podcv1.FieldSource
	for _, s := range resp.Report.FieldSources {
		switch s.ManifestField {
		case "spec.template.spec.containers[0].securityContext.runAsNonRoot":
			denied = s
		case "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation":
			defaulted = s
		}
	}
	if denied == nil || denied.SourceKind != podcv1.SourceKind_SOURCE_KIND_INTENT || denied.IntentField != "containers[0].securityContext.runAsNonRoot" {
		t.Errorf("the denied field: %v", denied)
	}
	if defaulted == nil || defaulted.SourceKind != podcv1.SourceKind_SOURCE_KIND_POLICY_DEFAULT || defaulted.RuleId != "restricted.no-privilege-escalation" {
		t.Errorf("the defaulted field: %v", defaulted)
	}
	plain, err := e.compiler.Validate(context.Background(), &podcv1.ValidateRequest{Intent: wi})
	if err != nil || len(plain.Report.FieldSources) != 0 {
		t.Errorf("without explain: %d field sources, %v", len(plain.Report.GetFieldSources()), err)
	}
}

// TestRefusedExplainTrimmed: the report of a refused compile keeps its
// findings first; field sources go in last and are counted when they do
// not fit.
func TestRefusedExplainTrimmed(t *testing.T) {
	e := start(t)
	wi := example(t, "checkout.json")
	f := false
	wi.Containers[0].SecurityContext = &podcv1.SecurityContext{RunAsNonRoot: &f}
	_, err := e.compiler.Compile(context.Background(), &podcv1.CompileRequest{Intent: wi, Explain: true})
	_, _, rep := badRequestOf(t, err)
	if rep == nil || len(rep.Findings) == 0 {
		t.Fatalf("report %v", rep)
	}
	if n := len(rep.Notes); n == 0 || !strings.Contains(rep.Notes[n-1], "field sources shown") {
		t.Errorf("the trimmed report does not count its field sources: %q", rep.Notes)
	}
}

func TestTrimReportFieldSourcesLast(t *testing.T) {
	r := reportProto(&diag.Report{
		Findings: []diag.Finding{{Severity: diag.Deny, Field: "a", Message: "no"}},
		Defaults: []diag.Default{{Field: "b", Value: "1", Source: "compiler"}},
		Sources:  make([]diag.FieldSource, 200),
	})
	for i := range r.FieldSources {
		r.FieldSources[i].Object, r.FieldSources[i].ManifestField = "Pod/x", strings.Repeat("f", 40)
	}
	got := trimReport(r, 2048)
	if len(got.Findings) != 1 || len(got.Defaults) != 1 || len(got.FieldSources) == 0 || len(got.FieldSources) == 200 {
		t.Errorf("%d findings, %d defaults, %d field sources", len(got.Findings), len(got.Defaults), len(got.FieldSources))
	}
	if proto.Size(got) > 2048 {
		t.Errorf("%d bytes", proto.Size(got))
	}
}
