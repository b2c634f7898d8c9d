package policy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/internal/bundletest"
	"github.com/podc-dev/podc/internal/exampletest"
)

// storageRule defaults each container's ephemeral storage request to
// value, a CUE expression.
func storageRule(params, value string) string {
	return `package p
profiles: baseline: description: "b"
` + params + `
rules: "p.storage": {profiles: ["baseline"], severity: "deny", stage: "intent", each: "container", message: "m", description: "d",
	defaults: [if container.ephemeralStorage.request == 0 {field: "\(container.path).resources.ephemeralStorage.request", value: ` + value + `}]}
`
}

// A default's value may be a parameter with a CUE default, as the
// default bundle's are: it is written as that default. A value that is
// not concrete at all is the rule's fault, reported under its id: never
// an outcome of nothing, which would let the intent through without the
// default.
func TestDefaultValues(t *testing.T) {
	for _, c := range []struct {
		name, params, value string
		want                string // the default written; "" for a fault
	}{
		{"a parameter with a default", `parameters: request: *"1Gi" | string`, "parameters.request", "1Gi"},
		{"a parameter set by a second file's value", `parameters: request: *"1Gi" | string
parameters: request: "2Gi"`, "parameters.request", "2Gi"},
		{"a literal", ``, `"3Gi"`, "3Gi"},
		{"not concrete", `parameters: request: string`, "parameters.request", ""},
		{"two defaults", `parameters: request: *"1Gi" | *"2Gi" | string`, "parameters.request", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := bundletest.Write(t, map[string]string{"r.cue": storageRule(c.params, c.value)})
			b, err := policy.LoadDir(dir, policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ir, err := b.EvaluateIntent(context.Background(), exampletest.Intent(t, "hello.json"), policy.Params{Profile: "baseline"})
			if err != nil {
				t.Fatal(err)
			}
			if c.want != "" {
				if len(ir.Defaults) != 1 || ir.Defaults[0].Value != c.want || len(ir.Findings) != 0 {
					t.Errorf("defaults %v, findings %v; want one default %s", ir.Defaults, ir.Findings, c.want)
				}
				return
			}
			if len(ir.Defaults) != 0 || len(ir.Findings) != 1 || !ir.Findings[0].Fault || ir.Findings[0].RuleID != "p.storage" ||
				!strings.Contains(ir.Findings[0].Message, "want a concrete") {
				t.Errorf("defaults %v, findings %v; want one fault of p.storage", ir.Defaults, ir.Findings)
			}
			if len(ir.Decisions) != 1 || ir.Decisions[0].Outcome != diag.OutcomeFault {
				t.Errorf("decisions %v", ir.Decisions)
			}
		})
	}
}
