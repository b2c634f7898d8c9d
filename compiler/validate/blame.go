package validate

import (
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/provenance"
)

// Blame decides whose fault each validation finding is. A finding at a
// manifest field that the record src says a policy default wrote (the
// field itself, or a field inside it: see provenance.Record.PolicyWithin)
// is the policy's fault: it gets the rule's id and a message that names the
// rule. So is a finding at an intent field that a policy rule already
// denies (a deny finding of denials with a rule id, at that field, inside
// it or around it): the intent is refused for it anyway. It returns the
// findings, changed on copies, and whether every deny among them is a
// policy's fault; any other deny is a fault in the compiler.
func Blame(fs []diag.Finding, src *provenance.Record, denials []diag.Finding) ([]diag.Finding, bool) {
	out := make([]diag.Finding, len(fs))
	allPolicy := true
	for i, f := range fs {
		out[i] = f
		if rule := policyRuleAt(src, f.ManifestField); rule != "" {
			out[i].RuleID = rule
			out[i].Message += "; the value was written by the default of policy rule " + rule
			continue
		}
		if rule := policyDenialAt(f.Field, denials); rule != "" {
			out[i].RuleID = rule
			out[i].Message += "; policy rule " + rule + " denies this field"
			continue
		}
		if f.Severity == diag.Deny {
			allPolicy = false
		}
	}
	return out, allPolicy
}

// policyDenialAt returns the rule of a policy deny finding at field, or "".
func policyDenialAt(field string, denials []diag.Finding) string {
	if field == "" {
		return ""
	}
	for _, d := range denials {
		if d.Severity == diag.Deny && d.RuleID != "" && d.Field != "" && related(field, d.Field) {
			return d.RuleID
		}
	}
	return ""
}

// related reports whether one path is the other or lies inside it.
func related(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if !strings.HasPrefix(b, a) {
		return false
	}
	return len(a) == len(b) || b[len(a)] == '.' || b[len(a)] == '['
}
