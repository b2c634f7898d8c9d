package policy

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// A rule's let that only the part a form leaves out reads is left out of
// that form too (CUE refuses an unreferenced let), so the form keeps its
// own rule, not the whole bundle, and what it reads is known; each form
// still decides as the rule says.
func TestTrimmedFormsDropLetsOnlyOtherPartsRead(t *testing.T) {
	fsys := fstest.MapFS{"rules.cue": {Data: []byte(`package p
profiles: a: description: "a"
rules: "a.lets": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d"
	let n = intent.name
	// Read only by the violations.
	let short = len(n) < 4
	// Read only by the defaults, one through the other.
	let team = "team-" + n
	let label = team
	defaults: [if intent.labels.team == _|_ {field: "labels[\"team\"]", value: label}]
	violations: [if short {field: "name", message: "\(n) is short"}]
}
`)}}
	b, err := Load(fsys, "test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.forms) != 2 {
		t.Fatalf("%d forms, want the violations and the defaults", len(b.forms))
	}
	for _, f := range b.forms {
		if f.whole || f.reads == nil {
			t.Errorf("the %s form keeps the whole bundle (whole %v, reads %v)", f.part.field(), f.whole, f.reads)
		}
	}
	for _, tt := range []struct {
		name, findings, team string
	}{
		{"ab", "[name: ab is short]", "team-ab"},
		{"abcdef", "[]", "team-abcdef"},
	} {
		wi := &podcv1.WorkloadIntent{Name: tt.name, Containers: []*podcv1.Container{{Name: "c", Image: "nginx:1"}}}
		ir, err := b.EvaluateIntent(context.Background(), wi, Params{Profile: "a"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range ir.Findings {
			got = append(got, f.Field+": "+f.Message)
		}
		if s := fmt.Sprint(got); s != tt.findings {
			t.Errorf("%s: findings %s, want %s", tt.name, s, tt.findings)
		}
		if team := ir.Intent.GetLabels()["team"]; team != tt.team {
			t.Errorf("%s: defaulted team label %q, want %q", tt.name, team, tt.team)
		}
		if !slices.ContainsFunc(ir.Defaults, func(d diag.Default) bool { return d.Field == `labels["team"]` }) {
			t.Errorf("%s: defaults %v do not name the team label", tt.name, ir.Defaults)
		}
	}
}
