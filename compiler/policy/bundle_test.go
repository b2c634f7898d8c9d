package policy_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/internal/bundletest"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/policies"
)

func TestLoadDirCustomBundle(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": bundletest.Custom})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Source() != dir || !strings.HasPrefix(b.Digest(), "sha256:") || len(b.Digest()) != len("sha256:")+64 {
		t.Errorf("source %q digest %q", b.Source(), b.Digest())
	}
	var ids []string
	for _, r := range b.Rules() {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []string{"dev.owner", "prod.registry"}) {
		t.Errorf("rules %v", ids)
	}
	if ps := b.Profiles(); len(ps) != 2 || ps[0].Name != "dev" || ps[1].Description != "production" {
		t.Errorf("profiles %+v", ps)
	}

	wi := exampletest.Intent(t, "dev-latest.json")
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range ir.Findings {
		got = append(got, f.Severity.String()+" "+f.RuleID+" "+f.Field+" "+f.Message)
	}
	want := []string{
		`warn dev.owner labels["owner"] no owner label`,
		"deny prod.registry containers[0].image images come from the platform registry",
		"deny prod.registry containers[1].image images come from the platform registry",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n got %q\nwant %q", got, want)
	}
	// baseline is not a profile of this bundle.
	if _, err := b.EvaluateIntent(context.Background(), wi, policy.Params{}); err == nil {
		t.Error("want an unknown-profile error for the default profile")
	}
	// No manifest rules: the manifest stage has nothing to do.
	mr, err := b.EvaluateManifests(context.Background(), nil, nil, policy.Params{Profile: "dev"})
	if err != nil || len(mr.Decisions) != 0 {
		t.Errorf("manifests: %v %v", mr, err)
	}
}

func TestDigestFollowsContent(t *testing.T) {
	d1 := bundletest.Write(t, map[string]string{"rules.cue": bundletest.Custom, "tests/a.txtar": "x"})
	d2 := bundletest.Write(t, map[string]string{"rules.cue": bundletest.Custom})
	d3 := bundletest.Write(t, map[string]string{"rules.cue": bundletest.Custom + "\n// changed\n"})
	var digests []string
	for _, d := range []string{d1, d2, d3} {
		b, err := policy.LoadDir(d, policy.Options{})
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, b.Digest())
	}
	if digests[0] != digests[1] {
		t.Error("the digest depends on files other than the .cue files")
	}
	if digests[1] == digests[2] {
		t.Error("the digest did not change with the content")
	}
	a, _ := policy.Default()
	b, _ := policy.Default()
	if a != b {
		t.Error("Default compiled the bundle twice")
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"syntax", map[string]string{"a.cue": "package p\n\nprofiles: x: description: \"x\"\nrules: {\n"}, []string{"a.cue:"}},
		{"conflict", map[string]string{"a.cue": "package p\nprofiles: x: description: \"x\"\nparameters: n: 1\n", "b.cue": "package p\n\nparameters: n: 2\n"}, []string{"conflicting values", ".cue:"}},
		{"bad severity", map[string]string{"a.cue": `package p
profiles: x: description: "x"
rules: r: {profiles: ["x"], severity: "block", stage: "intent", message: "m", description: "d"}
`}, []string{"a.cue:3:", "severity"}},
		{"unknown profile", map[string]string{"a.cue": `package p
profiles: x: description: "x"
rules: r: {profiles: ["y"], severity: "deny", stage: "intent", message: "m", description: "d"}
`}, []string{"unknown profile \"y\""}},
		{"missing message", map[string]string{"a.cue": `package p
profiles: x: description: "x"
rules: r: {profiles: ["x"], severity: "deny", stage: "intent", description: "d"}
`}, []string{"message"}},
		{"unknown rule field", map[string]string{"a.cue": `package p
profiles: x: description: "x"
rules: r: {profiles: ["x"], severity: "deny", stage: "intent", message: "m", description: "d", sevrity: "warn"}
`}, []string{"a.cue:3:", "sevrity"}},
		{"two packages", map[string]string{"a.cue": "package p\nprofiles: x: description: \"x\"\n", "b.cue": "package q\n"}, []string{"b.cue", "package q"}},
		{"no package", map[string]string{"a.cue": "profiles: x: description: \"x\"\n"}, []string{"a.cue:1:1", "package clause"}},
		{"no profiles", map[string]string{"a.cue": "package p\n"}, []string{"no profiles"}},
		{"empty", map[string]string{"README.md": "x"}, []string{"no .cue files"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := bundletest.Write(t, tt.files)
			_, err := policy.LoadDir(dir, policy.Options{})
			var le *policy.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LoadError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := policy.LoadDir(filepath.Join(t.TempDir(), "missing"), policy.Options{}); err == nil {
		t.Error("LoadDir of a missing directory: want an error")
	}
}

// A rule that reads another rule still works: the trimmed evaluation form
// falls back to the whole bundle.
func TestRuleReadingAnotherRule(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": `package p
profiles: a: description: "a"
profiles: b: description: "b"
rules: "a.base": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "x" {field: "name"}]}
rules: "b.copy": {profiles: ["b"], severity: "deny", stage: "intent", message: "copied", description: "d",
	violations: rules["a.base"].violations}
`})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wi := exampletest.Intent(t, "hello.json")
	wi.Name = "x"
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ir.Findings) != 1 || ir.Findings[0].RuleID != "b.copy" || ir.Findings[0].Field != "name" || ir.Findings[0].Severity != diag.Deny {
		t.Errorf("findings %v", ir.Findings)
	}
}

// A rule that fails to evaluate is a fault of the bundle, reported under
// the rule's id and counted, never an error of the call and never a
// silent pass: a deny rule's fault denies, a warn rule's warns, and a
// default that does not fit the intent is a fault too.
func TestRuleFaults(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": `package p
profiles: a: description: "a"
rules: "a.bad": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.name + 1 == 2 {field: "name"}]}
rules: "a.badwarn": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d", each: "container",
	violations: [{field: container.nosuchfield}]}
rules: "a.baddefault": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d",
	defaults: [{field: "containers[0].nosuch", value: true}]}
rules: "a.fine": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "x" {field: "name"}]}
`})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 { // the second round reads the cached outcomes
		ir, err := b.EvaluateIntent(context.Background(), exampletest.Intent(t, "hello.json"), policy.Params{Profile: "a"})
		if err != nil {
			t.Fatalf("round %d: a rule's fault is an error of the call: %v", round, err)
		}
		var got []string
		for _, f := range ir.Findings {
			if !f.Fault {
				t.Errorf("round %d: finding without Fault: %v", round, f)
				continue
			}
			got = append(got, f.Severity.String()+" "+f.RuleID+" "+f.Field)
			if !strings.Contains(f.Message, "rules.cue:") {
				t.Errorf("round %d: %s: the message names no file:line: %s", round, f.RuleID, f.Message)
			}
		}
		want := []string{"deny a.bad ", "deny a.baddefault ", "warn a.badwarn containers[0]"}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("round %d: findings %q, want %q", round, got, want)
		}
		outcomes := map[string]diag.Outcome{}
		for _, d := range ir.Decisions {
			outcomes[d.RuleID] = d.Outcome
		}
		for id, w := range map[string]diag.Outcome{"a.bad": diag.OutcomeFault, "a.badwarn": diag.OutcomeFault, "a.fine": diag.OutcomePass} {
			if outcomes[id] != w {
				t.Errorf("round %d: %s decided %v, want %v", round, id, outcomes[id], w)
			}
		}
	}
	faults := b.Faults()
	if faults["a.bad"] != 2 || faults["a.badwarn"] != 2 || faults["a.baddefault"] != 2 || faults["a.fine"] != 0 {
		t.Errorf("fault counts %v", faults)
	}
	if pos := b.RulePosition("a.bad"); !strings.HasPrefix(pos, "rules.cue:3:") {
		t.Errorf("RulePosition(a.bad) = %q", pos)
	}
}

// A rule that fails only on some inputs (here when a label is present)
// faults on those and decides the others as usual.
func TestRuleFaultOnSomeInputs(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": `package p
profiles: a: description: "a"
rules: "a.label": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.labels["tier"] != _|_ if intent.labels["tier"] * 2 > 1 {field: "labels"}]}
`})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wi := exampletest.Intent(t, "hello.json")
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "a"})
	if err != nil || len(ir.Findings) != 0 {
		t.Fatalf("without the label: %v, %v", ir.Findings, err)
	}
	wi.Labels = map[string]string{"tier": "web"}
	ir, err = b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ir.Findings) != 1 || !ir.Findings[0].Fault || ir.Findings[0].RuleID != "a.label" || ir.Findings[0].Severity != diag.Deny {
		t.Errorf("with the label: %v", ir.Findings)
	}
}

// A per-container rule and its whole-intent twin find the same violations,
// and the per-container one keeps answering right as containers change.
func TestEachContainerMatchesWholeIntent(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": `package p
import "list"
profiles: a: description: "a"
parameters: registries: ["registry.example.com"]
rules: "a.each": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d", each: "container",
	violations: [if !list.Contains(parameters.registries, container.registry) {field: "\(container.path).image"}]}
rules: "a.whole": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [for c in intent.containers if !list.Contains(parameters.registries, c.registry) {field: "\(c.path).image"}]}
`})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := exampletest.Intent(t, "checkout.json")
	images := []string{"registry.example.com/a:1", "docker.io/a:1", "alpine", "registry.example.com:5000/a:1"}
	for i := range 12 {
		wi := clone(base)
		for j, c := range append(append(wi.Containers, wi.Sidecars...), wi.InitSteps...) {
			c.Image = images[(i+j*i)%len(images)]
		}
		ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "a"})
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string][]string{}
		for _, f := range ir.Findings {
			fields[f.RuleID] = append(fields[f.RuleID], f.Field)
		}
		if !slices.Equal(fields["a.each"], fields["a.whole"]) {
			t.Errorf("variant %d: each %v, whole %v", i, fields["a.each"], fields["a.whole"])
		}
	}
}

// A platform team overrides the default bundle's parameters in a file of
// its own: the allowed registries and the limit ratio.
func TestDefaultBundleParameters(t *testing.T) {
	files := map[string]string{}
	names, err := fs.Glob(policies.FS(), "*.cue")
	if err != nil || len(names) == 0 {
		t.Fatalf("no bundle files: %v", err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(policies.FS(), n)
		if err != nil {
			t.Fatal(err)
		}
		files[n] = string(data)
	}
	files["platform.cue"] = `package policies
parameters: allowedRegistries: ["registry.example.com"]
parameters: maxLimitRatio: 2
`
	b, err := policy.LoadDir(bundletest.Write(t, files), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wi := exampletest.Intent(t, "checkout.json")
	wi.Sidecars[0].Image = "docker.io/fluent/fluent-bit:3.1.0"
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range ir.Findings {
		got = append(got, f.RuleID+" "+f.Field)
	}
	want := []string{
		"restricted.allowed-registries sidecars[0].image",
		"restricted.limit-ratio containers[0].resources.cpu.limit", // 1 / 250m = 4 > 2
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	// The default bundle allows any registry and a ratio of 4.
	ir, err = defaultBundle(t).EvaluateIntent(context.Background(), wi, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ir.Findings) != 0 {
		t.Errorf("default bundle: %v", ir.Findings)
	}
}
