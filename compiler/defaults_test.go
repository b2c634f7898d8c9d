package compiler_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/internal/bundletest"
)

// badQuantity defaults an ephemeral storage request that is not a
// quantity: the kind of value a platform team's parameter can carry.
const badQuantity = `package p
profiles: baseline: description: "b"
parameters: request: "10 Gi"
rules: "p.storage": {profiles: ["baseline"], severity: "deny", stage: "intent", each: "container", message: "m", description: "d",
	defaults: [if container.ephemeralStorage.request == 0 {field: "\(container.path).resources.ephemeralStorage.request", value: parameters.request}]}
`

// A policy default that writes a value the structural checks refuse is
// the rule's fault: a request is refused under the rule's id at the
// field, never compiled (which would fail inside podc), and the bundle
// does not pass its smoke set.
func TestUnsoundDefaultIsThePolicys(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": badQuantity})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatalf("the bundle is valid CUE, yet does not load: %v", err)
	}
	var le *policy.LoadError
	if err := compiler.CheckBundle(b, intent.DefaultNodePorts); !errors.As(err, &le) || !strings.Contains(err.Error(), "p.storage") {
		t.Errorf("smoke check: got %v, want a LoadError naming p.storage", err)
	}

	eng := compiler.New(compiler.Options{Policies: store.New(b, nil)})
	data, err := os.ReadFile("../examples/hello.json")
	if err != nil {
		t.Fatal(err)
	}
	wi, err := intent.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng.Compile(context.Background(), compiler.Request{Intent: wi})
	de, ok := diag.AsError(err)
	if !ok || de.Kind != diag.Denied {
		t.Fatalf("got %v, want a denial", err)
	}
	var found bool
	for _, f := range de.Findings {
		if f.RuleID == "p.storage" && f.Field == "containers[0].resources.ephemeralStorage.request" && strings.Contains(f.Message, "written by the default of policy rule p.storage") {
			found = true
		}
	}
	if !found {
		t.Errorf("no finding under p.storage at the request: %v", de.Findings)
	}
}
