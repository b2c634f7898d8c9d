package compiler_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/internal/bundletest"
)

// failsAlways is valid CUE whose rule fails to evaluate on every intent.
const failsAlways = `package p
profiles: baseline: description: "b"
rules: "p.sum": {profiles: ["baseline"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [if intent.replicas + "a" == 1 {field: "replicas"}]}
`

// failsOnTests fails only on an input its own test case has: a manifest
// rule that reads a field only Deployments have.
const failsOnTests = `package p
profiles: baseline: description: "b"
rules: "p.replicas": {profiles: ["baseline"], severity: "deny", stage: "manifest", message: "m", description: "d",
	violations: [if manifests.workload.kind == "Deployment" if manifests.workload.replicas > manifests.workload.nosuch {field: "replicas"}]}
`

// failsExcepted is a rule whose exception terms fail on every intent
// without a tier label: the examples have none.
const failsExcepted = `package p
profiles: baseline: description: "b"
rules: "p.tier": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [], exception: allowed: intent.labels.tier == "gold"}
`

// A bundle whose rule fails to evaluate on its smoke set is refused at
// load, on reload (the good bundle keeps serving and the failure names the
// rule and its file:line) and by the check podc policy vet runs.
func TestBundleMustEvaluateCleanly(t *testing.T) {
	load := func(dir string) (*policy.Bundle, error) {
		return compiler.LoadBundle(dir, policy.Options{}, intent.DefaultNodePorts)
	}
	for name, src := range map[string]string{"every intent": failsAlways, "a Deployment": failsOnTests, "an exception": failsExcepted} {
		t.Run(name, func(t *testing.T) {
			dir := bundletest.Write(t, map[string]string{"rules.cue": src})
			if _, err := policy.LoadDir(dir, policy.Options{}); err != nil {
				t.Fatalf("the bundle is valid CUE, yet does not load: %v", err)
			}
			_, err := load(dir)
			var le *policy.LoadError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), "rules.cue:3:") || !strings.Contains(err.Error(), "smoke input") {
				t.Fatalf("load: got %v, want a LoadError naming rules.cue:3 and the smoke input", err)
			}
		})
	}

	// Reload: good, then failing, then good again.
	dir := bundletest.Write(t, map[string]string{"rules.cue": bundletest.Custom})
	good, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(good, load)
	broken := "package platform\n\nrules: \"p.sum\": {profiles: [\"dev\"], severity: \"warn\", stage: \"intent\", message: \"m\", description: \"d\",\n\tviolations: [if intent.replicas + \"a\" == 1 {field: \"replicas\"}]}\n"
	if err := os.WriteFile(filepath.Join(dir, "zz.cue"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	err = s.Reload(dir)
	if err == nil || !strings.Contains(err.Error(), "p.sum") || !strings.Contains(err.Error(), "zz.cue:3:") {
		t.Fatalf("reload of a failing bundle: %v", err)
	}
	if s.Bundle() != good || !strings.Contains(s.Status().LastError, "p.sum") {
		t.Errorf("the failing bundle replaced the good one, or its failure is not shown: %+v", s.Status())
	}
	if err := os.Remove(filepath.Join(dir, "zz.cue")); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(dir); err != nil || s.Status().LastError != "" {
		t.Errorf("reload after the fix: %v, %+v", err, s.Status())
	}

	// The embedded bundle passes its own smoke set.
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := compiler.CheckBundle(b, intent.DefaultNodePorts); err != nil {
		t.Errorf("the embedded bundle fails its smoke set: %v", err)
	}
}
