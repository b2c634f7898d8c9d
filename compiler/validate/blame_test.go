package validate

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// TestBlame: a finding at a field a policy default wrote, or around one,
// is the policy's fault; a finding at a compiler default, at another
// container's field or at no field is not.
func TestBlame(t *testing.T) {
	wi := testIntent()
	wi.Containers = append(wi.Containers, &podcv1.Container{Name: "other", Image: "other:1.0"})
	root := int64(0)
	for _, c := range wi.Containers {
		c.SecurityContext = &podcv1.SecurityContext{RunAsUser: &root}
	}
	out, err := compile.Workload(wi, compile.Options{Target: target.Default, Defaults: []diag.Default{
		{Field: "containers[0].securityContext.runAsUser", Value: "0", Source: "policy:baseline.run-as-user"},
		{Field: "containers[0].pullPolicy", Value: "Always", Source: diag.SourceCompiler},
	}})
	if err != nil {
		t.Fatal(err)
	}
	src := out.Sources
	deny := func(manifestField, field string) diag.Finding {
		return diag.Finding{Severity: diag.Deny, Stage: diag.StageValidation, Field: field, ManifestField: manifestField, Message: "Invalid value"}
	}
	cases := []struct {
		name   string
		fs     []diag.Finding
		policy bool
		rule   string
	}{
		{"at the defaulted field", []diag.Finding{deny("Pod/hello: spec.containers[0].securityContext.runAsUser", "containers[0].securityContext.runAsUser")}, true, "baseline.run-as-user"},
		{"around the defaulted field", []diag.Finding{deny("Pod/hello: spec.containers[0].securityContext", "containers[0].securityContext")}, true, "baseline.run-as-user"},
		{"beside the defaulted field, unwritten", []diag.Finding{deny("Pod/hello: spec.containers[0].securityContext.seLinuxOptions", "containers[0].securityContext")}, true, "baseline.run-as-user"},
		{"compiler default is not policy", []diag.Finding{deny("Pod/hello: spec.containers[0].imagePullPolicy", "containers[0].pullPolicy")}, false, ""},
		{"another container", []diag.Finding{deny("Pod/hello: spec.containers[1].securityContext.runAsUser", "containers[1].securityContext.runAsUser")}, false, ""},
		{"the whole object", []diag.Finding{deny("Pod/hello: spec.dnsPolicy", "")}, false, ""},
		{"another object", []diag.Finding{deny("Service/hello: spec.containers[0].securityContext.runAsUser", "")}, false, ""},
		{"no field", []diag.Finding{deny("", "")}, false, ""},
		{"one of two", []diag.Finding{deny("Pod/hello: spec.containers[0].securityContext.runAsUser", ""), deny("Pod/hello: spec.containers[0].image", "containers[0].image")}, false, "baseline.run-as-user"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orig := c.fs[0].Message
			out, policy := Blame(c.fs, src, nil)
			if policy != c.policy {
				t.Errorf("policy fault = %v, want %v", policy, c.policy)
			}
			if out[0].RuleID != c.rule {
				t.Errorf("rule = %q, want %q", out[0].RuleID, c.rule)
			}
			if c.rule != "" && !strings.Contains(out[0].Message, c.rule) {
				t.Errorf("message %q does not name the rule", out[0].Message)
			}
			if c.fs[0].Message != orig {
				t.Error("Blame changed its input")
			}
		})
	}
	// Without a record nothing is a policy default's.
	if _, policy := Blame(cases[0].fs, nil, nil); policy {
		t.Error("no record, yet a policy fault")
	}
}

func TestBlameWarningsAreNotFaults(t *testing.T) {
	_, policy := Blame([]diag.Finding{{Severity: diag.Warn, Field: "x"}}, nil, nil)
	if !policy {
		t.Error("a warning counted as a compiler fault")
	}
}

func TestBlamePolicyDenials(t *testing.T) {
	denials := []diag.Finding{
		{Severity: diag.Deny, Stage: diag.StageIntentPolicy, RuleID: "baseline.host-network", Field: "hostNetwork"},
		{Severity: diag.Deny, Stage: diag.StageIntent, Field: "containers[0].image"}, // not a policy's
	}
	fs := []diag.Finding{{Severity: diag.Deny, Field: "hostNetwork", Message: "Forbidden"}}
	out, policy := Blame(fs, nil, denials)
	if !policy || out[0].RuleID != "baseline.host-network" || !strings.Contains(out[0].Message, "denies") {
		t.Errorf("finding at a denied field: policy %v, %+v", policy, out[0])
	}
	_, policy = Blame([]diag.Finding{{Severity: diag.Deny, Field: "containers[0].image"}}, nil, denials)
	if policy {
		t.Error("a structural finding without a rule counted as policy")
	}
}
