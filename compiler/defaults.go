package compiler

import (
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// unsoundDefaults checks the values policy defaults wrote into an intent
// that passed the structural checks, as wi holds them after the defaults:
// a value the checks refuse (a quantity that is not one, a request above
// its limit, a topology key that is not a label key) is the fault of the
// rule whose default wrote it, never podc's, and must not reach the
// compiler. It returns a deny finding for each, under that rule's id, at
// the field; none when no policy default was applied. Problems the
// defaults only take part in, at fields around theirs (a container that
// would run as root with a defaulted runAsNonRoot), are left to the
// manifest policies and the apiserver's validation, which name the
// intent's own choice.
func unsoundDefaults(wi *podcv1.WorkloadIntent, defaults []diag.Default, opts intent.Options) []diag.Finding {
	var policyDefaults []diag.Default
	for _, d := range defaults {
		if strings.HasPrefix(d.Source, "policy:") && d.Field != "" {
			policyDefaults = append(policyDefaults, d)
		}
	}
	if len(policyDefaults) == 0 {
		return nil
	}
	var out []diag.Finding
	for _, f := range intent.Check(wi, opts) {
		if f.Severity != diag.Deny {
			continue
		}
		for _, d := range policyDefaults {
			if within(f.Field, d.Field) {
				rule := strings.TrimPrefix(d.Source, "policy:")
				out = append(out, diag.Finding{
					Severity: diag.Deny, Stage: diag.StageIntentPolicy, RuleID: rule, Field: f.Field,
					Message: f.Message + "; the value was written by the default of policy rule " + rule,
				})
				break
			}
		}
	}
	return out
}

// within reports whether the path field is base or lies inside it.
func within(field, base string) bool {
	rest, ok := strings.CutPrefix(field, base)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}
