package compiler_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/internal/bundletest"
)

// notCompiling has a rule of profile restricted whose form compiles in no
// evaluation file: its parameter reads the intent, which parameters
// (evaluated once for every request) cannot. Profile baseline does not
// use it.
const notCompiling = `package p
profiles: baseline: description: "b"
profiles: restricted: description: "r"
parameters: greeting: "hello \(intent.name)"
rules: "baseline.fine": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "nope" {field: "name"}]}
rules: "restricted.greets": {profiles: ["restricted"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if parameters.greeting == "hello x" {field: "name"}]}
`

// A bundle loaded with each profile compiled on first use is still checked
// whole before it serves: the check names the rule that does not compile,
// whichever profile it is in. Used unchecked, the rule is a fault of its
// own that refuses the intent, never a fault of podc, and the other
// profile compiles. The embedded bundle, loaded so, passes the check.
func TestLazyBundleCheckedWhole(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": notCompiling})
	_, err := compiler.LoadBundle(dir, policy.Options{Lazy: true}, intent.DefaultNodePorts)
	var le *policy.LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), `rules["restricted.greets"]`) || !strings.Contains(err.Error(), "rules.cue:7:") {
		t.Fatalf("load: got %v, want a LoadError naming restricted.greets at rules.cue:7", err)
	}

	b, err := policy.LoadDir(dir, policy.Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	eng := compiler.New(compiler.Options{Policies: store.New(b, nil)})
	req := checkout(t)
	req.Profile = "restricted"
	_, err = eng.Compile(context.Background(), req)
	de, ok := diag.AsError(err)
	if !ok || de.Kind == diag.Internal || len(de.Findings) != 1 || de.Findings[0].RuleID != "restricted.greets" || !de.Findings[0].Fault {
		t.Fatalf("restricted: got %v, want a refusal by restricted.greets's fault", err)
	}
	req.Profile = "baseline"
	if _, err := eng.Compile(context.Background(), req); err != nil {
		t.Errorf("baseline: %v", err)
	}

	embedded, err := policy.Embedded(policy.Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := compiler.CheckBundle(embedded, intent.DefaultNodePorts); err != nil {
		t.Errorf("the embedded bundle, loaded lazily, fails its check: %v", err)
	}
}
