package policy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/internal/bundletest"
	"github.com/podc-dev/podc/internal/exampletest"
)

// A rule on the whole intent that reads its containers sees them: the
// whole-intent input leaves them out only for a profile none of whose
// forms on it reads them. checkout has four containers (an app, a sidecar,
// two init steps); hello has one.
func TestWholeIntentRuleReadsTheContainers(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"r.cue": `package p
profiles: baseline: description: "b"
rules: "p.few-containers": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if len(intent.containers) > 2 {field: "containers", message: "\(len(intent.containers)) containers"}]}
`})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		example string
		want    string // the finding's message; "" for none
	}{{"checkout.json", "4 containers"}, {"hello.json", ""}, {"checkout.json", "4 containers"}} {
		ir, err := b.EvaluateIntent(ctx, exampletest.Intent(t, tc.example), policy.Params{Profile: "baseline"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range ir.Findings {
			got = append(got, f.Message)
		}
		if tc.want == "" && len(got) != 0 || tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)) {
			t.Errorf("%s: findings %q, want %q", tc.example, got, tc.want)
		}
	}
}
