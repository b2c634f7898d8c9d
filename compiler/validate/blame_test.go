package validate

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
)

func TestBlame(t *testing.T) {
	defaults := []diag.Default{
		{Field: "containers[0].securityContext.runAsUser", Value: "0", Source: "policy:baseline.run-as-user"},
		{Field: "containers[0].pullPolicy", Value: "Always", Source: diag.SourceCompiler},
	}
	deny := func(field string) diag.Finding {
		return diag.Finding{Severity: diag.Deny, Stage: diag.StageValidation, Field: field, Message: "Invalid value"}
	}
	cases := []struct {
		name   string
		fs     []diag.Finding
		policy bool
		rule   string
	}{
		{"at the defaulted field", []diag.Finding{deny("containers[0].securityContext.runAsUser")}, true, "baseline.run-as-user"},
		{"around the defaulted field", []diag.Finding{deny("containers[0].securityContext")}, true, "baseline.run-as-user"},
		{"compiler default is not policy", []diag.Finding{deny("containers[0].pullPolicy")}, false, ""},
		{"sibling with a common prefix", []diag.Finding{deny("containers[0].securityContext.runAsUserX")}, false, ""},
		{"another container", []diag.Finding{deny("containers[1].securityContext.runAsUser")}, false, ""},
		{"no field", []diag.Finding{deny("")}, false, ""},
		{"one of two", []diag.Finding{deny("containers[0].securityContext.runAsUser"), deny("containers[0].image")}, false, "baseline.run-as-user"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orig := c.fs[0].Message
			out, policy := Blame(c.fs, defaults, nil)
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
